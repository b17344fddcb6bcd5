package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The start-up meeting really forwards media through the port, people come and go in it, and it
 * leaves nothing behind.
 */
class MediaWarmupTest {
  @Test
  void forwardsMediaBetweenItsParticipantsAndCleansUp() throws Exception {
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    try (Sfu sfu = Sfu.start(SfuConfig.loopback().withUdpPort(0))) {
      MediaWarmup.Result result =
          MediaWarmup.start(sfu, 3, 8000, Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);

      // Three at a time, one replaced by a newcomer after every sixth of the packets.
      assertThat(result.replaced()).isEqualTo(MediaWarmup.REPLACEMENTS);
      assertThat(result.connected()).isEqualTo(3 + MediaWarmup.REPLACEMENTS);
      assertThat(result.forwarded()).isGreaterThanOrEqualTo(8000);
      assertThat(result.received()).isPositive();
      // The RTCP browsers send reached the SFU and was acted on: NACKs answered from the cache,
      // keyframe requests taken.
      assertThat(sfu.stats().rtcpIn.sum()).isPositive();
      assertThat(sfu.stats().nacksIn.sum()).isPositive();
      assertThat(sfu.stats().retransmissions.sum()).isPositive();
      assertThat(sfu.stats().pliIn.sum()).isPositive();
      assertThat(sfu.stats().rtpOut.sum()).isGreaterThanOrEqualTo(8000);
      Await.until(
          Duration.ofSeconds(10),
          () -> sfu.roomCount() == 0 && sfu.connectedSocketCount() == 0,
          () -> "warm-up room gone: " + sfu.roomCount() + " rooms");
    } finally {
      ResourceLeakDetector.setLevel(level);
    }
  }
}
