package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.load.PathEmulator;
import io.parley.signalling.Main;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two Chromium participants on a long, lossy path: a 200 ms round trip with 5 % of the datagrams
 * lost each way between the browsers and the SFU ({@link PathEmulator}, a UDP relay in user space;
 * the server advertises the relay's port). The SFU measures the round trips, sees the losses, and
 * asks each browser to hold the other's video long enough for a resend (the playout-delay header
 * extension): the browsers' jitter buffers aim at more than a round trip, the video keeps moving,
 * and NACKs bring back what was lost (audio and video lost after resends stay low). Without the
 * playout delay the jitter buffers aim at a few tens of milliseconds and each loss is a freeze. No
 * root needed.
 */
class BrowserLongPathTest {
  @Test
  void onALongLossyPathTheBrowsersHoldVideoLongEnoughForResends() throws Exception {
    NodeScript.requireBrowsers();
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    int udpPort;
    try (DatagramSocket probe = new DatagramSocket(0, loopback)) {
      udpPort = probe.getLocalPort();
    }
    PathEmulator.Direction way = PathEmulator.Direction.CLEAR.withDelay(100, 0).withLoss(0.05);
    Main parley = null;
    try (PathEmulator path =
        PathEmulator.start(
            new InetSocketAddress(loopback, 0),
            new InetSocketAddress(loopback, udpPort),
            way,
            way)) {
      parley =
          NodeScript.startServer(
              Map.of(
                  "PARLEY_UDP_BIND", "127.0.0.1",
                  "PARLEY_UDP_PORT", String.valueOf(udpPort),
                  "PARLEY_TCP_PORT", "0",
                  "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1",
                  "PARLEY_ADVERTISED_PORT", String.valueOf(path.address().getPort())));
      String base = NodeScript.baseUrl(parley);
      Path log = Path.of("target", "e2e", "long-path.log").toAbsolutePath();
      NodeScript.run("audio-loss.mjs", log, Duration.ofMinutes(3), base, "15");
      JsonNode receivers =
          new ObjectMapper()
              .readTree(
                  Files.readString(log)
                      .lines()
                      .filter(l -> l.startsWith("["))
                      .findFirst()
                      .orElseThrow());
      assertThat(path.upCounts().lost.get()).as("the path lost packets").isPositive();
      assertThat(NodeScript.counter(base, "parley_playout_delay_changes_total"))
          .as("the SFU asked for a playout delay")
          .isPositive();
      assertThat(receivers).hasSize(2);
      for (JsonNode r : receivers) {
        JsonNode video = r.get("video");
        assertThat(video.get("targetMs").asInt())
            .as("the video jitter buffer aimed past the 200 ms round trip: %s", r)
            .isGreaterThan(200);
        // Figures that vary with the layer each receiver's downlink estimate settles on (180p or
        // 360p, 8-20 frames/s here): only that the picture moves and resends work.
        assertThat(video.get("fps").asDouble()).as("frames per second: %s", r).isGreaterThan(4);
        assertThat(video.get("frozenSeconds").asDouble()).as("frozen: %s", r).isLessThan(7.5);
        assertThat(video.get("lossPercent").asDouble())
            .as("video lost after resends: %s", r)
            .isLessThan(10);
        assertThat(r.get("lossPercent").asDouble())
            .as("audio lost after resends: %s", r)
            .isLessThan(2);
      }
    } finally {
      if (parley != null) {
        parley.stop();
      }
    }
  }
}
