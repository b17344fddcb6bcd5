package io.parley.load;

import io.parley.sfu.dtls.DtlsRole;
import io.parley.signalling.sdp.SessionDescription;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * A synthetic participant in a Janus VideoRoom, through Janus's HTTP API, as janus.js would do it:
 * a session with two handles. The publisher handle joins the room ({@code joinandconfigure} with
 * the offer, or a plain {@code join} for a participant that only watches) and hears about the
 * room's publishers; the subscriber handle subscribes to all of them on one PeerConnection
 * (multistream: {@code join} as subscriber, then {@code subscribe} for newcomers), answering each
 * offer from Janus with {@code start}.
 */
final class JanusParticipant extends Participant {
  private final JanusApi api;
  private final long room;
  private final String preferredHost;
  private final ScheduledExecutorService timers;
  private JanusApi.Session session;
  private long publisherHandle;
  private long ownFeed;
  private ScheduledFuture<?> keepalive;
  private volatile boolean stopping;

  // Guarded by this.
  private long subscriberHandle;
  private boolean subscriberJoined;
  private boolean negotiating;
  private final Set<Long> subscribed = new HashSet<>();
  private final List<Long> wanted = new ArrayList<>();

  JanusParticipant(
      Context ctx,
      JanusApi api,
      long room,
      String name,
      boolean publishes,
      String preferredHost,
      ScheduledExecutorService timers) {
    super(ctx, name, publishes);
    this.api = api;
    this.room = room;
    this.preferredHost = preferredHost;
    this.timers = timers;
  }

