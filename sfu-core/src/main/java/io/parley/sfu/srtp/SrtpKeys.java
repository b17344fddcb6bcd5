package io.parley.sfu.srtp;

import java.util.Objects;

/**
 * Keys exported from DTLS (RFC 5764 §4.2): local = what we protect with, remote = what we unprotect
 * with.
 */
public record SrtpKeys(
    SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {

  public SrtpKeys {
    Objects.requireNonNull(profile, "profile");
    checkLength("localKey", localKey, profile.keyLength());
    checkLength("localSalt", localSalt, profile.saltLength());
    checkLength("remoteKey", remoteKey, profile.keyLength());
    checkLength("remoteSalt", remoteSalt, profile.saltLength());
  }

  private static void checkLength(String name, byte[] value, int expected) {
    Objects.requireNonNull(value, name);
    if (value.length != expected) {
      throw new IllegalArgumentException(
          name + " must be " + expected + " bytes, was " + value.length);
    }
  }

  /** Never prints key material: records would otherwise put it in logs. */
  @Override
  public String toString() {
    return "SrtpKeys[" + profile + "]";
  }
}
