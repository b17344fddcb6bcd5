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
  private final Consumer<Duration> firstMedia;

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
    sfu.addListener(
        new SfuListener() {
          @Override
          public void endpointDisconnected(String roomId, String endpointId, String reason) {
            context.runOnContext(v -> mediaLost(endpointId, reason));
          }

          @Override
          public void producerActive(String roomId, String producerId) {
            context.runOnContext(v -> producerActiveOnContext(roomId, producerId));
          }
        });
  }

  /** Handles one request of a connection; the future carries the reply. */
  public Future<Reply> handle(Connection c, ClientRequest request) {
    try {
      if (request instanceof ClientRequest.Join j) {
        return Future.succeededFuture(join(c, j));
      } else if (request instanceof ClientRequest.Publish p) {
        return publish(c, p);
      } else if (request instanceof ClientRequest.SetMediaState s) {
        return Future.succeededFuture(setMediaState(c, s));
      } else {
        leave(c);
        return Future.succeededFuture(Reply.Done.OK);
      }
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
  }

  private Reply join(Connection c, ClientRequest.Join j) {
    if (byConnection.containsKey(c)) {
      throw new ProtocolException("already in a room: leave it first");
    }
    if (draining && !rooms.containsKey(j.roomId())) {
      // Rooms already here run to their end; new ones go to another server.
      throw new ProtocolException(
          "this server is shutting down and takes no new meetings: try again in a moment");
    }
    Room room = rooms.computeIfAbsent(j.roomId(), Room::new);
    Participant p = new Participant(newId(), j.name(), room, c, media);
    room.add(p);
    byConnection.put(c, p);
    byEndpoint.put(p.publisher.endpointId(), p);
    byEndpoint.put(p.subscriber.endpointId(), p);
    room.broadcast(new ServerEvent.ParticipantJoined(p.info()), p);
    updateGauges();
    log.atInfo()
        .addKeyValue("event", "join")
        .addKeyValue("room", room.id)
        .addKeyValue("participant", p.id)
        .log("{} ({}) joined room {}", p.id, p.name, room.id);
    Reply reply = new Reply.Joined(true, p.id, room.state(p), iceServersFor(p.id));
    // Subscribe after the reply is sent: the client is ready for offers once it knows its id.
    context.runOnContext(
        v -> {
          if (byConnection.get(c) == p) {
            room.participants().stream()
                .filter(o -> o != p)
                .flatMap(o -> o.publisher.tracks().stream())
                .forEach(p.subscriber::add);
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
            },
            track -> {
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

  private Reply setMediaState(Connection c, ClientRequest.SetMediaState s) {
    Participant p = participant(c);
    p.audioMuted = s.audioMuted();
    p.videoMuted = s.videoMuted();
    p.room.broadcast(new ServerEvent.ParticipantUpdated(p.id, p.audioMuted, p.videoMuted), p);
    return Reply.Done.OK;
  }

  /** The connection left, closed or was dropped: remove its participant, if any. */
  public void leave(Connection c) {
    Participant p = byConnection.remove(c);
    if (p == null) {
      return;
    }
    byEndpoint.remove(p.publisher.endpointId());
    byEndpoint.remove(p.subscriber.endpointId());
    Room room = p.room;
    room.remove(p);
    p.publisher.close();
    p.subscriber.close();
    for (Participant o : room.participants()) {
      p.publisher.tracks().forEach(t -> o.subscriber.remove(t.producerId()));
    }
    room.broadcast(new ServerEvent.ParticipantLeft(p.id), null);
    if (room.isEmpty()) {
      rooms.remove(room.id);
    }
    updateGauges();
    log.atInfo()
        .addKeyValue("event", "leave")
        .addKeyValue("room", room.id)
        .addKeyValue("participant", p.id)
        .log("{} left room {}", p.id, room.id);
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
