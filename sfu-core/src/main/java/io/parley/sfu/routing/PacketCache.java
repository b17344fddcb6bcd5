package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;

/**
 * The last packets sent to one subscriber stream, already protected, indexed by their outgoing
 * sequence number, so a NACK is answered by resending the same bytes. Confined to the room thread.
 */
final class PacketCache {
  private final ByteBuf[] packets;
  private final int[] sequenceNumbers;
  private final int mask;

  PacketCache(int capacityPowerOfTwo) {
    if (Integer.bitCount(capacityPowerOfTwo) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two");
    }
    packets = new ByteBuf[capacityPowerOfTwo];
    sequenceNumbers = new int[capacityPowerOfTwo];
    mask = capacityPowerOfTwo - 1;
  }

  /**
   * Keeps a reference to {@code packet} (the caller's reference count is not consumed). The bytes
   * are shared, not copied: nobody writes to a packet once it is protected and handed to the
   * socket, and a resend goes out as a duplicate with its own indices.
   */
  void put(int sequenceNumber, ByteBuf packet) {
    int slot = sequenceNumber & mask;
    ByteBuf old = packets[slot];
    if (old != null) {
      old.release();
    }
    packets[slot] = packet.retain();
    sequenceNumbers[slot] = sequenceNumber;
  }

  /** A new reference to the cached packet, or null if it is gone; the caller releases it. */
  ByteBuf get(int sequenceNumber) {
    int slot = sequenceNumber & mask;
    ByteBuf packet = packets[slot];
    if (packet == null || sequenceNumbers[slot] != sequenceNumber) {
      return null;
    }
    return packet.retainedDuplicate();
  }

  void clear() {
    for (int i = 0; i < packets.length; i++) {
      if (packets[i] != null) {
        packets[i].release();
        packets[i] = null;
      }
    }
  }
}
