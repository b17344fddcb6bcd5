package io.parley.sfu.rtp;

import io.netty.buffer.ByteBuf;

/**
 * The payload of redundant audio (RFC 2198, {@code red/48000/2}): block headers, then the blocks'
 * data, the primary (newest) block last. A redundant block's header is four bytes (F = 1, its
 * payload type, a 14-bit timestamp offset, a 10-bit length); the primary block's is one byte (F =
 * 0, its payload type) and its length is whatever is left. Browsers send each block as Opus, with
 * one or two earlier frames before the current one, so a receiver that lost a packet finds its
 * audio in the next.
 *
 * <p>Reads and writes in place, without allocating; every offset is checked against the payload's
 * end, so a hostile payload is refused, never read past.
 */
public final class RedPayload {
  private RedPayload() {}

  /**
   * Where the primary block's data starts, or -1 if the payload is not well-formed redundant audio
   * (headers or blocks running past its end).
   *
   * @param offset the RTP payload's offset in {@code buf}
   * @param length the RTP payload's length (without padding)
   */
  public static int primaryOffset(ByteBuf buf, int offset, int length) {
    int end = offset + length;
    int p = offset;
    int redundantBytes = 0;
    while (p < end) {
      int first = buf.getUnsignedByte(p);
      if ((first & 0x80) == 0) {
        int primary = p + 1 + redundantBytes;
        return primary <= end ? primary : -1;
      }
      if (p + 4 > end) {
        return -1;
      }
      redundantBytes += buf.getUnsignedShort(p + 2) & 0x3FF;
      p += 4;
    }
    return -1;
  }

  /**
   * The primary block's payload type, or -1 if the payload is not well-formed (as {@link
   * #primaryOffset}).
   */
  public static int primaryPayloadType(ByteBuf buf, int offset, int length) {
    if (primaryOffset(buf, offset, length) < 0) {
      return -1;
    }
    int p = offset;
    while ((buf.getUnsignedByte(p) & 0x80) != 0) {
      p += 4;
    }
    return buf.getUnsignedByte(p) & 0x7F;
  }

  /**
   * Gives every block whose payload type is {@code from} the type {@code to} (the receiver's number
   * for the same codec). The payload must be well-formed ({@link #primaryOffset} ≥ 0).
   */
  public static void rewriteBlockTypes(ByteBuf buf, int offset, int from, int to) {
    int p = offset;
    while (true) {
      int first = buf.getUnsignedByte(p);
      if ((first & 0x7F) == from) {
        buf.setByte(p, (first & 0x80) | to);
      }
      if ((first & 0x80) == 0) {
        return;
      }
      p += 4;
    }
  }
}
