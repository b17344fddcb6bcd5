package io.parley.sfu.srtp;

import io.netty.buffer.ByteBuf;
import org.jitsi.utils.ByteArrayBuffer;

/**
 * jitsi-srtp's view of one packet: the readable bytes of a heap {@link ByteBuf}, worked on in place
 * in its backing array. One instance is reused for every packet of a session (no allocation per
 * packet); {@link #wrap} points it at the next packet.
 */
final class ByteBufArrayBuffer implements ByteArrayBuffer {
  private ByteBuf buf;

  ByteBufArrayBuffer wrap(ByteBuf packet) {
    this.buf = packet;
    return this;
  }

  void clear() {
    this.buf = null;
  }

  @Override
  public byte[] getBuffer() {
    return buf.array();
  }

  @Override
  public int getOffset() {
    return buf.arrayOffset() + buf.readerIndex();
  }

  @Override
  public int getLength() {
    return buf.readableBytes();
  }

  @Override
  public void setLength(int length) {
    if (length < 0) {
      throw new IllegalArgumentException("length " + length);
    }
    buf.writerIndex(buf.readerIndex() + length);
  }

  @Override
  public void setOffset(int offset) {
    int length = buf.readableBytes();
    int readerIndex = offset - buf.arrayOffset();
    buf.setIndex(readerIndex, readerIndex + length);
  }

  @Override
  public boolean isInvalid() {
    return false;
  }

  @Override
  public void readRegionToBuff(int offset, int length, byte[] out) {
    if (offset < 0 || length <= 0 || offset + length > buf.readableBytes() || out.length < length) {
      return;
    }
    buf.getBytes(buf.readerIndex() + offset, out, 0, length);
  }

  @Override
  public void grow(int howMuch) {
    // SrtpSession reserves MAX_OVERHEAD before calling jitsi-srtp, so this stays inside the buffer.
    buf.ensureWritable(howMuch);
  }

  @Override
  public void append(byte[] data, int length) {
    if (data == null || length <= 0) {
      return;
    }
    buf.ensureWritable(length);
    buf.writeBytes(data, 0, length);
  }

  @Override
  public void shrink(int length) {
    if (length <= 0) {
      return;
    }
    buf.writerIndex(Math.max(buf.readerIndex(), buf.writerIndex() - length));
  }
}
