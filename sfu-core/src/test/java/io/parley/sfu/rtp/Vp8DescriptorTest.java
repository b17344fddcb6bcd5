package io.parley.sfu.rtp;

import static io.parley.sfu.rtp.Bytes.buf;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class Vp8DescriptorTest {
  private final Vp8Descriptor vp8 = new Vp8Descriptor();

  private boolean parse(ByteBuf b) {
    return vp8.parse(b, 0, b.readableBytes());
  }

  @Test
  void withoutExtension() {
    ByteBuf b = buf("10 50 2D 01 9D012A"); // S=1 PID=0; frame tag with P=0, start code
    try {
      assertThat(parse(b)).isTrue();
      assertThat(vp8.descriptorLength()).isEqualTo(1);
      assertThat(vp8.startOfPartition()).isTrue();
      assertThat(vp8.partitionIndex()).isZero();
      assertThat(vp8.hasPictureId()).isFalse();
      assertThat(vp8.pictureId()).isEqualTo(-1);
      assertThat(vp8.hasTl0PicIdx()).isFalse();
      assertThat(vp8.hasTid()).isFalse();
      assertThat(vp8.temporalLayer()).isEqualTo(-1);
      assertThat(vp8.isKeyframe()).isTrue();
    } finally {
      b.release();
    }
  }

  @Test
  void sevenBitPictureId() {
    ByteBuf b = buf("90 80 7F 01"); // X, S; I; picture id 127; payload header P=1
    try {
      assertThat(parse(b)).isTrue();
      assertThat(vp8.descriptorLength()).isEqualTo(3);
      assertThat(vp8.pictureId()).isEqualTo(127);
      assertThat(vp8.pictureIdIs16Bit()).isFalse();
      assertThat(vp8.isKeyframe()).isFalse();
    } finally {
      b.release();
    }
  }

  @Test
  void fullDescriptorChromiumStyle() {
    // X S PID=0; I L T; M=1 picture id 0x1234; TL0PICIDX 200; TID 2, Y=1, KEYIDX 0
    ByteBuf b = buf("90 E0 9234 C8 A0 9C");
    try {
      assertThat(parse(b)).isTrue();
      assertThat(vp8.descriptorLength()).isEqualTo(6);
      assertThat(vp8.pictureId()).isEqualTo(0x1234);
      assertThat(vp8.pictureIdIs16Bit()).isTrue();
      assertThat(vp8.tl0PicIdx()).isEqualTo(200);
      assertThat(vp8.hasTid()).isTrue();
      assertThat(vp8.temporalLayer()).isEqualTo(2);
      assertThat(vp8.layerSync()).isTrue();
      assertThat(vp8.hasKeyIdx()).isFalse();
      assertThat(vp8.isKeyframe()).isTrue(); // 0x9C has P=0
    } finally {
      b.release();
    }
  }

  @Test
  void keyIdxWithoutTid() {
    ByteBuf b = buf("80 10 1F 00"); // X, not S; K only; KEYIDX 31
    try {
      assertThat(parse(b)).isTrue();
      assertThat(vp8.hasTid()).isFalse();
      assertThat(vp8.temporalLayer()).isEqualTo(-1);
      assertThat(vp8.keyIdx()).isEqualTo(31);
      assertThat(vp8.descriptorLength()).isEqualTo(3);
      assertThat(vp8.isKeyframe()).isFalse(); // not a partition start
    } finally {
      b.release();
    }
  }

  @Test
  void notKeyframeWhenPartitionIndexNonZeroOrNoPayload() {
    ByteBuf b1 = buf("11 00");
    ByteBuf b2 = buf("10");
    try {
      assertThat(parse(b1)).isTrue();
      assertThat(vp8.partitionIndex()).isEqualTo(1);
      assertThat(vp8.isKeyframe()).isFalse();
      assertThat(parse(b2)).isTrue();
      assertThat(vp8.isKeyframe()).isFalse();
    } finally {
      b1.release();
      b2.release();
    }
  }

  @Test
  void truncatedDescriptorsFail() {
    for (String hex :
        new String[] {"", "80", "90 80", "90 80 92", "90 40", "90 20", "90 E0 9234 C8"}) {
      ByteBuf b = buf(hex);
      try {
        assertThat(parse(b)).as(hex).isFalse();
      } finally {
        b.release();
      }
    }
  }

  @Test
  void rewritesPictureIdAndTl0PicIdxKeepingWidth() {
    ByteBuf wide = buf("00 90 E0 9234 C8 A0 9C"); // one byte before the payload
    ByteBuf narrow = buf("90 C0 05 07 00");
    ByteBuf plain = buf("10 00");
    try {
      assertThat(Vp8Descriptor.writePictureId(wide, 1, 0x8001)).isTrue(); // wraps at 15 bits
      assertThat(Vp8Descriptor.writeTl0PicIdx(wide, 1, 257)).isTrue(); // wraps at 8 bits
      assertThat(vp8.parse(wide, 1, wide.readableBytes() - 1)).isTrue();
      assertThat(vp8.pictureId()).isEqualTo(1);
      assertThat(vp8.pictureIdIs16Bit()).isTrue();
      assertThat(vp8.tl0PicIdx()).isEqualTo(1);
      assertThat(vp8.temporalLayer()).isEqualTo(2);

      assertThat(Vp8Descriptor.writePictureId(narrow, 0, 300)).isTrue();
      assertThat(Vp8Descriptor.writeTl0PicIdx(narrow, 0, 9)).isTrue();
      assertThat(parse(narrow)).isTrue();
      assertThat(vp8.pictureId()).isEqualTo(300 & 0x7F);
      assertThat(vp8.pictureIdIs16Bit()).isFalse();
      assertThat(vp8.tl0PicIdx()).isEqualTo(9);

      assertThat(Vp8Descriptor.writePictureId(plain, 0, 1)).isFalse();
      assertThat(Vp8Descriptor.writeTl0PicIdx(plain, 0, 1)).isFalse();
    } finally {
      wide.release();
      narrow.release();
      plain.release();
    }
  }
}
