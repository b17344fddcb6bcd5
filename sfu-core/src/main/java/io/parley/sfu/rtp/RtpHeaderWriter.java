package io.parley.sfu.rtp;

import io.netty.buffer.ByteBuf;

/**
 * Writes a fresh RTP header with an RFC 8285 one-byte header-extension block at the writer index of
 * an output buffer; used per subscriber to build an outgoing packet, after which the caller appends
 * the payload.
 *
 * <pre>{@code
 * writer.begin(out, marker, pt, seq, ts, ssrc);
 * writer.addExtension16(tccId, transportSeq);
 * writer.finish();          // pads the block to 4 bytes, fixes its length; drops it if empty
 * out.writeBytes(payload);
 * }</pre>
 *
 * <p>One instance per thread, reused. The writer index of {@code out} advances as bytes are
 * written. Ids and lengths out of the one-byte form's range (id 1..14, 1..16 bytes) are programming
 * errors and throw {@link IllegalArgumentException}.
 */
public final class RtpHeaderWriter {
  private ByteBuf out;
  private int start = -1;
  private int extensionStart;
  private int elements;

  /** Writes the 12-byte fixed header and opens an (empty) one-byte extension block. */
  public RtpHeaderWriter begin(
      ByteBuf out, boolean marker, int payloadType, int sequenceNumber, long timestamp, long ssrc) {
    this.out = out;
    this.start = out.writerIndex();
    this.elements = 0;
    out.writeByte(0x90); // V=2, X=1
    out.writeByte((marker ? 0x80 : 0) | (payloadType & 0x7F));
    out.writeShort(sequenceNumber);
    out.writeInt((int) timestamp);
    out.writeInt((int) ssrc);
    extensionStart = out.writerIndex();
    out.writeShort(RtpPacket.ONE_BYTE_PROFILE);
    out.writeShort(0); // length in words, set by finish()
    return this;
  }

  private void element(int id, int length) {
    if (start < 0) {
      throw new IllegalStateException("begin() first");
    }
    if (id < 1 || id > 14) {
      throw new IllegalArgumentException("one-byte extension id must be 1..14: " + id);
    }
    if (length < 1 || length > 16) {
      throw new IllegalArgumentException("one-byte extension length must be 1..16: " + length);
    }
    out.writeByte((id << 4) | (length - 1));
    elements++;
  }

  /** Adds an element with the given bytes. */
  public RtpHeaderWriter addExtension(int id, byte[] data) {
    element(id, data.length);
    out.writeBytes(data);
    return this;
  }

  /** Adds an element copying {@code length} bytes from {@code src} at absolute {@code index}. */
  public RtpHeaderWriter addExtension(int id, ByteBuf src, int index, int length) {
    element(id, length);
    out.writeBytes(src, index, length);
    return this;
  }

  /** Adds a 1-byte element (e.g. audio level). */
  public RtpHeaderWriter addExtension8(int id, int value) {
    element(id, 1);
    out.writeByte(value);
    return this;
  }

  /** Adds a 2-byte element (e.g. transport-wide sequence number). */
  public RtpHeaderWriter addExtension16(int id, int value) {
    element(id, 2);
    out.writeShort(value);
    return this;
  }

  /** Adds a 3-byte element (e.g. abs-send-time). */
  public RtpHeaderWriter addExtension24(int id, int value) {
    element(id, 3);
    out.writeMedium(value);
    return this;
  }

  /** Adds a 4-byte element. */
  public RtpHeaderWriter addExtension32(int id, int value) {
    element(id, 4);
    out.writeInt(value);
    return this;
  }

  /** Adds an ASCII element (mid, rid): 1..16 characters. */
  public RtpHeaderWriter addExtensionAscii(int id, CharSequence text) {
    element(id, text.length());
    for (int i = 0; i < text.length(); i++) {
      out.writeByte(text.charAt(i));
    }
    return this;
  }

  /**
   * Closes the header: pads the extension block with zero bytes to a multiple of 4 and writes its
   * length, or removes the block and clears the X bit if no element was added.
   *
   * @return the header length in bytes
   */
  public int finish() {
    if (start < 0) {
      throw new IllegalStateException("begin() first");
    }
    if (elements == 0) {
      out.writerIndex(extensionStart);
      out.setByte(start, 0x80);
    } else {
      int dataLength = out.writerIndex() - extensionStart - 4;
      int padded = (dataLength + 3) & ~3;
      out.writeZero(padded - dataLength);
      out.setShort(extensionStart + 2, padded / 4);
    }
    int headerLength = out.writerIndex() - start;
    start = -1;
    out = null;
    return headerLength;
  }
}
