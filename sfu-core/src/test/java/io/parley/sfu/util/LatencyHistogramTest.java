package io.parley.sfu.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void bucketsAreLogLinearAndInclusiveOfTheirUpperBound() {
    assertEquals(0, LatencyHistogram.bucketOf(0));
    assertEquals(0, LatencyHistogram.bucketOf(1024));
    assertEquals(1, LatencyHistogram.bucketOf(1025));
    assertEquals(1280, LatencyHistogram.upperBound(1));
    assertEquals(1, LatencyHistogram.bucketOf(1280));
    assertEquals(2, LatencyHistogram.bucketOf(1281));
    assertEquals(1536, LatencyHistogram.upperBound(2));
    assertEquals(2048, LatencyHistogram.upperBound(4));
    assertEquals(4, LatencyHistogram.bucketOf(2048));
    assertEquals(5, LatencyHistogram.bucketOf(2049));
    assertEquals(1L << 31, LatencyHistogram.upperBound(LatencyHistogram.BUCKETS - 1));
    assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.bucketOf(1L << 31));
    assertEquals(LatencyHistogram.BUCKETS, LatencyHistogram.bucketOf((1L << 31) + 1));
    assertEquals(LatencyHistogram.BUCKETS, LatencyHistogram.bucketOf(Long.MAX_VALUE));
  }

  @Test
  void everyValueLiesInItsBucketAndBucketsAreAtMostAQuarterWide() {
    for (int i = 1; i < LatencyHistogram.BUCKETS; i++) {
      long lower = LatencyHistogram.upperBound(i - 1);
      long upper = LatencyHistogram.upperBound(i);
      assertTrue(upper > lower);
      assertTrue(upper - lower <= lower / 4, "bucket " + i);
      assertEquals(i, LatencyHistogram.bucketOf(lower + 1));
      assertEquals(i, LatencyHistogram.bucketOf(upper));
    }
  }

  @Test
  void recordsCountsAndSum() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(500, 3);
    h.record(100_000, 1);
    h.record(-5, 1); // a clock that went backwards counts as 0
    h.record(10_000, 0); // nothing forwarded: nothing recorded
    long[] counts = new long[LatencyHistogram.BUCKETS + 1];
    long sum = h.addTo(counts);
    assertEquals(4, counts[0]);
    assertEquals(1, counts[LatencyHistogram.bucketOf(100_000)]);
    assertEquals(1_500 + 100_000, sum);
    h.addTo(counts);
    assertEquals(8, counts[0]);
  }

  @Test
  void percentilesInterpolateInsideTheBucket() {
    long[] counts = new long[LatencyHistogram.BUCKETS + 1];
    assertTrue(Double.isNaN(LatencyHistogram.percentile(counts, 50)));
    int b = LatencyHistogram.bucketOf(100_000);
    counts[b] = 100;
    double lower = LatencyHistogram.upperBound(b - 1);
    double upper = LatencyHistogram.upperBound(b);
    assertEquals(lower + (upper - lower) * 0.5, LatencyHistogram.percentile(counts, 50), 1e-9);
    assertEquals(upper, LatencyHistogram.percentile(counts, 100), 1e-9);
    counts[LatencyHistogram.BUCKETS] = 100;
    assertEquals(
        LatencyHistogram.upperBound(LatencyHistogram.BUCKETS - 1),
        LatencyHistogram.percentile(counts, 99),
        1e-9);
  }
}
