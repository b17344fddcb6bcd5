package io.parley.sfu.ice;

import io.parley.sfu.ice.StunException.Kind;
import java.util.Arrays;

/**
 * Where the attributes of one STUN message lie, found by a bounds-checked walk before ice4j decodes
 * the bytes. ice4j's attribute decoders trust the length fields: a short PRIORITY reads its
 * neighbour's bytes, and an attribute whose wire length differs from the size ice4j expects shifts
 * its walk. So this walk checks the size of every attribute the SFU reads, and lets the codec
 * confirm that ice4j found its attributes where this walk did.
 */
final class StunLayout {
  static final int HEADER_LENGTH = 20;
  static final int ATTRIBUTE_HEADER_LENGTH = 4;

  static final int USERNAME = 0x0006;
  static final int MESSAGE_INTEGRITY = 0x0008;
  static final int ERROR_CODE = 0x0009;
  static final int XOR_MAPPED_ADDRESS = 0x0020;
  static final int PRIORITY = 0x0024;
  static final int USE_CANDIDATE = 0x0025;
  static final int FINGERPRINT = 0x8028;
  static final int ICE_CONTROLLED = 0x8029;
  static final int ICE_CONTROLLING = 0x802A;

  /** RFC 5389 §15.3: USERNAME is less than 513 bytes. */
  private static final int MAX_USERNAME = 513;

  /** RFC 5389 §15.6: a reason phrase is at most 763 bytes. */
  private static final int MAX_ERROR_CODE = 4 + 763;

  private final int[] offsets;
  private final int[] types;
  private final int count;
  private final int integrity;
  private final int fingerprint;

  private StunLayout(int[] offsets, int[] types, int count, int integrity, int fingerprint) {
    this.offsets = offsets;
    this.types = types;
    this.count = count;
    this.integrity = integrity;
    this.fingerprint = fingerprint;
  }

  /** Offset of the first MESSAGE-INTEGRITY attribute, or -1. */
  int integrity() {
    return integrity;
  }

  /** Offset of the FINGERPRINT attribute (always the last one), or -1. */
  int fingerprint() {
    return fingerprint;
  }

  /** Whether an attribute of this type starts at this offset. */
  boolean hasAttributeAt(int offset, int type) {
    int i = Arrays.binarySearch(offsets, 0, count, offset);
    return i >= 0 && types[i] == type;
  }

  /**
   * Walks the attributes of {@code msg}, a whole message whose header the caller has checked (its
   * length field equals {@code msg.length - 20}, a multiple of 4).
   */
  static StunLayout scan(byte[] msg) throws StunException {
    int max = (msg.length - HEADER_LENGTH) / ATTRIBUTE_HEADER_LENGTH;
    int[] offsets = new int[max];
    int[] types = new int[max];
    int count = 0;
    int integrity = -1;
    int fingerprint = -1;
    int seen = 0; // one bit per attribute type the SFU reads, to refuse duplicates
    int pos = HEADER_LENGTH;
    while (pos < msg.length) {
      if (fingerprint >= 0) {
        throw malformed("attribute after FINGERPRINT");
      }
      if (msg.length - pos < ATTRIBUTE_HEADER_LENGTH) {
        throw malformed("truncated attribute header");
      }
      int type = u16(msg, pos);
      int length = u16(msg, pos + 2);
      int padded = (length + 3) & ~3;
      if (msg.length - pos - ATTRIBUTE_HEADER_LENGTH < padded) {
        throw malformed("attribute overruns the message");
      }
      int bit = checkSize(msg, pos, type, length);
      if (bit != 0) {
        if ((seen & bit) != 0) {
          throw malformed("duplicate attribute 0x" + Integer.toHexString(type));
        }
        seen |= bit;
      }
      if (type == MESSAGE_INTEGRITY && integrity < 0) {
        integrity = pos;
      } else if (type == FINGERPRINT) {
        fingerprint = pos;
      }
      offsets[count] = pos;
      types[count] = type;
      count++;
      pos += ATTRIBUTE_HEADER_LENGTH + padded;
    }
    return new StunLayout(offsets, types, count, integrity, fingerprint);
  }

  /**
   * Checks the size (and, where ice4j would misread it, the content) of an attribute the SFU reads.
   * Returns its bit for duplicate detection, or 0 for an attribute the SFU does not read.
   */
  private static int checkSize(byte[] msg, int pos, int type, int length) throws StunException {
    int value = pos + ATTRIBUTE_HEADER_LENGTH;
    switch (type) {
      case USERNAME:
        require(length >= 1 && length <= MAX_USERNAME, "USERNAME size");
        return 1;
      case MESSAGE_INTEGRITY:
        require(length == 20, "MESSAGE-INTEGRITY size");
        return 0; // the first one counts, later ones are ignored (RFC 5389 §15.4)
      case ERROR_CODE:
        require(length >= 4 && length <= MAX_ERROR_CODE, "ERROR-CODE size");
        // ice4j reads class and number as whole bytes: keep them in their RFC ranges.
        int errorClass = msg[value + 2];
        int number = msg[value + 3];
        require(errorClass >= 3 && errorClass <= 6 && number >= 0 && number <= 99, "ERROR-CODE");
        return 1 << 1;
      case XOR_MAPPED_ADDRESS:
        require(length == 8 || length == 20, "XOR-MAPPED-ADDRESS size");
        int family = msg[value + 1];
        require(family == (length == 8 ? 1 : 2), "XOR-MAPPED-ADDRESS family");
        return 1 << 2;
      case PRIORITY:
        require(length == 4, "PRIORITY size");
        return 1 << 3;
      case USE_CANDIDATE:
        require(length == 0, "USE-CANDIDATE size");
        return 1 << 4;
      case FINGERPRINT:
        require(length == 4, "FINGERPRINT size");
        return 1 << 5;
      case ICE_CONTROLLED:
        require(length == 8, "ICE-CONTROLLED size");
        return 1 << 6;
      case ICE_CONTROLLING:
        require(length == 8, "ICE-CONTROLLING size");
        return 1 << 7;
      default:
        return 0;
    }
  }

  static int u16(byte[] b, int i) {
    return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
  }

  private static void require(boolean ok, String what) throws StunException {
    if (!ok) {
      throw malformed("bad " + what);
    }
  }

  private static StunException malformed(String reason) {
    return new StunException(Kind.MALFORMED, reason);
  }
}
