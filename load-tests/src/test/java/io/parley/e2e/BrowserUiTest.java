package io.parley.e2e;

import io.parley.signalling.Main;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The meeting's user interface in real Chromium against the real server on random ports: prejoin
 * devices, mic level and device switching, joining with the camera off, spotlight and pin, tile
 * badges, pages of tiles, a phone-sized screen and accessible names. The node script {@code
 * e2e/ui.mjs} drives two Chromium participants and five signalling-only ones, and writes
 * screenshots (prejoin, speaker layout, pages, phone) to {@code target/e2e/ui/}.
 */
class BrowserUiTest {
  @Test
  void meetingUiWorksInChromium() throws Exception {
    NodeScript.requireBrowsers();
    Main server = NodeScript.startServer(Map.of());
    Path out = Path.of("target", "e2e", "ui").toAbsolutePath();
    try {
      NodeScript.run(
          "ui.mjs",
          out.resolve("ui.log"),
          Duration.ofMinutes(2),
          NodeScript.baseUrl(server),
          out.toString());
    } finally {
      server.stop();
    }
  }
}
