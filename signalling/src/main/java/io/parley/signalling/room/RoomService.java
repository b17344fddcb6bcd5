package io.parley.signalling.room;

import io.parley.sfu.api.SfuApi;
import io.parley.sfu.api.SfuListener;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.protocol.ClientRequest;
import io.parley.signalling.protocol.ProtocolException;
import io.parley.signalling.protocol.Reply;
import io.parley.signalling.protocol.ServerEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rooms and participants. All state lives on one Vert.x context: callers are on it, and SFU
 * callbacks are moved onto it.
 */
public final class RoomService {
  private static final Logger log = LoggerFactory.getLogger(RoomService.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Context context;
  private final MediaPlane media;
  private final ParleyConfig config;
  private final Map<String, Room> rooms = new HashMap<>();
  private final Map<Connection, Participant> byConnection = new HashMap<>();
  private final Map<String, Participant> byEndpoint = new HashMap<>();
  private final Map<Connection, LobbyEntry> waiting = new HashMap<>();
  private final Consumer<Duration> firstMedia;
  private final PublishLayers layers;

  /** How long a video's need for a layer stays lower before its publisher stops sending it. */
  static final long LOWER_LAYERS_AFTER_MS = 3000;

  // Copies of the sizes for metrics, which read them from other threads.
  private volatile int roomGauge;
  private volatile int participantGauge;

  public RoomService(SfuApi sfu, Context context, ParleyConfig config) {
    this(sfu, context, config, d -> {});
  }

  /**
   * @param firstMedia told, once per participant, the time from its join to the first packet of one
   *     of its own tracks reaching the SFU
   */
  public RoomService(
      SfuApi sfu, Context context, ParleyConfig config, Consumer<Duration> firstMedia) {
    this.context = context;
    this.media = new MediaPlane(sfu, context);
    this.config = config;
    this.firstMedia = firstMedia;
    this.layers =
        new PublishLayers(
            context.owner(), config.signalling().pauseUnwatchedLayers(), LOWER_LAYERS_AFTER_MS);
    sfu.addListener(
        new SfuListener() {
          @Override
          public void endpointDisconnected(String roomId, String endpointId, String reason) {
            context.runOnContext(v -> mediaLost(endpointId, reason));
          }

          @Override
          public void dominantSpeakerChanged(String roomId, String endpointId) {
            context.runOnContext(v -> dominantSpeaker(roomId, endpointId));
          }

          @Override
          public void producerActive(String roomId, String producerId) {
            context.runOnContext(v -> producerActiveOnContext(roomId, producerId));
          }

          @Override
          public void consumerBandwidthPaused(String roomId, String consumerId, boolean paused) {
            context.runOnContext(v -> videoPaused(roomId, consumerId, paused));
          }
        });
  }

  /** Handles one request of a connection; the future carries the reply. */
  public Future<Reply> handle(Connection c, ClientRequest request) {
    try {
      if (request instanceof ClientRequest.Join j) {
        return join(c, j);
      } else if (request instanceof ClientRequest.Publish p) {
        return publish(c, p);
      } else if (request instanceof ClientRequest.Leave) {
        leave(c);
        return Future.succeededFuture(Reply.Done.OK);
      }
      Participant p = participant(c);
      boolean limited =
          request instanceof ClientRequest.Chat
              ? !p.chatLimit.tryTake()
              : request instanceof ClientRequest.React
                  ? !p.reactionLimit.tryTake()
                  : !p.updateLimit.tryTake();
      if (limited) {
        throttled.increment();
        throw new ProtocolException("slow down: too many requests in a short time");
      }
      if (request instanceof ClientRequest.SetMediaState s) {
        setMediaState(p, s);
      } else if (request instanceof ClientRequest.Chat m) {
        chat(p, m);
      } else if (request instanceof ClientRequest.RaiseHand h) {
        raiseHand(p, h);
      } else if (request instanceof ClientRequest.React r) {
        react(p, r);
      } else if (request instanceof ClientRequest.SetView v) {
        p.subscriber.setShown(
            v.videos().stream()
                .collect(
                    java.util.stream.Collectors.toMap(
                        ClientRequest.SetView.Shown::producerId,
                        ClientRequest.SetView.Shown::height,
                        Math::max)));
        layers.update(p.room);
      } else if (request instanceof ClientRequest.Mute m) {
        hostMute(p, m.participantId());
      } else if (request instanceof ClientRequest.MuteAll) {
        hostMuteAll(p);
      } else if (request instanceof ClientRequest.EndMeeting) {
        endMeeting(p);
      } else if (request instanceof ClientRequest.Remove r) {
        hostRemove(p, r.participantId());
      } else if (request instanceof ClientRequest.MakeHost m) {
        makeHost(p, m.participantId());
      } else if (request instanceof ClientRequest.Admit a) {
        admit(p, a);
      } else if (request instanceof ClientRequest.UpdateRoom u) {
        updateRoom(p, u);
      } else {
        throw new ProtocolException("unsupported request");
      }
      return Future.succeededFuture(Reply.Done.OK);
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Reply> join(Connection c, ClientRequest.Join j) {
    if (byConnection.containsKey(c) || waiting.containsKey(c)) {
      throw new ProtocolException("already in a room: leave it first");
    }
    Room existing = rooms.get(j.roomId());
    if (draining && existing == null) {
      // Rooms already here run to their end; new ones go to another server.
      throw new ProtocolException(
          "this server is shutting down and takes no new meetings: try again in a moment");
    }
    if (existing == null || existing.isEmpty()) {
      return Future.succeededFuture(enter(c, j, newId(), null));
    }
    Room.Rejoin returning = existing.redeemRejoinToken(j.rejoinToken(), System.currentTimeMillis());
    if (returning != null) {
      return Future.succeededFuture(enter(c, j, newId(), returning));
    }
    if (existing.locked) {
      throw new ProtocolException(
          "room-locked", "The host has locked this meeting: nobody new can join right now.");
    }
    if (existing.password != null) {
      if (j.password() == null || j.password().isEmpty()) {
        throw new ProtocolException("password-required", "This meeting needs a password.");
      }
      if (!java.security.MessageDigest.isEqual(
          existing.password.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          j.password().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
        throw new ProtocolException("wrong-password", "That password is not right.");
      }
    }
    int max = config.signalling().maxParticipantsPerRoom();
    if (existing.size() + existing.lobby.size() >= max) {
      throw new ProtocolException(
          "room-full", "This meeting is full: it holds " + max + " people.");
    }
    if (existing.lobbyOn) {
      return knock(c, existing, j);
    }
    return Future.succeededFuture(enter(c, j, newId(), null));
  }

  /** Puts someone in the lobby; their join completes when the host answers. */
  private Future<Reply> knock(Connection c, Room room, ClientRequest.Join j) {
    LobbyEntry e = new LobbyEntry(newId(), j.name(), c, j);
    room.lobby.put(e.id, e);
    waiting.put(c, e);
    c.send(new ServerEvent.LobbyWaiting(room.id));
    tellHostAboutLobby(room);
    log.atInfo()
        .addKeyValue("event", "lobby-knock")
        .addKeyValue("room", room.id)
        .addKeyValue("participant", e.id)
        .log("{} ({}) waits in the lobby of room {}", e.id, e.name, room.id);
    return e.reply.future();
  }

  private void tellHostAboutLobby(Room room) {
    Participant host = room.host();
    if (host != null) {
      host.send(room.lobbyEvent());
    }
  }

  /**
   * Puts a participant in the room.
   *
   * @param rejoin who the person was before a dropped connection (their old self, if still here, is
   *     replaced; they keep their place in line and, see {@link Room#returningHost}, the host
   *     role), or null
   */
  private Reply enter(Connection c, ClientRequest.Join j, String id, Room.Rejoin rejoin) {
    long now = System.currentTimeMillis();
    String returning = rejoin == null ? null : rejoin.participantId();
    Room before = rooms.get(j.roomId());
    Participant ghost = before == null ? null : before.get(returning);
    if (ghost != null) {
      leave(ghost.connection);
    }
    Room room = rooms.computeIfAbsent(j.roomId(), Room::new);
    // A host whose connection dropped (the old self just replaced, or gone a moment ago) is host
    // again, unless the role was handed on by choice since.
    boolean wasHost = room.returningHost(returning, now);
    Participant p =
        new Participant(
            id,
            j.name(),
            room,
            c,
            media,
            newToken(),
            j.takesRed(),
            config.signalling().audioRed(),
            config.signalling().playoutDelay());
    p.place = rejoin != null && room == before ? rejoin.place() : room.nextPlace();
    room.add(p);
    room.issueRejoinToken(p.rejoinToken, p, now);
    byConnection.put(c, p);
    byEndpoint.put(p.publisher.endpointId(), p);
    byEndpoint.put(p.subscriber.endpointId(), p);
    room.broadcast(new ServerEvent.ParticipantJoined(p.info()), p);
    if (wasHost && !p.id.equals(room.hostId)) {
      room.handHostTo(p.id);
      room.broadcast(new ServerEvent.RoomUpdated(room.settings()), p);
      log.atInfo()
          .addKeyValue("event", "host-returns")
          .addKeyValue("room", room.id)
          .addKeyValue("participant", p.id)
          .log("{} came back as {} and is host of room {} again", returning, p.id, room.id);
    }
    updateGauges();
    log.atInfo()
        .addKeyValue("event", "join")
        .addKeyValue("room", room.id)
        .addKeyValue("participant", p.id)
        .log("{} ({}) joined room {}", p.id, p.name, room.id);
    Reply reply = new Reply.Joined(true, p.id, room.state(p), iceServersFor(p.id), p.rejoinToken);
    // Subscribe after the reply is sent: the client is ready for offers once it knows its id.
    context.runOnContext(
        v -> {
          if (byConnection.get(c) == p) {
            room.participants().stream()
                .filter(o -> o != p)
                .flatMap(o -> o.publisher.tracks().stream())
                .forEach(p.subscriber::add);
            layers.update(room);
            if (p.id.equals(room.hostId) && !room.lobby.isEmpty()) {
              p.send(room.lobbyEvent());
            }
          }
        });
    return reply;
  }

  private Future<Reply> publish(Connection c, ClientRequest.Publish request) {
    Participant p = participant(c);
    return publish(c, p, request)
        .onFailure(
            e ->
                log.atWarn()
                    .addKeyValue("event", "publish-failed")
                    .addKeyValue("room", p.room.id)
                    .addKeyValue("participant", p.id)
                    .log("{} could not publish in room {}: {}", p.id, p.room.id, e.getMessage()));
  }

  private Future<Reply> publish(Connection c, Participant p, ClientRequest.Publish request) {
    return p.publisher
        .publish(
            request.sdp(),
            request.sources(),
            track -> {
              if (byConnection.get(c) != p) {
                return;
              }
              p.room.broadcast(new ServerEvent.TrackAdded(track.info()), p);
              p.room.participants().stream()
                  .filter(o -> o != p)
                  .forEach(o -> o.subscriber.add(track));
              layers.update(p.room);
            },
            track -> {
              layers.forget(track);
              p.room.broadcast(new ServerEvent.TrackRemoved(track.producerId(), p.id), p);
              p.room.participants().stream()
                  .filter(o -> o != p)
                  .forEach(o -> o.subscriber.remove(track.producerId()));
            })
        .map(
            sdp ->
                new Reply.Published(
                    true, sdp, p.publisher.tracks().stream().map(Track::info).toList()));
  }

  private void setMediaState(Participant p, ClientRequest.SetMediaState s) {
    boolean audioChanged = p.audioMuted != s.audioMuted();
    p.audioMuted = s.audioMuted();
    p.videoMuted = s.videoMuted();
    p.room.broadcast(p.updated(), p);
    if (audioChanged) {
      refreshPauses(p.room);
    }
  }

  /** Muted mics are not forwarded: a host's mute holds even if a client ignores it. */
  private static void refreshPauses(Room room) {
    room.participants().forEach(o -> o.subscriber.refreshAll());
  }

  private void chat(Participant p, ClientRequest.Chat m) {
    p.room.broadcast(p.room.addChat(p.id, p.name, m.text(), System.currentTimeMillis()), null);
  }

  private void raiseHand(Participant p, ClientRequest.RaiseHand h) {
    Long at =
        h.raised() ? (p.handRaisedAt != null ? p.handRaisedAt : System.currentTimeMillis()) : null;
    if (java.util.Objects.equals(at, p.handRaisedAt)) {
      return;
    }
    p.handRaisedAt = at;
    p.room.broadcast(p.updated(), null);
  }

  private void react(Participant p, ClientRequest.React r) {
    p.room.broadcast(new ServerEvent.Reaction(p.id, r.emoji()), null);
  }

  private static void requireHost(Participant p) {
    if (!p.id.equals(p.room.hostId)) {
      throw new ProtocolException("only the host can do that");
    }
  }

  private static Participant target(Participant host, String participantId) {
    Participant t = host.room.get(participantId);
    if (t == null) {
      throw new ProtocolException("that participant is not in this meeting (any more)");
    }
    return t;
  }

  private void hostMute(Participant host, String participantId) {
    requireHost(host);
    if (mute(host, target(host, participantId))) {
      refreshPauses(host.room);
    }
  }

  private void hostMuteAll(Participant host) {
    requireHost(host);
    boolean any = false;
    for (Participant t : List.copyOf(host.room.participants())) {
      if (t != host) {
        any |= mute(host, t);
      }
    }
    if (any) {
      refreshPauses(host.room);
    }
  }

  /**
   * Holds {@code t}'s mic at the server (it is not forwarded until its owner unmutes) and tells
   * them and the room; false when it was muted already.
   */
  private boolean mute(Participant host, Participant t) {
    if (t.audioMuted) {
      return false;
    }
    t.audioMuted = true;
    t.send(new ServerEvent.MutedByHost(host.name));
    host.room.broadcast(t.updated(), t);
    log.atInfo()
        .addKeyValue("event", "host-mute")
        .addKeyValue("room", host.room.id)
        .addKeyValue("participant", t.id)
        .log("{} muted {} in room {}", host.id, t.id, host.room.id);
    return true;
  }

  private void endMeeting(Participant host) {
    requireHost(host);
    Room room = host.room;
    log.atInfo()
        .addKeyValue("event", "meeting-ended")
        .addKeyValue("room", room.id)
        .addKeyValue("participant", host.id)
        .log("{} ended the meeting in room {} for everyone", host.id, room.id);
    for (LobbyEntry e : List.copyOf(room.lobby.values())) {
      room.lobby.remove(e.id);
      waiting.remove(e.connection);
      e.reply.tryFail(new ProtocolException("meeting-ended", "The host ended this meeting."));
    }
    // The others first, the host last: the role does not move on to someone on their way out.
    for (Participant t : List.copyOf(room.participants())) {
      if (t != host) {
        room.revokeRejoinToken(t.rejoinToken);
        t.send(new ServerEvent.MeetingEnded(host.name));
        leave(t.connection);
      }
    }
    room.revokeRejoinToken(host.rejoinToken);
    leave(host.connection);
  }

  private void hostRemove(Participant host, String participantId) {
    requireHost(host);
    Participant t = target(host, participantId);
    if (t == host) {
      throw new ProtocolException("to go, leave the meeting");
    }
    host.room.revokeRejoinToken(t.rejoinToken);
    t.send(new ServerEvent.Removed("The host removed you from the meeting.", true));
    log.atInfo()
        .addKeyValue("event", "host-remove")
        .addKeyValue("room", host.room.id)
        .addKeyValue("participant", t.id)
        .log("{} removed {} from room {}", host.id, t.id, host.room.id);
    leave(t.connection);
  }

  private void makeHost(Participant host, String participantId) {
    requireHost(host);
    Participant t = target(host, participantId);
    Room room = host.room;
    room.handHostTo(t.id);
    room.broadcast(new ServerEvent.RoomUpdated(room.settings()), null);
    if (!room.lobby.isEmpty()) {
      t.send(room.lobbyEvent());
    }
  }

  private void admit(Participant host, ClientRequest.Admit a) {
    requireHost(host);
    Room room = host.room;
    LobbyEntry e = room.lobby.remove(a.participantId());
    if (e == null) {
      throw new ProtocolException("nobody with that id waits in the lobby (any more)");
    }
    waiting.remove(e.connection);
    if (a.allow()) {
      e.reply.tryComplete(enter(e.connection, e.request, e.id, null));
    } else {
      e.reply.tryFail(new ProtocolException("lobby-denied", "The host did not let you in."));
    }
    host.send(room.lobbyEvent());
  }

  private void updateRoom(Participant host, ClientRequest.UpdateRoom u) {
    requireHost(host);
    Room room = host.room;
    if (u.locked() != null) {
      room.locked = u.locked();
    }
    if (u.lobby() != null) {
      room.lobbyOn = u.lobby();
    }
    if (u.password() != null) {
      room.password = u.password().isEmpty() ? null : u.password();
    }
    room.broadcast(new ServerEvent.RoomUpdated(room.settings()), null);
    if (!room.lobbyOn) {
      admitEveryoneWaiting(room);
    }
  }

  /** Lets the whole lobby in (the lobby was turned off, or nobody is left to answer). */
  private void admitEveryoneWaiting(Room room) {
    for (LobbyEntry e : List.copyOf(room.lobby.values())) {
      room.lobby.remove(e.id);
      waiting.remove(e.connection);
      e.reply.tryComplete(enter(e.connection, e.request, e.id, null));
    }
  }

  /** The connection left, closed or was dropped: remove its participant, if any. */
  public void leave(Connection c) {
    LobbyEntry knocking = waiting.remove(c);
    if (knocking != null) {
      Room room = rooms.get(knocking.request.roomId());
      if (room != null && room.lobby.remove(knocking.id) != null) {
        tellHostAboutLobby(room);
      }
      knocking.reply.tryFail(new ProtocolException("you left the lobby"));
      return;
    }
    Participant p = byConnection.remove(c);
    if (p == null) {
      return;
    }
    byEndpoint.remove(p.publisher.endpointId());
    byEndpoint.remove(p.subscriber.endpointId());
    Room room = p.room;
    long now = System.currentTimeMillis();
    boolean hostChanged = room.remove(p, now);
    room.expireRejoinToken(p.rejoinToken, now);
    p.publisher.close();
    p.subscriber.close();
    for (Participant o : room.participants()) {
      p.publisher.tracks().forEach(t -> o.subscriber.remove(t.producerId()));
    }
    p.publisher.tracks().forEach(layers::forget);
    // What the one who left watched may have been all that kept a layer on.
    layers.update(room);
    room.broadcast(new ServerEvent.ParticipantLeft(p.id), null);
    if (hostChanged) {
      room.broadcast(new ServerEvent.RoomUpdated(room.settings()), null);
      if (!room.lobby.isEmpty()) {
        tellHostAboutLobby(room);
      }
    }
    log.atInfo()
        .addKeyValue("event", "leave")
        .addKeyValue("room", room.id)
        .addKeyValue("participant", p.id)
        .log("{} left room {}", p.id, room.id);
    if (room.isEmpty()) {
      if (room.lobby.isEmpty()) {
        rooms.remove(room.id);
      } else {
        // Nobody is left to answer the people waiting: they come in.
        admitEveryoneWaiting(room);
      }
    }
    updateGauges();
  }

  private void mediaLost(String endpointId, String reason) {
    Participant p = byEndpoint.get(endpointId);
    if (p != null) {
      log.atWarn()
          .addKeyValue("event", "media-lost")
          .addKeyValue("room", p.room.id)
          .addKeyValue("participant", p.id)
          .addKeyValue("endpoint", endpointId)
          .addKeyValue("reason", reason)
          .log("{} lost its media connection in room {} ({})", p.id, p.room.id, reason);
      p.send(new ServerEvent.Removed("media connection lost: " + reason));
      leave(p.connection);
    }
  }

  private Participant participant(Connection c) {
    Participant p = byConnection.get(c);
    if (p == null) {
      throw new ProtocolException("join a room first");
    }
    return p;
  }

  private volatile boolean draining;

  /** Stops taking new rooms (graceful shutdown); rooms already open carry on. Any thread. */
  public void startDraining() {
    draining = true;
  }

  public boolean isDraining() {
    return draining;
  }

  /** Number of rooms with someone in them (for tests and health). */
  public int roomCount() {
    return rooms.size();
  }

  private final java.util.concurrent.atomic.LongAdder throttled =
      new java.util.concurrent.atomic.LongAdder();

  /** Times a publisher was asked to send more simulcast layers; any thread (for metrics). */
  public long publishLayersRaised() {
    return layers.moreCount();
  }

  /** Times a publisher was asked to send fewer simulcast layers; any thread (for metrics). */
  public long publishLayersLowered() {
    return layers.fewerCount();
  }

  /** Requests refused as a flood so far; any thread (for metrics). */
  public long throttledRequests() {
    return throttled.sum();
  }

  /** Rooms with someone in them; safe to read from any thread (for metrics). */
  public int roomGauge() {
    return roomGauge;
  }

  /** Participants in all rooms; safe to read from any thread (for metrics). */
  public int participantGauge() {
    return participantGauge;
  }

  private void updateGauges() {
    roomGauge = rooms.size();
    participantGauge = byConnection.size();
  }

  private void dominantSpeaker(String roomId, String endpointId) {
    Participant p = byEndpoint.get(endpointId);
    if (p != null && p.room.id.equals(roomId) && !p.id.equals(p.room.dominantSpeaker)) {
      p.room.dominantSpeaker = p.id;
      p.room.broadcast(new ServerEvent.DominantSpeaker(p.id), null);
      log.atInfo()
          .addKeyValue("event", "dominant-speaker")
          .addKeyValue("room", roomId)
          .addKeyValue("participant", p.id)
          .log("{} is the dominant speaker in room {}", p.id, roomId);
    }
  }

  /** Tells a subscriber that the SFU stopped (or resumed) a video for its connection's sake. */
  private void videoPaused(String roomId, String consumerId, boolean paused) {
    Room room = rooms.get(roomId);
    if (room == null) {
      return;
    }
    for (Participant p : room.participants()) {
      String producerId = p.subscriber.producerOf(consumerId);
      if (producerId != null) {
        p.send(new ServerEvent.VideoPaused(producerId, paused));
        return;
      }
    }
  }

  private void producerActiveOnContext(String roomId, String producerId) {
    Room room = rooms.get(roomId);
    if (room == null) {
      return;
    }
    for (Participant p : room.participants()) {
      if (p.firstMediaSeen) {
        continue;
      }
      for (Track t : p.publisher.tracks()) {
        if (t.producerId().equals(producerId)) {
          p.firstMediaSeen = true;
          Duration sinceJoin = Duration.ofNanos(System.nanoTime() - p.joinedNanos);
          firstMedia.accept(sinceJoin);
          log.atInfo()
              .addKeyValue("event", "first-media")
              .addKeyValue("room", roomId)
              .addKeyValue("participant", p.id)
              .addKeyValue("ms", sinceJoin.toMillis())
              .log(
                  "{} sends media in room {}, {} ms after joining",
                  p.id,
                  roomId,
                  sinceJoin.toMillis());
          return;
        }
      }
    }
  }

  private static String newToken() {
    byte[] b = new byte[18];
    RANDOM.nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String newId() {
    String alphabet = "abcdefghijkmnopqrstuvwxyz23456789";
    StringBuilder b = new StringBuilder("p");
    for (int i = 0; i < 9; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  /** The configured STUN/TURN servers, plus TURN with credentials minted for this participant. */
  private java.util.List<ParleyConfig.IceServer> iceServersFor(String participantId) {
    if (!config.turn().enabled()) {
      return config.iceServers();
    }
    java.util.List<ParleyConfig.IceServer> servers = new java.util.ArrayList<>(config.iceServers());
    servers.add(
        io.parley.signalling.turn.TurnCredentials.mint(
            config.turn(), participantId, System.currentTimeMillis() / 1000));
    return servers;
  }
}
