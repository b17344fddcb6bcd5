package io.parley.sfu.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.parley.sfu.rtp.RtpHeaderWriter;

/**
 * Builds the RTP packets of a synthetic participant: Opus-shaped audio (one packet per 20 ms, with
 * the audio-level extension) and VP8-shaped video (real VP8 payload descriptors with a 15-bit
 * picture id and TL0PICIDX, keyframes on request). Every payload carries a small stamp — send time,
 * source SSRC, original sequence number — followed by bytes derived from it, so a receiver checks
 * that every byte arrived intact and measures latency. Not thread-safe: one per stream.
 */
public final class SyntheticMedia {
  /** Bytes of the stamp at the start of the synthetic part of a payload. */
  public static final int STAMP_LENGTH = 16;

  private static final int VP8_DESCRIPTOR_LENGTH = 5;

  private final long ssrc;
  private final int payloadType;
  private final boolean video;
  private final int clockRate;
  private final RtpHeaderWriter writer = new RtpHeaderWriter();
  private int sequenceNumber;
  private long timestamp;
  private int pictureId;
  private int tl0PicIdx;
  private int transportSequence;
  private int midId;
  private String mid;
  private int ridId;
  private String rid;

  /** The last audio frame's payload, sent again in the next redundant-audio packet. */
  private byte[] previousAudioFrame;

  private SyntheticMedia(long ssrc, int payloadType, boolean video) {
    this.ssrc = ssrc;
    this.payloadType = payloadType;
    this.video = video;
    this.clockRate = video ? 90000 : 48000;
    this.sequenceNumber = (int) (ssrc & 0x7FFF);
    this.timestamp = ssrc * 7 & 0xFFFFFFFL;
    this.pictureId = (int) (ssrc & 0x3FFF);
  }

  public static SyntheticMedia audio(long ssrc, int payloadType) {
    return new SyntheticMedia(ssrc, payloadType, false);
  }

  public static SyntheticMedia video(long ssrc, int payloadType) {
    return new SyntheticMedia(ssrc, payloadType, true);
  }

  /**
   * Puts the mid and rid header extensions on every packet, as browsers do for simulcast layers
   * whose SSRCs the SDP does not announce.
   */
  public SyntheticMedia withMidAndRid(int midId, String mid, int ridId, String rid) {
    this.midId = midId;
    this.mid = mid;
    this.ridId = ridId;
    this.rid = rid;
    return this;
  }

  private void identify() {
    if (midId != 0) {
      writer.addExtensionAscii(midId, mid);
    }
    if (ridId != 0 && rid != null) {
      writer.addExtensionAscii(ridId, rid);
    }
  }

  public long ssrc() {
    return ssrc;
  }

  /** The sequence number the next packet gets. */
  public int nextSequenceNumber() {
    return sequenceNumber;
  }

  /**
   * One audio packet (20 ms).
   *
   * @param audioLevelId ssrc-audio-level extension id, or 0
   * @param level 0 (loud) .. 127 (silence)
   * @param transportCcId transport-wide-cc extension id, or 0
   */
  public ByteBuf audioPacket(
      ByteBufAllocator alloc, int payloadSize, int audioLevelId, int level, int transportCcId) {
    ByteBuf out = alloc.heapBuffer(64 + payloadSize + 64);
    audioHeader(out, payloadType, audioLevelId, level, transportCcId);
    writePayload(out, payloadSize);
    nextAudioFrame();
    return out;
  }

  /**
   * One audio packet as redundant audio (RFC 2198), as Chromium sends it once asked to: under
   * {@code redPayloadType}, the previous frame again as a redundant block (from the second packet
   * on), then this one, each block an Opus-shaped payload under this stream's payload type.
   */
  public ByteBuf redAudioPacket(
      ByteBufAllocator alloc,
      int payloadSize,
      int audioLevelId,
      int level,
      int transportCcId,
      int redPayloadType) {
    byte[] previous = previousAudioFrame;
    ByteBuf out = alloc.heapBuffer(64 + payloadSize * 2 + 64);
    audioHeader(out, redPayloadType, audioLevelId, level, transportCcId);
    if (previous != null) {
      out.writeByte(0x80 | payloadType);
      out.writeShort(((clockRate / 50) << 2) | (previous.length >> 8));
      out.writeByte(previous.length & 0xFF);
    }
    out.writeByte(payloadType);
    if (previous != null) {
      out.writeBytes(previous);
    }
    int frame = out.writerIndex();
    writePayload(out, payloadSize);
    previousAudioFrame = new byte[payloadSize];
    out.getBytes(frame, previousAudioFrame);
    nextAudioFrame();
    return out;
  }

  private void audioHeader(ByteBuf out, int type, int audioLevelId, int level, int transportCcId) {
    writer.begin(out, false, type, sequenceNumber, timestamp, ssrc);
    identify();
    if (audioLevelId != 0) {
      writer.addExtension8(audioLevelId, 0x80 | (level & 0x7F));
    }
    if (transportCcId != 0) {
      writer.addExtension16(transportCcId, nextTransport());
    }
    writer.finish();
  }

