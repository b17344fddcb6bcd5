package io.parley.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PromHistogramTest {
  private static final String PAGE =
      String.join(
          "\n",
          "# TYPE parley_forwarding_delay_seconds histogram",
          "parley_forwarding_delay_seconds_bucket{le=\"0.0001\"} 10",
          "parley_forwarding_delay_seconds_bucket{le=\"0.0002\"} 90",
          "parley_forwarding_delay_seconds_bucket{le=\"0.001\"} 100",
          "parley_forwarding_delay_seconds_bucket{le=\"+Inf\"} 100",
          "parley_forwarding_delay_seconds_count 100",
          "other_bucket{le=\"1\"} 5");

  @Test
  void readsBucketsAndInterpolatesPercentiles() {
    PromHistogram h = PromHistogram.parse(PAGE, "parley_forwarding_delay_seconds");
    assertEquals(100, h.count());
    // rank 50 of 100: 40 of the 80 values between 0.1 and 0.2 ms.
    assertEquals(0.00015, h.percentile(50), 1e-12);
    assertEquals(0.0001, h.percentile(10), 1e-12);
    assertEquals(0.0002 + 0.0008 * 0.9, h.percentile(99), 1e-12);
  }

  @Test
  void theDifferenceOfTwoReadingsIsWhatHappenedBetween() {
    PromHistogram before = PromHistogram.parse(PAGE, "parley_forwarding_delay_seconds");
    PromHistogram after =
        PromHistogram.parse(
            PAGE.replace("} 10\n", "} 10\n")
                .replace("0.0002\"} 90", "0.0002\"} 190")
                .replace("0.001\"} 100", "0.001\"} 200")
                .replace("+Inf\"} 100", "+Inf\"} 200"),
            "parley_forwarding_delay_seconds");
    PromHistogram d = after.minus(before);
    assertEquals(100, d.count());
    assertTrue(d.percentile(50) > 0.0001 && d.percentile(50) < 0.0002);
    assertTrue(Double.isNaN(PromHistogram.EMPTY.percentile(50)));
    assertEquals(0, PromHistogram.parse("", "x").count());
  }
}
