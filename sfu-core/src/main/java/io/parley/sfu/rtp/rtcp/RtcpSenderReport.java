package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * Sender report, PT 200 (RFC 3550 §6.4.1): header, sender SSRC, NTP timestamp (64 bits), RTP
 * timestamp, sender's packet and octet counts, then RC report blocks.
 */
public final class RtcpSenderReport {
  private RtcpSenderReport() {}

  /** Header, SSRC and sender info. */
  public static final int MIN_LENGTH = 28;

  /** True if the block is an SR long enough for its report blocks. */
  public static boolean isValid(ByteBuf buf, int offset, int length) {
    return length >= MIN_LENGTH
        && Rtcp.packetType(buf, offset) == Rtcp.PT_SR
        && length >= MIN_LENGTH + ReportBlock.LENGTH * reportCount(buf, offset);
  }

  public static long senderSsrc(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 4);
  }

  /** The 64-bit NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low). */
  public static long ntpTimestamp(ByteBuf buf, int offset) {
    return buf.getLong(offset + 8);
  }

  public static long rtpTimestamp(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 16);
  }

  public static long packetCount(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 20);
  }

  public static long octetCount(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 24);
  }

  public static int reportCount(ByteBuf buf, int offset) {
    return Rtcp.countOrFmt(buf, offset);
  }

  /** Absolute index of report block {@code i}; read it with {@link ReportBlock}'s accessors. */
  public static int reportBlockOffset(int offset, int i) {
    return offset + MIN_LENGTH + ReportBlock.LENGTH * i;
  }

  /** Appends an SR with up to 31 report blocks. */
  public static void write(
      ByteBuf out,
      long senderSsrc,
      long ntpTimestamp,
      long rtpTimestamp,
      long packetCount,
      long octetCount,
      ReportBlock... blocks) {
    Rtcp.writeHeader(
        out, blocks.length, Rtcp.PT_SR, MIN_LENGTH + ReportBlock.LENGTH * blocks.length);
    out.writeInt((int) senderSsrc);
    out.writeLong(ntpTimestamp);
    out.writeInt((int) rtpTimestamp);
    out.writeInt((int) packetCount);
    out.writeInt((int) octetCount);
    for (ReportBlock block : blocks) {
      block.write(out);
    }
  }
}
