package io.parley.sfu.rtp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A reusable, mutable view of one RTP packet (RFC 3550 §5.1) over a {@link ByteBuf}.
 *
 * <p>{@link #parse} validates the header once and records where the header extension elements (RFC
 * 8285, one-byte and two-byte forms) are, so lookups by id never re-scan the packet and never
 * allocate. One instance per thread or pipeline stage, reused for every packet; it does not retain
 * or release the buffer.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |            contributing source (CSRC) identifiers             | x CC
 * |      defined by profile       |           length              | if X
 * |                        header extension                       |
 * </pre>
 */
public final class RtpPacket {
  /** The fixed header is 12 bytes. */
  public static final int FIXED_HEADER_LENGTH = 12;

  /** Profile of the RFC 8285 one-byte header extension form. */
  public static final int ONE_BYTE_PROFILE = 0xBEDE;

  /** Profile of the RFC 8285 two-byte form; the low 4 bits are "appbits". */
  public static final int TWO_BYTE_PROFILE = 0x1000;

  /** Elements beyond this many in one packet are ignored (browsers send fewer than ten). */
  static final int MAX_EXTENSIONS = 16;

  private ByteBuf buf;
  private int offset;
  private int length;
  private int headerLength;
  private int paddingLength;
  private int extensionCount;
  private final int[] extensionIds = new int[MAX_EXTENSIONS];
  private final int[] extensionOffsets = new int[MAX_EXTENSIONS];
  private final int[] extensionLengths = new int[MAX_EXTENSIONS];

  /**
   * Parses the packet between the buffer's reader and writer index. Indices are not moved.
   *
   * @return false (and this view is left empty) if the bytes are not a valid RTP packet: version
   *     not 2, shorter than the fixed header, or CSRCs, header extension or padding running past
   *     the end. Malformed extension elements inside a well-sized extension block end the element
   *     scan but do not invalidate the packet.
   */
  public boolean parse(ByteBuf buf) {
    return parse(buf, buf.readerIndex(), buf.readableBytes());
  }

  /**
   * Parses {@code length} bytes from absolute index {@code offset}; see {@link #parse(ByteBuf)}.
   */
  public boolean parse(ByteBuf buf, int offset, int length) {
    clear();
    if (offset < 0 || length < FIXED_HEADER_LENGTH || offset > buf.capacity() - length) {
      return false;
    }
    int b0 = buf.getUnsignedByte(offset);
    if ((b0 >> 6) != 2) {
      return false;
    }
    int header = FIXED_HEADER_LENGTH + 4 * (b0 & 0x0F);
    int extensionsStart = -1;
    int extensionsEnd = -1;
    int profile = 0;
    if ((b0 & 0x10) != 0) {
      if (header + 4 > length) {
        return false;
      }
      profile = buf.getUnsignedShort(offset + header);
      int words = buf.getUnsignedShort(offset + header + 2);
      extensionsStart = offset + header + 4;
      header += 4 + 4 * words;
      extensionsEnd = offset + header;
    }
    if (header > length) {
      return false;
    }
    int padding = 0;
    if ((b0 & 0x20) != 0) {
      padding = buf.getUnsignedByte(offset + length - 1);
      if (padding == 0 || header + padding > length) {
        return false;
      }
    }
    this.buf = buf;
    this.offset = offset;
    this.length = length;
    this.headerLength = header;
    this.paddingLength = padding;
    if (profile == ONE_BYTE_PROFILE) {
      scanOneByteExtensions(extensionsStart, extensionsEnd);
    } else if ((profile & 0xFFF0) == TWO_BYTE_PROFILE) {
      scanTwoByteExtensions(extensionsStart, extensionsEnd);
    }
    return true;
  }

  private void clear() {
    buf = null;
    offset = 0;
    length = 0;
    headerLength = 0;
    paddingLength = 0;
    extensionCount = 0;
  }

  private void scanOneByteExtensions(int i, int end) {
    while (i < end) {
      int b = buf.getUnsignedByte(i);
      int id = b >> 4;
      if (id == 0) { // padding byte between elements
        i++;
        continue;
      }
      if (id == 15) { // RFC 8285 §4.2: stop parsing
        return;
      }
      int len = (b & 0x0F) + 1;
      if (i + 1 + len > end) {
        return;
      }
      addExtension(id, i + 1, len);
      i += 1 + len;
    }
  }

  private void scanTwoByteExtensions(int i, int end) {
    while (i < end) {
      int id = buf.getUnsignedByte(i);
      if (id == 0) { // padding byte
        i++;
        continue;
      }
      if (i + 2 > end) {
        return;
      }
      int len = buf.getUnsignedByte(i + 1);
      if (i + 2 + len > end) {
        return;
      }
      addExtension(id, i + 2, len);
      i += 2 + len;
    }
  }

  private void addExtension(int id, int dataOffset, int len) {
    if (extensionCount < MAX_EXTENSIONS) {
      extensionIds[extensionCount] = id;
      extensionOffsets[extensionCount] = dataOffset;
      extensionLengths[extensionCount] = len;
      extensionCount++;
    }
  }

