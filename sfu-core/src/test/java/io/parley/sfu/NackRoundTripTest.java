package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.MediaMetrics;
import io.parley.sfu.dtls.DtlsCertificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Packets lost on a publisher's uplink when the path to it is long: the SFU measures the round trip
 * to a transport that only publishes (RTCP XR: RRTR out, DLRR back), asks for each lost packet
 * again only once a resend had time to come back, and keeps asking when a resend is lost too, as a
 * browser's sender needs (it ignores a repeated request that comes sooner than its round trip).
 */
class NackRoundTripTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final int ROUND_TRIP_MILLIS = 300;

  private Sfu sfu;
  private EventLoopGroup clients;
  private ExecutorService dtls;
  private TestParticipant publisher;
  private TestParticipant subscriber;

  @AfterEach
  void stop() {
    for (TestParticipant p : new TestParticipant[] {publisher, subscriber}) {
      if (p != null) {
        p.close();
      }
    }
    if (sfu != null) {
      sfu.close();
    }
    if (clients != null) {
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (dtls != null) {
      dtls.shutdownNow();
    }
  }

  @Test
  void aResendLostOnALongPathIsAskedForAgainAfterARoundTrip() throws Exception {
    sfu = Sfu.start(SfuConfig.loopback());
    AtomicBoolean longRoundTrip = new AtomicBoolean();
    sfu.setMediaMetrics(
        new MediaMetrics() {
          @Override
          public void publisherRoundTrip(double rttSeconds) {
            if (rttSeconds > ROUND_TRIP_MILLIS * 0.9 / 1000) {
              longRoundTrip.set(true);
            }
          }
        });
    clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
    DtlsCertificate certificate = DtlsCertificate.generate();
    publisher = TestParticipant.join(sfu, "room-rtt", "pub", clients, certificate, dtls);
    subscriber = TestParticipant.join(sfu, "room-rtt", "sub", clients, certificate, dtls);
    // The publisher only publishes, as a browser's sending transport: its round trip is measured
    // from its answers to the SFU's reference times (RTCP XR), held back as on a long path.
    publisher.reportHoldMillis = ROUND_TRIP_MILLIS;
    publisher.publish();
    subscriber.subscribeTo(publisher);
    publisher.startSending();
    Await.until(DEADLINE, longRoundTrip::get, "the SFU measuring a 300 ms round trip");
    Await.until(DEADLINE, () -> subscriber.streamFrom(publisher, MediaKind.VIDEO) != null, "video");
    var stream = subscriber.streamFrom(publisher, MediaKind.VIDEO);
    Await.until(DEADLINE, () -> stream.packets.get() > 100, "video flowing");

    // The publisher behaves like a browser's sender on that path: the first resend of each packet
    // is lost on the way, and a request that comes less than a round trip after the last resend is
    // ignored.
    Map<Integer, Long> resentNanos = new ConcurrentHashMap<>();
    publisher.resendFilter =
        seq -> {
          long now = System.nanoTime();
          Long last = resentNanos.get(seq);
          if (last != null && now - last < ROUND_TRIP_MILLIS * 1_000_000L) {
            return false;
          }
          resentNanos.put(seq, now);
          return last != null; // the first resend is lost
        };
    AtomicInteger dropped = new AtomicInteger();
    Set<Integer> droppedSeqs = ConcurrentHashMap.newKeySet();
    publisher.client.setSendFilter(
        packet -> {
          boolean video = (packet.getByte(packet.readerIndex() + 1) & 0x7F) == 96;
          if (video && dropped.get() < 3) {
            droppedSeqs.add(packet.getUnsignedShort(packet.readerIndex() + 2));
            dropped.incrementAndGet();
            return false;
          }
          return true;
        });
    Await.until(DEADLINE, () -> dropped.get() >= 3, "three packets lost on the uplink");
    publisher.client.setSendFilter(null);

    Await.until(
        DEADLINE,
        () -> stream.sourceSequenceNumbers.containsAll(droppedSeqs),
        () -> "the lost packets arriving after a second resend; requests " + nacks(droppedSeqs));
    for (int seq : droppedSeqs) {
      List<Long> times = publisher.nackNanos.get(seq);
      long gapMillis = (times.get(1) - times.get(0)) / 1_000_000;
      assertThat(gapMillis)
          .as(() -> "between the first two requests for " + seq + ": " + nacks(droppedSeqs))
          .isGreaterThanOrEqualTo(ROUND_TRIP_MILLIS);
    }
  }

  /** Each lost packet's requests, in milliseconds after its first. */
  private String nacks(Set<Integer> seqs) {
    StringBuilder b = new StringBuilder();
    for (int seq : seqs) {
      List<Long> times = publisher.nackNanos.getOrDefault(seq, List.of());
      b.append(seq).append(':');
      for (long t : times) {
        b.append(' ').append((t - times.get(0)) / 1_000_000);
      }
      b.append(" ms; ");
    }
    return b.toString();
  }
}
