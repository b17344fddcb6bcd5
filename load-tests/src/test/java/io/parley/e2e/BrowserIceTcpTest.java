package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.Main;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real Chromium over ICE-TCP: the server (random ports) advertises only its passive TCP candidates,
 * as an operator's self-test would; two Chromium participants must see each other, every peer
 * connection on a TCP candidate pair ({@code e2e/ice-tcp.mjs}).
 */
class BrowserIceTcpTest {
  @Test
  void chromiumMeetsOverIceTcpOnly() throws Exception {
    NodeScript.requireBrowsers();
    Main server =
        NodeScript.startServer(
            Map.of(
                "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1",
                "PARLEY_ICE_TCP_ONLY", "true"));
    try {
      assertThat(server.tcpPort()).isPositive();
      NodeScript.run(
          "ice-tcp.mjs",
          Path.of("target", "e2e", "ice-tcp.log").toAbsolutePath(),
          Duration.ofMinutes(2),
          NodeScript.baseUrl(server),
          String.valueOf(server.tcpPort()));
    } finally {
      server.stop();
    }
  }
}
