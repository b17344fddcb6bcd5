package io.parley.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.Sfu;
import io.parley.signalling.config.ParleyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The command line's start-up warm-up: /readyz says "warming up" while the embedded SFU holds its
 * short meeting with itself over the media port, then ready; the meeting leaves no room behind.
 */
class WarmUpTest {
  private static HttpResponse<String> readyz(HttpClient http, int port) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void notReadyUntilTheWarmUpMeetingHasForwardedItsPackets() throws Exception {
    ParleyConfig config =
        ParleyConfig.fromEnvironment(
                Map.of("PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1", "PARLEY_UDP_BIND", "127.0.0.1"))
            .withPorts(0, 0);
    Main main = Main.start(config, new EmbeddedSfuFactory());
    HttpClient http = HttpClient.newHttpClient();
    try {
      assertThat(readyz(http, main.httpPort()).statusCode()).isEqualTo(200);
      Sfu sfu = (Sfu) main.sfu();

      CompletableFuture<Void> warm = main.warmUp();
      HttpResponse<String> during = readyz(http, main.httpPort());
      assertThat(during.statusCode()).isEqualTo(503);
      assertThat(during.body()).contains("warming up");

      warm.get(60, TimeUnit.SECONDS);
      assertThat(readyz(http, main.httpPort()).statusCode()).isEqualTo(200);
      // Its own packets went through the port (all of them unless the machine is very slow).
      assertThat(sfu.stats().rtpOut.sum()).isGreaterThan(1000);
      assertThat(sfu.roomCount()).isZero();
    } finally {
      main.stop();
    }
  }
}
