package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real browsers against the real server (embedded SFU) on random ports: three Chromium participants
 * in one room, then Firefox ESR with two Chromium ones. The node script {@code e2e/meeting.mjs}
 * drives Chromium with playwright-core, starts Firefox (headless, own profile) by PID and takes its
 * reports over HTTP.
 */
class BrowserMeetingTest {
  private static final Path E2E = Path.of("e2e");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");

  @Test
  void threeChromiumParticipantsSeeAndHearEachOther() throws Exception {
    assertThat(CHROMIUM).as("Debian chromium (run .ci/install)").exists();
    assertThat(FIREFOX).as("Debian firefox-esr (run .ci/install)").exists();
    assertThat(E2E.resolve("node_modules/playwright-core"))
        .as("playwright-core (run .ci/install)")
        .exists();

    // Media on the default addresses (the host's own, then 127.0.0.1): Firefox gathers no loopback
    // candidate for a page it has not granted a real camera, so it pairs only with the host
    // address.
    ParleyConfig config =
        ParleyConfig.fromEnvironment(
            Map.of(
                "PARLEY_HTTP_HOST", "127.0.0.1",
                "PARLEY_HTTP_PORT", "0",
                "PARLEY_UDP_PORT", "0"));
    Main server = Main.start(config, new EmbeddedSfuFactory());
    Path out = Files.createDirectories(Path.of("target", "e2e"));
    Path log = out.resolve("meeting.log");
    Process node = null;
    try {
      node =
          new ProcessBuilder(
                  "node",
                  "meeting.mjs",
                  "http://127.0.0.1:" + server.httpPort(),
                  out.resolve("three-person-room.png").toAbsolutePath().toString())
              .directory(E2E.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean finished = node.waitFor(4, TimeUnit.MINUTES);
      String output = read(log);
      System.out.println(output);
      assertThat(finished).as("the browser run finished within 4 minutes").isTrue();
      assertThat(node.exitValue()).as(output).isZero();
    } finally {
      if (node != null && node.isAlive()) {
        node.descendants().forEach(ProcessHandle::destroyForcibly);
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      server.stop();
    }
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }
}
