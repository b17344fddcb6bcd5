package io.parley.sfu.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacketCacheTest {
  private static final long MS = 1_000_000L;
  private final List<ByteBuf> made = new ArrayList<>();

  private ByteBuf packet() {
    ByteBuf p = Unpooled.buffer(8).writeLong(made.size());
    made.add(p);
    return p;
  }

  @AfterEach
  void everyPacketIsReleasedOnceTheCacheLetsGo() {
    for (ByteBuf p : made) {
      assertEquals(1, p.refCnt(), "only the test's own reference is left");
    }
  }

  @Test
  void answersRecentPacketsAndForgetsThoseOlderThanTheLimit() {
    PacketCache cache = new PacketCache(16, 1000 * MS);
    long t = 5_000 * MS;
    for (int seq = 100; seq < 110; seq++) {
      cache.put(seq, packet(), t + (seq - 100) * 100 * MS);
    }
    // 109 was sent at +900 ms: everything is at most 900 ms old.
    assertEquals(10, cache.size());
    ByteBuf copy = cache.get(105, t + 900 * MS);
    assertNotNull(copy);
    copy.release();
    // +1500 ms: 100..104 (sent at +0..+400 ms) are more than 1 s old.
    cache.put(110, packet(), t + 1500 * MS);
    assertEquals(6, cache.size());
    assertNull(cache.get(104, t + 1500 * MS));
    copy = cache.get(105, t + 1500 * MS);
    assertNotNull(copy);
    copy.release();
    cache.clear();
    assertEquals(0, cache.size());
  }

  @Test
  void aFullRingReusesSlotsAcrossTheSequenceWrap() {
    PacketCache cache = new PacketCache(8, 1000 * MS);
    long t = 0;
    for (int i = 0; i < 20; i++) {
      cache.put((0xFFF8 + i) & 0xFFFF, packet(), t);
    }
    assertEquals(8, cache.size());
    assertNull(cache.get(0xFFFF, t));
    ByteBuf copy = cache.get(11, t);
    assertNotNull(copy);
    copy.release();
    // A long pause, then one packet: all the others are stale.
    cache.put(12, packet(), t + 5000 * MS);
    assertEquals(1, cache.size());
    cache.clear();
  }

  @Test
  void aStreamThatStopsDoesNotResendWhatHasGrownOld() {
    PacketCache cache = new PacketCache(16, 1000 * MS);
    long t = 0;
    for (int seq = 0; seq < 5; seq++) {
      cache.put(seq, packet(), t + seq * 20 * MS);
    }
    // Nothing more is put (the video waits for room), and the browser keeps asking.
    ByteBuf copy = cache.get(4, t + 900 * MS);
    assertNotNull(copy);
    copy.release();
    assertNull(cache.get(4, t + 1100 * MS), "4 was sent 1020 ms before");
    assertNull(cache.get(4, t + 1000 * MS), "and let go once found stale");
    assertEquals(4, cache.size());
    cache.clear();
  }
}
