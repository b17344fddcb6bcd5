package io.parley.signalling.sdp;

/** The media-level {@code a=msid:<stream id> <track id>} (RFC 8830). */
public record Msid(String streamId, String trackId) {
  static Msid parse(String v) {
    String[] p = SdpText.fields(v);
    return new Msid(p[0], p.length > 1 ? p[1] : null);
  }

  String sdp() {
    return trackId == null ? streamId : streamId + " " + trackId;
  }
}
