package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ResourceLeakDetector;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.dtls.DtlsCertificate;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two people subscribing to one camera shortly after each other, as everyone does when a meeting
 * starts: the second must not wait out the keyframe-request throttle when the first one's request
 * was already answered.
 */
class KeyframeOnJoinTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final long INTERVAL_MS =
      io.parley.sfu.routing.Producer.KEYFRAME_REQUEST_INTERVAL_NANOS / 1_000_000;

  @Test
  void aSecondSubscriberGetsItsKeyframeRequestThroughOnceTheFirstWasAnswered() throws Exception {
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    EventLoopGroup clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService dtls = Executors.newCachedThreadPool();
    TestParticipant publisher = null;
    TestParticipant first = null;
    TestParticipant second = null;
    try (Sfu sfu = Sfu.start(SfuConfig.loopback())) {
      DtlsCertificate certificate = DtlsCertificate.generate();
      publisher = TestParticipant.join(sfu, "k", "pub", clients, certificate, dtls);
      first = TestParticipant.join(sfu, "k", "first", clients, certificate, dtls);
      second = TestParticipant.join(sfu, "k", "second", clients, certificate, dtls);
      publisher.publish();
      publisher.startSending();
      TestParticipant pub = publisher;
      TestParticipant a = first;
      TestParticipant b = second;
      // The camera's first keyframe (sent at start) has passed; from here on it sends one only
      // every 2 s, or when asked.
      Await.until(DEADLINE, () -> sfu.stats().rtpIn.sum() > 20, "the publisher sending");

      int before = pub.plisReceived.get();
      a.subscribeTo(pub);
      awaitVideo(a, pub, "the first subscriber's video");
      assertThat(pub.plisReceived.get()).as("the first subscriber's request").isGreaterThan(before);
      long firstRequest = pub.pliNanos.get(pub.pliNanos.size() - 1);

      // The first request was answered (its keyframe reached the first subscriber). A second
      // subscriber now needs a keyframe too and its request goes out at once, not when the
      // throttle interval has passed.
      long subscribed = System.nanoTime();
      long sinceFirst = (subscribed - firstRequest) / 1_000_000;
      assumeTrue(
          sinceFirst < INTERVAL_MS / 2,
          "the second subscription came " + sinceFirst + " ms after the first request");
      int beforeSecond = pub.plisReceived.get();
      b.subscribeTo(pub);
      awaitVideo(b, pub, "the second subscriber's video");
      assertThat(pub.plisReceived.get()).isGreaterThan(beforeSecond);
      long secondRequest = pub.pliNanos.get(beforeSecond);
      assertThat((secondRequest - firstRequest) / 1_000_000)
          .as("ms between the two keyframe requests (throttle %d ms)", INTERVAL_MS)
          .isLessThan(INTERVAL_MS * 5 / 6);
    } finally {
      for (TestParticipant p : new TestParticipant[] {publisher, first, second}) {
        if (p != null) {
          p.close();
        }
      }
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      dtls.shutdownNow();
      ResourceLeakDetector.setLevel(level);
    }
  }

  /** Waits until {@code subscriber} got a packet of {@code publisher}'s video: it started. */
  private static void awaitVideo(
      TestParticipant subscriber, TestParticipant publisher, String what) {
    Await.until(
        DEADLINE,
        () -> {
          var r = subscriber.streamFrom(publisher, MediaKind.VIDEO);
          return r != null && r.packets.get() > 0;
        },
        what);
  }
}
