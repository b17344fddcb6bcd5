package io.parley.sfu.rtp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view of the VP8 payload descriptor (RFC 7741 §4.2) at the start of an RTP payload.
 *
 * <pre>
 *       0 1 2 3 4 5 6 7
 *      |X|R|N|S|R| PID |  (REQUIRED)
 * X:   |I|L|T|K| RSV   |  (OPTIONAL)
 * I:   |M| PictureID   |  (OPTIONAL, M=1: 15 bits over two bytes)
 * L:   |   TL0PICIDX   |  (OPTIONAL)
 * T/K: |TID|Y| KEYIDX  |  (OPTIONAL)
 * </pre>
 *
 * <p>After the descriptor comes the VP8 payload header (§4.3) when S=1 and PID=0; its lowest bit P
 * is 0 on a keyframe.
 */
public final class Vp8Descriptor {
  private boolean valid;
  private int b0;
  private int b1;
  private int pictureId;
  private boolean pictureId16;
  private int tl0PicIdx;
  private int tidByte;
  private int length;
  private boolean keyframe;

  /**
   * Parses the descriptor at absolute index {@code payloadOffset}.
   *
   * @return false if the payload is too short for the fields its flags announce
   */
  public boolean parse(ByteBuf buf, int payloadOffset, int payloadLength) {
    valid = false;
    b1 = 0;
    pictureId = -1;
    pictureId16 = false;
    tl0PicIdx = -1;
    tidByte = -1;
    length = 0;
    keyframe = false;
    if (payloadOffset < 0 || payloadLength < 1 || payloadOffset > buf.capacity() - payloadLength) {
      return false;
    }
    int i = payloadOffset;
    int end = payloadOffset + payloadLength;
    b0 = buf.getUnsignedByte(i++);
    if ((b0 & 0x80) != 0) {
      if (i >= end) {
        return false;
      }
      b1 = buf.getUnsignedByte(i++);
      if ((b1 & 0x80) != 0) {
        if (i >= end) {
          return false;
        }
        int p = buf.getUnsignedByte(i++);
        if ((p & 0x80) != 0) {
          if (i >= end) {
            return false;
          }
          pictureId = ((p & 0x7F) << 8) | buf.getUnsignedByte(i++);
          pictureId16 = true;
        } else {
          pictureId = p;
        }
      }
      if ((b1 & 0x40) != 0) {
        if (i >= end) {
          return false;
        }
        tl0PicIdx = buf.getUnsignedByte(i++);
      }
      if ((b1 & 0x30) != 0) {
        if (i >= end) {
          return false;
        }
        tidByte = buf.getUnsignedByte(i++);
      }
    }
    length = i - payloadOffset;
    keyframe =
        startOfPartition() && partitionIndex() == 0 && i < end && (buf.getByte(i) & 0x01) == 0;
    valid = true;
    return true;
  }

  public boolean isValid() {
    return valid;
  }

  /** Number of descriptor bytes; the VP8 payload starts after them. */
  public int descriptorLength() {
    return length;
  }

  /** N bit: the frame can be discarded without affecting others. */
  public boolean nonReference() {
    return (b0 & 0x20) != 0;
  }

  /** S bit: this packet starts a VP8 partition. */
  public boolean startOfPartition() {
    return (b0 & 0x10) != 0;
  }

  /** PID: the partition index. */
  public int partitionIndex() {
    return b0 & 0x07;
  }

  public boolean hasPictureId() {
    return pictureId >= 0;
  }

  /** The 7- or 15-bit picture id, or -1. */
  public int pictureId() {
    return pictureId;
  }

  public boolean pictureIdIs16Bit() {
    return pictureId16;
  }

  public boolean hasTl0PicIdx() {
    return tl0PicIdx >= 0;
  }

  /** TL0PICIDX, or -1. */
  public int tl0PicIdx() {
    return tl0PicIdx;
  }

  /** True if the T bit is set, so {@link #temporalLayer()} is meaningful. */
  public boolean hasTid() {
    return tidByte >= 0 && (b1 & 0x20) != 0;
  }

  /** TID (temporal layer index), or -1 without T. */
  public int temporalLayer() {
    return hasTid() ? tidByte >> 6 : -1;
  }

  /** Y bit: layer sync. False without T. */
  public boolean layerSync() {
    return hasTid() && (tidByte & 0x20) != 0;
  }

  public boolean hasKeyIdx() {
    return tidByte >= 0 && (b1 & 0x10) != 0;
  }

  /** KEYIDX, or -1 without K. */
  public int keyIdx() {
    return hasKeyIdx() ? tidByte & 0x1F : -1;
  }

  /** S=1, PID=0 and the VP8 payload header's P bit is 0 (RFC 7741 §4.3). */
  public boolean isKeyframe() {
    return keyframe;
  }

  /**
   * Rewrites the picture id in place, keeping the packet's 7- or 15-bit width (the value wraps to
   * it). Does not check the buffer bounds beyond the flags: call on a packet that parsed.
   *
   * @return false if the descriptor has no picture id
   */
  public static boolean writePictureId(ByteBuf buf, int payloadOffset, int pictureId) {
    int b0 = buf.getByte(payloadOffset);
    if ((b0 & 0x80) == 0 || (buf.getByte(payloadOffset + 1) & 0x80) == 0) {
      return false;
    }
    int i = payloadOffset + 2;
    if ((buf.getByte(i) & 0x80) != 0) {
      buf.setShort(i, 0x8000 | (pictureId & 0x7FFF));
    } else {
      buf.setByte(i, pictureId & 0x7F);
    }
    return true;
  }

  /**
   * Rewrites TL0PICIDX in place (wraps at 256).
   *
   * @return false if the descriptor has no TL0PICIDX
   */
  public static boolean writeTl0PicIdx(ByteBuf buf, int payloadOffset, int tl0PicIdx) {
    int b0 = buf.getByte(payloadOffset);
    if ((b0 & 0x80) == 0) {
      return false;
    }
    int b1 = buf.getByte(payloadOffset + 1);
    if ((b1 & 0x40) == 0) {
      return false;
    }
    int i = payloadOffset + 2;
    if ((b1 & 0x80) != 0) {
      i += (buf.getByte(i) & 0x80) != 0 ? 2 : 1;
    }
    buf.setByte(i, tl0PicIdx);
    return true;
  }
}
