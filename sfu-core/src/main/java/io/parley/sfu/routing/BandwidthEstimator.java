package io.parley.sfu.routing;

/**
 * How many bits per second the path to one subscriber carries, estimated by the SFU from what the
 * subscriber's transport-cc feedback says about the packets the SFU sent it (send-side estimation,
 * after draft-ietf-rmcat-gcc-02: the way a browser estimates its own uplink).
 *
 * <p>Two signals lower the estimate. <b>Delay</b>: packets are grouped by send time (5 ms bursts);
 * for consecutive groups, how much later the second arrived than it was sent ({@code arrival delta
 * − send delta}) is accumulated, smoothed, and the slope of its line over the last 20 groups tells
 * a queue building up somewhere on the path; above an adaptive threshold for more than 10 ms it is
 * overuse, and the delay-based estimate becomes 85 % of the rate the subscriber acknowledged
 * receiving (taken back if the queue drains within a second: a keyframe's burst or a busy moment on
 * a link the stream fits); otherwise it grows by 8 % a second, up to 1.5 times the acknowledged
 * rate. <b>Loss</b>: over more than 10 % lost in a window, the loss-based estimate is cut by half
 * the loss; under 2 % it grows as the other does; in between it holds. The estimate is the lower of
 * the two, so a path that keeps losing a few packets whatever is sent (a radio link) holds nothing
 * back by its loss alone, and climbs back on the delay signal after a congestion. {@link
 * #onProbeResult} lets a padding probe raise both past the growth's limit.
 *
 * <p>Until the path first shows congestion the estimate is unconstrained ({@link #constrained}
 * false): a subscriber whose path carries everything is never held back by a guess. Confined to the
 * room thread; feed it with {@link #onPacket} for each packet a feedback reports on, in the
 * feedback's order, then {@link #onFeedbackEnd}.
 */
final class BandwidthEstimator {
  enum Signal {
    NORMAL,
    OVERUSE,
    UNDERUSE
  }

  /** Packets sent within this of a group's first one form one group. */
  static final long GROUP_NANOS = 5_000_000;

  /** Lowest estimate: audio and the lowest video layers need about this much. */
  static final long MIN_ESTIMATE_BPS = 100_000;

  private static final int TREND_WINDOW = 20;
  private static final int FLOOR_BUCKETS = 10;
  private static final long FLOOR_BUCKET_MICROS = 2_000_000;
  private static final double SMOOTHING = 0.9;
  private static final double TREND_GAIN = 4.0;
  private static final double THRESHOLD_UP = 0.0087;
  private static final double THRESHOLD_DOWN = 0.039;
  private static final double INITIAL_THRESHOLD = 12.5;
  private static final long OVERUSE_MICROS = 10_000;
  private static final double BETA = 0.85;
  private static final long DECREASE_INTERVAL_NANOS = 300_000_000L;
  private static final long RATE_WINDOW_MICROS = 300_000;
  private static final int LOSS_WINDOW_PACKETS = 30;
  private static final long LOSS_WINDOW_NANOS = 500_000_000L;
  private static final double HIGH_LOSS = 0.10;
  private static final double LOW_LOSS = 0.02;
  private static final long REPRIEVE_AFTER_NANOS = 300_000_000L;
  private static final long CONFIRM_NANOS = 1_000_000_000L;
  private static final double CONFIRM_QUEUE_MS = 250;
  private static final double DRAINED_QUEUE_MS = 30;
  private static final double CONFIRM_LOSS = 0.05;
  private static final long REPRIEVE_INTERVAL_NANOS = 5_000_000_000L;
  private static final long NARROW_MEMORY_NANOS = 30_000_000_000L;
  private static final long NONE = Long.MIN_VALUE;

  // The group being filled and the one before it.
  private boolean groupOpen;
  private long groupFirstSend;
  private long groupLastSend;
  private long groupLastArrival;
  private boolean hasPreviousGroup;
  private long previousGroupSend;
  private long previousGroupArrival;

