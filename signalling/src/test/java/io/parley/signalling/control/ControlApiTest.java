package io.parley.signalling.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.sfu.Sfu;
import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An SFU node's control API over a real WebSocket: the secret is required, every SfuApi call
 * round-trips, and bad messages get error replies while the node carries on.
 */
class ControlApiTest {
  static final String SECRET = "control-api-test-secret-0123456789";
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Main node;
  private final AtomicReference<Sfu> sfu = new AtomicReference<>();
  private final HttpClient http = HttpClient.newHttpClient();

  /** The environment of an SFU node on loopback and free ports. */
  /**
   * Starts an SFU node (PARLEY_ROLE=sfu) with this secret; its embedded SFU goes into {@code sfus}.
   */
  static Main startSfuNode(String secret, java.util.List<Sfu> sfus) throws Exception {
    return Main.start(
        ParleyConfig.fromEnvironment(sfuNode(secret)),
        media -> {
          Sfu s = (Sfu) new EmbeddedSfuFactory().start(media);
          sfus.add(s);
          return s;
        });
  }

  static Map<String, String> sfuNode(String secret) {
    return Map.of(
        "PARLEY_ROLE", "sfu",
        "PARLEY_CONTROL_SECRET", secret,
        "PARLEY_CONTROL_HOST", "127.0.0.1",
        "PARLEY_CONTROL_PORT", "0",
        "PARLEY_HTTP_HOST", "127.0.0.1",
        "PARLEY_HTTP_PORT", "0",
        "PARLEY_UDP_BIND", "127.0.0.1",
        "PARLEY_UDP_PORT", "0",
        "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1");
  }

  @BeforeEach
  void start() throws Exception {
    node =
        Main.start(
            ParleyConfig.fromEnvironment(sfuNode(SECRET)),
            media -> {
              Sfu s = (Sfu) new EmbeddedSfuFactory().start(media);
              sfu.set(s);
              return s;
            });
  }

  @AfterEach
  void stop() throws Exception {
    node.stop();
  }

  /** A control connection whose received messages queue up. */
  private final class Peer implements WebSocket.Listener {
    final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    Peer(String secret) throws Exception {
      WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(DEADLINE);
      if (secret != null) {
        b.header("Authorization", "Bearer " + secret);
      }
      ws =
          b.buildAsync(URI.create("ws://127.0.0.1:" + node.controlPort() + "/control"), this)
              .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          received.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    void send(String text) throws Exception {
      ws.sendText(text, true).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /** The next message that is not a status. */
    JsonNode reply() throws Exception {
      while (true) {
        JsonNode m = received.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(m).as("a reply within " + DEADLINE).isNotNull();
        if (!"nodeStatus".equals(m.path("event").asText())) {
          return m;
        }
      }
    }
  }

  private void assertRefused(String secret) {
    assertThatThrownBy(() -> new Peer(secret))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
  }

  @Test
  void aWrongOrMissingSecretIsRefused() {
    assertRefused(null);
    assertRefused("wrong");
    assertRefused(SECRET + "x");
    assertRefused(SECRET.substring(1));
  }

  @Test
  void everyCallRoundTripsAndBadMessagesGetErrorsWithoutHarm() throws Exception {
    Peer peer = new Peer(SECRET);
    JsonNode status = peer.received.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(status.path("event").asText()).isEqualTo("nodeStatus");
    assertThat(status.path("ready").asBoolean()).isTrue();

    peer.send("{not json");
    assertError(peer.reply(), null, "not JSON");
    peer.send("[1,2]");
    assertError(peer.reply(), null, "JSON object");
    peer.send("{\"method\":\"createEndpoint\",\"roomId\":\"r\",\"endpointId\":\"e\"}");
    assertError(peer.reply(), null, "numeric id");
    peer.send("{\"id\":1,\"method\":\"rebootNode\"}");
    assertError(peer.reply(), 1L, "unknown method 'rebootNode'");
    peer.send("{\"id\":2,\"method\":\"createEndpoint\",\"endpointId\":\"e\"}");
    assertError(peer.reply(), 2L, "bad createEndpoint request");
    peer.send("{\"id\":3,\"method\":\"setConsumerPaused\",\"roomId\":\"r\",\"consumerId\":\"c\"}");
    assertError(peer.reply(), 3L, "bad setConsumerPaused request");
    peer.send(
        "{\"id\":4,\"method\":\"createEndpoint\",\"roomId\":\""
            + "r".repeat(ControlProtocol.MAX_MESSAGE_BYTES)
            + "\",\"endpointId\":\"e\"}");
    assertError(peer.reply(), null, "too large");
    peer.ws
        .sendBinary(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), true)
        .get(10, TimeUnit.SECONDS);
    assertError(peer.reply(), null, "text messages");
    peer.send(
        "{\"id\":5,\"method\":\"connectEndpoint\",\"roomId\":\"nowhere\",\"endpointId\":\"e\","
            + "\"remote\":{\"iceUfrag\":\"u\",\"icePwd\":\"p\",\"fingerprintAlgorithm\":\"sha-256\","
            + "\"fingerprint\":\"AA\"}}");
    assertError(peer.reply(), 5L, "no room nowhere");

    // A good call after all that: an endpoint with its ICE credentials and candidates.
    peer.send("{\"id\":6,\"method\":\"createEndpoint\",\"roomId\":\"room\",\"endpointId\":\"e1\"}");
    JsonNode created = peer.reply();
    assertThat(created.path("id").asLong()).isEqualTo(6);
    assertThat(created.path("ok").asBoolean()).as(created.toString()).isTrue();
    assertThat(created.path("result").path("iceUfrag").asText()).isNotEmpty();
    assertThat(created.path("result").path("candidates").get(0).path("port").asInt())
        .isEqualTo(sfu.get().udpPort());
    assertThat(sfu.get().roomCount()).isEqualTo(1);
    peer.send("{\"id\":7,\"method\":\"createEndpoint\",\"roomId\":\"room\",\"endpointId\":\"e1\"}");
    assertError(peer.reply(), 7L, "e1");
    peer.send("{\"id\":8,\"method\":\"closeEndpoint\",\"roomId\":\"room\",\"endpointId\":\"e1\"}");
    JsonNode closed = peer.reply();
    assertThat(closed.path("ok").asBoolean()).as(closed.toString()).isTrue();
    assertThat(sfu.get().roomCount()).isZero();

    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    peer.ws.abort();
  }

