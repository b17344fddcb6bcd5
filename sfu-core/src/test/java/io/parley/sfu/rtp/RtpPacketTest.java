package io.parley.sfu.rtp;

import static io.parley.sfu.rtp.Bytes.buf;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RtpPacketTest {
  private final RtpPacket packet = new RtpPacket();

  /**
   * A VP8 packet as Chromium sends it: PT 96, one-byte extensions abs-send-time (id 2),
   * transport-wide-cc (id 4) and mid (id 9).
   */
  private static final String CHROMIUM =
      "90 60 1234" // V=2 X=1 CC=0, M=0 PT=96, seq 0x1234
          + "AABBCCDD" // timestamp
          + "11223344" // SSRC
          + "BEDE 0003" // one-byte profile, 3 words follow
          + "22 0A1B2C" // id 2, len 3: abs-send-time
          + "41 0102" // id 4, len 2: transport-cc seq 258
          + "90 30" // id 9, len 1: mid "0"
          + "000000" // padding to a word
          + "9010DEADBEEF"; // payload: a VP8 descriptor and bytes

  @Test
  void parsesChromiumHeader() {
    ByteBuf b = buf(CHROMIUM);
    try {
      assertThat(packet.parse(b)).isTrue();
      assertThat(packet.marker()).isFalse();
      assertThat(packet.payloadType()).isEqualTo(96);
      assertThat(packet.sequenceNumber()).isEqualTo(0x1234);
      assertThat(packet.timestamp()).isEqualTo(0xAABBCCDDL);
      assertThat(packet.ssrc()).isEqualTo(0x11223344L);
      assertThat(packet.headerLength()).isEqualTo(28);
      assertThat(packet.payloadOffset()).isEqualTo(28);
      assertThat(packet.payloadLength()).isEqualTo(6);
      assertThat(packet.paddingLength()).isZero();
      assertThat(packet.extensionCount()).isEqualTo(3);
      assertThat(packet.extensionOffset(2)).isEqualTo(17);
      assertThat(packet.extensionLength(2)).isEqualTo(3);
      assertThat(packet.transportCcSequence(4)).isEqualTo(258);
      assertThat(packet.extensionString(9)).isEqualTo("0");
      assertThat(packet.extensionOffset(5)).isEqualTo(-1);
      assertThat(packet.extensionLength(5)).isEqualTo(-1);
      assertThat(packet.extensionString(5)).isNull();
      assertThat(packet.transportCcSequence(5)).isEqualTo(-1);
      assertThat(packet.audioLevel(4)).isEqualTo(0x01); // any 1+ byte element reads
      assertThat(packet.audioLevel(0)).isEqualTo(-1);
      assertThat(b.readerIndex()).isZero();
    } finally {
      b.release();
    }
  }

  @Test
  void parsesCsrcsTwoByteExtensionsAndPadding() {
    ByteBuf b =
        buf(
            "B2 E3 FFFF 00000001 00000002" // V=2 P=1 X=1 CC=2, M=1 PT=99
                + "0A0A0A0A 0B0B0B0B" // two CSRCs
                + "1000 0003" // two-byte profile, 3 words
                + "01 00" // id 1, zero-length
                + "00" // padding byte
                + "0C 03 616263" // id 12, "abc"
                + "1F 01 D5" // id 31, audio level: V=1, level 0x55
                + "00" // padding to a word
                + "CAFE" // payload
                + "000003"); // 3 bytes of RTP padding
    try {
      assertThat(packet.parse(b)).isTrue();
      assertThat(packet.marker()).isTrue();
      assertThat(packet.payloadType()).isEqualTo(99);
      assertThat(packet.sequenceNumber()).isEqualTo(0xFFFF);
      assertThat(packet.csrcCount()).isEqualTo(2);
      assertThat(packet.headerLength()).isEqualTo(12 + 8 + 4 + 12);
      assertThat(packet.paddingLength()).isEqualTo(3);
      assertThat(packet.payloadLength()).isEqualTo(2);
      assertThat(b.getUnsignedShort(packet.payloadOffset())).isEqualTo(0xCAFE);
      assertThat(packet.extensionLength(1)).isZero();
      assertThat(packet.extensionString(12)).isEqualTo("abc");
      assertThat(packet.audioLevel(31)).isEqualTo(0x55);
      assertThat(packet.voiceActivity(31)).isTrue();
      assertThat(packet.voiceActivity(12)).isFalse();
    } finally {
      b.release();
    }
  }

  @Test
  void oneByteStopsAtId15AndSkipsPaddingBytes() {
    ByteBuf b = buf("9000 0001 00000000 00000001 BEDE 0002 00 10AA F0 31 00 0000");
    try {
      assertThat(packet.parse(b)).isTrue();
      assertThat(packet.extensionCount()).isEqualTo(1);
      assertThat(packet.audioLevel(1)).isEqualTo(0x2A);
      assertThat(packet.extensionOffset(3)).isEqualTo(-1);
    } finally {
      b.release();
    }
  }

  @Test
  void mutatorsRewriteInPlace() {
    ByteBuf b = buf(CHROMIUM);
    try {
      assertThat(packet.parse(b)).isTrue();
      packet.setSequenceNumber(0x10001);
      packet.setTimestamp(0x1_0000_0005L);
      packet.setSsrc(0xFEDCBA98L);
      packet.setMarker(true);
      packet.setPayloadType(100);
      assertThat(packet.setTransportCcSequence(4, 777)).isTrue();
      assertThat(packet.setTransportCcSequence(9, 777)).isFalse();
      assertThat(packet.parse(b)).isTrue();
      assertThat(packet.sequenceNumber()).isEqualTo(1);
      assertThat(packet.timestamp()).isEqualTo(5);
      assertThat(packet.ssrc()).isEqualTo(0xFEDCBA98L);
      assertThat(packet.marker()).isTrue();
      assertThat(packet.payloadType()).isEqualTo(100);
      assertThat(packet.transportCcSequence(4)).isEqualTo(777);
      packet.setMarker(false);
      assertThat(packet.marker()).isFalse();
      assertThat(packet.payloadType()).isEqualTo(100);
    } finally {
      b.release();
    }
  }

  @Test
  void rejectsBadInput() {
    String[] bad = {
      "", // empty
      "9060 1234 AABBCCDD 112233", // 11 bytes
      "4060 1234 AABBCCDD 11223344", // version 1
      "C060 1234 AABBCCDD 11223344", // version 3
      "8F60 1234 AABBCCDD 11223344 00000000", // 15 CSRCs, one present
      "9060 1234 AABBCCDD 11223344 BEDE", // extension header cut
      "9060 1234 AABBCCDD 11223344 BEDE FFFF 00000000", // extension length lies
      "A060 1234 AABBCCDD 11223344 0000 00", // padding count 0
      "A060 1234 AABBCCDD 11223344 C8", // padding 200 > packet
      "B060 1234 AABBCCDD 11223344 BEDE 0001 10AA0000 02", // padding eats the header
    };
    for (String hex : bad) {
      ByteBuf b = buf(hex);
      try {
        assertThat(packet.parse(b)).as(hex).isFalse();
      } finally {
        b.release();
      }
    }
  }

  @Test
  void everyTruncationOfChromiumHeaderFailsOrStaysInside() {
    ByteBuf full = buf(CHROMIUM);
    try {
      for (int len = 0; len < full.readableBytes(); len++) {
        ByteBuf cut = full.slice(0, len);
        boolean ok = packet.parse(cut);
        assertThat(ok).as("length %d", len).isEqualTo(len >= 28);
        if (ok) {
          assertThat(packet.payloadOffset() + packet.payloadLength()).isLessThanOrEqualTo(len);
        }
      }
    } finally {
      full.release();
    }
  }

  @Test
  void parsesAtNonZeroReaderIndex() {
    ByteBuf b = Unpooled.buffer();
    try {
      b.writeBytes(Bytes.hex("FFFFFF"));
      b.writeBytes(Bytes.hex(CHROMIUM));
      b.readerIndex(3);
      assertThat(packet.parse(b)).isTrue();
      assertThat(packet.offset()).isEqualTo(3);
      assertThat(packet.transportCcSequence(4)).isEqualTo(258);
      assertThat(packet.payloadOffset()).isEqualTo(31);
    } finally {
      b.release();
    }
  }

  @Test
  void packetKindDemultiplexes() {
    assertThat(PacketKind.isStun(0)).isTrue();
    assertThat(PacketKind.isStun(3)).isTrue();
    assertThat(PacketKind.isStun(4)).isFalse();
    assertThat(PacketKind.isDtls(20)).isTrue();
    assertThat(PacketKind.isDtls(63)).isTrue();
    assertThat(PacketKind.isDtls(64)).isFalse();
    assertThat(PacketKind.isRtpOrRtcp(128)).isTrue();
    assertThat(PacketKind.isRtpOrRtcp(191)).isTrue();
    assertThat(PacketKind.isRtpOrRtcp(192)).isFalse();
    ByteBuf rtp = buf(CHROMIUM);
    ByteBuf rtcp = buf("81CD0002 00000001 00000002");
    ByteBuf rtpMarker = buf("80E0 0001"); // M=1, PT 96: byte 224, still RTP
    ByteBuf tiny = buf("81");
    try {
      assertThat(PacketKind.isRtcp(rtp)).isFalse();
      assertThat(PacketKind.isRtcp(rtcp)).isTrue();
      assertThat(PacketKind.isRtcp(rtpMarker)).isFalse();
      assertThat(PacketKind.isRtcp(tiny)).isFalse();
    } finally {
      rtp.release();
      rtcp.release();
      rtpMarker.release();
      tiny.release();
    }
  }
}
