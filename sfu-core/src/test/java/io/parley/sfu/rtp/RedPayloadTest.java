package io.parley.sfu.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RedPayloadTest {
  /** Two redundant blocks (3 and 2 bytes) of payload type 111, then a primary of 4 bytes. */
  private static ByteBuf twoRedundantBlocks() {
    ByteBuf b = Unpooled.buffer();
    b.writeByte(0x80 | 111).writeShort((1920 << 2) | 0).writeByte(3);
    b.writeByte(0x80 | 111).writeShort((960 << 2) | 0).writeByte(2);
    b.writeByte(111);
    b.writeBytes(new byte[] {1, 1, 1, 2, 2, 3, 3, 3, 3});
    return b;
  }

  @Test
  void findsThePrimaryBlockAfterTheRedundantOnes() {
    ByteBuf b = twoRedundantBlocks();
    int primary = RedPayload.primaryOffset(b, 0, b.readableBytes());
    assertThat(primary).isEqualTo(9 + 5);
    assertThat(b.getByte(primary)).isEqualTo((byte) 3);
    assertThat(b.readableBytes() - primary).isEqualTo(4);
    assertThat(RedPayload.primaryPayloadType(b, 0, b.readableBytes())).isEqualTo(111);
  }

  @Test
  void aPrimaryAloneIsOneHeaderByte() {
    ByteBuf b = Unpooled.wrappedBuffer(new byte[] {111, 7, 7});
    assertThat(RedPayload.primaryOffset(b, 0, 3)).isEqualTo(1);
    ByteBuf empty = Unpooled.wrappedBuffer(new byte[] {111});
    assertThat(RedPayload.primaryOffset(empty, 0, 1)).as("an empty primary").isEqualTo(1);
  }

  @Test
  void refusesPayloadsThatRunPastTheirEnd() {
    ByteBuf b = twoRedundantBlocks();
    int length = b.readableBytes();
    assertThat(RedPayload.primaryOffset(b, 0, 0)).as("empty").isEqualTo(-1);
    assertThat(RedPayload.primaryOffset(b, 0, 6)).as("cut inside the second header").isEqualTo(-1);
    assertThat(RedPayload.primaryOffset(b, 0, 8)).as("no primary header").isEqualTo(-1);
    // A block length larger than what follows.
    b.setByte(3, 0xFF);
    assertThat(RedPayload.primaryOffset(b, 0, length)).isEqualTo(-1);
    assertThat(RedPayload.primaryPayloadType(b, 0, length)).isEqualTo(-1);
    // Only F bits: every header says another follows.
    ByteBuf allF = Unpooled.wrappedBuffer(new byte[] {(byte) 0xEF, 0, 0, 0, (byte) 0xEF, 0, 0, 0});
    assertThat(RedPayload.primaryOffset(allF, 0, 8)).isEqualTo(-1);
  }

  @Test
  void readsWithinTheGivenRangeOnly() {
    ByteBuf b = Unpooled.buffer();
    b.writeBytes(new byte[] {9, 9});
    b.writeBytes(twoRedundantBlocks());
    assertThat(RedPayload.primaryOffset(b, 2, b.readableBytes() - 2)).isEqualTo(2 + 14);
  }

  @Test
  void rewritesTheBlocksPayloadTypesKeepingTheRest() {
    ByteBuf b = twoRedundantBlocks();
    ByteBuf before = b.copy();
    RedPayload.rewriteBlockTypes(b, 0, 111, 109);
    assertThat((int) b.getUnsignedByte(0)).isEqualTo(0x80 | 109);
    assertThat((int) b.getUnsignedByte(4)).isEqualTo(0x80 | 109);
    assertThat((int) b.getUnsignedByte(8)).isEqualTo(109);
    for (int i : new int[] {1, 2, 3, 5, 6, 7}) {
      assertThat(b.getByte(i)).as("byte %d (offset, length)", i).isEqualTo(before.getByte(i));
    }
    assertThat(b.slice(9, 9)).isEqualTo(before.slice(9, 9));
    assertThat(RedPayload.primaryOffset(b, 0, b.readableBytes())).isEqualTo(14);
  }

  @Test
  void randomBytesNeverReadOutsideTheirRange() {
    java.util.Random random = new java.util.Random(2198);
    for (int i = 0; i < 100_000; i++) {
      byte[] bytes = new byte[random.nextInt(40)];
      random.nextBytes(bytes);
      if (bytes.length > 0 && random.nextBoolean()) {
        bytes[0] |= (byte) 0x80; // more headers than data, often
      }
      // Guard bytes either side: reading them would show as a result outside the range.
      ByteBuf b = Unpooled.buffer(bytes.length + 8);
      b.writeInt(0xFFFFFFFF).writeBytes(bytes).writeInt(0xFFFFFFFF);
      int primary = RedPayload.primaryOffset(b, 4, bytes.length);
      if (primary >= 0) {
        assertThat(primary).isBetween(5, 4 + bytes.length);
        assertThat(RedPayload.primaryPayloadType(b, 4, bytes.length)).isBetween(0, 127);
        RedPayload.rewriteBlockTypes(b, 4, 111, 109);
        assertThat(RedPayload.primaryOffset(b, 4, bytes.length)).isEqualTo(primary);
      } else {
        assertThat(primary).isEqualTo(-1);
      }
      assertThat(b.getInt(0)).isEqualTo(0xFFFFFFFF);
      assertThat(b.getInt(4 + bytes.length)).isEqualTo(0xFFFFFFFF);
    }
  }
}
