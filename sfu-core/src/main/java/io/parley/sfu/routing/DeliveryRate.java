package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;
import io.parley.sfu.rtp.rtcp.TransportCcFeedback;
import java.util.Arrays;

/**
 * What a subscriber's transport-cc feedback says it received, as a rate: the bytes of the packets
 * it acknowledged over the span of their receive times, once per window of at least a second of
 * receive time. The SFU remembers the size of each packet it sent with a transport-wide sequence
 * number (the last 4096) to weigh the acknowledgements. This is the delivered rate, a lower bound
 * of the subscriber's bandwidth (the path may carry more than the SFU sends), not a capacity
 * estimate. Confined to the room thread.
 */
final class DeliveryRate {
  private static final int HISTORY = 4096;
  private static final long MIN_SPAN_MICROS = 1_000_000;
  private static final long MAX_SPAN_MICROS = 10_000_000;

  private final int[] sentSeq = new int[HISTORY];
  private final int[] sentBytes = new int[HISTORY];
  private final long[] sentNanos = new long[HISTORY];
  private final int[] sentProbe = new int[HISTORY];
  private final TransportCcFeedback feedback = new TransportCcFeedback();

  private long firstReceiveMicros = Long.MIN_VALUE;
  private long lastReceiveMicros;
  private long bytesAfterFirst;

  DeliveryRate() {
    Arrays.fill(sentSeq, -1);
  }

  /** What a feedback says about each packet it reports on (see {@link BandwidthEstimator}). */
  interface PacketResults {
    /**
     * @param arrivalMicros on the subscriber's clock, or {@link Long#MIN_VALUE} if lost
     * @param probe the padding probe it was sent in, or 0
     */
    void packet(long sendNanos, long arrivalMicros, int bytes, int probe);
  }

  /** A packet with this transport-wide sequence number left with {@code bytes} on the wire. */
  void sent(int transportSequence, int bytes) {
    sent(transportSequence, bytes, System.nanoTime(), 0);
  }

  /** The same, sent at {@code nanos} ({@link System#nanoTime}) in padding probe {@code probe}. */
  void sent(int transportSequence, int bytes, long nanos, int probe) {
    int i = transportSequence & (HISTORY - 1);
    sentSeq[i] = transportSequence & 0xFFFF;
    sentBytes[i] = bytes;
    sentNanos[i] = nanos;
    sentProbe[i] = probe;
  }

  /**
   * Reads one transport-cc feedback block.
   *
   * @return the delivered rate in bits per second when a window closed with this block, else -1
   */
  long onFeedback(ByteBuf packet, int offset, int length) {
    return onFeedback(packet, offset, length, null);
  }

  /**
   * The same, and tells {@code results} about each packet the feedback reports on that this history
   * still holds, received or lost, in order.
   */
  long onFeedback(ByteBuf packet, int offset, int length, PacketResults results) {
    if (!feedback.parse(packet, offset, length)) {
      return -1;
    }
    for (int i = 0; i < feedback.packetStatusCount(); i++) {
      int seq = feedback.sequenceNumber(i);
      int slot = seq & (HISTORY - 1);
      if (sentSeq[slot] != seq) {
        continue; // too old, or never sent with that number
      }
      if (!feedback.isReceived(i)) {
        if (results != null) {
          results.packet(sentNanos[slot], Long.MIN_VALUE, sentBytes[slot], sentProbe[slot]);
        }
        continue;
      }
      long at = feedback.receiveTimeMicros(i);
      if (results != null) {
        results.packet(sentNanos[slot], at, sentBytes[slot], sentProbe[slot]);
      }
      if (firstReceiveMicros == Long.MIN_VALUE) {
        firstReceiveMicros = at;
        lastReceiveMicros = at;
        continue; // the first packet opens the span; its bytes arrived before it
      }
      bytesAfterFirst += sentBytes[slot];
      lastReceiveMicros = Math.max(lastReceiveMicros, at);
    }
    long span = lastReceiveMicros - firstReceiveMicros;
    if (span > MAX_SPAN_MICROS) {
      // The subscriber's clock jumped (or its feedback restarted): start over.
      firstReceiveMicros = Long.MIN_VALUE;
      bytesAfterFirst = 0;
      return -1;
    }
    if (firstReceiveMicros == Long.MIN_VALUE || span < MIN_SPAN_MICROS) {
      return -1;
    }
    long bitsPerSecond = bytesAfterFirst * 8 * 1_000_000 / span;
    firstReceiveMicros = Long.MIN_VALUE;
    bytesAfterFirst = 0;
    return bitsPerSecond;
  }
}
