package io.parley.sfu.rtp;

import io.netty.buffer.ByteBuf;

/** RFC 7983 demultiplexing of one UDP port by the first byte of a datagram, and RFC 5761 RTCP. */
public final class PacketKind {
  private PacketKind() {}

  /** STUN messages start with 0..3. */
  public static boolean isStun(int firstByte) {
    return firstByte >= 0 && firstByte <= 3;
  }

  /** DTLS records start with 20..63. */
  public static boolean isDtls(int firstByte) {
    return firstByte >= 20 && firstByte <= 63;
  }

  /** RTP and RTCP (version 2) start with 128..191. */
  public static boolean isRtpOrRtcp(int firstByte) {
    return firstByte >= 128 && firstByte <= 191;
  }

  /**
   * RFC 5761 §4: a packet is RTCP if its second byte (RTP marker + payload type) is 192..223, i.e.
   * an RTCP packet type 192..223. Looks at the readable bytes; {@code false} if fewer than 2.
   */
  public static boolean isRtcp(ByteBuf buf) {
    if (buf.readableBytes() < 2) {
      return false;
    }
    int second = buf.getUnsignedByte(buf.readerIndex() + 1);
    return second >= 192 && second <= 223;
  }
}
