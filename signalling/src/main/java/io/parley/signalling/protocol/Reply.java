package io.parley.signalling.protocol;

import io.parley.signalling.config.ParleyConfig.IceServer;
import java.util.List;

/** Acknowledgement payloads: {@code {ok:true,...}} or {@code {ok:false,error:"..."}}. */
public sealed interface Reply {
  boolean ok();

  record Error(boolean ok, String error) implements Reply {
    public Error(String error) {
      this(false, error);
    }
  }

  record Done(boolean ok) implements Reply {
    public static final Done OK = new Done(true);
  }

  record Joined(boolean ok, String participantId, RoomState room, List<IceServer> iceServers)
      implements Reply {}

  record Published(boolean ok, String sdp, List<TrackInfo> tracks) implements Reply {}
}
