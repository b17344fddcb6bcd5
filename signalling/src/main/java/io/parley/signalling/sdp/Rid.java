package io.parley.signalling.sdp;

/**
 * An {@code a=rid:<id> <send|recv> [params]} line (RFC 8851).
 *
 * @param direction {@code send} or {@code recv}
 * @param params the restrictions, or null
 */
public record Rid(String id, String direction, String params) {
  static Rid parse(String v) {
    String[] p = SdpText.fields(v, 3);
    if (p.length < 2 || !(p[1].equals("send") || p[1].equals("recv"))) {
      throw new SdpException("malformed a=rid: " + v);
    }
    return new Rid(p[0], p[1], p.length > 2 ? p[2] : null);
  }

  String sdp() {
    return id + " " + direction + (params == null ? "" : " " + params);
  }
}
