package io.parley.signalling.protocol;

import io.parley.signalling.config.ParleyConfig.IceServer;
import java.util.List;

/** Acknowledgement payloads: {@code {ok:true,...}} or {@code {ok:false,error:"..."}}. */
public sealed interface Reply {
  boolean ok();

  /**
   * A refusal.
   *
   * @param code set for refusals the client shows a screen for: password-required, wrong-password,
   *     room-locked, room-full, lobby-denied, removed; else null
   */
  record Error(boolean ok, String error, String code) implements Reply {
    public Error(String error) {
      this(false, error, null);
    }

    public Error(String error, String code) {
      this(false, error, code);
    }
  }

  record Done(boolean ok) implements Reply {
    public static final Done OK = new Done(true);
  }

  /**
   * @param rejoinToken lets this person back into the room after a dropped connection without the
   *     lobby, lock or password (for a while after they left)
   */
  record Joined(
      boolean ok,
      String participantId,
      RoomState room,
      List<IceServer> iceServers,
      String rejoinToken)
      implements Reply {}

  record Published(boolean ok, String sdp, List<TrackInfo> tracks) implements Reply {}
}
