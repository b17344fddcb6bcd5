package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Goodbye, PT 203 (RFC 3550 §6.6): SC SSRCs, then an optional length-prefixed reason. */
public final class RtcpBye {
  private RtcpBye() {}

  /** True if the SSRCs (and the reason, if present) fit inside the block. */
  public static boolean isValid(ByteBuf buf, int offset, int length) {
    if (length < Rtcp.HEADER_LENGTH || Rtcp.packetType(buf, offset) != Rtcp.PT_BYE) {
      return false;
    }
    int reason = Rtcp.HEADER_LENGTH + 4 * ssrcCount(buf, offset);
    if (reason > length) {
      return false;
    }
    return reason == length || reason + 1 + buf.getUnsignedByte(offset + reason) <= length;
  }

  public static int ssrcCount(ByteBuf buf, int offset) {
    return Rtcp.countOrFmt(buf, offset);
  }

  public static long ssrc(ByteBuf buf, int offset, int i) {
    return buf.getUnsignedInt(offset + Rtcp.HEADER_LENGTH + 4 * i);
  }

  /** The reason for leaving, or null if there is none (allocates). */
  public static String reason(ByteBuf buf, int offset, int length) {
    int i = offset + Rtcp.HEADER_LENGTH + 4 * ssrcCount(buf, offset);
    if (i >= offset + length) {
      return null;
    }
    int len = buf.getUnsignedByte(i);
    return buf.toString(i + 1, len, StandardCharsets.UTF_8);
  }

  /** Appends a BYE for up to 31 SSRCs, without a reason. */
  public static void write(ByteBuf out, long... ssrcs) {
    Rtcp.writeHeader(out, ssrcs.length, Rtcp.PT_BYE, Rtcp.HEADER_LENGTH + 4 * ssrcs.length);
    for (long ssrc : ssrcs) {
      out.writeInt((int) ssrc);
    }
  }
}
