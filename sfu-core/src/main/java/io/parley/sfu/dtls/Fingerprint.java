package io.parley.sfu.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** A certificate fingerprint as SDP carries it (RFC 8122): a hash name and colon-separated hex. */
record Fingerprint(String algorithm, String value) {
  private static final HexFormat HEX = HexFormat.ofDelimiter(":").withUpperCase();

  Fingerprint {
    algorithm = algorithm.trim().toLowerCase(Locale.ROOT);
    value = value.trim();
    digestName(algorithm); // rejects unsupported hashes early, on the caller's thread
  }

  static Fingerprint of(String algorithm, byte[] der) {
    return new Fingerprint(algorithm, HEX.formatHex(digest(algorithm, der)));
  }

  /** True if this fingerprint is the hash of the certificate, compared case-insensitively. */
  boolean matches(byte[] der) {
    return of(algorithm, der).value.equalsIgnoreCase(value);
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(digestName(algorithm)).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without " + algorithm, e);
    }
  }

  private static String digestName(String algorithm) {
    return switch (algorithm) {
      case "sha-1" -> "SHA-1";
      case "sha-224" -> "SHA-224";
      case "sha-256" -> "SHA-256";
      case "sha-384" -> "SHA-384";
      case "sha-512" -> "SHA-512";
      default -> throw new IllegalArgumentException("unsupported fingerprint hash " + algorithm);
    };
  }
}
