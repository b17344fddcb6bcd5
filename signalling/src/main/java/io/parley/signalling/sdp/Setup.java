package io.parley.signalling.sdp;

/** The DTLS role attribute {@code a=setup} (RFC 4145, RFC 5763). */
public enum Setup {
  ACTIVE,
  PASSIVE,
  ACTPASS,
  HOLDCONN;

  public String sdp() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  static Setup parse(String s) {
    return switch (s) {
      case "active" -> ACTIVE;
      case "passive" -> PASSIVE;
      case "actpass" -> ACTPASS;
      case "holdconn" -> HOLDCONN;
      default -> throw new SdpException("unknown a=setup value: " + s);
    };
  }
}
