package io.parley.signalling.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.support.FakeSfu;
import io.parley.signalling.support.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown: while draining, /readyz answers 503, a new meeting is refused with a clear
 * message, the open meeting carries on (and can still be joined), and the drain ends when its last
 * participant leaves.
 */
class DrainTest {
  private static int status(HttpClient http, int port) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void drainingRefusesNewMeetingsAndEndsWhenTheLastOneDoes() throws Exception {
    ParleyConfig config =
        ParleyConfig.fromEnvironment(Map.of("PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1"))
            .withPorts(0, 0);
    FakeSfu sfu = new FakeSfu();
    Main main = Main.start(config, media -> sfu);
    HttpClient http = HttpClient.newHttpClient();
    try (TestClient alice = new TestClient(main.httpPort());
        TestClient bob = new TestClient(main.httpPort());
        TestClient carol = new TestClient(main.httpPort())) {
      assertThat(status(http, main.httpPort())).isEqualTo(200);
      JSONObject joined =
          alice.request("join", new JSONObject().put("roomId", "abc-defg-hij").put("name", "A"));
      assertThat(joined.getBoolean("ok")).isTrue();

      CompletableFuture<Boolean> drained = main.drain(Duration.ofSeconds(30));
      assertThat(status(http, main.httpPort())).isEqualTo(503);
      JSONObject refused =
          carol.request("join", new JSONObject().put("roomId", "xyz-abcd-efg").put("name", "C"));
      assertThat(refused.getBoolean("ok")).isFalse();
      assertThat(refused.getString("error")).contains("shutting down");
      JSONObject sameRoom =
          bob.request("join", new JSONObject().put("roomId", "abc-defg-hij").put("name", "B"));
      assertThat(sameRoom.getBoolean("ok")).isTrue();
      assertThat(drained).isNotDone();

      alice.request("leave");
      bob.request("leave");
      assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      main.stop();
    }
  }
}
