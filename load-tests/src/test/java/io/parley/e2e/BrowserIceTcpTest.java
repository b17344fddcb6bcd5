package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real Chromium over ICE-TCP: the server (random ports) advertises only its passive TCP candidates,
 * as an operator's self-test would; two Chromium participants must see each other, every peer
 * connection on a TCP candidate pair ({@code e2e/ice-tcp.mjs}).
 */
class BrowserIceTcpTest {
  private static final Path E2E = Path.of("e2e");

  @Test
  void chromiumMeetsOverIceTcpOnly() throws Exception {
    assertThat(Path.of("/usr/bin/chromium")).as("Debian chromium (run .ci/install)").exists();
    assertThat(E2E.resolve("node_modules/playwright-core"))
        .as("playwright-core (run .ci/install)")
        .exists();
    ParleyConfig config =
        ParleyConfig.fromEnvironment(
            Map.of(
                "PARLEY_HTTP_HOST", "127.0.0.1",
                "PARLEY_HTTP_PORT", "0",
                "PARLEY_UDP_PORT", "0",
                "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1",
                "PARLEY_ICE_TCP_ONLY", "true"));
    Main server = Main.start(config, new EmbeddedSfuFactory());
    Path out = Files.createDirectories(Path.of("target", "e2e"));
    Path log = out.resolve("ice-tcp.log");
    Process node = null;
    try {
      assertThat(server.tcpPort()).isPositive();
      node =
          new ProcessBuilder(
                  "node",
                  "ice-tcp.mjs",
                  "http://127.0.0.1:" + server.httpPort(),
                  String.valueOf(server.tcpPort()))
              .directory(E2E.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean finished = node.waitFor(2, TimeUnit.MINUTES);
      String output = Files.exists(log) ? Files.readString(log) : "";
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
}