  // The trend line over the last groups: x = arrival (ms), y = smoothed accumulated delay (ms).
  private final double[] trendX = new double[TREND_WINDOW];
  private final double[] trendY = new double[TREND_WINDOW];
  private int trendCount;
  private int trendNext;
  private long originMicros = Long.MIN_VALUE;
  private double accumulatedMs;
  // The least of the accumulated delay over the last buckets: the path's delay with its queues
  // empty, below which nothing arrives. What is above it now is the queue a packet waits in.
  private final double[] floorMs = new double[FLOOR_BUCKETS];
  private int floorBucket;
  private long floorBucketStartMicros = Long.MIN_VALUE;
  private double smoothedMs;
  private int deltas;
  private double trend;
  private double previousTrend;
  private double threshold = INITIAL_THRESHOLD;
  private long lastThresholdMicros = Long.MIN_VALUE;
  private long overuseSinceMicros = Long.MIN_VALUE;
  private int overuseCount;
  private Signal signal = Signal.NORMAL;

  // The acknowledged rate: bytes received over a window of arrival time.
  private long ackedBytes;
  private long ackedFirstArrival = Long.MIN_VALUE;
  private long ackedLastArrival;
  private long ackedBps;

  // Loss over the current window.
  private int lossReceived;
  private int lossLost;
  private long lossWindowStart = Long.MIN_VALUE;
  private double lossFraction = -1;
  private boolean lossFresh;
  private long lastLossNanos = Long.MIN_VALUE / 2;

  // The estimate: the lower of the delay-based and the loss-based one (both unbounded until the
  // first congestion).
  private boolean constrained;
  private long estimate = Long.MAX_VALUE;
  private long delayBased = Long.MAX_VALUE;
  private long lossBased = Long.MAX_VALUE;
  // A delay-based decrease not yet confirmed (NONE if none): since when, and what it lowered.
  private long tentativeSince = NONE;
  private long tentativeFrom;
  private double tentativePeakQueueMs;
  private long lastReprieveNanos = Long.MIN_VALUE / 2;
  private long lastStoodNanos = Long.MIN_VALUE / 2;
  private long reprieves;
  private long lastDecreaseNanos = Long.MIN_VALUE / 2;
  private long lastUpdateNanos = Long.MIN_VALUE;
  private long decreases;

  /**
   * One packet a feedback reports on.
   *
   * @param sendNanos when the SFU sent it ({@link System#nanoTime})
   * @param arrivalMicros when the subscriber received it, on the subscriber's clock, or {@link
   *     Long#MIN_VALUE} if it did not
   * @param bytes its size on the wire
   */
  void onPacket(long sendNanos, long arrivalMicros, int bytes, long now) {
    if (lossWindowStart == Long.MIN_VALUE) {
      lossWindowStart = now;
    }
    if (arrivalMicros == Long.MIN_VALUE) {
      lossLost++;
      return;
    }
    lossReceived++;
    acknowledged(arrivalMicros, bytes);
    if (!groupOpen) {
      openGroup(sendNanos, arrivalMicros);
    } else if (sendNanos - groupFirstSend <= GROUP_NANOS) {
      groupLastSend = Math.max(groupLastSend, sendNanos);
      groupLastArrival = Math.max(groupLastArrival, arrivalMicros);
    } else {
      closeGroup();
      openGroup(sendNanos, arrivalMicros);
    }
  }

  private void acknowledged(long arrivalMicros, int bytes) {
    if (ackedFirstArrival == Long.MIN_VALUE || arrivalMicros < ackedFirstArrival) {
      ackedFirstArrival = arrivalMicros;
      ackedLastArrival = arrivalMicros;
      ackedBytes = 0;
      return; // the window's first packet opens it; its bytes came before it
    }
    ackedBytes += bytes;
    ackedLastArrival = Math.max(ackedLastArrival, arrivalMicros);
    long span = ackedLastArrival - ackedFirstArrival;
    if (span >= RATE_WINDOW_MICROS) {
      long rate = ackedBytes * 8 * 1_000_000 / span;
      ackedBps = ackedBps == 0 ? rate : (ackedBps + rate) / 2;
      ackedFirstArrival = ackedLastArrival;
      ackedBytes = 0;
    }
  }

  private void openGroup(long sendNanos, long arrivalMicros) {
    groupOpen = true;
    groupFirstSend = sendNanos;
    groupLastSend = sendNanos;
    groupLastArrival = arrivalMicros;
  }

