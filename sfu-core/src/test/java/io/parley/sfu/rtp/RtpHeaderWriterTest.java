package io.parley.sfu.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RtpHeaderWriterTest {
  private final RtpHeaderWriter writer = new RtpHeaderWriter();
  private final RtpPacket packet = new RtpPacket();

  @Test
  void writesHeaderWithExtensionsThatParsesBack() {
    ByteBuf out = Unpooled.buffer();
    try {
      out.writeByte(0x42); // something already in the buffer
      int headerLength =
          writer
              .begin(out, true, 96, 0xFFFF, 0xFFFF_FFFFL, 0x1234_5678L)
              .addExtension24(2, 0x0A1B2C)
              .addExtension16(4, 513)
              .addExtensionAscii(9, "1")
              .addExtension8(1, 0x80 | 30)
              .finish();
      assertThat(headerLength).isEqualTo(12 + 4 + 12);
      out.writeBytes(Bytes.hex("9010"));
      out.readerIndex(1);
      assertThat(packet.parse(out)).isTrue();
      assertThat(packet.marker()).isTrue();
      assertThat(packet.payloadType()).isEqualTo(96);
      assertThat(packet.sequenceNumber()).isEqualTo(0xFFFF);
      assertThat(packet.timestamp()).isEqualTo(0xFFFF_FFFFL);
      assertThat(packet.ssrc()).isEqualTo(0x1234_5678L);
      assertThat(packet.transportCcSequence(4)).isEqualTo(513);
      assertThat(packet.extensionString(9)).isEqualTo("1");
      assertThat(out.getMedium(packet.extensionOffset(2))).isEqualTo(0x0A1B2C);
      assertThat(packet.audioLevel(1)).isEqualTo(30);
      assertThat(packet.voiceActivity(1)).isTrue();
      assertThat(packet.payloadLength()).isEqualTo(2);
    } finally {
      out.release();
    }
  }

  @Test
  void dropsEmptyExtensionBlock() {
    ByteBuf out = Unpooled.buffer();
    try {
      assertThat(writer.begin(out, false, 111, 7, 960, 42).finish()).isEqualTo(12);
      assertThat(out.getByte(0) & 0xFF).isEqualTo(0x80);
      assertThat(packet.parse(out)).isTrue();
      assertThat(packet.hasExtension()).isFalse();
      assertThat(packet.payloadLength()).isZero();
    } finally {
      out.release();
    }
  }

  @Test
  void rejectsIdsOutsideOneByteForm() {
    ByteBuf out = Unpooled.buffer();
    try {
      writer.begin(out, false, 96, 1, 1, 1);
      assertThatThrownBy(() -> writer.addExtension8(15, 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> writer.addExtension(3, new byte[17]))
          .isInstanceOf(IllegalArgumentException.class);
      writer.finish();
    } finally {
      out.release();
    }
  }
}
