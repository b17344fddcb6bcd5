package io.parley.sfu.routing;

/**
 * What one received RTP stream looks like for RTCP receiver reports (RFC 3550 A.3 and A.8):
 * extended highest sequence number, losses, interarrival jitter. Confined to the room thread.
 */
final class ReceiveStats {
  private final int clockRate;
  private boolean started;
  private int baseSeq;
  private int maxSeq;
  private int cycles;
  private long received;
  private long expectedPrior;
  private long receivedPrior;
  private long lastTransit;
  private double jitter;

  ReceiveStats(int clockRate) {
    this.clockRate = clockRate;
  }

  /**
   * Records a packet.
   *
   * @return how many sequence numbers were skipped before this packet (0 if in order or late)
   */
  int update(int seq, long rtpTimestamp, long arrivalNanos) {
    received++;
    long arrival = arrivalNanos / 1000 * clockRate / 1_000_000;
    long transit = arrival - rtpTimestamp;
    if (!started) {
      started = true;
      baseSeq = seq;
      maxSeq = seq;
      lastTransit = transit;
      return 0;
    }
    long d = Math.abs(transit - lastTransit);
    lastTransit = transit;
    jitter += (d - jitter) / 16.0;
    int delta = (seq - maxSeq) & 0xFFFF;
    if (delta == 0 || delta >= 0x8000) {
      return 0; // duplicate or late
    }
    if (seq < maxSeq) {
      cycles += 0x10000;
    }
    maxSeq = seq;
    return delta - 1;
  }

  boolean started() {
    return started;
  }

  long extendedHighestSequence() {
    return cycles + maxSeq;
  }

  long cumulativeLost() {
    long expected = extendedHighestSequence() - baseSeq + 1;
    return Math.max(0, expected - received);
  }

  /** The fraction lost since the previous call, in 1/256 units. */
  int fractionLostSinceLastReport() {
    long expected = extendedHighestSequence() - baseSeq + 1;
    long expectedInterval = expected - expectedPrior;
    long receivedInterval = received - receivedPrior;
    expectedPrior = expected;
    receivedPrior = received;
    long lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval <= 0 || lostInterval <= 0) {
      return 0;
    }
    return (int) Math.min(255, (lostInterval << 8) / expectedInterval);
  }

  long jitter() {
    return (long) jitter;
  }
}
