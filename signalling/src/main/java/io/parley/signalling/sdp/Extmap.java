package io.parley.signalling.sdp;

/**
 * An RTP header extension mapping, {@code a=extmap:<id>[/<direction>] <uri>} (RFC 8285).
 *
 * @param direction null when the line has none
 */
public record Extmap(int id, Direction direction, String uri) {
  public static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
  public static final String RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
  public static final String REPAIRED_RID =
      "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
  public static final String TRANSPORT_CC =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  public static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  public static final String PLAYOUT_DELAY =
      "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

  static Extmap parse(String v) {
    String[] p = SdpText.fields(v);
    if (p.length < 2) {
      throw new SdpException("malformed a=extmap: " + v);
    }
    String idPart = p[0];
    Direction direction = null;
    int slash = idPart.indexOf('/');
    if (slash >= 0) {
      direction = Direction.parse(idPart.substring(slash + 1));
      if (direction == null) {
        throw new SdpException("malformed a=extmap direction: " + v);
      }
      idPart = idPart.substring(0, slash);
    }
    int id = SdpParser.parseInt(idPart, "a=extmap id");
    if (id < 1 || id > 255) {
      throw new SdpException("a=extmap id out of range: " + v);
    }
    return new Extmap(id, direction, p[1]);
  }

  String sdp() {
    return id + (direction == null ? "" : "/" + direction.sdp()) + " " + uri;
  }
}
