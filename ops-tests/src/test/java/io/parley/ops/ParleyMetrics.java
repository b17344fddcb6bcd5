package io.parley.ops;

import java.util.List;
import java.util.Set;

/**
 * The metric names the server exposes: the contract between it and the alert rules and dashboard.
 */
final class ParleyMetrics {
  private ParleyMetrics() {}

  static final List<String> COUNTERS_AND_GAUGES =
      List.of(
          "parley_rooms",
          "parley_participants",
          "parley_endpoints",
          "parley_rtp_packets_received_total",
          "parley_rtp_packets_sent_total",
          "parley_rtp_bytes_received_total",
          "parley_rtp_bytes_sent_total",
          "parley_forwarded_packets_total",
          "parley_dropped_packets_total",
          "parley_ice_checks_total",
          "parley_ice_failures_total",
          "parley_dtls_failures_total",
          "parley_nacks_received_total",
          "parley_nacks_sent_total",
          "parley_retransmission_misses_total",
          "parley_uplink_losses_total",
          "parley_playout_delay_changes_total",
          "parley_retransmissions_total",
          "parley_keyframe_requests_received_total",
          "parley_keyframe_requests_sent_total",
          "parley_layer_switches_total",
          "parley_downlink_congestion_total",
          "parley_downlink_layer_changes_total",
          "parley_downlink_video_pauses_total",
          "parley_downlink_video_resumes_total",
          "parley_downlink_probes_total",
          "parley_downlink_padding_packets_total",
          "parley_red_downlink_changes_total",
          "parley_publish_layer_changes_total",
          "parley_event_loop_lag_seconds",
          "parley_signalling_throttled_total");

  static final List<String> HISTOGRAMS =
      List.of(
          "parley_subscriber_bandwidth_bps",
          "parley_rtt_seconds",
          "parley_publisher_rtt_seconds",
          "parley_jitter_seconds",
          "parley_loss_ratio",
          "parley_join_to_first_media_seconds",
          "parley_forwarding_delay_seconds");

  /** JVM and process series from Micrometer's binders. */
  static final List<String> RUNTIME_PREFIXES = List.of("jvm_", "process_", "system_");

  /** Prometheus' own series about a scrape: the only way to see a server that is down. */
  static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  static boolean isKnown(String name) {
    if (COUNTERS_AND_GAUGES.contains(name) || PROMETHEUS_SERIES.contains(name)) {
      return true;
    }
    for (String h : HISTOGRAMS) {
      if (name.equals(h + "_bucket") || name.equals(h + "_sum") || name.equals(h + "_count")) {
        return true;
      }
    }
    return RUNTIME_PREFIXES.stream().anyMatch(name::startsWith);
  }

  /** The Parley series a dashboard must show: every counter and gauge, and every histogram. */
  static boolean covers(Set<String> used, String metric) {
    if (HISTOGRAMS.contains(metric)) {
      return used.contains(metric + "_bucket")
          || used.contains(metric + "_sum")
          || used.contains(metric + "_count");
    }
    return used.contains(metric);
  }
}
