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
 * The meeting's user interface in real Chromium against the real server on random ports: prejoin
 * devices, mic level and device switching, joining with the camera off, spotlight and pin, tile
 * badges, pages of tiles, a phone-sized screen and accessible names. The node script {@code
 * e2e/ui.mjs} drives two Chromium participants and five signalling-only ones, and writes
 * screenshots (prejoin, speaker layout, pages, phone) to {@code target/e2e/ui/}.
 */
class BrowserUiTest {
  private static final Path E2E = Path.of("e2e");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @Test
  void meetingUiWorksInChromium() throws Exception {
    assertThat(CHROMIUM).as("Debian chromium (run .ci/install)").exists();
    assertThat(E2E.resolve("node_modules/playwright-core"))
        .as("playwright-core (run .ci/install)")
        .exists();

    ParleyConfig config =
        ParleyConfig.fromEnvironment(
            Map.of(
                "PARLEY_HTTP_HOST", "127.0.0.1",
                "PARLEY_HTTP_PORT", "0",
                "PARLEY_UDP_PORT", "0"));
    Main server = Main.start(config, new EmbeddedSfuFactory());
    Path out = Files.createDirectories(Path.of("target", "e2e", "ui"));
    Path log = out.resolve("ui.log");
    Process node = null;
    try {
      node =
          new ProcessBuilder(
                  "node",
                  "ui.mjs",
                  "http://127.0.0.1:" + server.httpPort(),
                  out.toAbsolutePath().toString())
              .directory(E2E.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean finished = node.waitFor(2, TimeUnit.MINUTES);
      String output = read(log);
      System.out.println(output);
      assertThat(finished).as("the browser run finished within 2 minutes").isTrue();
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
