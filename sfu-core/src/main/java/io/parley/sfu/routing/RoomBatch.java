package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;

/**
 * The SRTP packets for one room read in one read batch of a socket, run together on the room's
 * loop: one task (one wake-up of that loop) instead of one per packet, and one flush, so the copies
 * for every subscriber leave in one sendmmsg. Filled on the I/O thread, then owned by the room's
 * loop. Once run it is empty and may be {@linkplain #reuse reused} by the thread that ran it.
 */
public final class RoomBatch implements Runnable {
  private Room room;
  private Endpoint[] endpoints = new Endpoint[4];
  private ByteBuf[] packets = new ByteBuf[4];
  private long[] arrivals = new long[4];
  private int[] forwarded = new int[4];
  private int size;

  public RoomBatch(Room room) {
    this.room = room;
  }

  /**
   * Sets the room of an empty batch (one that has run or been released) for its next packets; null
   * while it waits to be reused.
   */
  public void reuse(Room room) {
    if (size != 0) {
      throw new IllegalStateException("batch still holds packets");
    }
    this.room = room;
  }

  public Room room() {
    return room;
  }

  public int size() {
    return size;
  }

  /** Adds a packet read at {@code arrivedNanos} for {@code endpoint}; takes ownership. */
  public void add(Endpoint endpoint, ByteBuf packet, long arrivedNanos) {
    if (size == packets.length) {
      int n = size * 2;
      endpoints = java.util.Arrays.copyOf(endpoints, n);
      packets = java.util.Arrays.copyOf(packets, n);
      arrivals = java.util.Arrays.copyOf(arrivals, n);
      forwarded = java.util.Arrays.copyOf(forwarded, n);
    }
    endpoints[size] = endpoint;
    packets[size] = packet;
    arrivals[size] = arrivedNanos;
    size++;
  }

  /** On the room's loop: every packet in order, one flush, then each one's forwarding delay. */
  @Override
  public void run() {
    for (int i = 0; i < size; i++) {
      ByteBuf packet = packets[i];
      Endpoint endpoint = endpoints[i];
      packets[i] = null;
      endpoints[i] = null;
      endpoint.receiveSrtp(packet, arrivals[i], false);
      forwarded[i] = room.takeForwarded();
    }
    room.flush();
    long now = System.nanoTime();
    for (int i = 0; i < size; i++) {
      room.recordForwardingDelay(now - arrivals[i], forwarded[i]);
    }
    size = 0;
  }

  /** Releases every packet (the room could not take them). */
  void release() {
    for (int i = 0; i < size; i++) {
      if (packets[i] != null) {
        packets[i].release();
        packets[i] = null;
      }
      endpoints[i] = null;
    }
    size = 0;
  }
}
