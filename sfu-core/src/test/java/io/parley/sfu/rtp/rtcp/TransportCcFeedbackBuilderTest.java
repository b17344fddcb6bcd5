package io.parley.sfu.rtp.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The builder, checked with {@link TransportCcFeedback}. */
class TransportCcFeedbackBuilderTest {
  private final ByteBuf out = Unpooled.buffer();
  private final TransportCcFeedbackBuilder builder = new TransportCcFeedbackBuilder(0xAAAA);
  private final TransportCcFeedback reader = new TransportCcFeedback();
  private final RtcpCompound compound = new RtcpCompound();

  /** 16-bit sequence number -> receive time in µs, for every received status. */
  private final Map<Integer, Long> received = new HashMap<>();

  /** 16-bit sequence number -> times reported as not received. */
  private final Map<Integer, Integer> lost = new HashMap<>();

  private int blocks;
  private int lastFbCount = -1;

  @AfterEach
  void release() {
    out.release();
  }

  /** Builds, parses all blocks, and records what they say. */
  private int buildAndRead() {
    out.clear();
    int n = builder.build(out, 0xBBBB);
    compound.reset(out);
    int seen = 0;
    while (compound.next()) {
      seen++;
      assertThat(compound.length() % 4).isZero();
      assertThat(compound.length()).isLessThanOrEqualTo(1200);
      assertThat(reader.parse(out, compound.offset(), compound.contentLength())).isTrue();
      assertThat(reader.senderSsrc()).isEqualTo(0xAAAA);
      assertThat(reader.mediaSsrc()).isEqualTo(0xBBBB);
      assertThat(reader.packetStatusCount()).isBetween(1, 1000);
      assertThat(reader.feedbackPacketCount()).isEqualTo((lastFbCount + 1) & 0xFF);
      lastFbCount = reader.feedbackPacketCount();
      for (int i = 0; i < reader.packetStatusCount(); i++) {
        int seq = reader.sequenceNumber(i);
        if (reader.isReceived(i)) {
          assertThat(received.put(seq, reader.receiveTimeMicros(i))).as("seq %d", seq).isNull();
        } else {
          lost.merge(seq, 1, Integer::sum);
        }
      }
    }
    assertThat(compound.isMalformed()).isFalse();
    assertThat(seen).isEqualTo(n);
    blocks += n;
    return n;
  }

  private static long tickFloor(long micros) {
    return Math.floorDiv(micros, 250) * 250;
  }

  /** Reference time wraps at 2^24 x 64 ms; compare modulo that. */
  private static long wrapTime(long micros) {
    return Math.floorMod(micros, (1L << 24) * 64_000);
  }

  @Test
  void inOrderPacketsGiveOneBlock() {
    for (int i = 0; i < 50; i++) {
      assertThat(builder.onPacket(100 + i, 1_000_000 + i * 1_000L)).isTrue();
    }
    assertThat(buildAndRead()).isEqualTo(1);
    for (int i = 0; i < 50; i++) {
      assertThat(received.get(100 + i)).isEqualTo(1_000_000 + i * 1_000L);
    }
    assertThat(lost).isEmpty();
    assertThat(builder.pendingPackets()).isZero();
    assertThat(builder.build(out, 1)).isZero();
  }

  @Test
  void reportsGapsReorderingAndWrap() {
    builder.onPacket(65534, 10_000);
    builder.onPacket(1, 12_000); // 65535 and 0 missing
    builder.onPacket(65535, 13_000); // late, reordered: negative delta
    builder.onPacket(1, 14_000); // duplicate
    assertThat(buildAndRead()).isEqualTo(1);
    assertThat(received).containsOnlyKeys(65534, 65535, 1);
    assertThat(received.get(65535)).isEqualTo(13_000);
    assertThat(lost).containsOnlyKeys(0);
    assertThat(builder.duplicatePackets()).isEqualTo(1);

    // The next window reports from the seq after the last one reported, so 2 shows as lost.
    builder.onPacket(3, 20_000);
    assertThat(builder.onPacket(0, 21_000)).isFalse(); // already reported as lost: too late
    assertThat(builder.latePackets()).isEqualTo(1);
    buildAndRead();
    assertThat(lost).containsOnlyKeys(0, 2);
    assertThat(received.get(3)).isEqualTo(20_000);
  }

  @Test
  void largeAndUnencodableDeltas() {
    builder.onPacket(1, 0);
    builder.onPacket(2, 100_000); // +400 ticks: 2-byte delta
    builder.onPacket(3, 100_000 + 60_000_000); // +60 s: does not fit, new block
    builder.onPacket(4, 100_000 + 60_000_250);
    assertThat(buildAndRead()).isEqualTo(2);
    assertThat(received.get(2)).isEqualTo(100_000);
    assertThat(received.get(3)).isEqualTo(60_100_000);
    assertThat(received.get(4)).isEqualTo(60_100_250);
  }

  @Test
  void splitsLongWindows() {
    for (int i = 0; i < 2500; i++) {
      builder.onPacket(i, 5_000_000 + i * 100L);
    }
    assertThat(buildAndRead()).isEqualTo(3);
    assertThat(received).hasSize(2500);
    assertThat(lost).isEmpty();
  }

  @Test
  void splitsOnByteBudget() {
    builder.maxPacketBytes(100);
    for (int i = 0; i < 200; i++) {
      builder.onPacket(i, i * 20_000L); // 80 ticks apart: 1 byte each, 2-bit chunks not needed
    }
    assertThat(buildAndRead()).isGreaterThan(2);
    assertThat(received).hasSize(200);
  }

  @Test
  void randomTrafficIsReportedExactly() {
    Random random = new Random(7);
    Map<Integer, Long> sent = new HashMap<>();
    long now = 987_654_321L;
    int seq = 65_000;
    for (int round = 0; round < 200; round++) {
      int n = 1 + random.nextInt(120);
      for (int k = 0; k < n; k++) {
        seq = (seq + 1) & 0xFFFF;
        now += random.nextInt(40) == 0 ? random.nextInt(3_000_000) : random.nextInt(20_000);
        if (random.nextInt(10) == 0) {
          continue; // lost
        }
        int s = seq;
        // Reorder by swapping with a neighbour now and then.
        if (random.nextInt(8) == 0 && k + 1 < n) {
          s = (seq + 1) & 0xFFFF;
          seq = s;
          if (builder.onPacket(s, now)) {
            sent.put(s, now);
          }
          s = (seq - 1) & 0xFFFF;
        }
        if (builder.onPacket(s, now)) {
          sent.put(s, now);
        }
      }
      received.clear();
      lost.clear();
      buildAndRead();
      for (Map.Entry<Integer, Long> e : sent.entrySet()) {
        assertThat(received).containsKey(e.getKey());
        assertThat(wrapTime(received.get(e.getKey()))).isEqualTo(wrapTime(tickFloor(e.getValue())));
      }
      assertThat(received).hasSameSizeAs(sent);
      for (int s : lost.keySet()) {
        assertThat(sent).doesNotContainKey(s);
      }
      sent.clear();
    }
    assertThat(blocks).isGreaterThanOrEqualTo(200);
  }
}
