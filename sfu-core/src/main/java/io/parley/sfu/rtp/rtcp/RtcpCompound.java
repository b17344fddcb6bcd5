package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable iterator over the blocks of a compound RTCP packet (RFC 3550 §6.1).
 *
 * <pre>{@code
 * compound.reset(buf);
 * while (compound.next()) {
 *   switch (compound.packetType()) { case Rtcp.PT_SR -> ...; }
 * }
 * if (compound.isMalformed()) { count and drop }
 * }</pre>
 *
 * <p>Each block must have version 2 and a length that fits in the remaining bytes; a block with the
 * P bit must carry a padding count of 1..length-4. The first block that breaks a rule stops the
 * iteration and sets {@link #isMalformed()}. Every step advances at least 4 bytes, so iteration
 * always ends. Indices of the buffer are not moved.
 */
public final class RtcpCompound {
  private ByteBuf buf;
  private int end;
  private int next;
  private int offset;
  private int length;
  private int padding;
  private boolean malformed;
  private int blocks;

  /** Iterates over the buffer's readable bytes. */
  public RtcpCompound reset(ByteBuf buf) {
    return reset(buf, buf.readerIndex(), buf.readableBytes());
  }

  /** Iterates over {@code length} bytes from absolute index {@code offset}. */
  public RtcpCompound reset(ByteBuf buf, int offset, int length) {
    this.buf = buf;
    this.offset = -1;
    this.length = 0;
    this.padding = 0;
    this.blocks = 0;
    if (offset < 0 || length < 0 || offset > buf.capacity() - length) {
      this.next = 0;
      this.end = 0;
      this.malformed = true;
      return this;
    }
    this.next = offset;
    this.end = offset + length;
    this.malformed = length == 0;
    return this;
  }

  /**
   * Moves to the next block.
   *
   * @return false at the end, or at a malformed block (then {@link #isMalformed()} is true)
   */
  public boolean next() {
    if (malformed || next >= end) {
      offset = -1;
      return false;
    }
    int remaining = end - next;
    if (remaining < Rtcp.HEADER_LENGTH) {
      return fail();
    }
    int b0 = buf.getUnsignedByte(next);
    if ((b0 >> 6) != 2) {
      return fail();
    }
    int len = (buf.getUnsignedShort(next + 2) + 1) * 4;
    if (len > remaining) {
      return fail();
    }
    int pad = 0;
    if ((b0 & 0x20) != 0) {
      pad = buf.getUnsignedByte(next + len - 1);
      if (pad == 0 || pad > len - Rtcp.HEADER_LENGTH) {
        return fail();
      }
    }
    offset = next;
    length = len;
    padding = pad;
    next += len;
    blocks++;
    return true;
  }

  private boolean fail() {
    malformed = true;
    offset = -1;
    length = 0;
    padding = 0;
    return false;
  }

  /** True if iteration stopped at a malformed block or the input was empty. */
  public boolean isMalformed() {
    return malformed;
  }

  /** Number of well-formed blocks returned so far. */
  public int blockCount() {
    return blocks;
  }

  public ByteBuf buffer() {
    return buf;
  }

  /** Absolute index of the current block's header. */
  public int offset() {
    return offset;
  }

  /** Length of the current block in bytes, header and padding included. */
  public int length() {
    return length;
  }

  /** Length of the current block without its padding. */
  public int contentLength() {
    return length - padding;
  }

  public int paddingLength() {
    return padding;
  }

  public int packetType() {
    return buf.getUnsignedByte(offset + 1);
  }

  /** The RC/SC/FMT field. */
  public int count() {
    return buf.getByte(offset) & 0x1F;
  }

  /** Same as {@link #count()}, named for feedback messages. */
  public int fmt() {
    return count();
  }
}
