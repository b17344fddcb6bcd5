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

  record ParticipantUpdated(String participantId, boolean audioMuted, boolean videoMuted)
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

  /** The server removed this participant from its room (e.g. its media connection died). */
  record Removed(String reason) implements ServerEvent {
    public String event() {
      return "removed";
    }
  }

  /** An event the client sent without an acknowledgement callback was refused. */
  record RequestFailed(String event, String error) implements ServerEvent {
    public String event() {
      return "request-failed";
    }
  }
}