  private void nextAudioFrame() {
    sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    timestamp = (timestamp + clockRate / 50) & 0xFFFFFFFFL;
  }

  /**
   * The packets of one video frame, each at most {@code packetSize} payload bytes.
   *
   * @param frameBytes the frame's size (e.g. bitrate / 8 / fps)
   * @param keyframe whether the frame is a keyframe
   * @param frameIntervalTicks 90 kHz ticks since the previous frame
   */
  public ByteBuf[] videoFrame(
      ByteBufAllocator alloc,
      int frameBytes,
      int packetSize,
      boolean keyframe,
      int frameIntervalTicks,
      int transportCcId) {
    int perPacket = packetSize - VP8_DESCRIPTOR_LENGTH - 1;
    int count = Math.max(1, (frameBytes + perPacket - 1) / perPacket);
    ByteBuf[] packets = new ByteBuf[count];
    if (keyframe) {
      tl0PicIdx = (tl0PicIdx + 1) & 0xFF;
    }
    for (int i = 0; i < count; i++) {
      int size = Math.min(perPacket, frameBytes - i * perPacket);
      size = Math.max(size, STAMP_LENGTH + 1);
      ByteBuf out = alloc.heapBuffer(64 + VP8_DESCRIPTOR_LENGTH + 1 + size + 64);
      writer.begin(out, i == count - 1, payloadType, sequenceNumber, timestamp, ssrc);
      identify();
      if (transportCcId != 0) {
        writer.addExtension16(transportCcId, nextTransport());
      }
      writer.finish();
      // RFC 7741: X=1, S on the first packet, partition 0; I=1 (15-bit picture id), L=1.
      out.writeByte(0x80 | (i == 0 ? 0x10 : 0));
      out.writeByte(0xC0);
      out.writeShort(0x8000 | pictureId);
      out.writeByte(tl0PicIdx);
      // VP8 payload header's first byte: P bit 0 = keyframe (only meaningful on the first packet).
      out.writeByte(keyframe ? 0x10 : 0x11);
      writePayload(out, size);
      packets[i] = out;
      sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    }
    pictureId = (pictureId + 1) & 0x7FFF;
    timestamp = (timestamp + frameIntervalTicks) & 0xFFFFFFFFL;
    return packets;
  }

  /**
   * A padding-only packet (RFC 3550 §5.1) in this stream, as a browser sends to probe its uplink:
   * the next sequence number, no payload, {@code size} bytes of padding (1..255).
   */
  public ByteBuf paddingPacket(ByteBufAllocator alloc, int size, int transportCcId) {
    ByteBuf out = alloc.heapBuffer(64 + size);
    int start = out.writerIndex();
    writer.begin(out, false, payloadType, sequenceNumber, timestamp, ssrc);
    identify();
    if (transportCcId != 0) {
      writer.addExtension16(transportCcId, nextTransport());
    }
    writer.finish();
    out.setByte(start, out.getByte(start) | 0x20); // P: the payload is all padding
    out.writeZero(size - 1);
    out.writeByte(size);
    sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    return out;
  }

  private int nextTransport() {
    int seq = transportSequence;
    transportSequence = (transportSequence + 1) & 0xFFFF;
    return seq;
  }

  private void writePayload(ByteBuf out, int size) {
    out.writeLong(System.nanoTime());
    out.writeInt((int) ssrc);
    out.writeShort(sequenceNumber);
    out.writeShort(size);
    int seed = seed((int) ssrc, sequenceNumber);
    for (int i = STAMP_LENGTH; i < size; i++) {
      out.writeByte(seed + i);
    }
  }

  private static int seed(int ssrc, int seq) {
    return ssrc * 31 + seq * 7;
  }

  /** The send time ({@link System#nanoTime()}) stamped at {@code offset}, the synthetic part. */
  public static long sentNanos(ByteBuf buf, int offset) {
    return buf.getLong(offset);
  }

  /** The source SSRC stamped in the payload. */
  public static long sourceSsrc(ByteBuf buf, int offset) {
    return buf.getUnsignedInt(offset + 8);
  }

  /** The sequence number the packet had when the publisher sent it. */
  public static int sourceSequence(ByteBuf buf, int offset) {
    return buf.getUnsignedShort(offset + 12);
  }

  /**
   * Whether the synthetic part starting at {@code offset} (with {@code length} bytes up to the end
   * of the payload) is intact.
   */
  public static boolean verify(ByteBuf buf, int offset, int length) {
    if (length < STAMP_LENGTH) {
      return false;
    }
    int size = buf.getUnsignedShort(offset + 14);
    if (size != length) {
      return false;
    }
    int seed = seed(buf.getInt(offset + 8), buf.getUnsignedShort(offset + 12));
    for (int i = STAMP_LENGTH; i < size; i++) {
      if (buf.getByte(offset + i) != (byte) (seed + i)) {
        return false;
      }
    }
    return true;
  }

  /** Where the synthetic part of a video payload starts: after the descriptor and VP8 header. */
  public static int videoStampOffset(int payloadOffset) {
    return payloadOffset + VP8_DESCRIPTOR_LENGTH + 1;
  }
}
