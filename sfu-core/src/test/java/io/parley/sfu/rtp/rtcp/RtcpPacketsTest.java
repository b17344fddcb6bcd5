package io.parley.sfu.rtp.rtcp;

import static io.parley.sfu.rtp.Bytes.buf;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RtcpPacketsTest {
  private final ByteBuf out = Unpooled.buffer();
  private final RtcpCompound compound = new RtcpCompound();

  @AfterEach
  void release() {
    out.release();
  }

  /** Iterates {@code b} and expects exactly one well-formed block. */
  private RtcpCompound single(ByteBuf b) {
    compound.reset(b);
    assertThat(compound.next()).isTrue();
    assertThat(compound.offset()).isEqualTo(b.readerIndex());
    assertThat(compound.length()).isEqualTo(b.readableBytes());
    return compound;
  }

  private void end() {
    assertThat(compound.next()).isFalse();
    assertThat(compound.isMalformed()).isFalse();
  }

  @Test
  void extendedReportsCarryTheReferenceTimeAndItsEcho() {
    ByteBuf rrtr = Unpooled.buffer();
    RtcpXr.writeReceiverReferenceTime(rrtr, 0x11223344L, 0x0102030405060708L);
    // RFC 3611: header (count 0, PT 207, length 4 words), sender SSRC, BT 4, reserved, length 2.
    assertThat(rrtr.readableBytes()).isEqualTo(20);
    assertThat(RtcpXr.isValid(rrtr, 0, 20)).isTrue();
    assertThat(rrtr.getUnsignedShort(2)).isEqualTo(4);
    assertThat(rrtr.getUnsignedByte(8)).isEqualTo((short) 4);
    assertThat(rrtr.getUnsignedShort(10)).isEqualTo(2);
    assertThat(rrtr.getLong(12)).isEqualTo(0x0102030405060708L);

    // A browser's answer: an XR whose first block is of an unknown type, then a DLRR block.
    ByteBuf answer = Unpooled.buffer();
    RtcpXr.writeDlrr(answer, 0xAABBCCDDL, 0x11223344L, 0x03040506L, 0x8000);
    int length = answer.readableBytes();
    assertThat(length).isEqualTo(24);
    ByteBuf xr = Unpooled.buffer();
    Rtcp.writeHeader(xr, 0, Rtcp.PT_XR, length + 8);
    xr.writeInt(0xAABBCCDD);
    xr.writeByte(42).writeByte(0).writeShort(1).writeInt(7); // a block to skip
    xr.writeBytes(answer, 8, length - 8);
    List<long[]> seen = new ArrayList<>();
    RtcpXr.forEachDlrr(
        xr, 0, xr.readableBytes(), (s, lrr, dlrr) -> seen.add(new long[] {s, lrr, dlrr}));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0)).containsExactly(0x11223344L, 0x03040506L, 0x8000L);

    // A block longer than the packet ends the walk.
    xr.setShort(10, 200);
    seen.clear();
    RtcpXr.forEachDlrr(xr, 0, xr.readableBytes(), (s, lrr, dlrr) -> seen.add(new long[] {s}));
    assertThat(seen).isEmpty();
  }

  @Test
  void senderReportRoundTrip() {
    ReportBlock block = new ReportBlock(0xCAFEBABEL, 25, -3, 0x0001_FFF0L, 90, 0x1234_5678L, 65536);
    RtcpSenderReport.write(
        out, 0xFFFF_FFFFL, 0xE000_0000_8000_0000L, 0x8000_0001L, 1000, 1_000_000, block);
    RtcpCompound c = single(out);
    int o = c.offset();
    assertThat(c.packetType()).isEqualTo(Rtcp.PT_SR);
    assertThat(RtcpSenderReport.isValid(out, o, c.contentLength())).isTrue();
    assertThat(RtcpSenderReport.senderSsrc(out, o)).isEqualTo(0xFFFF_FFFFL);
    assertThat(RtcpSenderReport.ntpTimestamp(out, o)).isEqualTo(0xE000_0000_8000_0000L);
    assertThat(RtcpSenderReport.rtpTimestamp(out, o)).isEqualTo(0x8000_0001L);
    assertThat(RtcpSenderReport.packetCount(out, o)).isEqualTo(1000);
    assertThat(RtcpSenderReport.octetCount(out, o)).isEqualTo(1_000_000);
    assertThat(RtcpSenderReport.reportCount(out, o)).isEqualTo(1);
    int b = RtcpSenderReport.reportBlockOffset(o, 0);
    assertThat(ReportBlock.read(out, b)).isEqualTo(block);
    assertThat(ReportBlock.cumulativeLost(out, b)).isEqualTo(-3);
    end();
  }

  @Test
  void receiverReportRoundTrip() {
    ReportBlock a = new ReportBlock(1, 255, 0x7FFFFF, 5, 6, 7, 8);
    ReportBlock b = new ReportBlock(2, 0, -0x800000, 0xFFFF_FFFFL, 0, 0, 0);
    RtcpReceiverReport.write(out, 99, a, b);
    RtcpCompound c = single(out);
    int o = c.offset();
    assertThat(RtcpReceiverReport.isValid(out, o, c.contentLength())).isTrue();
    assertThat(RtcpReceiverReport.senderSsrc(out, o)).isEqualTo(99);
    assertThat(RtcpReceiverReport.reportCount(out, o)).isEqualTo(2);
    assertThat(ReportBlock.read(out, RtcpReceiverReport.reportBlockOffset(o, 0))).isEqualTo(a);
    assertThat(ReportBlock.read(out, RtcpReceiverReport.reportBlockOffset(o, 1))).isEqualTo(b);
    assertThat(RtcpSenderReport.isValid(out, o, c.contentLength())).isFalse();
    // An RR claiming 2 blocks with room for one is invalid.
    assertThat(RtcpReceiverReport.isValid(out, o, 8 + 24)).isFalse();
  }

  @Test
  void emptyReceiverReportIsEightBytes() {
    RtcpReceiverReport.write(out, 1);
    assertThat(out.readableBytes()).isEqualTo(8);
    RtcpCompound c = single(out);
    assertThat(RtcpReceiverReport.isValid(out, c.offset(), c.length())).isTrue();
  }

  @Test
  void sdesAndByeRoundTrip() {
    RtcpSdes.writeCname(out, 0xABCD, "user@host"); // 9 bytes: chunk 4+2+9+1=16
    RtcpBye.write(out, 0xABCD, 0xEF01);
    compound.reset(out);
    assertThat(compound.next()).isTrue();
    assertThat(compound.length()).isEqualTo(20);
    assertThat(RtcpSdes.isValid(out, compound.offset(), compound.length())).isTrue();
    List<String> seen = new ArrayList<>();
    assertThat(
            RtcpSdes.readCnames(
                out, compound.offset(), compound.length(), (s, n) -> seen.add(s + "=" + n)))
        .isTrue();
    assertThat(seen).containsExactly((0xABCD) + "=user@host");
    assertThat(compound.next()).isTrue();
    int o = compound.offset();
    assertThat(RtcpBye.isValid(out, o, compound.length())).isTrue();
    assertThat(RtcpBye.ssrcCount(out, o)).isEqualTo(2);
    assertThat(RtcpBye.ssrc(out, o, 1)).isEqualTo(0xEF01);
    assertThat(RtcpBye.reason(out, o, compound.length())).isNull();
    end();
  }

  @Test
  void cnameOfEveryLengthPadsToAWord() {
    for (int n = 0; n < 12; n++) {
      out.clear();
      RtcpSdes.writeCname(out, 7, "x".repeat(n));
      assertThat(out.readableBytes() % 4).isZero();
      RtcpCompound c = single(out);
      List<String> seen = new ArrayList<>();
      assertThat(RtcpSdes.readCnames(out, c.offset(), c.length(), (s, cn) -> seen.add(cn)))
          .isTrue();
      assertThat(seen).containsExactly("x".repeat(n));
    }
  }

  @Test
  void byeWithReasonFromBytes() {
    // SC=1, length 2 words after the header: SSRC, then reason "bye"
    ByteBuf p = buf("81CB0002 00001234 03627965");
    try {
      assertThat(RtcpBye.isValid(p, 0, 12)).isTrue();
      assertThat(RtcpBye.reason(p, 0, 12)).isEqualTo("bye");
      assertThat(RtcpBye.isValid(p, 0, 10)).isFalse(); // reason cut
    } finally {
      p.release();
    }
  }

  @Test
  void nackFromBytes() {
    // RTPFB FMT 1, length 3: sender 1, media 2, PID 100, BLP 0x0005 -> 100, 101, 103
    ByteBuf b = buf("81CD0003 00000001 00000002 0064 0005");
    try {
      RtcpCompound c = single(b);
      int o = c.offset();
      assertThat(RtcpNack.isValid(b, o, c.length())).isTrue();
      assertThat(RtcpNack.senderSsrc(b, o)).isEqualTo(1);
      assertThat(RtcpNack.mediaSsrc(b, o)).isEqualTo(2);
      List<Integer> lost = new ArrayList<>();
      assertThat(RtcpNack.forEachLost(b, o, c.length(), lost::add)).isEqualTo(3);
      assertThat(lost).containsExactly(100, 101, 103);
    } finally {
      b.release();
    }
  }

  @Test
  void nackRoundTripAcrossWrapAndWideGaps() {
    int[] lost = {65530, 65535, 0, 9, 9, 10, 500, 516, 517};
    RtcpNack.write(out, 0x10, 0x20, lost);
    RtcpCompound c = single(out);
    // 65530 + [65535, 0, 9, 10] fit in its BLP; 500 + [516]; 517 alone.
    assertThat(RtcpNack.pairCount(c.length())).isEqualTo(3);
    assertThat(RtcpNack.pid(out, c.offset(), 0)).isEqualTo(65530);
    assertThat(RtcpNack.blp(out, c.offset(), 0))
        .isEqualTo((1 << 4) | (1 << 5) | (1 << 14) | (1 << 15));
    List<Integer> got = new ArrayList<>();
    RtcpNack.forEachLost(out, c.offset(), c.length(), got::add);
    assertThat(got).containsExactly(65530, 65535, 0, 9, 10, 500, 516, 517);
  }

  @Test
  void pliFromBytesAndRoundTrip() {
    ByteBuf b = buf("81CE0002 00000001 DEADBEEF");
    try {
      RtcpCompound c = single(b);
      assertThat(RtcpPli.isValid(b, c.offset(), c.length())).isTrue();
      assertThat(RtcpPli.mediaSsrc(b, c.offset())).isEqualTo(0xDEADBEEFL);
    } finally {
      b.release();
    }
    RtcpPli.write(out, 1, 0xDEADBEEFL);
    assertThat(io.netty.buffer.ByteBufUtil.hexDump(out)).isEqualTo("81ce000200000001deadbeef");
  }

  @Test
  void firRoundTrip() {
    RtcpFir.write(out, 5, 0x1234, 7);
    RtcpCompound c = single(out);
    int o = c.offset();
    assertThat(RtcpFir.isValid(out, o, c.length())).isTrue();
    assertThat(RtcpPli.isValid(out, o, c.length())).isFalse();
    assertThat(RtcpFir.senderSsrc(out, o)).isEqualTo(5);
    assertThat(RtcpFir.entryCount(c.length())).isEqualTo(1);
    assertThat(RtcpFir.entrySsrc(out, o, 0)).isEqualTo(0x1234);
    assertThat(RtcpFir.entrySequenceNumber(out, o, 0)).isEqualTo(7);
  }

  @Test
  void rembFromBytes() {
    // PSFB FMT 15, length 5: sender 1, media 0, "REMB", 1 SSRC, exp 3 mantissa 0x3FFFF
    ByteBuf b = buf("8FCE0005 00000001 00000000 52454D42 01 0FFFFF 12345678");
    try {
      RtcpCompound c = single(b);
      int o = c.offset();
      assertThat(RtcpRemb.isValid(b, o, c.length())).isTrue();
      assertThat(RtcpRemb.bitrate(b, o)).isEqualTo(0x3FFFFL << 3);
      assertThat(RtcpRemb.ssrcCount(b, o)).isEqualTo(1);
      assertThat(RtcpRemb.ssrc(b, o, 0)).isEqualTo(0x12345678L);
      // A REMB that claims more SSRCs than it carries.
      b.setByte(16, 2);
      assertThat(RtcpRemb.isValid(b, o, c.length())).isFalse();
    } finally {
      b.release();
    }
  }

  @Test
  void rembRoundTripRoundsDownToMantissa() {
    RtcpRemb.write(out, 9, 2_500_000, 11, 22);
    RtcpCompound c = single(out);
    int o = c.offset();
    assertThat(RtcpRemb.isValid(out, o, c.length())).isTrue();
    long bitrate = RtcpRemb.bitrate(out, o);
    assertThat(bitrate).isLessThanOrEqualTo(2_500_000).isGreaterThan(2_500_000 - 16);
    assertThat(RtcpRemb.ssrc(out, o, 1)).isEqualTo(22);
    out.clear();
    RtcpRemb.write(out, 9, 100_000);
    assertThat(RtcpRemb.bitrate(out, 0)).isEqualTo(100_000);
    out.setMedium(17, 0xFFFFFF); // exponent 63: saturates instead of overflowing
    assertThat(RtcpRemb.bitrate(out, 0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void compoundSenderReportAndSdesFromBytes() {
    ByteBuf b =
        buf(
            "80C80006 11223344" // SR, RC=0, length 6
                + "E1234567 89ABCDEF" // NTP
                + "00001000 0000000A 00000400" // RTP ts, 10 packets, 1024 octets
                + "81CA0003 11223344" // SDES, SC=1, length 3
                + "0104 61626364 0000"); // CNAME "abcd", end, pad
    try {
      compound.reset(b);
      assertThat(compound.next()).isTrue();
      assertThat(compound.packetType()).isEqualTo(Rtcp.PT_SR);
      assertThat(RtcpSenderReport.isValid(b, compound.offset(), compound.length())).isTrue();
      assertThat(RtcpSenderReport.ntpTimestamp(b, compound.offset()))
          .isEqualTo(0xE1234567_89ABCDEFL);
      assertThat(RtcpSenderReport.packetCount(b, compound.offset())).isEqualTo(10);
      assertThat(compound.next()).isTrue();
      assertThat(compound.packetType()).isEqualTo(Rtcp.PT_SDES);
      assertThat(compound.count()).isEqualTo(1);
      List<String> names = new ArrayList<>();
      assertThat(
              RtcpSdes.readCnames(b, compound.offset(), compound.length(), (s, n) -> names.add(n)))
          .isTrue();
      assertThat(names).containsExactly("abcd");
      end();
      assertThat(compound.blockCount()).isEqualTo(2);
    } finally {
      b.release();
    }
  }

  @Test
  void malformedCompoundsStopWithoutThrowing() {
    String[] bad = {
      "", // empty
      "80C9", // shorter than a header
      "80C90001 00000001 80C9", // second header cut
      "80C9FFFF 00000001", // length past the end
      "40C90001 00000001", // version 1
      "A0C90001 00000000", // padding count 0
      "A0C90001 00000009", // padding count bigger than the block
      "80C90001 00000001 00000000", // trailing bytes that are not a block
    };
    for (String hex : bad) {
      ByteBuf b = buf(hex);
      try {
        compound.reset(b);
        int guard = 0;
        while (compound.next()) {
          assertThat(++guard).isLessThan(10);
        }
        assertThat(compound.isMalformed()).as(hex).isTrue();
        assertThat(compound.next()).isFalse();
      } finally {
        b.release();
      }
    }
  }

  @Test
  void zeroLengthBlocksAlwaysAdvance() {
    // Four-byte blocks (length field 0) are well formed and each moves on by 4 bytes.
    ByteBuf b = buf("80C90000 80C90000 80C90000");
    try {
      compound.reset(b);
      int n = 0;
      while (compound.next()) {
        n++;
        assertThat(RtcpReceiverReport.isValid(b, compound.offset(), compound.length())).isFalse();
      }
      assertThat(n).isEqualTo(3);
      assertThat(compound.isMalformed()).isFalse();
    } finally {
      b.release();
    }
  }

  @Test
  void paddedBlockReportsContentLength() {
    ByteBuf b = buf("A1CD0004 00000001 00000002 0064 0000 00000004");
    try {
      RtcpCompound c = single(b);
      assertThat(c.paddingLength()).isEqualTo(4);
      assertThat(c.contentLength()).isEqualTo(16);
      List<Integer> lost = new ArrayList<>();
      RtcpNack.forEachLost(b, c.offset(), c.contentLength(), lost::add);
      assertThat(lost).containsExactly(100);
    } finally {
      b.release();
    }
  }

  @Test
  void typedReadersRejectOtherTypesAndShortBlocks() {
    ByteBuf b = buf("81CD0001 00000001");
    try {
      assertThat(RtcpNack.isValid(b, 0, 8)).isFalse();
      assertThat(RtcpPli.isValid(b, 0, 8)).isFalse();
      assertThat(RtcpRemb.isValid(b, 0, 8)).isFalse();
      assertThat(RtcpFir.isValid(b, 0, 8)).isFalse();
      assertThat(RtcpSenderReport.isValid(b, 0, 8)).isFalse();
      assertThat(RtcpSdes.isValid(b, 0, 8)).isFalse();
      assertThat(RtcpBye.isValid(b, 0, 8)).isFalse();
      assertThat(new TransportCcFeedback().parse(b, 0, 8)).isFalse();
    } finally {
      b.release();
    }
  }
}
