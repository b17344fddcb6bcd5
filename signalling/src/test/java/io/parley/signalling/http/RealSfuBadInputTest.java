package io.parley.signalling.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.support.TestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input against the whole server with the real embedded SFU (not the fake one): each bad event
 * gets a clear error back to its sender only, the room does not change, the server keeps running.
 */
class RealSfuBadInputTest {
  private static final String ROOM = "bad-inpt-tst";

  private Main server;
  private final List<TestClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server =
        Main.start(
            ParleyConfig.fromEnvironment(
                Map.of(
                    "PARLEY_HTTP_HOST", "127.0.0.1",
                    "PARLEY_HTTP_PORT", "0",
                    "PARLEY_UDP_BIND", "127.0.0.1",
                    "PARLEY_UDP_PORT", "0",
                    "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1")),
            new EmbeddedSfuFactory());
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(TestClient::close);
    server.stop();
  }

  private TestClient client() throws Exception {
    TestClient c = new TestClient(server.httpPort());
    clients.add(c);
    return c;
  }

  private static JSONObject join(TestClient c, String room, String name) throws Exception {
    return c.request("join", new JSONObject().put("roomId", room).put("name", name));
  }

  @Test
  void badEventsGetClearErrorsAndTheRoomAndServerCarryOn() throws Exception {
    TestClient alice = client();
    JSONObject a = join(alice, ROOM, "Alice");
    JSONObject published =
        alice.request(
            "publish",
            new JSONObject()
                .put("sdp", SignallingServerTest.fixture("chromium-156-simulcast-offer.sdp")));
    assertThat(published.getBoolean("ok")).as(published.toString()).isTrue();

    TestClient bob = client();
    assertError(join(bob, "ABC-defg-hij", "Bob"), "invalid room id");
    assertError(join(bob, "../../etc", "Bob"), "invalid room id");
    assertError(bob.request("join", "not an object"), "needs a JSON object");
    assertError(
        bob.request("join", new JSONObject().put("roomId", ROOM).put("name", "x".repeat(100_000))),
        "message too large");
    assertError(bob.request("shout", new JSONObject()), "unknown event 'shout'");
    bob.emit("shout");
    assertThat(bob.next("request-failed").payload().getString("error")).contains("unknown event");

    JSONObject b = join(bob, ROOM, "Bob");
    assertThat(b.getBoolean("ok")).as(b.toString()).isTrue();
    assertError(
        bob.request("publish", new JSONObject().put("sdp", "v=0\r\nm=nonsense")), "bad SDP");
    String h264Only =
        SignallingServerTest.fixture("chromium-156-simulcast-offer.sdp")
            .replaceAll("(?m)^m=audio.*$", "m=audio 9 UDP/TLS/RTP/SAVPF 0")
            .replaceAll("(?m)^m=video.*$", "m=video 9 UDP/TLS/RTP/SAVPF 102")
            .replaceAll("(?m)^a=rtpmap:\\d+ (opus|VP8)/.*\\r\\n", "");
    assertError(
        bob.request("publish", new JSONObject().put("sdp", h264Only)), "no media Parley supports");
    assertError(bob.request("publish", new JSONObject().put("sdp", 42)), "sdp");

    // Alice heard of Bob's join and of nothing bad: her next event after it is his valid update.
    assertThat(alice.next().name()).isEqualTo("participant-joined");
    bob.request("set-media-state", new JSONObject().put("audioMuted", true));
    TestClient.Event next = alice.next();
    assertThat(next.name()).isEqualTo("participant-updated");

    // A newcomer sees the room as it should be: Alice with her two tracks, Bob with none.
    TestClient carol = client();
    JSONArray people =
        join(carol, ROOM, "Carol").getJSONObject("room").getJSONArray("participants");
    assertThat(people.length()).isEqualTo(2);
    for (int i = 0; i < people.length(); i++) {
      JSONObject p = people.getJSONObject(i);
      int tracks = p.getJSONArray("tracks").length();
      assertThat(tracks)
          .isEqualTo(p.getString("participantId").equals(a.getString("participantId")) ? 2 : 0);
    }

    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + "/healthz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(alice.connected()).isTrue();
    assertThat(bob.connected()).isTrue();
  }

  private static void assertError(JSONObject reply, String message) {
    assertThat(reply.getBoolean("ok")).as(reply.toString()).isFalse();
    assertThat(reply.getString("error")).containsIgnoringCase(message);
  }
}
