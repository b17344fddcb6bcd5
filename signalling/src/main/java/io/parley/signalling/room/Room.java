package io.parley.signalling.room;

import io.parley.signalling.protocol.RoomState;
import io.parley.signalling.protocol.ServerEvent;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The participants of one meeting, in join order. */
final class Room {
  final String id;
  private final Map<String, Participant> participants = new LinkedHashMap<>();

  Room(String id) {
    this.id = id;
  }

  void add(Participant p) {
    participants.put(p.id, p);
  }

  void remove(Participant p) {
    participants.remove(p.id);
  }

  boolean isEmpty() {
    return participants.isEmpty();
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

  RoomState state(Participant viewer) {
    return new RoomState(
        id,
        participants.values().stream().filter(p -> p != viewer).map(Participant::info).toList());
  }
}