  private void closeGroup() {
    if (hasPreviousGroup) {
      double sendDeltaMs = (groupLastSend - previousGroupSend) / 1e6;
      double arrivalDeltaMs = (groupLastArrival - previousGroupArrival) / 1e3;
      if (sendDeltaMs < 0 || arrivalDeltaMs < 0 || arrivalDeltaMs > 3_000) {
        // Reordered, or a gap (the subscriber's clock jumped, or its feedback stopped): start over.
        resetTrend();
      } else {
        addDelta(arrivalDeltaMs - sendDeltaMs, groupLastArrival);
      }
    }
    hasPreviousGroup = true;
    previousGroupSend = groupLastSend;
    previousGroupArrival = groupLastArrival;
  }

  private void resetTrend() {
    trendCount = 0;
    trendNext = 0;
    accumulatedMs = 0;
    smoothedMs = 0;
    originMicros = Long.MIN_VALUE;
    floorBucketStartMicros = Long.MIN_VALUE;
  }

  private void addDelta(double variationMs, long arrivalMicros) {
    if (originMicros == Long.MIN_VALUE) {
      originMicros = arrivalMicros;
    }
    deltas = Math.min(deltas + 1, 1000);
    accumulatedMs += variationMs;
    smoothedMs = SMOOTHING * smoothedMs + (1 - SMOOTHING) * accumulatedMs;
    updateFloor(arrivalMicros);
    trendX[trendNext] = (arrivalMicros - originMicros) / 1e3;
    trendY[trendNext] = smoothedMs;
    trendNext = (trendNext + 1) % TREND_WINDOW;
    trendCount = Math.min(trendCount + 1, TREND_WINDOW);
    if (trendCount == TREND_WINDOW) {
      trend = Math.min(deltas, 60) * slope() * TREND_GAIN;
      detect(arrivalMicros);
    }
  }

  private void updateFloor(long arrivalMicros) {
    if (floorBucketStartMicros == Long.MIN_VALUE) {
      java.util.Arrays.fill(floorMs, accumulatedMs);
      floorBucketStartMicros = arrivalMicros;
    } else if (arrivalMicros - floorBucketStartMicros >= FLOOR_BUCKET_MICROS) {
      floorBucket = (floorBucket + 1) % FLOOR_BUCKETS;
      floorMs[floorBucket] = accumulatedMs;
      floorBucketStartMicros = arrivalMicros;
    }
    floorMs[floorBucket] = Math.min(floorMs[floorBucket], accumulatedMs);
  }

  /**
   * How long packets wait in a queue on the path now, in milliseconds: the smoothed delay above the
   * least seen in the last 20 s. A narrow link that the stream fills keeps one standing; a busy
   * machine's scheduling makes short spikes that drain.
   */
  double queueMs() {
    if (floorBucketStartMicros == Long.MIN_VALUE) {
      return 0;
    }
    double floor = floorMs[0];
    for (int i = 1; i < FLOOR_BUCKETS; i++) {
      floor = Math.min(floor, floorMs[i]);
    }
    return Math.max(0, smoothedMs - floor);
  }

  /** Least-squares slope of the window's points. */
  private double slope() {
    double meanX = 0;
    double meanY = 0;
    for (int i = 0; i < trendCount; i++) {
      meanX += trendX[i];
      meanY += trendY[i];
    }
    meanX /= trendCount;
    meanY /= trendCount;
    double numerator = 0;
    double denominator = 0;
    for (int i = 0; i < trendCount; i++) {
      double dx = trendX[i] - meanX;
      numerator += dx * (trendY[i] - meanY);
      denominator += dx * dx;
    }
    return denominator == 0 ? 0 : numerator / denominator;
  }

  private void detect(long nowMicros) {
    if (trend > threshold) {
      if (overuseSinceMicros == Long.MIN_VALUE) {
        overuseSinceMicros = nowMicros;
      }
      overuseCount++;
      if (nowMicros - overuseSinceMicros > OVERUSE_MICROS
          && overuseCount > 1
          && trend >= previousTrend) {
        signal = Signal.OVERUSE;
        overuseSinceMicros = Long.MIN_VALUE;
        overuseCount = 0;
      }
    } else if (trend < -threshold) {
      overuseSinceMicros = Long.MIN_VALUE;
      overuseCount = 0;
      signal = Signal.UNDERUSE;
    } else {
      overuseSinceMicros = Long.MIN_VALUE;
      overuseCount = 0;
      signal = Signal.NORMAL;
    }
    previousTrend = trend;
    adaptThreshold(nowMicros);
  }

