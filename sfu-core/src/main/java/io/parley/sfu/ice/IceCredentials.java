package io.parley.sfu.ice;

import java.security.SecureRandom;

/** Random ICE credentials (RFC 8445 §5.3): the ufrag and password the SFU puts in its SDP. */
public final class IceCredentials {
  private static final char[] ICE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private IceCredentials() {}

  /** A new ufrag: 8 ice-chars (at least 4 are required; 24 bits of randomness is the minimum). */
  public static String newUfrag() {
    return random(8);
  }

  /** A new password: 24 ice-chars (at least 22 are required, for 128 bits of randomness). */
  public static String newPassword() {
    return random(24);
  }

  private static String random(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ICE_CHARS[RANDOM.nextInt(ICE_CHARS.length)];
    }
    return new String(out);
  }
}
