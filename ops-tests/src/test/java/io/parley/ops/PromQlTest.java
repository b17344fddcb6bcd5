package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {
  @Test
  void findsMetricNamesAndSkipsFunctionsLabelsAndDurations() {
    assertThat(
            PromQl.metricNames(
                "histogram_quantile(0.9, sum by (le, instance) (rate(parley_rtt_seconds_bucket{job=\"parley\","
                    + " instance=~\"$instance\"}[$__rate_interval])))"))
        .containsExactly("parley_rtt_seconds_bucket");
    assertThat(
            PromQl.metricNames(
                "sum(rate(a_total[5m] offset 1h)) / on (instance) group_left (pod) b > bool 1e3"
                    + " unless absent(up{job=\"x\"})"))
        .containsExactly("a_total", "b", "up");
    assertThat(PromQl.metricNames("max by (instance) (parley_event_loop_lag_seconds) > 0.05"))
        .containsExactly("parley_event_loop_lag_seconds");
  }

  @Test
  void knowsTheServersMetricNames() {
    assertThat(ParleyMetrics.isKnown("parley_loss_ratio_bucket")).isTrue();
    assertThat(ParleyMetrics.isKnown("parley_loss_ratio")).isFalse();
    assertThat(ParleyMetrics.isKnown("jvm_memory_used_bytes")).isTrue();
    assertThat(ParleyMetrics.isKnown("parley_room_participants")).isFalse();
    assertThat(ParleyMetrics.isKnown("node_cpu_seconds_total")).isFalse();
  }
}
