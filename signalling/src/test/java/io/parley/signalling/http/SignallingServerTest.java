package io.parley.signalling.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.support.FakeSfu;
import io.parley.signalling.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class SignallingServerTest {
  private static final String ROOM = "abc-defg-hij";

  private FakeSfu sfu;
  private ParleyServer server;
  private int port;
  private final List<TestClient> clients = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    sfu = new FakeSfu();
    ParleyConfig config =
        ParleyConfig.fromEnvironment(Map.of("PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1"))
            .withPorts(0, 0);
    server = new ParleyServer(config, sfu);
    vertx
        .deployVerticle(server)
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  @AfterEach
  void stop() {
    clients.forEach(TestClient::close);
    sfu.close();
  }

  private TestClient client() throws Exception {
    TestClient c = new TestClient(port);
    clients.add(c);
    return c;
  }

  private static JSONObject join(TestClient c, String name) throws Exception {
    return c.request("join", new JSONObject().put("roomId", ROOM).put("name", name));
  }

  static String fixture(String name) throws Exception {
    try (InputStream in =
        SignallingServerTest.class.getClassLoader().getResourceAsStream("sdp/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(TestClient.TIMEOUT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + TestClient.TIMEOUT + ": " + what);
      }
      Thread.onSpinWait();
      Thread.sleep(10);
    }
  }

  @Test
  void servesHealthAndReadiness() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String path : new String[] {"/healthz", "/readyz"}) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
    }
    HttpResponse<String> polling =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=polling"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(polling.statusCode()).isEqualTo(400);
    assertThat(polling.body()).contains("websocket");
  }

  @Test
  void joinGivesRoomStateAndTellsTheOthers() throws Exception {
    TestClient alice = client();
    JSONObject a = join(alice, "Alice");
    assertThat(a.getBoolean("ok")).isTrue();
    assertThat(a.getJSONObject("room").getJSONArray("participants").length()).isZero();

    TestClient bob = client();
    JSONObject b = join(bob, "  Bob ");
    assertThat(b.getBoolean("ok")).isTrue();
    JSONObject only = b.getJSONObject("room").getJSONArray("participants").getJSONObject(0);
    assertThat(only.getString("participantId")).isEqualTo(a.getString("participantId"));
    assertThat(only.getString("name")).isEqualTo("Alice");

    TestClient.Event joined = alice.next("participant-joined");
    assertThat(joined.payload().getJSONObject("participant").getString("name")).isEqualTo("Bob");

    bob.request("leave");
    assertThat(alice.next("participant-left").payload().getString("participantId"))
        .isEqualTo(b.getString("participantId"));
  }

  @Test
  void publishAnswersAndOthersSubscribe() throws Exception {
    TestClient alice = client();
    JSONObject a = join(alice, "Alice");
    TestClient bob = client();
    JSONObject b = join(bob, "Bob");

    JSONObject published =
        alice.request(
            "publish", new JSONObject().put("sdp", fixture("chromium-156-simulcast-offer.sdp")));
    assertThat(published.getBoolean("ok")).as(published.toString()).isTrue();
    assertThat(published.getString("sdp"))
        .contains("a=ice-lite", "a=setup:passive", "a=rid:q recv");
    assertThat(published.getJSONArray("tracks").length()).isEqualTo(2);
    String alicePub = a.getString("participantId") + "/pub";
    assertThat(sfu.connected.get(alicePub).iceUfrag()).isEqualTo("Zb+l");

    List<String> added = new ArrayList<>();
    added.add(bob.next("track-added").payload().getJSONObject("track").getString("kind"));
    added.add(bob.next("track-added").payload().getJSONObject("track").getString("kind"));
    assertThat(added).containsExactlyInAnyOrder("audio", "video");

    // Bob gets an offer with both tracks (maybe after a first one with one of them).
    String bobSub = b.getString("participantId") + "/sub";
    JSONObject offer = bob.next("subscribe-offer").payload();
    while (offer.getJSONArray("sections").length() < 2) {
      offer = bob.next("subscribe-offer").payload();
    }
    assertThat(offer.getString("sdp")).contains("a=sendonly", "a=ssrc:");
    assertThat(offer.getJSONArray("sections").getJSONObject(0).getString("participantId"))
        .isEqualTo(a.getString("participantId"));
    await(() -> sfu.connected.containsKey(bobSub), "Bob's subscribe transport connected");
    assertThat(sfu.connected.get(bobSub).iceUfrag()).isEqualTo("brws");

    // A late joiner is offered the existing tracks at once.
    TestClient carol = client();
    join(carol, "Carol");
    JSONObject carolOffer = carol.next("subscribe-offer").payload();
    while (carolOffer.getJSONArray("sections").length() < 2) {
      carolOffer = carol.next("subscribe-offer").payload();
    }

    // When Alice leaves, Bob is re-offered with her sections inactive.
    alice.request("leave");
    bob.next("participant-left");
    JSONObject reoffer = bob.next("subscribe-offer").payload();
    assertThat(reoffer.getJSONArray("sections").length()).isZero();
    assertThat(reoffer.getString("sdp")).contains("a=inactive").doesNotContain("a=sendonly");
    await(() -> sfu.calls.contains("closeEndpoint " + alicePub), "Alice's publish endpoint closed");
  }

  @Test
  void aClosedSocketLeavesTheRoom() throws Exception {
    TestClient alice = client();
    join(alice, "Alice");
    TestClient bob = client();
    JSONObject b = join(bob, "Bob");
    alice.next("participant-joined");
    bob.close();
    assertThat(alice.next("participant-left").payload().getString("participantId"))
        .isEqualTo(b.getString("participantId"));
  }

  @Test
  void aDeadMediaTransportLeavesTheRoom() throws Exception {
    TestClient alice = client();
    join(alice, "Alice");
    TestClient bob = client();
    JSONObject b = join(bob, "Bob");
    bob.request(
        "publish", new JSONObject().put("sdp", fixture("firefox-esr-153-simulcast-offer.sdp")));
    sfu.disconnect(ROOM, b.getString("participantId") + "/pub");
    assertThat(bob.next("removed").payload().getString("reason")).contains("media connection lost");
    alice.next("participant-left");
  }

  @Test
  void badInputGetsAClearErrorAndChangesNothing() throws Exception {
    TestClient alice = client();
    JSONObject a = join(alice, "Alice");
    TestClient bob = client();

    assertError(
        bob.request("join", new JSONObject().put("roomId", "ABC-defg-hij").put("name", "Bob")),
        "invalid room id");
    assertError(
        bob.request("join", new JSONObject().put("roomId", ROOM).put("name", "")), "display name");
    assertError(bob.request("join", "not an object"), "needs a JSON object");
    assertError(bob.request("join", new JSONObject().put("roomId", 42)), "invalid room id");
    assertError(bob.request("dance", new JSONObject()), "unknown event 'dance'");
    assertError(
        bob.request("join", new JSONObject().put("roomId", ROOM).put("name", "x".repeat(70_000))),
        "message too large");
    assertError(bob.request("publish", new JSONObject().put("sdp", "v=0")), "join a room first");

    JSONObject b = join(bob, "Bob");
    assertThat(b.getBoolean("ok")).isTrue();
    assertError(bob.request("publish", new JSONObject().put("sdp", "hello")), "bad SDP offer");
    String h264Only =
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
            + "a=ice-ufrag:u\r\na=ice-pwd:p\r\na=fingerprint:sha-256 AA\r\na=setup:actpass\r\n"
            + "a=rtpmap:102 H264/90000\r\n";
    assertError(
        bob.request("publish", new JSONObject().put("sdp", h264Only)), "no media Parley supports");
    bob.emit("dance");
    assertThat(bob.next("request-failed").payload().getString("error")).contains("unknown event");

    // Alice saw only Bob's valid join; the SFU never heard of the bad offers.
    assertThat(alice.next().name()).isEqualTo("participant-joined");
    bob.request("set-media-state", new JSONObject().put("audioMuted", true));
    TestClient.Event next = alice.next();
    assertThat(next.name()).isEqualTo("participant-updated");
    assertThat(next.payload().getBoolean("audioMuted")).isTrue();
    assertThat(sfu.calls).noneMatch(c -> c.contains(b.getString("participantId")));
    assertThat(a.getBoolean("ok")).isTrue();
    assertThat(alice.connected()).isTrue();
  }

  private static void assertError(JSONObject reply, String message) {
    assertThat(reply.getBoolean("ok")).as(reply.toString()).isFalse();
    assertThat(reply.getString("error")).contains(message);
  }

  @Test
  void servesTheRoomPageFromTheClasspath() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> index =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/r/abc-defg-hij"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("<html", "/assets/");
  }
}
