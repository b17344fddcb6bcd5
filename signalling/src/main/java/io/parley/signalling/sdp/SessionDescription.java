package io.parley.signalling.sdp;

import java.util.List;

/**
 * A whole SDP: the session-level lines Parley uses and the media sections in order.
 *
 * @param sessionId the o= line's session id (a decimal string up to 63 bits)
 * @param sessionVersion the o= line's version, incremented on each new offer of a session
 * @param bundle the mids of the {@code a=group:BUNDLE} line, empty if absent
 * @param msidSemantic the value of {@code a=msid-semantic:} (e.g. {@code WMS *}), or null
 * @param iceUfrag session-level ICE ufrag (Firefox writes some transport lines here), or null
 */
public record SessionDescription(
    String sessionId,
    long sessionVersion,
    List<String> bundle,
    String msidSemantic,
    boolean iceLite,
    boolean extmapAllowMixed,
    String iceUfrag,
    String icePwd,
    Fingerprint fingerprint,
    Setup setup,
    List<MediaSection> media) {

  public SessionDescription {
    bundle = List.copyOf(bundle);
    media = List.copyOf(media);
  }

  public static SessionDescription parse(String sdp) {
    return SdpParser.parse(sdp);
  }

  /** The SDP text, CRLF line ends. */
  public String write() {
    return SdpWriter.write(this);
  }

  /** A media section's ICE ufrag, falling back to the session level. */
  public String iceUfragOf(MediaSection m) {
    return m.iceUfrag() != null ? m.iceUfrag() : iceUfrag;
  }

  public String icePwdOf(MediaSection m) {
    return m.icePwd() != null ? m.icePwd() : icePwd;
  }

  public Fingerprint fingerprintOf(MediaSection m) {
    return m.fingerprint() != null ? m.fingerprint() : fingerprint;
  }

  public Setup setupOf(MediaSection m) {
    return m.setup() != null ? m.setup() : setup;
  }
}