  /** The threshold follows the trend's size, quickly down and slowly up (GCC §5.4). */
  private void adaptThreshold(long nowMicros) {
    if (lastThresholdMicros == Long.MIN_VALUE) {
      lastThresholdMicros = nowMicros;
    }
    double size = Math.abs(trend);
    if (size > threshold + 15) {
      lastThresholdMicros = nowMicros; // a spike: not a reason to move the threshold
      return;
    }
    double k = size < threshold ? THRESHOLD_DOWN : THRESHOLD_UP;
    double elapsedMs = Math.min((nowMicros - lastThresholdMicros) / 1e3, 100);
    threshold += k * (size - threshold) * elapsedMs;
    threshold = Math.max(6, Math.min(600, threshold));
    lastThresholdMicros = nowMicros;
  }

  /**
   * After the packets of one feedback: updates the estimate.
   *
   * @return true if the estimate changed
   */
  boolean onFeedbackEnd(long now) {
    if (lossReceived + lossLost >= LOSS_WINDOW_PACKETS
        && now - lossWindowStart >= LOSS_WINDOW_NANOS) {
      lossFraction = (double) lossLost / (lossReceived + lossLost);
      lossFresh = true;
      if (lossFraction >= LOW_LOSS) {
        lastLossNanos = now;
      }
      lossReceived = 0;
      lossLost = 0;
      lossWindowStart = now;
    }
    long before = estimate;
    boolean canDecrease = now - lastDecreaseNanos >= DECREASE_INTERVAL_NANOS && ackedBps > 0;
    double seconds =
        lastUpdateNanos == Long.MIN_VALUE ? 0 : Math.min((now - lastUpdateNanos) / 1e9, 1.0);
    if (signal == Signal.OVERUSE && canDecrease) {
      long from = delayBased;
      delayBased = lowered(delayBased, (long) (BETA * ackedBps), now);
      if (tentativeSince == NONE
          && delayBased < from
          && lossFraction < CONFIRM_LOSS
          && now - lastLossNanos >= NARROW_MEMORY_NANOS
          && now - lastStoodNanos >= NARROW_MEMORY_NANOS
          && now - lastReprieveNanos >= REPRIEVE_INTERVAL_NANOS) {
        tentativeSince = now;
        tentativeFrom = from;
        tentativePeakQueueMs = 0;
      }
    } else if (signal == Signal.NORMAL) {
      delayBased = grown(delayBased, seconds);
    }
    if (lossFresh && lossFraction > HIGH_LOSS && canDecrease) {
      long base = Math.min(estimate, ackedBps);
      lossBased = lowered(lossBased, (long) (base * (1 - 0.5 * lossFraction)), now);
    } else if (lossFraction < LOW_LOSS) {
      lossBased = grown(lossBased, seconds);
    }
    if (tentativeSince != NONE) {
      settleTentative(now);
    }
    estimate = Math.min(tentativeSince != NONE ? tentativeFrom : delayBased, lossBased);
    if (estimate < before) {
      lastStoodNanos = now;
    }
    constrained |= estimate != Long.MAX_VALUE;
    lossFresh = false;
    lastUpdateNanos = now;
    return estimate != before;
  }

