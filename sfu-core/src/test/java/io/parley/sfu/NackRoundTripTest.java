package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.MediaMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
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

  private SfuFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aResendLostOnALongPathIsAskedForAgainAfterARoundTrip() throws Exception {
    fixture = new SfuFixture();
    AtomicBoolean longRoundTrip = new AtomicBoolean();
    fixture.sfu.setMediaMetrics(
        new MediaMetrics() {
          @Override
          public void publisherRoundTrip(double rttSeconds) {
            if (rttSeconds > ROUND_TRIP_MILLIS * 0.9 / 1000) {
              longRoundTrip.set(true);
            }
          }
        });
    TestParticipant publisher = fixture.join("room-rtt", "pub");
    TestParticipant subscriber = fixture.join("room-rtt", "sub");
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
    Set<Integer> droppedSeqs = publisher.loseNextVideoPackets(3, DEADLINE);

    Await.until(
        DEADLINE,
        () -> stream.sourceSequenceNumbers.containsAll(droppedSeqs),
        () ->
            "the lost packets arriving after a second resend; requests "
                + nacks(publisher, droppedSeqs));
    for (int seq : droppedSeqs) {
      List<Long> times = publisher.nackNanos.get(seq);
      long gapMillis = (times.get(1) - times.get(0)) / 1_000_000;
      assertThat(gapMillis)
          .as(
              () ->
                  "between the first two requests for "
                      + seq
                      + ": "
                      + nacks(publisher, droppedSeqs))
          .isGreaterThanOrEqualTo(ROUND_TRIP_MILLIS);
    }
  }

  /** Each lost packet's requests, in milliseconds after its first. */
  private static String nacks(TestParticipant publisher, Set<Integer> seqs) {
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
