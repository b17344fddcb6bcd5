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
  final String rejoinToken;

  /**
   * Place in line for the host role (lower came first); one who rejoins after a drop keeps theirs.
   * Set before the participant enters its room.
   */
  long place;

  boolean audioMuted;
  boolean videoMuted;

  /** When the hand went up (ms), or null. */
  Long handRaisedAt;

  /** Chat and reactions are rate limited per participant. */
  final RateLimit chatLimit = new RateLimit(5, 1.0);

  final RateLimit reactionLimit = new RateLimit(10, 2.0);

  /**
   * Everything else that reaches other participants or the media plane (mic and camera state,
   * hands, views, host actions): generous for a person, a wall for a flood.
   */
  final RateLimit updateLimit = new RateLimit(40, 10.0);

  /** When the participant joined, for the join-to-first-media histogram. */
  final long joinedNanos = System.nanoTime();

  boolean firstMediaSeen;

  /**
   * @param red whether the browser takes redundant audio (see {@link Subscriber})
   * @param askForRed whether to ask the browser to send its mic as redundant audio
   * @param playoutDelay whether the SFU may ask the browser to hold video frames longer on a long,
   *     lossy path (see {@link Subscriber})
   */
  Participant(
      String id,
      String name,
      Room room,
      Connection connection,
      MediaPlane media,
      String token,
      boolean red,
      boolean askForRed,
      boolean playoutDelay) {
    this.id = id;
    this.name = name;
    this.room = room;
    this.connection = connection;
    this.rejoinToken = token;
    this.publisher = new Publisher(room.id, id, media, askForRed);
    this.subscriber =
        new Subscriber(
            room.id,
            id,
            media,
            connection,
            red,
            playoutDelay,
            track -> {
              Participant owner = room.get(track.participantId());
              return owner != null && owner.audioMuted;
            });
  }

  ParticipantInfo info() {
    return new ParticipantInfo(
        id,
        name,
        audioMuted,
        videoMuted,
        handRaisedAt,
        publisher.tracks().stream().map(Track::info).toList());
  }

  ServerEvent.ParticipantUpdated updated() {
    return new ServerEvent.ParticipantUpdated(id, audioMuted, videoMuted, handRaisedAt);
  }

  void send(ServerEvent event) {
    connection.send(event);
  }
}
