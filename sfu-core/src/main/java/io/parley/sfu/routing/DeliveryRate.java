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
  private final TransportCcFeedback feedback = new TransportCcFeedback();

  private long firstReceiveMicros = Long.MIN_VALUE;
  private long lastReceiveMicros;
  private long bytesAfterFirst;

  DeliveryRate() {
    Arrays.fill(sentSeq, -1);
  }

  /** A packet with this transport-wide sequence number left with {@code bytes} on the wire. */
  void sent(int transportSequence, int bytes) {
    int i = transportSequence & (HISTORY - 1);
    sentSeq[i] = transportSequence & 0xFFFF;
    sentBytes[i] = bytes;
  }

  /**
   * Reads one transport-cc feedback block.
   *
   * @return the delivered rate in bits per second when a window closed with this block, else -1
   */
  long onFeedback(ByteBuf packet, int offset, int length) {
    if (!feedback.parse(packet, offset, length)) {
      return -1;
    }
    for (int i = 0; i < feedback.packetStatusCount(); i++) {
      if (!feedback.isReceived(i)) {
        continue;
      }
      int seq = feedback.sequenceNumber(i);
      int slot = seq & (HISTORY - 1);
      if (sentSeq[slot] != seq) {
        continue; // too old, or never sent with that number
      }
      long at = feedback.receiveTimeMicros(i);
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