  @Test
  void aConnectionThatGoesAwayTakesItsEndpointsWithIt() throws Exception {
    Peer peer = new Peer(SECRET);
    peer.send("{\"id\":1,\"method\":\"createEndpoint\",\"roomId\":\"room\",\"endpointId\":\"e1\"}");
    assertThat(peer.reply().path("ok").asBoolean()).isTrue();
    peer.send(
        "{\"id\":2,\"method\":\"createEndpoint\",\"roomId\":\"other\",\"endpointId\":\"e2\"}");
    assertThat(peer.reply().path("ok").asBoolean()).isTrue();
    assertThat(sfu.get().roomCount()).isEqualTo(2);
    // A refused duplicate does not make the node forget the first endpoint of that id.
    peer.send("{\"id\":3,\"method\":\"createEndpoint\",\"roomId\":\"room\",\"endpointId\":\"e1\"}");
    assertThat(peer.reply().path("ok").asBoolean()).isFalse();
    peer.ws.abort();
    await(() -> sfu.get().roomCount() == 0, "the endpoints of a closed connection close");
  }

  @Test
  void drainingTurnsReadyzAndTheStatusToNotReady() throws Exception {
    Peer peer = new Peer(SECRET);
    assertThat(peer.received.poll(10, TimeUnit.SECONDS).path("ready").asBoolean()).isTrue();
    var drained = node.drain(Duration.ofSeconds(30));
    JsonNode status = peer.received.poll(10, TimeUnit.SECONDS);
    assertThat(status.path("event").asText()).isEqualTo("nodeStatus");
    assertThat(status.path("ready").asBoolean()).isFalse();
    HttpResponse<String> ready =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/readyz"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(drained.get(10, TimeUnit.SECONDS)).as("no rooms: drained at once").isTrue();
    peer.ws.abort();
  }

  @Test
  void theSplitRolesNeedASecretAndSignallingNeedsNodes() {
    assertThatThrownBy(() -> ParleyConfig.fromEnvironment(Map.of("PARLEY_ROLE", "sfu")))
        .hasMessageContaining("PARLEY_CONTROL_SECRET");
    assertThatThrownBy(
            () ->
                ParleyConfig.fromEnvironment(
                    Map.of("PARLEY_ROLE", "signalling", "PARLEY_CONTROL_SECRET", "short")))
        .hasMessageContaining("at least 16");
    assertThatThrownBy(
            () ->
                ParleyConfig.fromEnvironment(
                    Map.of("PARLEY_ROLE", "signalling", "PARLEY_CONTROL_SECRET", SECRET)))
        .hasMessageContaining("PARLEY_SFU_NODES");
    assertThatThrownBy(
            () ->
                ParleyConfig.fromEnvironment(
                    Map.of(
                        "PARLEY_ROLE", "signalling",
                        "PARLEY_CONTROL_SECRET", SECRET,
                        "PARLEY_SFU_NODES", "media-0")))
        .hasMessageContaining("host:port");
    assertThatThrownBy(() -> ParleyConfig.fromEnvironment(Map.of("PARLEY_ROLE", "media")))
        .hasMessageContaining("all, sfu or signalling");
    ParleyConfig.Control c =
        ParleyConfig.fromEnvironment(
                Map.of(
                    "PARLEY_ROLE", "signalling",
                    "PARLEY_CONTROL_SECRET", SECRET,
                    "PARLEY_SFU_NODES", "10.0.0.1:8081, [fd00::1]:8081",
                    "PARLEY_SFU_DNS", "parley-media-headless:8081"))
            .control();
    assertThat(c.role()).isEqualTo(ParleyConfig.Role.SIGNALLING);
    assertThat(c.sfuNodes()).containsExactly("10.0.0.1:8081", "[fd00::1]:8081");
    assertThat(c.sfuDns()).isEqualTo("parley-media-headless:8081");
    assertThat(ParleyConfig.fromEnvironment(Map.of()).control().role())
        .isEqualTo(ParleyConfig.Role.ALL);
  }

  private static void assertError(JsonNode reply, Long id, String message) {
    assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isFalse();
    if (id == null) {
      assertThat(reply.has("id")).as(reply.toString()).isFalse();
    } else {
      assertThat(reply.path("id").asLong()).isEqualTo(id);
    }
    assertThat(reply.path("error").asText()).contains(message);
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + DEADLINE + ": " + what);
      }
      Thread.sleep(20);
    }
  }
}
