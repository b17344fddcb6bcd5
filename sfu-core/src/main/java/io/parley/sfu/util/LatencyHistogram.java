package io.parley.sfu.util;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-size histogram of durations in nanoseconds, cheap enough for the packet path: one writer
 * thread (an event loop) records with plain increments published by ordered stores, any thread
 * reads. No allocation after construction.
 *
 * <p>Buckets are log-linear: four per power of two from 1024 ns up to 2^31 ns (about 2.1 s), so a
 * bucket's width is at most a quarter of its lower bound; below 1024 ns is one bucket, above 2^31
 * ns the overflow. Bucket {@code i} counts values {@code v} with {@code upperBound(i-1) < v <=
 * upperBound(i)}, as Prometheus' {@code le} buckets do.
 */
public final class LatencyHistogram {
  /** Sub-buckets per power of two, as bits. */
  private static final int SUB_BITS = 2;

  private static final int SUBS = 1 << SUB_BITS;

  /** Values up to 2^MIN_EXP ns fall in the first bucket. */
  private static final int MIN_EXP = 10;

  /** Values above 2^MAX_EXP ns fall in the overflow bucket. */
  private static final int MAX_EXP = 31;

  /** Finite buckets; the overflow bucket follows them. */
  public static final int BUCKETS = 1 + (MAX_EXP - MIN_EXP) * SUBS;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);

  /** Total of all recorded values, in ns (single writer). */
  private final AtomicLong sum = new AtomicLong();

  /** The bucket a value falls into; {@link #BUCKETS} is the overflow. */
  public static int bucketOf(long nanos) {
    long w = nanos - 1;
    if (w < (1L << MIN_EXP)) {
      return 0;
    }
    int exp = 63 - Long.numberOfLeadingZeros(w);
    if (exp >= MAX_EXP) {
      return BUCKETS;
    }
    int sub = (int) (w >>> (exp - SUB_BITS)) & (SUBS - 1);
    return 1 + (exp - MIN_EXP) * SUBS + sub;
  }

  /** The largest value in finite bucket {@code i}, in ns. */
  public static long upperBound(int i) {
    if (i == 0) {
      return 1L << MIN_EXP;
    }
    int exp = MIN_EXP + (i - 1) / SUBS;
    int sub = (i - 1) % SUBS;
    return (long) (SUBS + sub + 1) << (exp - SUB_BITS);
  }

  /** Records {@code times} samples of one duration; the owning thread only. */
  public void record(long nanos, int times) {
    if (times <= 0) {
      return;
    }
    long v = Math.max(0, nanos);
    int i = bucketOf(v);
    counts.lazySet(i, counts.get(i) + times);
    sum.lazySet(sum.get() + v * times);
  }

  /**
   * Adds this histogram's counts into {@code into} (length {@code BUCKETS + 1}) and returns the sum
   * of the values in ns; any thread.
   */
  public long addTo(long[] into) {
    for (int i = 0; i <= BUCKETS; i++) {
      into[i] += counts.get(i);
    }
    return sum.get();
  }

  /**
   * The value at a percentile (0..100) of bucket counts, interpolated linearly inside its bucket;
   * NaN with no samples. The overflow bucket reports the largest finite bound.
   */
  public static double percentile(long[] counts, double percentile) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    double rank = Math.max(1, Math.ceil(percentile / 100.0 * total));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == 0) {
        continue;
      }
      if (seen + counts[i] >= rank) {
        if (i >= BUCKETS) {
          return upperBound(BUCKETS - 1);
        }
        double lower = i == 0 ? 0 : upperBound(i - 1);
        double upper = upperBound(i);
        return lower + (upper - lower) * (rank - seen) / counts[i];
      }
      seen += counts[i];
    }
    return upperBound(BUCKETS - 1);
  }
}
