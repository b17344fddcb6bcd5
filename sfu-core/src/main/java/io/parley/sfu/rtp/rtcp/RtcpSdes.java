package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Source description, PT 202 (RFC 3550 §6.5): SC chunks, each an SSRC followed by items (type,
 * length, text) ended by a zero type byte and padded to 4 bytes.
 */
public final class RtcpSdes {
  private RtcpSdes() {}

  public static final int ITEM_END = 0;
  public static final int ITEM_CNAME = 1;

  /** Receives the items of an SDES block in place; the text is {@code length} bytes at index. */
  @FunctionalInterface
  public interface ItemVisitor {
    void item(long ssrc, int type, ByteBuf buf, int index, int length);
  }

  /** Receives each CNAME as a string. */
  @FunctionalInterface
  public interface CnameConsumer {
    void cname(long ssrc, String cname);
  }

  /** True if every chunk and item fits inside the block. */
  public static boolean isValid(ByteBuf buf, int offset, int length) {
    return length >= Rtcp.HEADER_LENGTH
        && Rtcp.packetType(buf, offset) == Rtcp.PT_SDES
        && visit(buf, offset, length, null);
  }

  /**
   * Walks every item of every chunk in order.
   *
   * @param visitor may be null (only validates)
   * @return false if a chunk or item runs past the block (items before that were visited)
   */
  public static boolean visit(ByteBuf buf, int offset, int length, ItemVisitor visitor) {
    int chunks = Rtcp.countOrFmt(buf, offset);
    int end = offset + length;
    int i = offset + Rtcp.HEADER_LENGTH;
    for (int c = 0; c < chunks; c++) {
      if (i + 4 > end) {
        return false;
      }
      long ssrc = buf.getUnsignedInt(i);
      i += 4;
      while (true) {
        if (i >= end) {
          return false;
        }
        int type = buf.getUnsignedByte(i);
        if (type == ITEM_END) {
          i = offset + Rtcp.padded(i + 1 - offset);
          break;
        }
        if (i + 2 > end) {
          return false;
        }
        int len = buf.getUnsignedByte(i + 1);
        if (i + 2 + len > end) {
          return false;
        }
        if (visitor != null) {
          visitor.item(ssrc, type, buf, i + 2, len);
        }
        i += 2 + len;
      }
    }
    return true;
  }

  /**
   * Calls {@code consumer} for each CNAME item (allocates the strings; SDES is rare).
   *
   * @return false if the block is malformed
   */
  public static boolean readCnames(ByteBuf buf, int offset, int length, CnameConsumer consumer) {
    return visit(
        buf,
        offset,
        length,
        (ssrc, type, b, index, len) -> {
          if (type == ITEM_CNAME) {
            consumer.cname(ssrc, b.toString(index, len, StandardCharsets.UTF_8));
          }
        });
  }

  /** Appends an SDES with one chunk carrying one CNAME (at most 255 UTF-8 bytes). */
  public static void writeCname(ByteBuf out, long ssrc, String cname) {
    byte[] text = cname.getBytes(StandardCharsets.UTF_8);
    if (text.length > 255) {
      throw new IllegalArgumentException("CNAME longer than 255 bytes");
    }
    int chunk = Rtcp.padded(4 + 2 + text.length + 1);
    Rtcp.writeHeader(out, 1, Rtcp.PT_SDES, Rtcp.HEADER_LENGTH + chunk);
    out.writeInt((int) ssrc);
    out.writeByte(ITEM_CNAME);
    out.writeByte(text.length);
    out.writeBytes(text);
    out.writeZero(chunk - 4 - 2 - text.length);
  }
}