  private int extensionIndex(int id) {
    if (id <= 0) {
      return -1;
    }
    for (int i = 0; i < extensionCount; i++) {
      if (extensionIds[i] == id) {
        return i;
      }
    }
    return -1;
  }

  /** The buffer of the last successful parse, or null. */
  public ByteBuf buffer() {
    return buf;
  }

  /** Absolute index of the first byte of the packet. */
  public int offset() {
    return offset;
  }

  /** Length of the whole packet in bytes (header, payload and padding). */
  public int length() {
    return length;
  }

  public boolean marker() {
    return (buf.getByte(offset + 1) & 0x80) != 0;
  }

  public int payloadType() {
    return buf.getByte(offset + 1) & 0x7F;
  }

  public int sequenceNumber() {
    return buf.getUnsignedShort(offset + 2);
  }

  public long timestamp() {
    return buf.getUnsignedInt(offset + 4);
  }

  public long ssrc() {
    return buf.getUnsignedInt(offset + 8);
  }

  public int csrcCount() {
    return buf.getByte(offset) & 0x0F;
  }

  public boolean hasExtension() {
    return (buf.getByte(offset) & 0x10) != 0;
  }

  /** Header length in bytes: fixed header, CSRCs and the header extension block. */
  public int headerLength() {
    return headerLength;
  }

  /** Absolute index of the first payload byte. */
  public int payloadOffset() {
    return offset + headerLength;
  }

  /** Payload length in bytes, without padding. */
  public int payloadLength() {
    return length - headerLength - paddingLength;
  }

  /** Number of padding bytes at the end (0 if the P bit is clear), including the count byte. */
  public int paddingLength() {
    return paddingLength;
  }

  /** Number of header extension elements found. */
  public int extensionCount() {
    return extensionCount;
  }

  /** Absolute index of the data of extension element {@code id}, or -1 if absent. */
  public int extensionOffset(int id) {
    int i = extensionIndex(id);
    return i < 0 ? -1 : extensionOffsets[i];
  }

  /** Data length of extension element {@code id} (0 is possible in the two-byte form), or -1. */
  public int extensionLength(int id) {
    int i = extensionIndex(id);
    return i < 0 ? -1 : extensionLengths[i];
  }

  /**
   * The data of extension {@code id} as ASCII (mid, rid, repaired-rid), or null if absent.
   * Allocates: meant for packets of SSRCs not yet known.
   */
  public String extensionString(int id) {
    int i = extensionIndex(id);
    if (i < 0) {
      return null;
    }
    return buf.toString(extensionOffsets[i], extensionLengths[i], StandardCharsets.US_ASCII);
  }

  /** The transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc), or -1. */
  public int transportCcSequence(int id) {
    int i = extensionIndex(id);
    if (i < 0 || extensionLengths[i] < 2) {
      return -1;
    }
    return buf.getUnsignedShort(extensionOffsets[i]);
  }

  /** RFC 6464 audio level in -dBov, 0..127 (127 = silence), or -1 if absent. */
  public int audioLevel(int id) {
    int i = extensionIndex(id);
    if (i < 0 || extensionLengths[i] < 1) {
      return -1;
    }
    return buf.getByte(extensionOffsets[i]) & 0x7F;
  }

  /** RFC 6464 voice activity flag; false if the extension is absent. */
  public boolean voiceActivity(int id) {
    int i = extensionIndex(id);
    if (i < 0 || extensionLengths[i] < 1) {
      return false;
    }
    return (buf.getByte(extensionOffsets[i]) & 0x80) != 0;
  }

  /** Rewrites the sequence number in place. */
  public void setSequenceNumber(int sequenceNumber) {
    buf.setShort(offset + 2, sequenceNumber);
  }

  /** Rewrites the timestamp in place (low 32 bits). */
  public void setTimestamp(long timestamp) {
    buf.setInt(offset + 4, (int) timestamp);
  }

  /** Rewrites the SSRC in place (low 32 bits). */
  public void setSsrc(long ssrc) {
    buf.setInt(offset + 8, (int) ssrc);
  }

  /** Rewrites the payload type in place, keeping the marker bit. */
  public void setPayloadType(int payloadType) {
    int b = buf.getByte(offset + 1);
    buf.setByte(offset + 1, (b & 0x80) | (payloadType & 0x7F));
  }

  /** Rewrites the marker bit in place. */
  public void setMarker(boolean marker) {
    int b = buf.getByte(offset + 1);
    buf.setByte(offset + 1, marker ? (b | 0x80) : (b & 0x7F));
  }

  /**
   * Rewrites the transport-wide sequence number in place.
   *
   * @return false if the packet has no such element of at least 2 bytes
   */
  public boolean setTransportCcSequence(int id, int sequenceNumber) {
    int i = extensionIndex(id);
    if (i < 0 || extensionLengths[i] < 2) {
      return false;
    }
    buf.setShort(extensionOffsets[i], sequenceNumber);
    return true;
  }
}
