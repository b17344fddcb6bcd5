package io.parley.e2e;

import io.parley.signalling.Main;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The meeting features that travel through the server, in real Chromium against the real server on
 * random ports (7 people per room): chat, hands, reactions, dominant speaker, the host's mute held
 * at the server, screen share, pages whose hidden video is not forwarded and whose small tiles get
 * the low simulcast layer, a full room, the lobby, password, lock, removal, host handover,
 * reconnecting (also when the media fails during the join), an unreachable server, a denied camera,
 * and the host muting everyone and ending the meeting for everyone. The node script {@code
 * e2e/features.mjs} drives up to four Chromium participants plus signalling-only ones and writes
 * screenshots (chat, screen share, lobby, four-person grid, the ended meeting) to {@code
 * target/e2e/features/}.
 */
class BrowserFeaturesTest {
  @Test
  void meetingFeaturesWorkAcrossParticipantsInChromium() throws Exception {
    NodeScript.requireBrowsers();
    Main server = NodeScript.startServer(Map.of("PARLEY_MAX_PARTICIPANTS_PER_ROOM", "7"));
    Path out = Path.of("target", "e2e", "features").toAbsolutePath();
    try {
      NodeScript.run(
          "features.mjs",
          out.resolve("features.log"),
          Duration.ofMinutes(6),
          NodeScript.baseUrl(server),
          out.toString());
    } finally {
      server.stop();
    }
  }
}
