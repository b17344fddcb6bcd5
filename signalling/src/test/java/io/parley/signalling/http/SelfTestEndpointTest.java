package io.parley.signalling.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The self-test page's HTTP API with the real embedded SFU: ICE servers with minted TURN
 * credentials, an answer with the SFU's candidates to a real Chromium offer, clear errors for bad
 * offers, and the page itself at {@code /selftest}. (The page in Chromium: load-tests'
 * SelfTestPageTest.)
 */
class SelfTestEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private Main server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  private void start(Map<String, String> extra) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(extra);
    env.putAll(
        Map.of(
            "PARLEY_HTTP_HOST", "127.0.0.1",
            "PARLEY_HTTP_PORT", "0",
            "PARLEY_UDP_BIND", "127.0.0.1",
            "PARLEY_UDP_PORT", "0",
            "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1"));
    server = Main.start(ParleyConfig.fromEnvironment(env), new EmbeddedSfuFactory());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void handsOutIceServersWithMintedTurnCredentials() throws Exception {
    start(Map.of("PARLEY_TURN_URIS", "turn:turn.example:3478", "PARLEY_TURN_SECRET", "s3cret"));
    HttpResponse<String> r = get("/api/selftest/ice-servers");
    assertThat(r.statusCode()).isEqualTo(200);
    JSONObject turn = new JSONObject(r.body()).getJSONArray("iceServers").getJSONObject(0);
    assertThat(turn.getJSONArray("urls").getString(0)).isEqualTo("turn:turn.example:3478");
    assertThat(turn.getString("username")).matches("\\d+:selftest-[0-9a-z]+");
    assertThat(turn.getString("credential")).isNotBlank();
  }

  @Test
  void noIceServersWhenNoneAreConfigured() throws Exception {
    start(Map.of());
    HttpResponse<String> r = get("/api/selftest/ice-servers");
    assertThat(new JSONObject(r.body()).getJSONArray("iceServers").length()).isZero();
  }

  @Test
  void answersARealChromiumOfferWithTheSfusCandidates() throws Exception {
    start(Map.of());
    String offer = SignallingServerTest.fixture("chromium-156-simulcast-offer.sdp");
    HttpResponse<String> r =
        post("/api/selftest/probe", new JSONObject().put("sdp", offer).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String answer = new JSONObject(r.body()).getString("sdp");
    assertThat(answer).contains("a=ice-lite", "a=setup:passive", "a=fingerprint:sha-256 ");
    assertThat(answer).containsPattern("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 \\d+ typ host");
  }

  @Test
  void badOffersGetClearErrors() throws Exception {
    start(Map.of());
    HttpResponse<String> garbage = post("/api/selftest/probe", "not json");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(new JSONObject(garbage.body()).getString("error")).startsWith("bad SDP offer");
    HttpResponse<String> empty = post("/api/selftest/probe", "{\"sdp\":\"v=0\\r\\n\"}");
    assertThat(empty.statusCode()).isEqualTo(400);
    HttpResponse<String> huge =
        post("/api/selftest/probe", "{\"sdp\":\"" + "x".repeat(40_000) + "\"}");
    assertThat(huge.statusCode()).isEqualTo(413);
  }

  @Test
  void thePageIsServed() throws Exception {
    start(Map.of());
    HttpResponse<String> r = get("/selftest");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("<main id=\"app\">");
  }
}
