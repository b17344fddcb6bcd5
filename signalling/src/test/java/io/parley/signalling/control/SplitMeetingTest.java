package io.parley.signalling.control;

import static io.parley.signalling.control.ControlApiTest.SECRET;
import static io.parley.signalling.control.ControlApiTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.Sfu;
import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.support.TestClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Signalling and two SFU nodes split apart in one JVM, on loopback: rooms are spread over the
 * nodes, a stopped node's participants are told while the other node's room carries on, and a
 * draining node gets no new rooms.
 */
class SplitMeetingTest {
  private final List<Main> nodes = new ArrayList<>();
  private final List<Sfu> sfus = new ArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Main signalling;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (signalling != null) {
      signalling.stop();
    }
    for (Main n : nodes) {
      n.stop();
    }
  }

  private Main startNode() throws Exception {
    Main node = ControlApiTest.startSfuNode(SECRET, sfus);
    nodes.add(node);
    return node;
  }

  private Main startSignalling(String sfuNodes) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PARLEY_ROLE", "signalling");
    env.put("PARLEY_CONTROL_SECRET", SECRET);
    env.put("PARLEY_SFU_NODES", sfuNodes);
    env.put("PARLEY_HTTP_HOST", "127.0.0.1");
    env.put("PARLEY_HTTP_PORT", "0");
    return Main.start(
        ParleyConfig.fromEnvironment(env),
        media -> {
          throw new AssertionError("signalling starts no SFU of its own");
        });
  }

  private TestClient client() throws Exception {
    TestClient c = new TestClient(signalling.httpPort());
    toClose.add(c);
    return c;
  }

  private static String offer() throws Exception {
    try (InputStream in =
        SplitMeetingTest.class
            .getClassLoader()
            .getResourceAsStream("sdp/chromium-156-simulcast-offer.sdp")) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** Joins and publishes a camera and a mic: the room gets its SFU endpoints. */
  private static JSONObject joinAndPublish(TestClient c, String room, String name)
      throws Exception {
    JSONObject joined = c.request("join", new JSONObject().put("roomId", room).put("name", name));
    assertThat(joined.getBoolean("ok")).as(joined.toString()).isTrue();
    return c.request("publish", new JSONObject().put("sdp", offer()));
  }

  private static int rooms(Sfu sfu) {
    return sfu.roomCount();
  }

  @Test
  void roomsSpreadOverNodesAndALostNodeOnlyEndsItsOwnRooms() throws Exception {
    Main first = startNode();
    Main second = startNode();
    signalling =
        startSignalling("127.0.0.1:" + first.controlPort() + ",127.0.0.1:" + second.controlPort());
    await(() -> signalling.remoteSfu().readyNodes() == 2, "signalling reaches both nodes");
    assertThat(signalling.tcpPort()).isEqualTo(-1);

    TestClient alice = client();
    TestClient bob = client();
    JSONObject a = joinAndPublish(alice, "aaa-aaaa-aaa", "Alice");
    assertThat(a.getBoolean("ok")).as(a.toString()).isTrue();
    assertThat(a.getString("sdp")).contains("a=candidate:");
    JSONObject b = joinAndPublish(bob, "bbb-bbbb-bbb", "Bob");
    assertThat(b.getBoolean("ok")).as(b.toString()).isTrue();
    // Each room on its own node.
    assertThat(rooms(sfus.get(0))).isEqualTo(1);
    assertThat(rooms(sfus.get(1))).isEqualTo(1);
    // The SDP answers name the node each room is on.
    int firstUdp = sfus.get(0).udpPort();
    int secondUdp = sfus.get(1).udpPort();
    boolean aliceOnFirst = a.getString("sdp").contains(" 127.0.0.1 " + firstUdp + " typ host");
    assertThat(aliceOnFirst || a.getString("sdp").contains(" 127.0.0.1 " + secondUdp + " typ host"))
        .isTrue();
    TestClient onFirst = aliceOnFirst ? alice : bob;
    TestClient onSecond = aliceOnFirst ? bob : alice;
    String secondRoom = aliceOnFirst ? "bbb-bbbb-bbb" : "aaa-aaaa-aaa";

    // The first node stops: its participant is told and removed; the other room carries on.
    first.stop();
    nodes.remove(first);
    JSONObject removed = onFirst.next("removed").payload();
    assertThat(removed.getString("reason")).contains("media server of this meeting stopped");
    await(() -> signalling.remoteSfu().readyNodes() == 1, "signalling sees one node left");

    TestClient carol = client();
    JSONObject c = joinAndPublish(carol, secondRoom, "Carol");
    assertThat(c.getBoolean("ok")).as(c.toString()).isTrue();
    assertThat(onSecond.next("participant-joined").payload().toString()).contains("Carol");
    assertThat(onSecond.connected()).isTrue();

    // Told to rejoin, the first room's participant lands on the node that is left.
    String firstRoom = aliceOnFirst ? "aaa-aaaa-aaa" : "bbb-bbbb-bbb";
    JSONObject again = joinAndPublish(onFirst, firstRoom, "Again");
    assertThat(again.getBoolean("ok")).as(again.toString()).isTrue();
    assertThat(again.getString("sdp")).contains(" 127.0.0.1 " + secondUdp + " typ host");
    assertThat(rooms(sfus.get(1))).isEqualTo(2);

    // The node drains: no new rooms anywhere, with a clear message; open rooms carry on.
    second.drain(Duration.ofSeconds(60));
    await(() -> signalling.remoteSfu().readyNodes() == 0, "signalling sees the node drain");
    JSONObject refused = joinAndPublish(client(), "ccc-cccc-ccc", "Dan");
    assertThat(refused.getBoolean("ok")).as(refused.toString()).isFalse();
    assertThat(refused.getString("error")).contains("no media server is available");
    JSONObject stillOpen = joinAndPublish(client(), secondRoom, "Erin");
    assertThat(stillOpen.getBoolean("ok")).as(stillOpen.toString()).isTrue();
  }

  @Test
  void aNodeThatRefusesOurSecretGetsNoRoomAndARestartedNodeIsUsedAgain() throws Exception {
    Main node = startNode();
    int controlPort = node.controlPort();
    Main stranger =
        Main.start(
            ParleyConfig.fromEnvironment(ControlApiTest.sfuNode("a-different-secret-0123456789")),
            new EmbeddedSfuFactory());
    nodes.add(stranger);
    signalling =
        startSignalling("127.0.0.1:" + controlPort + ",127.0.0.1:" + stranger.controlPort());
    await(() -> signalling.remoteSfu().readyNodes() == 1, "signalling reaches its node");

    // A node that refuses our secret never gets a room.
    for (String room : List.of("aaa-aaaa-aaa", "bbb-bbbb-bbb")) {
      JSONObject r = joinAndPublish(client(), room, "P");
      assertThat(r.getBoolean("ok")).as(r.toString()).isTrue();
    }
    assertThat(rooms(sfus.get(0))).isEqualTo(2);

    // The node restarts on the same control port: signalling reconnects and uses it again.
    node.stop();
    nodes.remove(node);
    await(() -> signalling.remoteSfu().readyNodes() == 0, "signalling sees the node go");
    Map<String, String> env = new HashMap<>(ControlApiTest.sfuNode(SECRET));
    env.put("PARLEY_CONTROL_PORT", String.valueOf(controlPort));
    nodes.add(Main.start(ParleyConfig.fromEnvironment(env), new EmbeddedSfuFactory()));
    await(() -> signalling.remoteSfu().readyNodes() == 1, "signalling reconnects");
    JSONObject r = joinAndPublish(client(), "ccc-cccc-ccc", "Q");
    assertThat(r.getBoolean("ok")).as(r.toString()).isTrue();
  }
}
