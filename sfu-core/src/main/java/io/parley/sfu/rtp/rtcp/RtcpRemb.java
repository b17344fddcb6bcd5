package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * Receiver estimated max bitrate, PSFB FMT 15 (draft-alvestrand-rmcat-remb-03 §2.2): sender SSRC,
 * media SSRC (0), "REMB", number of SSRCs (8 bits), BR exponent (6 bits) and mantissa (18 bits) in
 * bits per second, then the SSRCs.
 */
public final class RtcpRemb {
  private RtcpRemb() {}

  public static final int MIN_LENGTH = 20;

  /** "REMB" in ASCII. */
  public static final int IDENTIFIER = 0x52454D42;

  /** True if the block is a PSFB application layer message with the REMB identifier. */
  public static boolean isValid(ByteBuf buf, int offset, int length) {
    return length >= MIN_LENGTH
        && Rtcp.packetType(buf, offset) == Rtcp.PT_PSFB
        && Rtcp.countOrFmt(buf, offset) == Rtcp.FMT_AFB
        && buf.getInt(offset + 12) == IDENTIFIER
        && length >= MIN_LENGTH + 4 * ssrcCount(buf, offset);
  }

  public static long senderSsrc(ByteBuf buf, int offset) {
    return Rtcp.senderSsrc(buf, offset);
  }

  public static int ssrcCount(ByteBuf buf, int offset) {
    return buf.getUnsignedByte(offset + 16);
  }

  public static long ssrc(ByteBuf buf, int offset, int i) {
    return buf.getUnsignedInt(offset + 20 + 4 * i);
  }

  /** The bitrate in bits per second; saturates at {@link Long#MAX_VALUE}. */
  public static long bitrate(ByteBuf buf, int offset) {
    int v = buf.getMedium(offset + 17) & 0xFFFFFF;
    int exp = v >>> 18;
    long mantissa = v & 0x3FFFF;
    if (mantissa != 0 && exp > Long.numberOfLeadingZeros(mantissa) - 1) {
      return Long.MAX_VALUE;
    }
    return mantissa << exp;
  }

  /**
   * Appends a REMB. The bitrate is rounded down to what an 18-bit mantissa and a 6-bit exponent can
   * carry.
   */
  public static void write(ByteBuf out, long senderSsrc, long bitrate, long... ssrcs) {
    if (bitrate < 0) {
      throw new IllegalArgumentException("negative bitrate");
    }
    if (ssrcs.length > 255) {
      throw new IllegalArgumentException("at most 255 SSRCs");
    }
    int exp = 0;
    while ((bitrate >>> exp) > 0x3FFFF) {
      exp++;
    }
    long mantissa = bitrate >>> exp;
    Rtcp.writeHeader(out, Rtcp.FMT_AFB, Rtcp.PT_PSFB, MIN_LENGTH + 4 * ssrcs.length);
    out.writeInt((int) senderSsrc);
    out.writeInt(0);
    out.writeInt(IDENTIFIER);
    out.writeByte(ssrcs.length);
    out.writeMedium((exp << 18) | (int) mantissa);
    for (long ssrc : ssrcs) {
      out.writeInt((int) ssrc);
    }
  }
}
