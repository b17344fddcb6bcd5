package io.parley.signalling.sdp;

/**
 * One {@code a=ssrc:<ssrc> <attribute>[:<value>]} line (RFC 5576).
 *
 * @param value null for a bare attribute
 */
public record Ssrc(long ssrc, String attribute, String value) {
  static Ssrc parse(String v) {
    int sp = v.indexOf(' ');
    String id = sp < 0 ? v : v.substring(0, sp);
    long ssrc = SdpParser.parseSsrc(id);
    if (sp < 0) {
      return new Ssrc(ssrc, "", null);
    }
    String rest = v.substring(sp + 1);
    int colon = rest.indexOf(':');
    return colon < 0
        ? new Ssrc(ssrc, rest, null)
        : new Ssrc(ssrc, rest.substring(0, colon), rest.substring(colon + 1));
  }

  String sdp() {
    return ssrc + " " + attribute + (value == null ? "" : ":" + value);
  }
}
