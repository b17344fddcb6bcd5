package io.parley.signalling.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.api.MediaKind;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.support.FakeSfu;
import io.parley.signalling.support.TestClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The meeting features the server carries between participants: chat, hands, reactions, the host's
 * controls, the lobby, passwords, rejoining, pausing what is not shown, the dominant speaker. Real
 * Socket.IO clients; the media plane is a fake that records what it is told.
 */
@ExtendWith(VertxExtension.class)
class MeetingControlsTest {
  private static final String ROOM = "mtg-ctrl-tst";

  private FakeSfu sfu;
  private ParleyServer server;
  private int port;
  private final List<TestClient> clients = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    sfu = new FakeSfu();
    ParleyConfig config =
        ParleyConfig.fromEnvironment(
                Map.of(
                    "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1",
                    "PARLEY_MAX_PARTICIPANTS_PER_ROOM", "4"))
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

  private record Joined(TestClient client, String id, JSONObject reply) {}

  private Joined join(String name) throws Exception {
    TestClient c = client();
    JSONObject r = c.request("join", new JSONObject().put("roomId", ROOM).put("name", name));
    assertThat(r.getBoolean("ok")).as(r.toString()).isTrue();
    return new Joined(c, r.getString("participantId"), r);
  }

  private static JSONObject ok(JSONObject reply) {
    assertThat(reply.getBoolean("ok")).as(reply.toString()).isTrue();
    return reply;
  }

  private static void refused(JSONObject reply, String code, String message) {
    assertThat(reply.getBoolean("ok")).as(reply.toString()).isFalse();
    assertThat(reply.getString("error")).containsIgnoringCase(message);
    if (code != null) {
      assertThat(reply.getString("code")).isEqualTo(code);
    }
  }

