package io.parley.signalling.sdp;

/**
 * A DTLS certificate fingerprint, {@code a=fingerprint:sha-256 AB:CD:...}.
 *
 * @param algorithm e.g. {@code sha-256}
 * @param value colon-separated hex pairs
 */
public record Fingerprint(String algorithm, String value) {
  static Fingerprint parse(String v) {
    String[] p = SdpText.fields(v);
    if (p.length != 2) {
      throw new SdpException("malformed a=fingerprint: " + v);
    }
    return new Fingerprint(p[0].toLowerCase(java.util.Locale.ROOT), p[1]);
  }

  String sdp() {
    return algorithm + " " + value;
  }
}
