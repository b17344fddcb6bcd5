package io.parley.signalling.protocol;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The events a browser sends, one record each. The web client's {@code protocol.ts} mirrors these
 * shapes; the event name is {@link #event()}. Compact constructors validate, so a request that
 * exists is a valid one.
 */
public sealed interface ClientRequest {
  Pattern ROOM_ID = Pattern.compile("^[a-z]{3}-[a-z]{4}-[a-z]{3}$");

  /** Joins a room; replies {@link Reply.Joined}. */
  record Join(String roomId, String name) implements ClientRequest {
    public Join {
      if (roomId == null || !ROOM_ID.matcher(roomId).matches()) {
        throw new ProtocolException("invalid room id: it looks like abc-defg-hij");
      }
      name = name == null ? "" : name.strip();
      if (name.isEmpty() || name.length() > 64) {
        throw new ProtocolException("the display name must be 1 to 64 characters");
      }
    }
  }

  /** Leaves the room; the socket may join another afterwards. */
  record Leave() implements ClientRequest {}

  /**
   * The publish transport's offer; replies {@link Reply.Published}.
   *
   * @param sources the UI label of each section's track by mid (camera, screen, mic); optional
   */
  record Publish(String sdp, Map<String, String> sources) implements ClientRequest {
    public Publish {
      if (sdp == null || sdp.isBlank()) {
        throw new ProtocolException("publish needs an sdp offer");
      }
      sources = sources == null ? Map.of() : Map.copyOf(sources);
    }
  }

  /** The participant muted or unmuted its mic or camera (shown on its tile). */
  record SetMediaState(boolean audioMuted, boolean videoMuted) implements ClientRequest {}

  /** The event name of each request type. */
  static String eventOf(Class<? extends ClientRequest> type) {
    if (type == Join.class) {
      return "join";
    } else if (type == Leave.class) {
      return "leave";
    } else if (type == Publish.class) {
      return "publish";
    } else {
      return "set-media-state";
    }
  }

  default String event() {
    return eventOf(getClass());
  }
}
