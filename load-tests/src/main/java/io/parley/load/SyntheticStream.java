package io.parley.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.parley.sfu.client.SyntheticMedia;
import io.parley.sfu.rtp.RtpHeaderWriter;

/**
 * The RTP packets of one outgoing SSRC of a synthetic participant: Opus-shaped audio (one packet
 * per 20 ms with the audio-level extension) or VP8-shaped video (RFC 7741 payload descriptor with a
 * 15-bit picture id and TL0PICIDX). Every packet carries the mid extension, simulcast layers also
 * their rid, and all carry a transport-wide sequence number. The payload after the codec headers is
 * {@link SyntheticMedia}'s stamp (send time, SSRC, sequence number, size) and bytes derived from
 * it, so receivers can check it with {@link SyntheticMedia#verify} and measure latency. Not
 * thread-safe: used on its participant's event loop.
 */
final class SyntheticStream {
  /** Header extension ids this tool offers (a server's answer must reuse them). */
  static final int EXT_AUDIO_LEVEL = 1;

  static final int EXT_TRANSPORT_CC = 3;
  static final int EXT_MID = 4;
  static final int EXT_RID = 10;
  static final int EXT_REPAIRED_RID = 11;

  static final int OPUS_PT = 111;
  static final int VP8_PT = 96;
  static final int VP8_HEADERS = 6; // descriptor (5) + the VP8 payload header's first byte

  private final long ssrc;
  private final boolean video;
  private final String mid;
  private final String rid;
  private final RtpHeaderWriter writer = new RtpHeaderWriter();
  private int sequenceNumber;
  private long timestamp;
  private int pictureId;
  private int tl0PicIdx;
  private long packets;
  private long octets;

  SyntheticStream(long ssrc, boolean video, String mid, String rid) {
    this.ssrc = ssrc;
    this.video = video;
    this.mid = mid;
    this.rid = rid;
    this.sequenceNumber = (int) (ssrc & 0x7FFF);
    this.timestamp = ssrc * 7 & 0xFFFFFFFL;
    this.pictureId = (int) (ssrc & 0x3FFF);
  }

  long ssrc() {
    return ssrc;
  }

  boolean video() {
    return video;
  }

  /** The RTP timestamp of the next packet (for sender reports). */
  long timestamp() {
    return timestamp;
  }

  /** Packets sent so far (for sender reports). */
  long packets() {
    return packets;
  }

  /** Payload bytes sent so far (for sender reports). */
  long octets() {
    return octets;
  }

  /** One 20 ms audio packet; {@code level} 0 (loud) .. 127 (silence). */
  ByteBuf audioPacket(ByteBufAllocator alloc, int payloadSize, int level, int transportSeq) {
    ByteBuf out = alloc.heapBuffer(64 + payloadSize + 64);
    writer.begin(out, false, OPUS_PT, sequenceNumber, timestamp, ssrc);
    writer.addExtension8(EXT_AUDIO_LEVEL, 0x80 | (level & 0x7F));
    writer.addExtension16(EXT_TRANSPORT_CC, transportSeq);
    writer.addExtensionAscii(EXT_MID, mid);
    writer.finish();
    writePayload(out, Math.max(payloadSize, SyntheticMedia.STAMP_LENGTH + 1));
    sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    timestamp = (timestamp + 960) & 0xFFFFFFFFL;
    return out;
  }

  /** Number of packets a frame of {@code frameBytes} takes at {@code packetSize} bytes each. */
  static int packetsFor(int frameBytes, int packetSize) {
    int perPacket = packetSize - VP8_HEADERS;
    return Math.max(1, (frameBytes + perPacket - 1) / perPacket);
  }

  /**
   * The packets of one video frame.
   *
   * @param transportSeq the transport-wide sequence number of the first packet; the next ones
   *     follow
   */
  ByteBuf[] videoFrame(
      ByteBufAllocator alloc,
      int frameBytes,
      int packetSize,
      boolean keyframe,
      int frameIntervalTicks,
      int transportSeq) {
    int perPacket = packetSize - VP8_HEADERS;
    int count = packetsFor(frameBytes, packetSize);
    ByteBuf[] packets = new ByteBuf[count];
    if (keyframe) {
      tl0PicIdx = (tl0PicIdx + 1) & 0xFF;
    }
    for (int i = 0; i < count; i++) {
      int size = Math.min(perPacket, frameBytes - i * perPacket);
      size = Math.max(size, SyntheticMedia.STAMP_LENGTH + 1);
      ByteBuf out = alloc.heapBuffer(64 + VP8_HEADERS + size + 64);
      writer.begin(out, i == count - 1, VP8_PT, sequenceNumber, timestamp, ssrc);
      writer.addExtension16(EXT_TRANSPORT_CC, (transportSeq + i) & 0xFFFF);
      writer.addExtensionAscii(EXT_MID, mid);
      if (rid != null) {
        writer.addExtensionAscii(EXT_RID, rid);
      }
      writer.finish();
      // RFC 7741: X=1, S on the first packet, partition 0; I=1 (15-bit picture id), L=1.
      out.writeByte(0x80 | (i == 0 ? 0x10 : 0));
      out.writeByte(0xC0);
      out.writeShort(0x8000 | pictureId);
      out.writeByte(tl0PicIdx);
      // VP8 payload header's first byte: P bit 0 = keyframe, show_frame set.
      out.writeByte(keyframe ? 0x10 : 0x11);
      writePayload(out, size);
      packets[i] = out;
      sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    }
    pictureId = (pictureId + 1) & 0x7FFF;
    timestamp = (timestamp + frameIntervalTicks) & 0xFFFFFFFFL;
    return packets;
  }

  /** The same layout as {@link SyntheticMedia}'s payloads, so its verify() applies. */
  private void writePayload(ByteBuf out, int size) {
    packets++;
    octets += size;
    out.writeLong(System.nanoTime());
    out.writeInt((int) ssrc);
    out.writeShort(sequenceNumber);
    out.writeShort(size);
    int seed = (int) ssrc * 31 + sequenceNumber * 7;
    for (int i = SyntheticMedia.STAMP_LENGTH; i < size; i++) {
      out.writeByte(seed + i);
    }
  }
}
