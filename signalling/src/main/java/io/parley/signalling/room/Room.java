package io.parley.signalling.room;

import io.parley.signalling.protocol.RoomSettings;
import io.parley.signalling.protocol.RoomState;
import io.parley.signalling.protocol.ServerEvent;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One meeting: its participants in join order, who is host, what the host set (lock, lobby,
 * password), the people waiting in the lobby and the recent chat.
 */
final class Room {
  /** Chat messages a late joiner receives. */
  static final int CHAT_HISTORY = 200;

  /** How long someone who dropped may come back past the lobby, lock and password. */
  static final long REJOIN_WINDOW_MS = 10 * 60_000;

  /** How long a host who dropped out has to come back and find the role still theirs. */
  static final long HOST_RETURN_WINDOW_MS = 60_000;

  final String id;
  private final Map<String, Participant> participants = new LinkedHashMap<>();
  private final ArrayDeque<ServerEvent.ChatMessage> chat = new ArrayDeque<>();
  private long chatIds;

  /** People waiting for the host, in arrival order. */
  final Map<String, LobbyEntry> lobby = new LinkedHashMap<>();

  /** Rejoin token → when it stops working (ms). */
  private final Map<String, Rejoin> rejoinTokens = new HashMap<>();

  String hostId;

  /**
   * The last time the host role passed on by itself because its holder left: who left, who got the
   * role, and until when (ms) the first, coming back with their rejoin token, takes it back.
   */
  private record Handover(String from, String to, long until) {}

  private Handover handover;

  /** Places in line handed out so far (see {@link Participant#place}). */
  private long places;

  /** The participant the SFU last named dominant speaker, or null. */
  String dominantSpeaker;

  boolean locked;
  boolean lobbyOn;
  String password;

  Room(String id) {
    this.id = id;
  }

  void add(Participant p) {
    participants.put(p.id, p);
    if (hostId == null) {
      hostId = p.id;
    }
  }

  /**
   * Removes a participant; if it was the host, the role passes to whoever has been here longest
   * (lowest {@link Participant#place}), and back to the host should they return within {@link
   * #HOST_RETURN_WINDOW_MS} from {@code now} (see {@link #returningHost}).
   *
   * @return true if the host changed
   */
  boolean remove(Participant p, long now) {
    participants.remove(p.id);
    if (p.id.equals(dominantSpeaker)) {
      dominantSpeaker = null;
    }
    if (p.id.equals(hostId)) {
      hostId = firstInLine();
      handover = hostId == null ? null : new Handover(p.id, hostId, now + HOST_RETURN_WINDOW_MS);
      return hostId != null;
    }
    return false;
  }

  /** The host gave the role to someone on purpose: nobody takes it back by returning. */
  void handHostTo(String participantId) {
    hostId = participantId;
    handover = null;
  }

  /**
   * Whether someone who left as host and now comes back as {@code returning} (the id their rejoin
   * token was issued to) takes the role back: only while the one it passed to still holds it, and
   * within {@link #HOST_RETURN_WINDOW_MS} of leaving. A host whose connection dropped stays host.
   */
  boolean returningHost(String returning, long now) {
    Handover h = handover;
    return h != null
        && returning != null
        && h.from.equals(returning)
        && h.to.equals(hostId)
        && now <= h.until;
  }

  /** The next place in line, for someone new (one who rejoins keeps theirs). */
  long nextPlace() {
    return ++places;
  }

  /** Who has been here longest (a rejoin keeps one's place), or null. */
  private String firstInLine() {
    Participant first = null;
    for (Participant p : participants.values()) {
      if (first == null || p.place < first.place) {
        first = p;
      }
    }
    return first == null ? null : first.id;
  }

  Participant get(String participantId) {
    return participantId == null ? null : participants.get(participantId);
  }

  Participant host() {
    return get(hostId);
  }

  boolean isEmpty() {
    return participants.isEmpty();
  }

  int size() {
    return participants.size();
  }

  Collection<Participant> participants() {
    return participants.values();
  }

  /** Sends an event to everyone but {@code except}. */
  void broadcast(ServerEvent event, Participant except) {
    for (Participant p : participants.values()) {
      if (p != except) {
        p.send(event);
      }
    }
  }

  ServerEvent.ChatMessage addChat(String participantId, String name, String text, long now) {
    ServerEvent.ChatMessage m =
        new ServerEvent.ChatMessage(++chatIds, participantId, name, text, now);
    chat.addLast(m);
    while (chat.size() > CHAT_HISTORY) {
      chat.removeFirst();
    }
    return m;
  }

  RoomSettings settings() {
    return new RoomSettings(hostId, locked, lobbyOn, password != null);
  }

  RoomState state(Participant viewer) {
    return new RoomState(
        id,
        participants.values().stream().filter(p -> p != viewer).map(Participant::info).toList(),
        settings(),
        List.copyOf(chat),
        dominantSpeaker);
  }

  ServerEvent.Lobby lobbyEvent() {
    return new ServerEvent.Lobby(
        lobby.values().stream().map(e -> new ServerEvent.Lobby.Waiting(e.id, e.name)).toList());
  }

  /** Who a rejoin token was issued to, their place in line, and until when it works. */
  record Rejoin(String participantId, long place, long expiresAt) {}

  void issueRejoinToken(String token, Participant p, long now) {
    rejoinTokens.values().removeIf(r -> r.expiresAt < now);
    rejoinTokens.put(token, new Rejoin(p.id, p.place, Long.MAX_VALUE));
  }

  /** The token's holder left: it works for a while longer. */
  void expireRejoinToken(String token, long now) {
    rejoinTokens.computeIfPresent(
        token, (t, r) -> new Rejoin(r.participantId, r.place, now + REJOIN_WINDOW_MS));
  }

  void revokeRejoinToken(String token) {
    rejoinTokens.remove(token);
  }

  /**
   * Redeems a token (each works once).
   *
   * @return whom it was issued to, or null if the token does not let anyone in
   */
  Rejoin redeemRejoinToken(String token, long now) {
    if (token == null) {
      return null;
    }
    Rejoin r = rejoinTokens.remove(token);
    return r != null && r.expiresAt >= now ? r : null;
  }
}
