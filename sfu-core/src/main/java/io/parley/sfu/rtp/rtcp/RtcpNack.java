package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.function.IntConsumer;

/**
 * Generic NACK, RTPFB FMT 1 (RFC 4585 §6.2.1): sender SSRC, media SSRC, then pairs of a lost packet
 * id (PID) and a bitmask of the 16 following lost packets (BLP, bit i = PID + i + 1).
 */
public final class RtcpNack {
  private RtcpNack() {}

  public static final int MIN_LENGTH = 16;

  public static boolean isValid(ByteBuf buf, int offset, int length) {
    return length >= MIN_LENGTH
        && Rtcp.packetType(buf, offset) == Rtcp.PT_RTPFB
        && Rtcp.countOrFmt(buf, offset) == Rtcp.FMT_NACK;
  }

  public static long senderSsrc(ByteBuf buf, int offset) {
    return Rtcp.senderSsrc(buf, offset);
  }

  public static long mediaSsrc(ByteBuf buf, int offset) {
    return Rtcp.mediaSsrc(buf, offset);
  }

  public static int pairCount(int length) {
    return (length - 12) / 4;
  }

  public static int pid(ByteBuf buf, int offset, int i) {
    return buf.getUnsignedShort(offset + 12 + 4 * i);
  }

  public static int blp(ByteBuf buf, int offset, int i) {
    return buf.getUnsignedShort(offset + 14 + 4 * i);
  }

  /**
   * Calls {@code lost} with every lost sequence number, in the order of the pairs.
   *
   * @return how many were reported
   */
  public static int forEachLost(ByteBuf buf, int offset, int length, IntConsumer lost) {
    int n = 0;
    int pairs = pairCount(length);
    for (int p = 0; p < pairs; p++) {
      int pid = pid(buf, offset, p);
      int blp = blp(buf, offset, p);
      lost.accept(pid);
      n++;
      for (int b = 0; b < 16; b++) {
        if ((blp & (1 << b)) != 0) {
          lost.accept((pid + b + 1) & 0xFFFF);
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Appends a NACK for the given lost sequence numbers; see {@link #write(ByteBuf, long, long,
   * int[], int, int)}.
   */
  public static void write(ByteBuf out, long senderSsrc, long mediaSsrc, int... lost) {
    write(out, senderSsrc, mediaSsrc, lost, 0, lost.length);
  }

  /**
   * Appends a NACK for {@code lost[from .. from+count)}, oldest first (in sequence order modulo
   * 2^16). Each number within 16 after the current PID goes into its BLP, any other opens a new
   * pair; repeats are ignored.
   *
   * @throws IllegalArgumentException if {@code count} is 0
   */
  public static void write(
      ByteBuf out, long senderSsrc, long mediaSsrc, int[] lost, int from, int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("a NACK needs at least one sequence number");
    }
    int start = Rtcp.writeHeader(out, Rtcp.FMT_NACK, Rtcp.PT_RTPFB, 12);
    out.writeInt((int) senderSsrc);
    out.writeInt((int) mediaSsrc);
    int pid = lost[from] & 0xFFFF;
    int blp = 0;
    for (int i = from + 1; i < from + count; i++) {
      int seq = lost[i] & 0xFFFF;
      int d = (seq - pid) & 0xFFFF;
      if (d == 0) {
        continue;
      }
      if (d <= 16) {
        blp |= 1 << (d - 1);
      } else {
        out.writeShort(pid);
        out.writeShort(blp);
        pid = seq;
        blp = 0;
      }
    }
    out.writeShort(pid);
    out.writeShort(blp);
    Rtcp.finishLength(out, start);
  }
}
