package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The start-up meeting really forwards media through the port, and leaves nothing behind. */
class MediaWarmupTest {
  @Test
  void forwardsMediaBetweenItsParticipantsAndCleansUp() throws Exception {
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    try (Sfu sfu = Sfu.start(SfuConfig.loopback().withUdpPort(0))) {
      MediaWarmup.Result result =
          MediaWarmup.start(sfu, 3, 2000, Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);

      assertThat(result.connected()).isEqualTo(3);
      assertThat(result.forwarded()).isGreaterThanOrEqualTo(2000);
      assertThat(result.received()).isPositive();
      assertThat(sfu.stats().rtpOut.sum()).isGreaterThanOrEqualTo(2000);
      Await.until(
          Duration.ofSeconds(10),
          () -> sfu.roomCount() == 0 && sfu.connectedSocketCount() == 0,
          () -> "warm-up room gone: " + sfu.roomCount() + " rooms");
    } finally {
      ResourceLeakDetector.setLevel(level);
    }
  }
}
