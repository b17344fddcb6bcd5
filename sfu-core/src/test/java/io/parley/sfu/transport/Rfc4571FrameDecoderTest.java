package io.parley.sfu.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** RFC 4571 frames cut from a byte stream however it arrives; a frame too long ends it. */
class Rfc4571FrameDecoderTest {
  private final DropCounters drops = new DropCounters();
  private final EmbeddedChannel channel =
      new EmbeddedChannel(new Rfc4571FrameDecoder(TcpTransport.MAX_FRAME_BYTES, drops));

  private static ByteBuf bytes(int... values) {
    ByteBuf buf = Unpooled.buffer(values.length);
    for (int v : values) {
      buf.writeByte(v);
    }
    return buf;
  }

  private void assertFrame(int... expected) {
    ByteBuf frame = channel.readInbound();
    try {
      assertThat(frame).isNotNull();
      byte[] actual = new byte[frame.readableBytes()];
      frame.readBytes(actual);
      assertThat(actual).containsExactly(bytes(expected).array());
    } finally {
      frame.release();
    }
  }

  @Test
  void framesSplitAnywhereAndSeveralInOneReadComeOutWhole() {
    // Two frames (3 bytes, then 1 byte) and the first byte of a third, cut in odd places.
    assertThat(channel.writeInbound(bytes(0))).isFalse();
    assertThat(channel.writeInbound(bytes(3, 0x80, 0x01))).isFalse();
    assertThat(channel.writeInbound(bytes(0x02, 0, 1, 0x16, 0))).isTrue();
    assertFrame(0x80, 0x01, 0x02);
    assertFrame(0x16);
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(channel.writeInbound(bytes(2, 0x00, 0x01))).isTrue();
    assertFrame(0x00, 0x01);
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void anEmptyFrameIsPassedOnForTheReceiverToCount() {
    assertThat(channel.writeInbound(bytes(0, 0))).isTrue();
    ByteBuf frame = channel.readInbound();
    assertThat(frame.readableBytes()).isZero();
    frame.release();
    channel.finishAndReleaseAll();
  }

  @Test
  void aLengthOverTheLimitClosesTheConnectionAndIsCounted() {
    int tooLong = TcpTransport.MAX_FRAME_BYTES + 1;
    channel.writeInbound(bytes(tooLong >> 8, tooLong & 0xFF, 1, 2, 3));
    assertThat(channel.isOpen()).isFalse();
    assertThat(drops.get(DropReason.TCP_FRAME_TOO_LONG)).isEqualTo(1);
    assertThat((Object) channel.readInbound()).isNull();
    channel.finishAndReleaseAll();
  }
}
