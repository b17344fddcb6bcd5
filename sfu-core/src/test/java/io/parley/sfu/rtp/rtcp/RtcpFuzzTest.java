package io.parley.sfu.rtp.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.Vp8Descriptor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random bytes, and valid packets with random bytes flipped, through every parser and
 * accessor: nothing may throw or loop.
 */
class RtcpFuzzTest {
  private final RtpPacket rtp = new RtpPacket();
  private final Vp8Descriptor vp8 = new Vp8Descriptor();
  private final RtcpCompound compound = new RtcpCompound();
  private final TransportCcFeedback tcc = new TransportCcFeedback();
  private long sink;

  @Test
  void parsersSurviveRandomInput() {
    Random random = new Random(20240607);
    ByteBuf seeds = seedPackets();
    byte[] seed = new byte[seeds.readableBytes()];
    seeds.getBytes(0, seed);
    seeds.release();
    ByteBuf b = Unpooled.buffer(2048);
    try {
      for (int iteration = 0; iteration < 100_000; iteration++) {
        b.clear();
        if (random.nextBoolean()) {
          int len = random.nextInt(96);
          for (int i = 0; i < len; i++) {
            b.writeByte(random.nextInt(256));
          }
          if (len > 0 && random.nextBoolean()) {
            b.setByte(0, 0x80 | (b.getByte(0) & 0x3F)); // version 2 more often
          }
        } else {
          int from = random.nextInt(seed.length);
          int len = random.nextInt(seed.length - from + 1);
          b.writeBytes(seed, from, len);
          if (len > 0 && random.nextInt(4) != 0) {
            b.setByte(0, 0x80 | (b.getByte(0) & 0x3F));
          }
          int flips = random.nextInt(4);
          for (int f = 0; f < flips && len > 0; f++) {
            b.setByte(random.nextInt(len), random.nextInt(256));
          }
        }
        exercise(b);
      }
    } finally {
      b.release();
    }
    assertThat(sink).isNotZero();
  }

  /** One of every packet type, back to back. */
  private static ByteBuf seedPackets() {
    ByteBuf s = Unpooled.buffer();
    RtcpSenderReport.write(s, 1, 2, 3, 4, 5, new ReportBlock(6, 7, 8, 9, 10, 11, 12));
    RtcpReceiverReport.write(s, 1, new ReportBlock(6, 7, 8, 9, 10, 11, 12));
    RtcpSdes.writeCname(s, 1, "fuzz");
    RtcpBye.write(s, 1, 2);
    RtcpNack.write(s, 1, 2, 3, 4, 40);
    RtcpPli.write(s, 1, 2);
    RtcpFir.write(s, 1, 2, 3);
    RtcpRemb.write(s, 1, 1_000_000, 2, 3);
    TransportCcFeedbackBuilder builder = new TransportCcFeedbackBuilder(1);
    for (int i = 0; i < 40; i++) {
      if (i % 5 != 0) {
        builder.onPacket(i, i * (i % 3 == 0 ? 100_000L : 1_000L));
      }
    }
    builder.build(s, 2);
    return s;
  }

  private void exercise(ByteBuf b) {
    if (rtp.parse(b)) {
      for (int id = 0; id < 16; id++) {
        sink += rtp.extensionOffset(id) + rtp.extensionLength(id) + rtp.transportCcSequence(id);
        sink += rtp.audioLevel(id) + (rtp.voiceActivity(id) ? 1 : 0);
        String s = rtp.extensionString(id);
        sink += s == null ? 0 : s.length();
      }
      sink += rtp.payloadLength() + rtp.sequenceNumber() + rtp.ssrc();
      if (vp8.parse(b, rtp.payloadOffset(), rtp.payloadLength())) {
        sink += vp8.pictureId() + vp8.tl0PicIdx() + vp8.temporalLayer();
      }
    }
    if (vp8.parse(b, b.readerIndex(), b.readableBytes())) {
      sink += vp8.descriptorLength() + (vp8.isKeyframe() ? 1 : 0);
    }
    compound.reset(b);
    int guard = 0;
    while (compound.next()) {
      assertThat(++guard).isLessThanOrEqualTo(b.readableBytes() / 4);
      readBlock(b, compound.offset(), compound.contentLength());
    }
    sink++;
  }

  private void readBlock(ByteBuf b, int o, int len) {
    if (RtcpSenderReport.isValid(b, o, len)) {
      sink += RtcpSenderReport.ntpTimestamp(b, o) + RtcpSenderReport.octetCount(b, o);
      for (int i = 0; i < RtcpSenderReport.reportCount(b, o); i++) {
        sink += ReportBlock.read(b, RtcpSenderReport.reportBlockOffset(o, i)).jitter();
      }
    }
    if (RtcpReceiverReport.isValid(b, o, len)) {
      for (int i = 0; i < RtcpReceiverReport.reportCount(b, o); i++) {
        sink += ReportBlock.cumulativeLost(b, RtcpReceiverReport.reportBlockOffset(o, i));
      }
    }
    if (RtcpSdes.isValid(b, o, len)) {
      RtcpSdes.readCnames(b, o, len, (ssrc, cname) -> sink += cname.length());
    }
    if (RtcpBye.isValid(b, o, len)) {
      for (int i = 0; i < RtcpBye.ssrcCount(b, o); i++) {
        sink += RtcpBye.ssrc(b, o, i);
      }
      String reason = RtcpBye.reason(b, o, len);
      sink += reason == null ? 0 : reason.length();
    }
    if (RtcpNack.isValid(b, o, len)) {
      sink += RtcpNack.forEachLost(b, o, len, seq -> sink += seq);
    }
    if (RtcpPli.isValid(b, o, len)) {
      sink += RtcpPli.mediaSsrc(b, o);
    }
    if (RtcpFir.isValid(b, o, len)) {
      for (int i = 0; i < RtcpFir.entryCount(len); i++) {
        sink += RtcpFir.entrySsrc(b, o, i) + RtcpFir.entrySequenceNumber(b, o, i);
      }
    }
    if (RtcpXr.isValid(b, o, len)) {
      RtcpXr.forEachDlrr(b, o, len, (ssrc, lrr, dlrr) -> sink += ssrc + lrr + dlrr);
    }
    if (RtcpRemb.isValid(b, o, len)) {
      sink += RtcpRemb.bitrate(b, o);
      for (int i = 0; i < RtcpRemb.ssrcCount(b, o); i++) {
        sink += RtcpRemb.ssrc(b, o, i);
      }
    }
    if (tcc.parse(b, o, len)) {
      for (int i = 0; i < tcc.packetStatusCount(); i++) {
        sink += tcc.receiveDelta(i) + tcc.sequenceNumber(i);
      }
    }
  }
}
