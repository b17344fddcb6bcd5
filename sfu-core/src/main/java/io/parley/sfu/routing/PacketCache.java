package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;

/**
 * The last packets sent to one subscriber stream, already protected, indexed by their outgoing
 * sequence number, so a NACK is answered by resending the same bytes. Confined to the room thread.
 *
 * <p>Packets are kept at most {@code maxAgeNanos}: a retransmission that late reaches a browser
 * whose jitter buffer has already given up on the packet (and asked for a keyframe), and each
 * cached packet holds a pooled buffer. Without the age bound a video consumer kept its whole ring
 * (512 packets, about 0.75 MB, or 10 s of a 500 kbit/s stream) — most of the SFU's heap per
 * participant.
 */
final class PacketCache {
  private final ByteBuf[] packets;
  private final int[] sequenceNumbers;
  private final long[] sentNanos;
  private final int mask;
  private final long maxAgeNanos;

  /** The oldest sequence number that may still be cached (evictions walk forward from it). */
  private int oldest;

  private boolean empty = true;

  PacketCache(int capacityPowerOfTwo, long maxAgeNanos) {
    if (Integer.bitCount(capacityPowerOfTwo) != 1 || capacityPowerOfTwo > 0x8000) {
      throw new IllegalArgumentException("capacity must be a power of two up to 32768");
    }
    packets = new ByteBuf[capacityPowerOfTwo];
    sequenceNumbers = new int[capacityPowerOfTwo];
    sentNanos = new long[capacityPowerOfTwo];
    mask = capacityPowerOfTwo - 1;
    this.maxAgeNanos = maxAgeNanos;
  }

  /**
   * Keeps a reference to {@code packet} sent at {@code now} (the caller's reference count is not
   * consumed), and releases the packets older than the age limit. The bytes are shared, not copied:
   * nobody writes to a packet once it is protected and handed to the socket, and a resend goes out
   * as a duplicate with its own indices.
   */
  void put(int sequenceNumber, ByteBuf packet, long now) {
    int slot = sequenceNumber & mask;
    ByteBuf old = packets[slot];
    if (old != null) {
      old.release();
    }
    packets[slot] = packet.retain();
    sequenceNumbers[slot] = sequenceNumber;
    sentNanos[slot] = now;
    if (empty) {
      oldest = sequenceNumber;
      empty = false;
    }
    evictOlderThan(sequenceNumber, now - maxAgeNanos);
  }

  /** Walks from the oldest sequence number towards {@code newest}, releasing stale packets. */
  private void evictOlderThan(int newest, long cutoff) {
    int span = (newest - oldest) & 0xFFFF;
    if (span > mask) {
      // The ring has moved on past the oldest (or the sequence jumped): its slots were reused.
      oldest = (newest - mask) & 0xFFFF;
      span = mask;
    }
    while (span > 0) {
      int slot = oldest & mask;
      ByteBuf packet = packets[slot];
      if (packet != null && sequenceNumbers[slot] == oldest) {
        if (sentNanos[slot] - cutoff >= 0) {
          return;
        }
        packet.release();
        packets[slot] = null;
      }
      oldest = (oldest + 1) & 0xFFFF;
      span--;
    }
  }

  /**
   * A new reference to the cached packet, or null if it is gone or older than the limit at {@code
   * now}; the caller releases it. The age is checked here too, not only as packets are put: a
   * stream that stops (a video paused for a narrow downlink) puts nothing more, and the browser
   * keeps asking for what it lost, each resend going into the same congested link.
   */
  ByteBuf get(int sequenceNumber, long now) {
    int slot = sequenceNumber & mask;
    ByteBuf packet = packets[slot];
    if (packet == null || sequenceNumbers[slot] != sequenceNumber) {
      return null;
    }
    if (now - sentNanos[slot] > maxAgeNanos) {
      packet.release();
      packets[slot] = null;
      return null;
    }
    return packet.retainedDuplicate();
  }

  /** Packets held now. */
  int size() {
    int n = 0;
    for (ByteBuf packet : packets) {
      if (packet != null) {
        n++;
      }
    }
    return n;
  }

  void clear() {
    for (int i = 0; i < packets.length; i++) {
      if (packets[i] != null) {
        packets[i].release();
        packets[i] = null;
      }
    }
    empty = true;
  }
}
