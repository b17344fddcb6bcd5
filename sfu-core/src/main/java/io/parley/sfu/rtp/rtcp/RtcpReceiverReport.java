package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/** Receiver report, PT 201 (RFC 3550 §6.4.2): header, sender SSRC, then RC report blocks. */
public final class RtcpReceiverReport {
  private RtcpReceiverReport() {}

  public static final int MIN_LENGTH = 8;

  /** True if the block is an RR long enough for its report blocks. */
  public static boolean isValid(ByteBuf buf, int offset, int length) {
    return length >= MIN_LENGTH
        && Rtcp.packetType(buf, offset) == Rtcp.PT_RR
        && length >= MIN_LENGTH + ReportBlock.LENGTH * reportCount(buf, offset);
  }

  public static long senderSsrc(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 4);
  }

  public static int reportCount(ByteBuf buf, int offset) {
    return Rtcp.countOrFmt(buf, offset);
  }

  /** Absolute index of report block {@code i}; read it with {@link ReportBlock}'s accessors. */
  public static int reportBlockOffset(int offset, int i) {
    return offset + MIN_LENGTH + ReportBlock.LENGTH * i;
  }

  /** Appends an RR with up to 31 report blocks (none is valid: an empty RR). */
  public static void write(ByteBuf out, long senderSsrc, ReportBlock... blocks) {
    Rtcp.writeHeader(
        out, blocks.length, Rtcp.PT_RR, MIN_LENGTH + ReportBlock.LENGTH * blocks.length);
    out.writeInt((int) senderSsrc);
    for (ReportBlock block : blocks) {
      block.write(out);
    }
  }
}
