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
 * The meeting features that travel through the server, in real Chromium against the real server on
 * random ports (7 people per room): chat, hands, reactions, dominant speaker, the host's mute held
 * at the server, screen share, pages whose hidden video is not forwarded, a full room, the lobby,
 * password, lock, removal, host handover and reconnecting. The node script {@code e2e/features.mjs}
 * drives up to four Chromium participants plus signalling-only ones and writes screenshots (chat,
 * screen share, lobby, four-person grid) to {@code target/e2e/features/}.
 */
class BrowserFeaturesTest {
  private static final Path E2E = Path.of("e2e");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @Test
  void meetingFeaturesWorkAcrossParticipantsInChromium() throws Exception {
    assertThat(CHROMIUM).as("Debian chromium (run .ci/install)").exists();
    assertThat(E2E.resolve("node_modules/playwright-core"))
        .as("playwright-core (run .ci/install)")
        .exists();

    ParleyConfig config =
        ParleyConfig.fromEnvironment(
            Map.of(
                "PARLEY_HTTP_HOST", "127.0.0.1",
                "PARLEY_HTTP_PORT", "0",
                "PARLEY_UDP_PORT", "0",
                "PARLEY_MAX_PARTICIPANTS_PER_ROOM", "7"));
    Main server = Main.start(config, new EmbeddedSfuFactory());
    Path out = Files.createDirectories(Path.of("target", "e2e", "features"));
    Path log = out.resolve("features.log");
    Process node = null;
    try {
      node =
          new ProcessBuilder(
                  "node",
                  "features.mjs",
                  "http://127.0.0.1:" + server.httpPort(),
                  out.toAbsolutePath().toString())
              .directory(E2E.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean finished = node.waitFor(6, TimeUnit.MINUTES);
      String output = read(log);
      System.out.println(output);
      assertThat(finished).as("the browser run finished within 6 minutes").isTrue();
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
