package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * RTCP packet types, feedback message types, and the common header.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |V=2|P| RC/FMT  |      PT       |    length (32-bit words - 1)  |
 * </pre>
 */
public final class Rtcp {
  private Rtcp() {}

  public static final int HEADER_LENGTH = 4;

  public static final int PT_SR = 200;
  public static final int PT_RR = 201;
  public static final int PT_SDES = 202;
  public static final int PT_BYE = 203;
  public static final int PT_APP = 204;

  /** Transport-layer feedback (RFC 4585): NACK, transport-cc. */
  public static final int PT_RTPFB = 205;

  /** Payload-specific feedback (RFC 4585): PLI, FIR, REMB. */
  public static final int PT_PSFB = 206;

  /** Extended report (RFC 3611). */
  public static final int PT_XR = 207;

  public static final int FMT_NACK = 1;
  public static final int FMT_TRANSPORT_CC = 15;
  public static final int FMT_PLI = 1;
  public static final int FMT_FIR = 4;
  public static final int FMT_AFB = 15;

  /**
   * Appends a header for a block of {@code lengthBytes} (a multiple of 4, header included).
   *
   * @return the absolute index of the header
   */
  public static int writeHeader(ByteBuf out, int countOrFmt, int packetType, int lengthBytes) {
    if ((lengthBytes & 3) != 0 || lengthBytes < HEADER_LENGTH || lengthBytes > 0x40000) {
      throw new IllegalArgumentException("bad RTCP length " + lengthBytes);
    }
    if (countOrFmt < 0 || countOrFmt > 31) {
      throw new IllegalArgumentException("bad RTCP count/FMT " + countOrFmt);
    }
    int start = out.writerIndex();
    out.writeByte(0x80 | countOrFmt);
    out.writeByte(packetType);
    out.writeShort(lengthBytes / 4 - 1);
    return start;
  }

  /**
   * Sets the length field of the block whose header is at {@code start}, after padding the block
   * with zero bytes up to the writer index rounded to 4.
   */
  public static void finishLength(ByteBuf out, int start) {
    int len = out.writerIndex() - start;
    int padded = padded(len);
    out.writeZero(padded - len);
    out.setShort(start + 2, padded / 4 - 1);
  }

  /** The RC/SC/FMT field of the block at {@code offset}. */
  public static int countOrFmt(ByteBuf buf, int offset) {
    return buf.getByte(offset) & 0x1F;
  }

  public static int packetType(ByteBuf buf, int offset) {
    return buf.getUnsignedByte(offset + 1);
  }

  /** The sender SSRC that follows the header of SR, RR, BYE-less blocks and all feedback. */
  public static long senderSsrc(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 4);
  }

  /** The media source SSRC of a feedback message (RFC 4585 §6.1). */
  public static long mediaSsrc(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 8);
  }

  /** Bytes needed to store {@code n} bytes rounded up to a multiple of 4. */
  static int padded(int n) {
    return (n + 3) & ~3;
  }
}