  private void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(TestClient.TIMEOUT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(
            "not within "
                + TestClient.TIMEOUT
                + ": "
                + what
                + "; the media plane saw "
                + sfu.calls);
      }
      Thread.sleep(10);
    }
  }

  /** {@code who} publishes a camera (three simulcast layers) and a mic, as Chromium offers them. */
  private static void publish(Joined who) throws Exception {
    ok(
        who.client()
            .request(
                "publish",
                new JSONObject()
                    .put("sdp", SignallingServerTest.fixture("chromium-156-simulcast-offer.sdp"))));
  }

  private String producerOf(Joined who, MediaKind kind) throws InterruptedException {
    await(
        () ->
            sfu.producers.values().stream()
                .anyMatch(p -> p.kind() == kind && p.producerId().startsWith(who.id())),
        who.id() + "'s " + kind + " producer");
    return sfu.producers.values().stream()
        .filter(p -> p.kind() == kind && p.producerId().startsWith(who.id()))
        .findFirst()
        .orElseThrow()
        .producerId();
  }

  @Test
  void chatReachesEveryoneAsTextAndLateJoinersGetTheHistory() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    String hostile = "<img src=x onerror=alert(1)><script>alert('x')</script>";
    ok(alice.client().request("chat", new JSONObject().put("text", "  hello  ")));
    ok(alice.client().request("chat", new JSONObject().put("text", hostile)));
    for (Joined j : List.of(alice, bob)) {
      JSONObject first = j.client().next("chat").payload();
      assertThat(first.getString("text")).isEqualTo("hello");
      assertThat(first.getString("name")).isEqualTo("Alice");
      assertThat(first.getString("participantId")).isEqualTo(alice.id());
      // The server carries text verbatim; the client shows it as text (tested in the browser).
      assertThat(j.client().next("chat").payload().getString("text")).isEqualTo(hostile);
    }
    Joined carol = join("Carol");
    JSONArray history = carol.reply().getJSONObject("room").getJSONArray("chat");
    assertThat(history.length()).isEqualTo(2);
    assertThat(history.getJSONObject(1).getString("text")).isEqualTo(hostile);

    refused(bob.client().request("chat", new JSONObject().put("text", "   ")), null, "empty");
    refused(
        bob.client().request("chat", new JSONObject().put("text", "x".repeat(2001))),
        null,
        "at most 2000");
    // A flood is cut short, and the sender hears why.
    int refusedCount = 0;
    for (int i = 0; i < 12; i++) {
      if (!bob.client()
          .request("chat", new JSONObject().put("text", "spam " + i))
          .getBoolean("ok")) {
        refusedCount++;
      }
    }
    assertThat(refusedCount).isGreaterThan(0);
    refused(bob.client().request("chat", new JSONObject().put("text", "more")), null, "slow down");
  }

  @Test
  void handsAndReactionsReachTheOthers() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    ok(bob.client().request("raise-hand", new JSONObject().put("raised", true)));
    JSONObject up = alice.client().next("participant-updated").payload();
    assertThat(up.getString("participantId")).isEqualTo(bob.id());
    assertThat(up.getLong("handRaisedAt")).isPositive();
    ok(alice.client().request("raise-hand", new JSONObject().put("raised", true)));
    Joined carol = join("Carol");
    JSONArray others = carol.reply().getJSONObject("room").getJSONArray("participants");
    // Bob raised his hand first.
    assertThat(others.getJSONObject(1).getLong("handRaisedAt"))
        .isLessThanOrEqualTo(others.getJSONObject(0).getLong("handRaisedAt"));
    ok(bob.client().request("raise-hand", new JSONObject().put("raised", false)));
    JSONObject down = carol.client().next("participant-updated").payload();
    assertThat(down.has("handRaisedAt")).isFalse();

    ok(bob.client().request("react", new JSONObject().put("emoji", "\uD83D\uDC4F")));
    JSONObject reaction = alice.client().next("reaction").payload();
    assertThat(reaction.getString("participantId")).isEqualTo(bob.id());
    assertThat(reaction.getString("emoji")).isEqualTo("\uD83D\uDC4F");
    refused(
        bob.client().request("react", new JSONObject().put("emoji", "<b>")),
        null,
        "unknown reaction");
  }

  @Test
  void theHostMutesAndTheMuteHoldsAtTheServerUntilTheyUnmute() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    assertThat(bob.reply().getJSONObject("room").getJSONObject("settings").getString("hostId"))
        .isEqualTo(alice.id());
    publish(bob);
    String consumer = alice.id() + "/sub:" + producerOf(bob, MediaKind.AUDIO);
    await(() -> sfu.consumers.containsKey(consumer), "Alice consumes Bob's mic");

    refused(
        bob.client().request("mute", new JSONObject().put("participantId", alice.id())),
        null,
        "only the host");
    ok(alice.client().request("mute", new JSONObject().put("participantId", bob.id())));
    assertThat(bob.client().next("muted-by-host").payload().getString("hostName"))
        .isEqualTo("Alice");
    assertThat(alice.client().next("participant-updated").payload().getBoolean("audioMuted"))
        .isTrue();
    await(() -> Boolean.TRUE.equals(sfu.paused.get(consumer)), "Bob's mic paused for Alice");

    ok(
        bob.client()
            .request(
                "set-media-state",
                new JSONObject().put("audioMuted", false).put("videoMuted", false)));
    await(() -> Boolean.FALSE.equals(sfu.paused.get(consumer)), "Bob's mic forwarded again");
  }

  @Test
  void theHostMutesEveryoneAtOnceAndEndsTheMeetingForEveryone() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    Joined carol = join("Carol");
    publish(bob);
    String consumer = carol.id() + "/sub:" + producerOf(bob, MediaKind.AUDIO);
    await(() -> sfu.consumers.containsKey(consumer), "Carol consumes Bob's mic");

    refused(bob.client().request("mute-all"), null, "only the host");
    ok(alice.client().request("mute-all"));
    assertThat(bob.client().next("muted-by-host").payload().getString("hostName"))
        .isEqualTo("Alice");
    assertThat(carol.client().next("muted-by-host").payload().getString("hostName"))
        .isEqualTo("Alice");
    await(() -> Boolean.TRUE.equals(sfu.paused.get(consumer)), "Bob's mic paused for Carol");
    // The host's own mic stays as it was: the next one in sees that Bob and Carol, and only they,
    // went quiet.
    Joined dave = join("Dave");
    JSONArray everyone = dave.reply().getJSONObject("room").getJSONArray("participants");
    Map<String, Boolean> muted = new java.util.HashMap<>();
    for (int i = 0; i < everyone.length(); i++) {
      muted.put(
          everyone.getJSONObject(i).getString("participantId"),
          everyone.getJSONObject(i).getBoolean("audioMuted"));
    }
    assertThat(muted).isEqualTo(Map.of(alice.id(), false, bob.id(), true, carol.id(), true));
    ok(dave.client().request("leave"));

    ok(alice.client().request("update-room", new JSONObject().put("lobby", true)));
    TestClient erin = client();
    CompletableFuture<JSONObject> erinJoin =
        erin.requestAsync("join", new JSONObject().put("roomId", ROOM).put("name", "Erin"));
    erin.next("lobby-waiting");

    refused(carol.client().request("end-meeting"), null, "only the host");
    ok(alice.client().request("end-meeting"));
    assertThat(bob.client().next("meeting-ended").payload().getString("hostName"))
        .isEqualTo("Alice");
    assertThat(carol.client().next("meeting-ended").payload().getString("hostName"))
        .isEqualTo("Alice");
    refused(erinJoin.get(10, TimeUnit.SECONDS), "meeting-ended", "ended");
    await(
        () ->
            endpoints("createEndpoint ").equals(endpoints("closeEndpoint "))
                && !endpoints("createEndpoint ").isEmpty(),
        "every endpoint of the meeting closed");
    // The meeting is over: Bob's rejoin token does not bring him back into it, and whoever comes
    // next starts a new meeting of their own, as its host.
    JSONObject again =
        ok(
            bob.client()
                .request(
                    "join",
                    new JSONObject()
                        .put("roomId", ROOM)
                        .put("name", "Bob")
                        .put("rejoinToken", bob.reply().getString("rejoinToken"))));
    JSONObject room = again.getJSONObject("room");
    assertThat(room.getJSONArray("participants").length()).as(room.toString()).isZero();
    assertThat(room.getJSONObject("settings").getString("hostId"))
        .isEqualTo(again.getString("participantId"));
    assertThat(room.getJSONObject("settings").getBoolean("lobby")).isFalse();
  }

  /** The endpoints named in the media plane's calls of one kind. */
  private java.util.Set<String> endpoints(String call) {
    return sfu.calls.stream()
        .filter(c -> c.startsWith(call))
        .map(c -> c.substring(call.length()))
        .collect(java.util.stream.Collectors.toSet());
  }

  /** A set-view payload showing one video at a size. */
  private static JSONObject showing(String producerId, int width, int height) {
    return new JSONObject()
        .put(
            "videos",
            new JSONArray()
                .put(
                    new JSONObject()
                        .put("producerId", producerId)
                        .put("width", width)
                        .put("height", height)));
  }

  @Test
  void videoThatIsNotShownIsNotForwarded() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    publish(bob);
    String bobVideo = producerOf(bob, MediaKind.VIDEO);
    String audio = alice.id() + "/sub:" + producerOf(bob, MediaKind.AUDIO);
    String video = alice.id() + "/sub:" + bobVideo;
    await(
        () -> sfu.consumers.containsKey(audio) && sfu.consumers.containsKey(video),
        "Alice consumes Bob's tracks");
    ok(alice.client().request("set-view", new JSONObject().put("videos", new JSONArray())));
    await(() -> Boolean.TRUE.equals(sfu.paused.get(video)), "Bob's video paused for Alice");
    assertThat(sfu.paused.get(audio)).isNotEqualTo(Boolean.TRUE);
    ok(alice.client().request("set-view", showing(bobVideo, 640, 360)));
    await(() -> Boolean.FALSE.equals(sfu.paused.get(video)), "Bob's video forwarded again");
    // A 360-pixel tile gets the middle simulcast layer; a small one the lowest.
    await(() -> Integer.valueOf(1).equals(sfu.maxLayers.get(video)), "the middle layer for 360 px");
    ok(alice.client().request("set-view", showing(bobVideo, 320, 180)));
    await(() -> Integer.valueOf(0).equals(sfu.maxLayers.get(video)), "the low layer for 180 px");
    assertThat(sfu.maxLayers).doesNotContainKey(audio);
    refused(
        alice.client().request("set-view", new JSONObject().put("videos", "nope")),
        null,
        "malformed");
  }

  /** The rids of the next publish-layers event, checked to be about {@code producerId}. */
  private static List<String> nextLayers(Joined who, String producerId) throws Exception {
    JSONObject e = who.client().next("publish-layers").payload();
    assertThat(e.getString("producerId")).isEqualTo(producerId);
    assertThat(e.getString("mid")).isEqualTo("0");
    List<String> rids = new ArrayList<>();
    e.getJSONArray("rids").forEach(r -> rids.add((String) r));
    return rids;
  }

  @Test
  void aPublisherIsAskedForOnlyTheLayersSomeoneWatches() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    publish(bob);
    String bobVideo = producerOf(bob, MediaKind.VIDEO);
    await(
        () -> sfu.consumers.containsKey(alice.id() + "/sub:" + bobVideo),
        "Alice consumes Bob's video");
    // Large on Alice's screen: all three layers, as the browser starts. A tile that shrinks and
    // grows again at once (a layout settling) changes nothing.
    ok(alice.client().request("set-view", showing(bobVideo, 1280, 720)));
    ok(alice.client().request("set-view", showing(bobVideo, 320, 180)));
    ok(alice.client().request("set-view", showing(bobVideo, 1280, 720)));
    // 360 px: the top layer goes, once the need has stayed lower for a while; the first event
    // Bob hears is that one (the flicker above asked for nothing).
    ok(alice.client().request("set-view", showing(bobVideo, 640, 360)));
    assertThat(nextLayers(bob, bobVideo)).containsExactly("q", "h");
    // A bigger tile needs it again: asked for at once.
    ok(alice.client().request("set-view", showing(bobVideo, 1280, 720)));
    assertThat(nextLayers(bob, bobVideo)).containsExactly("q", "h", "f");
    // Nobody shows Bob: only the lowest layer, kept so a newcomer's first frame does not wait.
    ok(alice.client().request("set-view", new JSONObject().put("videos", new JSONArray())));
    assertThat(nextLayers(bob, bobVideo)).containsExactly("q");
    // Carol comes in: nothing changes until she says what she shows (else every publisher's
    // encoder would start its big layers for everyone who joins); then what she needs, at once.
    Joined carol = join("Carol");
    await(
        () -> sfu.consumers.containsKey(carol.id() + "/sub:" + bobVideo),
        "Carol consumes Bob's video");
    ok(carol.client().request("set-view", showing(bobVideo, 640, 360)));
    assertThat(nextLayers(bob, bobVideo)).containsExactly("q", "h");
    ok(carol.client().request("set-view", showing(bobVideo, 320, 180)));
    assertThat(nextLayers(bob, bobVideo)).containsExactly("q");
    // Alice shows him middle-sized, then leaves: what Carol watches is what is left.
    ok(alice.client().request("set-view", showing(bobVideo, 640, 360)));
    assertThat(nextLayers(bob, bobVideo)).containsExactly("q", "h");
    alice.client().close();
    assertThat(nextLayers(bob, bobVideo)).containsExactly("q");
  }

  @Test
  void theLobbyHoldsNewcomersUntilTheHostAnswers() throws Exception {
    Joined alice = join("Alice");
    ok(alice.client().request("update-room", new JSONObject().put("lobby", true)));
    assertThat(
            alice
                .client()
                .next("room-updated")
                .payload()
                .getJSONObject("settings")
                .getBoolean("lobby"))
        .isTrue();

    TestClient bob = client();
    CompletableFuture<JSONObject> bobJoin =
        bob.requestAsync("join", new JSONObject().put("roomId", ROOM).put("name", "Bob"));
    bob.next("lobby-waiting");
    JSONArray waiting = alice.client().next("lobby").payload().getJSONArray("waiting");
    assertThat(waiting.length()).isEqualTo(1);
    assertThat(waiting.getJSONObject(0).getString("name")).isEqualTo("Bob");
    assertThat(bobJoin).isNotDone();
    ok(
        alice
            .client()
            .request(
                "admit",
                new JSONObject()
                    .put("participantId", waiting.getJSONObject(0).getString("participantId"))
                    .put("allow", true)));
    JSONObject admitted = bobJoin.get(10, TimeUnit.SECONDS);
    ok(admitted);
    assertThat(
            alice
                .client()
                .next("participant-joined")
                .payload()
                .getJSONObject("participant")
                .getString("name"))
        .isEqualTo("Bob");

    TestClient eve = client();
    CompletableFuture<JSONObject> eveJoin =
        eve.requestAsync("join", new JSONObject().put("roomId", ROOM).put("name", "Eve"));
    JSONArray eveWaiting = alice.client().next("lobby").payload().getJSONArray("waiting");
    while (eveWaiting.length() == 0) {
      eveWaiting = alice.client().next("lobby").payload().getJSONArray("waiting");
    }
    ok(
        alice
            .client()
            .request(
                "admit",
                new JSONObject()
                    .put("participantId", eveWaiting.getJSONObject(0).getString("participantId"))
                    .put("allow", false)));
    refused(eveJoin.get(10, TimeUnit.SECONDS), "lobby-denied", "did not let you in");

    // Someone who gives up waiting leaves the host's list.
    TestClient mallory = client();
    mallory.requestAsync("join", new JSONObject().put("roomId", ROOM).put("name", "Mallory"));
    mallory.next("lobby-waiting");
    mallory.close();
    JSONArray after = alice.client().next("lobby").payload().getJSONArray("waiting");
    while (after.length() > 0) {
      after = alice.client().next("lobby").payload().getJSONArray("waiting");
    }
  }

  @Test
  void lockPasswordAndFullRoomRefuseWithCodes() throws Exception {
    Joined alice = join("Alice");
    ok(alice.client().request("update-room", new JSONObject().put("password", "s3cret")));
    TestClient bob = client();
    refused(
        bob.request("join", new JSONObject().put("roomId", ROOM).put("name", "Bob")),
        "password-required",
        "needs a password");
    refused(
        bob.request(
            "join", new JSONObject().put("roomId", ROOM).put("name", "Bob").put("password", "no")),
        "wrong-password",
        "not right");
    ok(
        bob.request(
            "join",
            new JSONObject().put("roomId", ROOM).put("name", "Bob").put("password", "s3cret")));
    ok(alice.client().request("update-room", new JSONObject().put("password", "")));
    join("Carol");
    join("Dan");
    refused(
        client().request("join", new JSONObject().put("roomId", ROOM).put("name", "Erin")),
        "room-full",
        "full");
    ok(alice.client().request("update-room", new JSONObject().put("locked", true)));
    refused(
        client().request("join", new JSONObject().put("roomId", ROOM).put("name", "Frank")),
        "room-locked",
        "locked");
  }

  @Test
  void theHostRoleMovesOnAndTheHostCanRemoveSomeone() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    Joined carol = join("Carol");
    ok(alice.client().request("make-host", new JSONObject().put("participantId", bob.id())));
    assertThat(
            carol
                .client()
                .next("room-updated")
                .payload()
                .getJSONObject("settings")
                .getString("hostId"))
        .isEqualTo(bob.id());
    refused(
        alice.client().request("remove", new JSONObject().put("participantId", carol.id())),
        null,
        "only the host");

    ok(bob.client().request("remove", new JSONObject().put("participantId", alice.id())));
    JSONObject removed = alice.client().next("removed").payload();
    assertThat(removed.getBoolean("byHost")).isTrue();
    assertThat(carol.client().next("participant-left").payload().getString("participantId"))
        .isEqualTo(alice.id());
    // Removed means removed: the old rejoin token no longer opens the lobby or a lock.
    ok(bob.client().request("update-room", new JSONObject().put("locked", true)));
    refused(
        alice
            .client()
            .request(
                "join",
                new JSONObject()
                    .put("roomId", ROOM)
                    .put("name", "Alice")
                    .put("rejoinToken", alice.reply().getString("rejoinToken"))),
        "room-locked",
        "locked");

    bob.client().request("leave");
    JSONObject next = carol.client().next("room-updated").payload().getJSONObject("settings");
    while (!next.getString("hostId").equals(carol.id())) {
      next = carol.client().next("room-updated").payload().getJSONObject("settings");
    }
  }

  @Test
  void someoneWhoDroppedComesBackPastTheLockAndKeepsTheHostRole() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    ok(alice.client().request("update-room", new JSONObject().put("locked", true)));
    // Alice's network drops; her new connection rejoins with her token before the old one is
    // noticed as gone.
    TestClient again = client();
    JSONObject back =
        ok(
            again.request(
                "join",
                new JSONObject()
                    .put("roomId", ROOM)
                    .put("name", "Alice")
                    .put("rejoinToken", alice.reply().getString("rejoinToken"))));
    String newId = back.getString("participantId");
    assertThat(bob.client().next("participant-left").payload().getString("participantId"))
        .isEqualTo(alice.id());
    assertThat(back.getJSONObject("room").getJSONObject("settings").getString("hostId"))
        .isEqualTo(newId);
    // A token works once.
    refused(
        client()
            .request(
                "join",
                new JSONObject()
                    .put("roomId", ROOM)
                    .put("name", "Alice")
                    .put("rejoinToken", alice.reply().getString("rejoinToken"))),
        "room-locked",
        "locked");
  }

  @Test
  void aHostWhoseMediaDroppedRejoinsAsHostUnlessTheRoleWasHandedOnSince() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    Joined carol = join("Carol");
    ok(alice.client().request("update-room", new JSONObject().put("lobby", true)));
    // Alice's media connection failed: her page leaves and joins again with its token (as
    // meeting.ts's reconnectMedia does). The role went to Bob meanwhile.
    alice.client().request("leave");
    awaitHost(bob.client(), bob.id());
    CompletableFuture<JSONObject> knock =
        client().requestAsync("join", new JSONObject().put("roomId", ROOM).put("name", "Dave"));
    bob.client().next("lobby");
    JSONObject back = ok(rejoin(alice.client(), alice.reply()));
    String aliceNow = back.getString("participantId");
    assertThat(back.getJSONObject("room").getJSONObject("settings").getString("hostId"))
        .isEqualTo(aliceNow);
    awaitHost(carol.client(), aliceNow);
    // She is told who waits, and answers.
    String daveId =
        alice
            .client()
            .next("lobby")
            .payload()
            .getJSONArray("waiting")
            .getJSONObject(0)
            .getString("participantId");
    ok(
        alice
            .client()
            .request("admit", new JSONObject().put("participantId", daveId).put("allow", true)));
    ok(knock.get(10, TimeUnit.SECONDS));

    // Handed on by choice, the role stays where it was given.
    alice.client().request("leave");
    awaitHost(bob.client(), bob.id());
    ok(bob.client().request("make-host", new JSONObject().put("participantId", carol.id())));
    JSONObject again = ok(rejoin(alice.client(), back));
    assertThat(again.getJSONObject("room").getJSONObject("settings").getString("hostId"))
        .isEqualTo(carol.id());
  }

  private static JSONObject rejoin(TestClient c, JSONObject joined) throws Exception {
    return c.request(
        "join",
        new JSONObject()
            .put("roomId", ROOM)
            .put("name", "Alice")
            .put("rejoinToken", joined.getString("rejoinToken")));
  }

  /** Waits for a room-updated event naming {@code hostId} the host. */
  private static void awaitHost(TestClient c, String hostId) throws InterruptedException {
    while (!c.next("room-updated")
        .payload()
        .getJSONObject("settings")
        .getString("hostId")
        .equals(hostId)) {
      // an earlier update
    }
  }

  @Test
  void aFloodOfUpdatesIsCutShortAndCountedWhileTheRoomCarriesOn() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    int refusedCount = 0;
    for (int i = 0; i < 200; i++) {
      JSONObject r = bob.client().request("raise-hand", new JSONObject().put("raised", i % 2 == 0));
      if (!r.getBoolean("ok")) {
        assertThat(r.getString("error")).contains("slow down");
        refusedCount++;
      }
    }
    assertThat(refusedCount).isGreaterThan(100);
    assertThat(server.rooms().throttledRequests()).isGreaterThanOrEqualTo(refusedCount);
    // Alice heard at most what got through, and the room still works for both.
    ok(alice.client().request("chat", new JSONObject().put("text", "still here")));
    assertThat(bob.client().next("chat").payload().getString("text")).isEqualTo("still here");
  }

  @Test
  void theDominantSpeakerIsAnnouncedToTheRoom() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    sfu.speak(ROOM, bob.id() + "/pub");
    assertThat(alice.client().next("dominant-speaker").payload().getString("participantId"))
        .isEqualTo(bob.id());
    assertThat(bob.client().next("dominant-speaker").payload().getString("participantId"))
        .isEqualTo(bob.id());
    // Someone who comes in while Bob talks sees him as the speaker at once, not at the next change.
    Joined carol = join("Carol");
    assertThat(carol.reply().getJSONObject("room").optString("dominantSpeaker"))
        .isEqualTo(bob.id());
    // Once he has left, nobody is named to the next one in.
    bob.client().request("leave");
    assertThat(carol.client().next("participant-left").payload().getString("participantId"))
        .isEqualTo(bob.id());
    Joined dave = join("Dave");
    assertThat(dave.reply().getJSONObject("room").has("dominantSpeaker"))
        .as(dave.reply().toString())
        .isFalse();
  }

  @Test
  void aVideoTheSfuHoldsBackForSomeonesConnectionIsNamedToThemAlone() throws Exception {
    Joined alice = join("Alice");
    Joined bob = join("Bob");
    publish(bob);
    String bobVideo = producerOf(bob, MediaKind.VIDEO);
    // Nonsense first: an unknown room and consumer ids without a subscriber are ignored.
    sfu.bandwidthPause("no-such-room", alice.id() + "/sub:" + bobVideo, true);
    sfu.bandwidthPause(ROOM, "no-colon", true);
    sfu.bandwidthPause(ROOM, "nobody/sub:" + bobVideo, true);
    sfu.bandwidthPause(ROOM, alice.id() + "/sub:" + bobVideo, true);
    JSONObject paused = alice.client().next("video-paused").payload();
    assertThat(paused.getString("producerId")).isEqualTo(bobVideo);
    assertThat(paused.getBoolean("paused")).isTrue();
    sfu.bandwidthPause(ROOM, alice.id() + "/sub:" + bobVideo, false);
    assertThat(alice.client().next("video-paused").payload().getBoolean("paused")).isFalse();
    // Bob, whose connection is fine, hears nothing of it up to Carol coming in.
    Joined carol = join("Carol");
    while (true) {
      TestClient.Event e = bob.client().next();
      assertThat(e.name()).isNotEqualTo("video-paused");
      if (e.name().equals("participant-joined")
          && e.payload()
              .getJSONObject("participant")
              .getString("participantId")
              .equals(carol.id())) {
        break;
      }
    }
  }
}
