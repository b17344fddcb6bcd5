package io.parley.load;

import java.util.ArrayList;
import java.util.List;

/**
 * One Prometheus histogram read from a /metrics page (cumulative {@code _bucket} counts by {@code
 * le}), the difference of two readings, and percentiles interpolated inside buckets as Prometheus'
 * histogram_quantile does. Used for the SFU's own forwarding delay.
 */
record PromHistogram(double[] le, long[] cumulative) {
  static final PromHistogram EMPTY = new PromHistogram(new double[0], new long[0]);

  /**
   * The histogram {@code name} (without {@code _bucket}) in a text-format page; EMPTY if absent.
   */
  static PromHistogram parse(String page, String name) {
    String prefix = name + "_bucket{le=\"";
    List<double[]> rows = new ArrayList<>();
    for (String line : page.split("\n")) {
      if (!line.startsWith(prefix)) {
        continue;
      }
      int end = line.indexOf('"', prefix.length());
      String le = line.substring(prefix.length(), end);
      double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
      double count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      rows.add(new double[] {bound, count});
    }
    rows.sort((a, b) -> Double.compare(a[0], b[0]));
    double[] bounds = new double[rows.size()];
    long[] counts = new long[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      bounds[i] = rows.get(i)[0];
      counts[i] = (long) rows.get(i)[1];
    }
    return new PromHistogram(bounds, counts);
  }

  long count() {
    return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
  }

  /** What was recorded between {@code earlier} and this reading (same buckets). */
  PromHistogram minus(PromHistogram earlier) {
    if (earlier == null || earlier.le.length != le.length) {
      return this;
    }
    long[] d = new long[cumulative.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.max(0, cumulative[i] - earlier.cumulative[i]);
    }
    return new PromHistogram(le, d);
  }

  /** The value at a percentile (0..100), linear inside its bucket; NaN with no samples. */
  double percentile(double percentile) {
    long total = count();
    if (total == 0) {
      return Double.NaN;
    }
    double rank = Math.max(1, Math.ceil(percentile / 100.0 * total));
    for (int i = 0; i < cumulative.length; i++) {
      if (cumulative[i] >= rank) {
        long below = i == 0 ? 0 : cumulative[i - 1];
        double lower = i == 0 ? 0 : le[i - 1];
        if (Double.isInfinite(le[i])) {
          return lower;
        }
        return lower + (le[i] - lower) * (rank - below) / (cumulative[i] - below);
      }
    }
    return le.length < 2 ? Double.NaN : le[le.length - 2];
  }
}
