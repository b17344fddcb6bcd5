package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * Extended report, PT 207 (RFC 3611), for the round trip to a browser that only sends: the SFU
 * sends a receiver reference time block (RRTR, §4.4: its NTP time), and the sender answers with a
 * DLRR block (§4.5: that time's middle 32 bits and how long it held it), as it answers an SR's time
 * in an RR. Browsers answer RRTR without negotiating it.
 */
public final class RtcpXr {
  private RtcpXr() {}

  /** Header and sender SSRC. */
  public static final int MIN_LENGTH = 8;

  static final int BT_RRTR = 4;
  static final int BT_DLRR = 5;
  private static final int RRTR_LENGTH = 12;
  private static final int DLRR_SUB_BLOCK_LENGTH = 12;

  /** Receives one DLRR sub-block: whose SSRC it is for, its LRR and DLRR (1/65536 s). */
  @FunctionalInterface
  public interface DlrrVisitor {
    void dlrr(long ssrc, long lastRr, long delaySinceLastRr);
  }

  public static boolean isValid(ByteBuf buf, int offset, int length) {
    return length >= MIN_LENGTH && Rtcp.packetType(buf, offset) == Rtcp.PT_XR;
  }

  /** Appends an XR with one RRTR block carrying {@code ntpTimestamp}. */
  public static void writeReceiverReferenceTime(ByteBuf out, long senderSsrc, long ntpTimestamp) {
    Rtcp.writeHeader(out, 0, Rtcp.PT_XR, MIN_LENGTH + RRTR_LENGTH);
    out.writeInt((int) senderSsrc);
    out.writeByte(BT_RRTR);
    out.writeByte(0);
    out.writeShort(2);
    out.writeLong(ntpTimestamp);
  }

  /** Appends an XR with one DLRR block of one sub-block (what a sender answers an RRTR with). */
  public static void writeDlrr(
      ByteBuf out, long senderSsrc, long ssrc, long lastRr, long delaySinceLastRr) {
    Rtcp.writeHeader(out, 0, Rtcp.PT_XR, MIN_LENGTH + 4 + DLRR_SUB_BLOCK_LENGTH);
    out.writeInt((int) senderSsrc);
    out.writeByte(BT_DLRR);
    out.writeByte(0);
    out.writeShort(3);
    out.writeInt((int) ssrc);
    out.writeInt((int) lastRr);
    out.writeInt((int) delaySinceLastRr);
  }

  /**
   * Calls {@code visitor} for each DLRR sub-block of a valid XR of {@code length} bytes; stops at a
   * block that does not fit.
   */
  public static void forEachDlrr(ByteBuf buf, int offset, int length, DlrrVisitor visitor) {
    int at = offset + MIN_LENGTH;
    int end = offset + length;
    while (at + 4 <= end) {
      int type = buf.getUnsignedByte(at);
      int blockEnd = at + 4 + 4 * buf.getUnsignedShort(at + 2);
      if (blockEnd > end) {
        return;
      }
      if (type == BT_DLRR) {
        for (int sub = at + 4; sub + DLRR_SUB_BLOCK_LENGTH <= blockEnd; sub += 12) {
          visitor.dlrr(
              buf.getUnsignedInt(sub), buf.getUnsignedInt(sub + 4), buf.getUnsignedInt(sub + 8));
        }
      }
      at = blockEnd;
    }
  }
}
