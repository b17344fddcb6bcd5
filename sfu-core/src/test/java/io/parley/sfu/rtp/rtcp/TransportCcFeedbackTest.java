package io.parley.sfu.rtp.rtcp;

import static io.parley.sfu.rtp.Bytes.buf;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/** The reader against hand-built byte vectors. */
class TransportCcFeedbackTest {
  private final TransportCcFeedback feedback = new TransportCcFeedback();
  private final RtcpCompound compound = new RtcpCompound();

  @Test
  void twoBitVectorWithSmallAndNegativeLargeDeltas() {
    ByteBuf b =
        buf(
            "AFCD0006" // V=2 P=1 FMT=15, PT 205, length 6 words
                + "00000001 00000002" // sender, media SSRC
                + "0005 0004" // base seq 5, 4 statuses
                + "000001 02" // reference time 1 (64 ms), fb pkt count 2
                + "D240" // 2-bit vector: small, none, large, small, (3 unused)
                + "04" // +4 ticks (1 ms) -> 65 ms
                + "FFFC" // -4 ticks -> 64 ms
                + "08" // +8 ticks -> 66 ms
                + "0002"); // padding, count 2
    try {
      compound.reset(b);
      assertThat(compound.next()).isTrue();
      assertThat(compound.paddingLength()).isEqualTo(2);
      assertThat(feedback.parse(b, compound.offset(), compound.contentLength())).isTrue();
      assertThat(feedback.senderSsrc()).isEqualTo(1);
      assertThat(feedback.mediaSsrc()).isEqualTo(2);
      assertThat(feedback.baseSequence()).isEqualTo(5);
      assertThat(feedback.packetStatusCount()).isEqualTo(4);
      assertThat(feedback.referenceTime()).isEqualTo(1);
      assertThat(feedback.referenceTimeMicros()).isEqualTo(64_000);
      assertThat(feedback.feedbackPacketCount()).isEqualTo(2);
      assertThat(feedback.sequenceNumber(3)).isEqualTo(8);
      assertThat(feedback.status(0)).isEqualTo(TransportCcFeedback.RECEIVED_SMALL_DELTA);
      assertThat(feedback.isReceived(1)).isFalse();
      assertThat(feedback.status(2)).isEqualTo(TransportCcFeedback.RECEIVED_LARGE_DELTA);
      assertThat(feedback.receiveDelta(0)).isEqualTo(4);
      assertThat(feedback.receiveDelta(1)).isZero();
      assertThat(feedback.receiveDelta(2)).isEqualTo(-4);
      assertThat(feedback.receiveDelta(3)).isEqualTo(8);
      assertThat(feedback.receiveTimeMicros(0)).isEqualTo(65_000);
      assertThat(feedback.receiveTimeMicros(1)).isEqualTo(Long.MIN_VALUE);
      assertThat(feedback.receiveTimeMicros(2)).isEqualTo(64_000);
      assertThat(feedback.receiveTimeMicros(3)).isEqualTo(66_000);
      // Whole length (padding included) parses the same: trailing bytes are ignored.
      assertThat(feedback.parse(b, 0, 28)).isTrue();
      // Without its last delta byte it is truncated.
      assertThat(feedback.parse(b, 0, 25)).isFalse();
      assertThat(feedback.packetStatusCount()).isZero();
    } finally {
      b.release();
    }
  }

  @Test
  void runLengthAndOneBitVectorChunksWithSequenceWrap() {
    ByteBuf b =
        buf(
            "8FCD0007 00000001 00000002"
                + "FFFE 0014" // base 65534, 20 statuses
                + "FFFFFF 00" // reference time -1 (signed 24 bits)
                + "0003" // run length: 3 x not received
                + "A000" // 1-bit vector: received, 13 x not received
                + "2003" // run length: 3 x received small delta
                + "01 02 03 04" // four deltas
                + "0000"); // zero bytes left over
    try {
      assertThat(feedback.parse(b, 0, b.readableBytes())).isTrue();
      assertThat(feedback.referenceTime()).isEqualTo(-1);
      assertThat(feedback.packetStatusCount()).isEqualTo(20);
      assertThat(feedback.isReceived(0)).isFalse();
      assertThat(feedback.isReceived(3)).isTrue();
      assertThat(feedback.sequenceNumber(3)).isEqualTo(1);
      assertThat(feedback.receiveTimeMicros(3)).isEqualTo(-64_000 + 250);
      for (int i = 4; i < 17; i++) {
        assertThat(feedback.isReceived(i)).isFalse();
      }
      assertThat(feedback.receiveTimeMicros(19)).isEqualTo(-64_000 + 250 * (1 + 2 + 3 + 4));
    } finally {
      b.release();
    }
  }

  @Test
  void rejectsReservedSymbolsAndMissingChunks() {
    String[] bad = {
      "8FCD0005 00000001 00000002 0000 0001 000000 00 6001 0000", // run of symbol 3
      "8FCD0005 00000001 00000002 0000 0001 000000 00 F000 0000", // 2-bit symbol 3
      "8FCD0004 00000001 00000002 0000 0020 000000 00", // 32 statuses, no chunk
      "8FCD0005 00000001 00000002 0000 0020 000000 00 0010 0000", // 16 of 32 covered
      "8FCD0005 00000001 00000002 0000 0002 000000 00 4002 0000", // 2nd large delta cut
    };
    for (String hex : bad) {
      ByteBuf b = buf(hex);
      try {
        assertThat(feedback.parse(b, 0, b.readableBytes())).as(hex).isFalse();
      } finally {
        b.release();
      }
    }
  }

  @Test
  void hugeStatusCountWithEmptyRunsTerminates() {
    // 65535 statuses claimed, chunks of run length 0: must end at the block end.
    StringBuilder hex = new StringBuilder("8FCD0104 00000001 00000002 0000 FFFF 000000 00");
    for (int i = 0; i < 512; i++) {
      hex.append("0000");
    }
    ByteBuf b = buf(hex.toString());
    try {
      assertThat(feedback.parse(b, 0, b.readableBytes())).isFalse();
    } finally {
      b.release();
    }
  }
}
