package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import io.parley.sfu.transport.DropReason;
import io.parley.sfu.util.LatencyHistogram;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The start-up meeting really forwards media through the port, people come and go in it, its two
 * rooms run on both event loops, and it leaves nothing behind.
 */
class MediaWarmupTest {
  @Test
  void forwardsMediaBetweenItsParticipantsAndCleansUp() throws Exception {
    ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    try (Sfu sfu = Sfu.start(SfuConfig.loopback().withUdpPort(0))) {
      MediaWarmup.Result result =
          MediaWarmup.start(sfu, 3, 8000, Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);

      // Two rooms one after the other; in each, three at a time, one replaced by a newcomer after
      // every sixth of the room's packets.
      assertThat(result.rooms()).isEqualTo(MediaWarmup.ROOMS);
      assertThat(result.replaced()).isEqualTo(MediaWarmup.ROOMS * MediaWarmup.REPLACEMENTS);
      assertThat(result.connected()).isEqualTo(MediaWarmup.ROOMS * (3 + MediaWarmup.REPLACEMENTS));
      assertThat(result.forwarded()).isGreaterThanOrEqualTo(8000 + 4000);
      assertThat(result.received()).isPositive();
      // The second room ran on the other event loop: both forwarded media.
      for (io.netty.channel.EventLoop loop : sfu.eventLoops()) {
        assertThat(sfu.forwardingDelay(loop).addTo(new long[LatencyHistogram.BUCKETS + 1]))
            .as("packets forwarded on %s", loop)
            .isPositive();
      }
      // The RTCP browsers send reached the SFU and was acted on: NACKs answered from the cache,
      // keyframe requests taken.
      assertThat(sfu.stats().rtcpIn.sum()).isPositive();
      assertThat(sfu.stats().nacksIn.sum()).isPositive();
      assertThat(sfu.stats().retransmissions.sum()).isPositive();
      assertThat(sfu.stats().pliIn.sum()).isPositive();
      assertThat(sfu.stats().rtpOut.sum()).isGreaterThanOrEqualTo(8000);
      // Every branch of the audio path: redundant audio passed on and stripped, none malformed.
      assertThat(sfu.stats().redForwarded.sum()).isPositive();
      assertThat(sfu.stats().redStripped.sum()).isPositive();
      assertThat(sfu.drops().get(DropReason.PARSE_ERROR)).isZero();
      // Those who left vanished as a closed tab does: the SFU heard their ports were unreachable
      // (an error event on the event loop a real meeting would otherwise meet first).
      assertThat(sfu.drops().get(DropReason.PEER_UNREACHABLE)).isPositive();
      Await.until(
          Duration.ofSeconds(10),
          () -> sfu.roomCount() == 0 && sfu.connectedSocketCount() == 0,
          () -> "warm-up room gone: " + sfu.roomCount() + " rooms");
    } finally {
      ResourceLeakDetector.setLevel(level);
    }
  }
}