  /**
   * A delay-based decrease stands only once what follows confirms it. A queue on a link the stream
   * fits (a keyframe's burst, or a moment the subscriber's machine or ours was busy) drains, and
   * lowering the estimate for it would drop a layer the link carries, whose return then costs a
   * keyframe and a probe: that decrease is taken back once the queue has fallen to half its height
   * (or to 30 ms) with no overuse (after 300 ms at the earliest). Loss, a queue of a quarter
   * second, a queue still rising 300 ms on (more is sent than the link carries: a burst's queue
   * stops rising once the burst is through), or one not drained within a second confirm it. A
   * decrease is put on trial only on a link that has not lost 2 % of a window, nor had a decrease
   * stand, in the last 30 s (a narrow one keeps a queue standing, which the floor the queue is
   * measured from takes in; and a picture started again on it must give way at once, or the audio
   * beside it pays), and not within 5 s of one taken back.
   */
  private void settleTentative(long now) {
    double queue = queueMs();
    boolean rising = queue >= tentativePeakQueueMs;
    tentativePeakQueueMs = Math.max(tentativePeakQueueMs, queue);
    long elapsed = now - tentativeSince;
    if (lossFresh && lossFraction >= CONFIRM_LOSS
        || queue >= CONFIRM_QUEUE_MS
        || elapsed >= REPRIEVE_AFTER_NANOS && rising && signal == Signal.OVERUSE) {
      tentativeSince = NONE;
    } else if (elapsed >= REPRIEVE_AFTER_NANOS
        && signal != Signal.OVERUSE
        && queue <= Math.max(tentativePeakQueueMs / 2, DRAINED_QUEUE_MS)) {
      delayBased = Math.max(delayBased, tentativeFrom);
      lastReprieveNanos = now;
      reprieves++;
      tentativeSince = NONE;
    } else if (elapsed >= CONFIRM_NANOS) {
      tentativeSince = NONE;
    }
  }

  /** One of the two estimates lowered to {@code target}. */
  private long lowered(long current, long target, long now) {
    target = Math.max(MIN_ESTIMATE_BPS, target);
    lastDecreaseNanos = now;
    if (target < current) {
      decreases++;
      return target;
    }
    return current;
  }

  /** One of the two estimates grown by 8 % a second, up to 1.5 times the acknowledged rate. */
  private long grown(long current, double seconds) {
    if (current == Long.MAX_VALUE || seconds == 0) {
      return current;
    }
    long grown = (long) (current * Math.pow(1.08, seconds)) + 1;
    long cap = Math.max(current, (long) (1.5 * ackedBps) + 10_000);
    return Math.min(grown, cap);
  }

  /**
   * What a padding probe showed the path carried: raises the estimate to it (never lowers it; the
   * delay and loss signals do that).
   *
   * @return true if the estimate rose
   */
  boolean onProbeResult(long bitsPerSecond) {
    if (!constrained || bitsPerSecond <= estimate) {
      return false;
    }
    estimate = bitsPerSecond;
    tentativeSince = NONE;
    delayBased = Math.max(delayBased, bitsPerSecond);
    lossBased = Math.max(lossBased, bitsPerSecond);
    return true;
  }

  /**
   * What a padding probe showed the path to be full at: lowers the estimate to it (an estimate made
   * while little was being sent can stay above the path's rate).
   *
   * @return true if the estimate fell
   */
  boolean lowerTo(long bitsPerSecond) {
    long target = Math.max(MIN_ESTIMATE_BPS, bitsPerSecond);
    if (!constrained || target >= estimate) {
      return false;
    }
    estimate = target;
    lastStoodNanos = lastUpdateNanos; // the last feedback's time: a probe is read after one
    tentativeSince = NONE;
    delayBased = Math.min(delayBased, target);
    lossBased = Math.min(lossBased, target);
    decreases++;
    return true;
  }

  /** False until the path first showed congestion: then nothing needs holding back. */
  boolean constrained() {
    return constrained;
  }

  /** The estimate in bits per second; {@link Long#MAX_VALUE} while not {@link #constrained}. */
  long estimate() {
    return estimate;
  }

  /** The rate the subscriber acknowledged receiving lately (0 before a window closed). */
  long ackedBps() {
    return ackedBps;
  }

  Signal signal() {
    return signal;
  }

  double trend() {
    return trend;
  }

  /** Loss over the last closed window, or -1 before one closed. */
  double lossFraction() {
    return lossFraction;
  }

  /**
   * When a closed window last lost at least 2 % of its packets: the path dropped them, which a busy
   * machine's scheduling delay alone never does.
   */
  long lastLossNanos() {
    return lastLossNanos;
  }

  /** How many times congestion lowered the estimate. */
  long decreases() {
    return decreases;
  }

  /** How many delay-based decreases were taken back, the queue having drained. */
  long reprieves() {
    return reprieves;
  }
}
