package io.parley.signalling.protocol;

import java.util.List;

/** Events the server pushes to a browser; the event name is {@link #event()}. */
public sealed interface ServerEvent {
  String event();

  record ParticipantJoined(ParticipantInfo participant) implements ServerEvent {
    public String event() {
      return "participant-joined";
    }
  }

  record ParticipantLeft(String participantId) implements ServerEvent {
    public String event() {
      return "participant-left";
    }
  }

  /**
   * A participant's mic, camera or hand changed.
   *
   * @param handRaisedAt when the hand went up (server clock, ms), or null; hands are shown in this
   *     order
   */
  record ParticipantUpdated(
      String participantId, boolean audioMuted, boolean videoMuted, Long handRaisedAt)
      implements ServerEvent {
    public String event() {
      return "participant-updated";
    }
  }

  record TrackAdded(TrackInfo track) implements ServerEvent {
    public String event() {
      return "track-added";
    }
  }

  record TrackRemoved(String producerId, String participantId) implements ServerEvent {
    public String event() {
      return "track-removed";
    }
  }

  /**
   * The subscribe transport's offer; the browser acknowledges with {@link SubscribeAnswer}.
   *
   * @param sections which section carries which track (inactive sections are absent)
   */
  record SubscribeOffer(long version, String sdp, List<Section> sections) implements ServerEvent {
    public String event() {
      return "subscribe-offer";
    }

    public record Section(
        String mid, String producerId, String participantId, String kind, String source) {}
  }

  /**
   * The server removed this participant from its room.
   *
   * @param byHost true when the host removed it: the client must not rejoin on its own
   */
  record Removed(String reason, boolean byHost) implements ServerEvent {
    public Removed(String reason) {
      this(reason, false);
    }

    public String event() {
      return "removed";
    }
  }

  /** The host, lock, lobby or password of the room changed. */
  record RoomUpdated(RoomSettings settings) implements ServerEvent {
    public String event() {
      return "room-updated";
    }
  }

  /** A chat message, to everyone in the room including its sender. */
  record ChatMessage(long id, String participantId, String name, String text, long sentAt)
      implements ServerEvent {
    public String event() {
      return "chat";
    }
  }

  /** Someone reacted; the client floats the emoji over their tile. */
  record Reaction(String participantId, String emoji) implements ServerEvent {
    public String event() {
      return "reaction";
    }
  }

  /** The server's dominant-speaker detection chose a new speaker. */
  record DominantSpeaker(String participantId) implements ServerEvent {
    public String event() {
      return "dominant-speaker";
    }
  }

  /**
   * The SFU stopped sending this participant a video because not even its lowest layer fits this
   * participant's connection ({@code paused}), or sends it again.
   */
  record VideoPaused(String producerId, boolean paused) implements ServerEvent {
    public String event() {
      return "video-paused";
    }
  }

  /**
   * Send only these simulcast layers (rids) of the track in media section {@code mid}: nobody in
   * the room watches the others. The lowest layer is always among them.
   */
  record PublishLayers(String mid, String producerId, List<String> rids) implements ServerEvent {
    public String event() {
      return "publish-layers";
    }
  }

  /** The host muted this participant's mic; it may unmute itself. */
  record MutedByHost(String hostName) implements ServerEvent {
    public String event() {
      return "muted-by-host";
    }
  }

  /** The host ended the meeting for everyone: this participant is out of the room for good. */
  record MeetingEnded(String hostName) implements ServerEvent {
    public String event() {
      return "meeting-ended";
    }
  }

  /** To the host: who waits in the lobby now (empty when nobody does). */
  record Lobby(List<Waiting> waiting) implements ServerEvent {
    public String event() {
      return "lobby";
    }

    public record Waiting(String participantId, String name) {}
  }

  /** To someone knocking: they wait in the lobby until the host answers. */
  record LobbyWaiting(String roomId) implements ServerEvent {
    public String event() {
      return "lobby-waiting";
    }
  }

  /** An event the client sent without an acknowledgement callback was refused. */
  record RequestFailed(String event, String error) implements ServerEvent {
    public String event() {
      return "request-failed";
    }
  }
}