  @Override
  CompletableFuture<Void> start() {
    joinNanos = System.nanoTime();
    return api.createSession()
        .thenCompose(
            id -> {
              session = api.new Session(id, this::onEvent);
              keepalive =
                  timers.scheduleAtFixedRate(() -> session.keepalive(), 25, 25, TimeUnit.SECONDS);
              return api.attachVideoRoom(id);
            })
        .thenCompose(
            handle -> {
              publisherHandle = handle;
              return publishes ? publish() : watch();
            })
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                failed = true;
              }
            });
  }

  private CompletableFuture<Void> watch() {
    JSONObject join =
        new JSONObject()
            .put("request", "join")
            .put("ptype", "publisher")
            .put("room", room)
            .put("display", name);
    return session.message(publisherHandle, join, null).thenAccept(this::onJoined);
  }

  private CompletableFuture<Void> publish() {
    List<Sdp.Track> tracks = preparePublish();
    String offer = Sdp.publishOffer(publishTransport, ctx.media(), tracks, name, "s" + name);
    JSONObject body =
        new JSONObject()
            .put("request", "joinandconfigure")
            .put("ptype", "publisher")
            .put("room", room)
            .put("display", name);
    JSONObject jsep = new JSONObject().put("type", "offer").put("sdp", offer);
    return session
        .message(publisherHandle, body, jsep)
        .thenCompose(
            event -> {
              JSONObject answerJsep = event.optJSONObject("jsep");
              if (answerJsep == null) {
                throw new IllegalStateException("Janus sent no answer: " + event);
              }
              SessionDescription answer = SessionDescription.parse(answerJsep.getString("sdp"));
              publishTransport.start(
                  Sdp.remoteOf(answer, preferredHost), true, Sdp.roleFromAnswer(answer));
              session.trickleCompleted(publisherHandle);
              onJoined(event);
              return publishTransport.connected().orTimeout(20, TimeUnit.SECONDS);
            })
        .thenRun(this::startSending);
  }

  private void onJoined(JSONObject event) {
    JSONObject data = event.getJSONObject("plugindata").getJSONObject("data");
    ownFeed = data.optLong("id");
    newPublishers(data.optJSONArray("publishers"));
  }

  private void onEvent(JSONObject event) {
    String type = event.optString("janus");
    if (type.equals("hangup")) {
      failed = true;
      ctx.stats().error(name + ": Janus hung up: " + event.optString("reason"));
      return;
    }
    JSONObject plugin = event.optJSONObject("plugindata");
    if (plugin == null) {
      return;
    }
    JSONObject data = plugin.getJSONObject("data");
    long sender = event.optLong("sender");
    if (sender == publisherHandle) {
      newPublishers(data.optJSONArray("publishers"));
    } else if (event.has("jsep")) {
      // An offer from Janus nobody asked for (it renegotiates by itself): answer it too.
      answer(event).exceptionally(e -> fail("renegotiation: " + e));
    }
  }

  private void newPublishers(JSONArray publishers) {
    if (publishers == null) {
      return;
    }
    synchronized (this) {
      for (int i = 0; i < publishers.length(); i++) {
        long feed = publishers.getJSONObject(i).getLong("id");
        if (feed != ownFeed && subscribed.add(feed)) {
          wanted.add(feed);
        }
      }
    }
    negotiate();
  }

  /** One subscription change at a time: feeds announced meanwhile wait for the next round. */
  private void negotiate() {
    List<Long> feeds;
    boolean join;
    synchronized (this) {
      if (negotiating || wanted.isEmpty()) {
        return;
      }
      negotiating = true;
      feeds = List.copyOf(wanted);
      wanted.clear();
      join = !subscriberJoined;
      subscriberJoined = true;
    }
    JSONArray streams = new JSONArray();
    feeds.forEach(f -> streams.put(new JSONObject().put("feed", f)));
    CompletableFuture<Long> handle =
        subscriberHandle != 0
            ? CompletableFuture.completedFuture(subscriberHandle)
            : api.attachVideoRoom(session.id);
    handle
        .thenCompose(
            h -> {
              subscriberHandle = h;
              JSONObject body =
                  join
                      ? new JSONObject()
                          .put("request", "join")
                          .put("ptype", "subscriber")
                          .put("room", room)
                          .put("streams", streams)
                      : new JSONObject().put("request", "subscribe").put("streams", streams);
              return session.message(h, body, null);
            })
        .thenCompose(this::answer)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                fail("subscribe: " + e.getMessage());
              }
              synchronized (this) {
                negotiating = false;
              }
              negotiate();
            });
  }

  /** Answers an offer from Janus on the subscriber handle with {@code start}. */
  private CompletableFuture<Void> answer(JSONObject event) {
    JSONObject jsep = event.optJSONObject("jsep");
    if (jsep == null || !"offer".equals(jsep.optString("type"))) {
      return CompletableFuture.completedFuture(null); // nothing to answer (e.g. no new stream)
    }
    SessionDescription offer = SessionDescription.parse(jsep.getString("sdp"));
    acceptTransportCc(offer);
    boolean first;
    synchronized (this) {
      first = subscribeTransport == null;
      if (first) {
        subscribeTransport = newSubscribeTransport();
      }
    }
    String answer = Sdp.subscribeAnswer(offer, subscribeTransport);
    if (first) {
      // Janus offered, with full ICE: it controls; we answered a=setup:active.
      subscribeTransport.start(Sdp.remoteOf(offer, preferredHost), false, DtlsRole.CLIENT);
      subscribeTransport
          .connected()
          .orTimeout(20, TimeUnit.SECONDS)
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  fail("subscribe transport: " + e.getMessage());
                } else {
                  subscribeConnected = true;
                }
              });
    }
    return session
        .message(
            subscriberHandle,
            new JSONObject().put("request", "start"),
            new JSONObject().put("type", "answer").put("sdp", answer))
        .thenRun(
            () -> {
              if (first) {
                session.trickleCompleted(subscriberHandle);
              }
            });
  }

  private Void fail(String message) {
    if (stopping) {
      return null; // the session is being destroyed: late events do not count
    }
    failed = true;
    ctx.stats().error(name + ": " + message);
    return null;
  }

  @Override
  void stopSignalling() {
    stopping = true;
    if (keepalive != null) {
      keepalive.cancel(false);
    }
    if (session != null) {
      try {
        session.destroy().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // best effort
      }
    }
  }
}
