package io.parley.signalling.room;

import io.parley.signalling.protocol.ParticipantInfo;
import io.parley.signalling.protocol.ServerEvent;

/** Someone in a room: a name, a signalling connection, a publish and a subscribe transport. */
final class Participant {
  final String id;
  final String name;
  final Room room;
  final Connection connection;
  final Publisher publisher;
  final Subscriber subscriber;
  boolean audioMuted;
  boolean videoMuted;

  /** When the participant joined, for the join-to-first-media histogram. */
  final long joinedNanos = System.nanoTime();

  boolean firstMediaSeen;

  Participant(String id, String name, Room room, Connection connection, MediaPlane media) {
    this.id = id;
    this.name = name;
    this.room = room;
    this.connection = connection;
    this.publisher = new Publisher(room.id, id, media);
    this.subscriber = new Subscriber(room.id, id, media, connection);
  }

  ParticipantInfo info() {
    return new ParticipantInfo(
        id, name, audioMuted, videoMuted, publisher.tracks().stream().map(Track::info).toList());
  }

  void send(ServerEvent event) {
    connection.send(event);
  }
}
