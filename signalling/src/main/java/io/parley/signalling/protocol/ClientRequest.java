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

  Pattern PARTICIPANT_ID = Pattern.compile("^p[a-z0-9]{9}$");

  /** The reactions a participant can send (shown floating over its tile). */
  java.util.Set<String> REACTIONS =
      java.util.Set.of(
          "\uD83D\uDC4D",
          "\uD83D\uDC4F",
          "\uD83D\uDE02",
          "\u2764\uFE0F",
          "\uD83C\uDF89",
          "\uD83D\uDE2E");

  /**
   * Joins a room; replies {@link Reply.Joined}, possibly after a wait in the lobby.
   *
   * @param password the room's password, when the host set one
   * @param rejoinToken from an earlier {@link Reply.Joined} of this room: lets someone who dropped
   *     back in past the lobby, the lock and the password
   * @param red true if the browser takes redundant audio ({@code audio/red} among its receiver's
   *     codecs): the SFU then passes a publisher's redundant audio on to it as it comes
   */
  record Join(String roomId, String name, String password, String rejoinToken, Boolean red)
      implements ClientRequest {
    public Join(String roomId, String name) {
      this(roomId, name, null, null, null);
    }

    /** Whether the browser takes redundant audio. */
    public boolean takesRed() {
      return Boolean.TRUE.equals(red);
    }

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

  /** A chat message to everyone in the room: plain text, never markup. */
  record Chat(String text) implements ClientRequest {
    public static final int MAX_LENGTH = 2000;

    public Chat {
      text = text == null ? "" : text.strip();
      if (text.isEmpty()) {
        throw new ProtocolException("an empty message is not sent");
      }
      if (text.length() > MAX_LENGTH) {
        throw new ProtocolException("a message is at most " + MAX_LENGTH + " characters");
      }
    }
  }

  /** Raises or lowers the participant's hand. */
  record RaiseHand(boolean raised) implements ClientRequest {}

  /** An emoji reaction, one of {@link #REACTIONS}. */
  record React(String emoji) implements ClientRequest {
    public React {
      if (emoji == null || !REACTIONS.contains(emoji)) {
        throw new ProtocolException("unknown reaction");
      }
    }
  }

  /**
   * The videos this participant shows and their sizes on screen; the server stops forwarding the
   * others' video to it. Audio is always forwarded.
   */
  record SetView(java.util.List<Shown> videos) implements ClientRequest {
    public static final int MAX_VIDEOS = 100;

    public SetView {
      videos = videos == null ? java.util.List.of() : java.util.List.copyOf(videos);
      if (videos.size() > MAX_VIDEOS) {
        throw new ProtocolException("at most " + MAX_VIDEOS + " videos can be shown");
      }
    }

    /** One shown video: its producer and the size of its tile in device pixels. */
    public record Shown(String producerId, int width, int height) {
      public Shown {
        if (producerId == null || producerId.isBlank() || producerId.length() > 64) {
          throw new ProtocolException("a shown video needs its producerId");
        }
      }
    }
  }

  /** Host: mutes a participant's mic (they may unmute themselves). */
  record Mute(String participantId) implements ClientRequest {}

  /** Host: mutes every mic in the room but the host's own (each may unmute themselves). */
  record MuteAll() implements ClientRequest {}

  /** Host: removes a participant from the room. */
  record Remove(String participantId) implements ClientRequest {}

  /**
   * Host: ends the meeting for everyone. Everyone in it leaves (the host too) and nobody's rejoin
   * token opens it again; whoever waits in the lobby is turned away.
   */
  record EndMeeting() implements ClientRequest {}

  /** Host: hands the host role to another participant. */
  record MakeHost(String participantId) implements ClientRequest {}

  /** Host: admits or turns away someone waiting in the lobby. */
  record Admit(String participantId, boolean allow) implements ClientRequest {}

  /**
   * Host: changes the room's settings; a null field stays as it is.
   *
   * @param password a new password, or "" to remove it
   */
  record UpdateRoom(Boolean locked, Boolean lobby, String password) implements ClientRequest {
    public UpdateRoom {
      if (password != null && password.length() > 64) {
        throw new ProtocolException("a password is at most 64 characters");
      }
    }
  }

  /** The request types by event name. */
  java.util.Map<String, Class<? extends ClientRequest>> EVENTS =
      java.util.Map.ofEntries(
          java.util.Map.entry("join", Join.class),
          java.util.Map.entry("leave", Leave.class),
          java.util.Map.entry("publish", Publish.class),
          java.util.Map.entry("set-media-state", SetMediaState.class),
          java.util.Map.entry("chat", Chat.class),
          java.util.Map.entry("raise-hand", RaiseHand.class),
          java.util.Map.entry("react", React.class),
          java.util.Map.entry("set-view", SetView.class),
          java.util.Map.entry("mute", Mute.class),
          java.util.Map.entry("mute-all", MuteAll.class),
          java.util.Map.entry("end-meeting", EndMeeting.class),
          java.util.Map.entry("remove", Remove.class),
          java.util.Map.entry("make-host", MakeHost.class),
          java.util.Map.entry("admit", Admit.class),
          java.util.Map.entry("update-room", UpdateRoom.class));

  /** The event name of each request type. */
  static String eventOf(Class<? extends ClientRequest> type) {
    return EVENTS.entrySet().stream()
        .filter(e -> e.getValue() == type)
        .map(java.util.Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }

  default String event() {
    return eventOf(getClass());
  }
}
