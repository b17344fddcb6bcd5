package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.Main;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real browsers against the real server (embedded SFU) on random ports: three Chromium participants
 * in one room, then Firefox ESR with two Chromium ones. The node script {@code e2e/meeting.mjs}
 * drives Chromium with playwright-core, starts Firefox (headless, own profile) by PID and takes its
 * reports over HTTP.
 */
class BrowserMeetingTest {
  private static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");

  @Test
  void threeChromiumParticipantsSeeAndHearEachOther() throws Exception {
    NodeScript.requireBrowsers();
    assertThat(FIREFOX).as("Debian firefox-esr (run .ci/install)").exists();
    // Media on the default addresses (the host's own, then 127.0.0.1): Firefox gathers no loopback
    // candidate for a page it has not granted a real camera, so it pairs only with the host
    // address.
    Main server = NodeScript.startServer(Map.of());
    Path out = Path.of("target", "e2e").toAbsolutePath();
    try {
      NodeScript.run(
          "meeting.mjs",
          out.resolve("meeting.log"),
          Duration.ofMinutes(4),
          NodeScript.baseUrl(server),
          out.resolve("three-person-room.png").toString());
    } finally {
      server.stop();
    }
  }
}
