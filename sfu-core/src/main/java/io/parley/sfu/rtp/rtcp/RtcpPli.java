package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/** Picture loss indication, PSFB FMT 1 (RFC 4585 §6.3.1): sender and media SSRC, no FCI. */
public final class RtcpPli {
  private RtcpPli() {}

  public static final int LENGTH = 12;

  public static boolean isValid(ByteBuf buf, int offset, int length) {
    return length >= LENGTH
        && Rtcp.packetType(buf, offset) == Rtcp.PT_PSFB
        && Rtcp.countOrFmt(buf, offset) == Rtcp.FMT_PLI;
  }

  public static long senderSsrc(ByteBuf buf, int offset) {
    return Rtcp.senderSsrc(buf, offset);
  }

  public static long mediaSsrc(ByteBuf buf, int offset) {
    return Rtcp.mediaSsrc(buf, offset);
  }

  /** Appends a PLI asking {@code mediaSsrc} for a keyframe. */
  public static void write(ByteBuf out, long senderSsrc, long mediaSsrc) {
    Rtcp.writeHeader(out, Rtcp.FMT_PLI, Rtcp.PT_PSFB, LENGTH);
    out.writeInt((int) senderSsrc);
    out.writeInt((int) mediaSsrc);
  }
}
