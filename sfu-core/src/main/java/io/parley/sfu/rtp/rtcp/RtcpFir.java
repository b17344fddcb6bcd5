package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * Full intra request, PSFB FMT 4 (RFC 5104 §4.3.1): sender SSRC, media SSRC (0), then 8-byte
 * entries of a target SSRC and a command sequence number (then 3 reserved bytes).
 */
public final class RtcpFir {
  private RtcpFir() {}

  public static final int MIN_LENGTH = 20;
  public static final int ENTRY_LENGTH = 8;

  public static boolean isValid(ByteBuf buf, int offset, int length) {
    return length >= MIN_LENGTH
        && Rtcp.packetType(buf, offset) == Rtcp.PT_PSFB
        && Rtcp.countOrFmt(buf, offset) == Rtcp.FMT_FIR;
  }

  public static long senderSsrc(ByteBuf buf, int offset) {
    return Rtcp.senderSsrc(buf, offset);
  }

  public static int entryCount(int length) {
    return (length - 12) / ENTRY_LENGTH;
  }

  public static long entrySsrc(ByteBuf buf, int offset, int i) {
    return buf.getUnsignedInt(offset + 12 + ENTRY_LENGTH * i);
  }

  public static int entrySequenceNumber(ByteBuf buf, int offset, int i) {
    return buf.getUnsignedByte(offset + 16 + ENTRY_LENGTH * i);
  }

  /** Appends a FIR with one entry. */
  public static void write(ByteBuf out, long senderSsrc, long targetSsrc, int sequenceNumber) {
    Rtcp.writeHeader(out, Rtcp.FMT_FIR, Rtcp.PT_PSFB, MIN_LENGTH);
    out.writeInt((int) senderSsrc);
    out.writeInt(0);
    out.writeInt((int) targetSsrc);
    out.writeByte(sequenceNumber);
    out.writeMedium(0);
  }
}
