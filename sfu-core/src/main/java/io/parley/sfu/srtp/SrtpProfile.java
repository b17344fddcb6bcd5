package io.parley.sfu.srtp;

/**
 * The SRTP protection profiles Parley negotiates through DTLS use_srtp (RFC 5764 §4.1.2, RFC 7714
 * §14.2), with the lengths each one needs.
 */
public enum SrtpProfile {
  AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10, 10),
  // The _32 profile shortens only the SRTP tag; SRTCP keeps an 80-bit tag (RFC 5764 §4.1.2).
  AES_CM_128_HMAC_SHA1_32(0x0002, 16, 14, 4, 10),
  AEAD_AES_128_GCM(0x0007, 16, 12, 16, 16),
  AEAD_AES_256_GCM(0x0008, 32, 12, 16, 16);

  private final int useSrtpId;
  private final int keyLength;
  private final int saltLength;
  private final int rtpTagLength;
  private final int rtcpTagLength;

  SrtpProfile(int useSrtpId, int keyLength, int saltLength, int rtpTagLength, int rtcpTagLength) {
    this.useSrtpId = useSrtpId;
    this.keyLength = keyLength;
    this.saltLength = saltLength;
    this.rtpTagLength = rtpTagLength;
    this.rtcpTagLength = rtcpTagLength;
  }

  /** The SRTPProtectionProfile value carried in the DTLS use_srtp extension. */
  public int useSrtpId() {
    return useSrtpId;
  }

  /** Master key length in bytes. */
  public int keyLength() {
    return keyLength;
  }

  /** Master salt length in bytes. */
  public int saltLength() {
    return saltLength;
  }

  /** Authentication tag length of SRTP packets in bytes. */
  public int rtpTagLength() {
    return rtpTagLength;
  }

  /** Authentication tag length of SRTCP packets in bytes (the SRTCP index comes on top). */
  public int rtcpTagLength() {
    return rtcpTagLength;
  }

  /** True for the AEAD (AES-GCM) profiles, whose tag is produced by the cipher itself. */
  public boolean isAead() {
    return this == AEAD_AES_128_GCM || this == AEAD_AES_256_GCM;
  }

  /** The profile with this use_srtp id, or null if Parley does not support it. */
  public static SrtpProfile fromUseSrtpId(int id) {
    for (SrtpProfile profile : values()) {
      if (profile.useSrtpId == id) {
        return profile;
      }
    }
    return null;
  }
}
