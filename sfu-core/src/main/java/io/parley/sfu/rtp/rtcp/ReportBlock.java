package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * One reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes. The static accessors read
 * a block in place without allocating; the record is for writing and for tests.
 *
 * @param ssrc the source this block reports on
 * @param fractionLost fraction lost since the last report, in 1/256 (0..255)
 * @param cumulativeLost cumulative packets lost, signed 24 bits
 * @param extendedHighestSequence cycles (high 16 bits) and highest sequence number received
 * @param jitter interarrival jitter in timestamp units
 * @param lastSenderReport middle 32 bits of the NTP timestamp of the last SR received (LSR)
 * @param delaySinceLastSenderReport delay since that SR in 1/65536 s (DLSR)
 */
public record ReportBlock(
    long ssrc,
    int fractionLost,
    int cumulativeLost,
    long extendedHighestSequence,
    long jitter,
    long lastSenderReport,
    long delaySinceLastSenderReport) {

  public static final int LENGTH = 24;

  /** Appends this block. */
  public void write(ByteBuf out) {
    out.writeInt((int) ssrc);
    out.writeByte(fractionLost);
    out.writeMedium(cumulativeLost);
    out.writeInt((int) extendedHighestSequence);
    out.writeInt((int) jitter);
    out.writeInt((int) lastSenderReport);
    out.writeInt((int) delaySinceLastSenderReport);
  }

  /** Reads the block at absolute index {@code offset} (allocates a record). */
  public static ReportBlock read(ByteBuf buf, int offset) {
    return new ReportBlock(
        ssrc(buf, offset),
        fractionLost(buf, offset),
        cumulativeLost(buf, offset),
        extendedHighestSequence(buf, offset),
        jitter(buf, offset),
        lastSenderReport(buf, offset),
        delaySinceLastSenderReport(buf, offset));
  }

  public static long ssrc(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset);
  }

  public static int fractionLost(ByteBuf buf, int offset) {
    return buf.getUnsignedByte(offset + 4);
  }

  /** Signed 24-bit cumulative loss (negative with duplicates). */
  public static int cumulativeLost(ByteBuf buf, int offset) {
    return buf.getMedium(offset + 5);
  }

  public static long extendedHighestSequence(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 8);
  }

  public static long jitter(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 12);
  }

  public static long lastSenderReport(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 16);
  }

  public static long delaySinceLastSenderReport(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 20);
  }
}
