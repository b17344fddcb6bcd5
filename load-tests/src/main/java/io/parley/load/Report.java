package io.parley.load;

import java.util.List;

/** The result of a run, as written to JSON and rendered as a table and an HTML page. */
record Report(
    String target,
    String label,
    String serverUrl,
    String startedAt,
    String machine,
    Setup setup,
    int participantsPlanned,
    int participantsConnected,
    int participantsFailed,
    List<String> errors,
    double seconds,
    Totals totals,
    Percentiles latencyMs,
    SfuDelay sfuDelayMs,
    Percentiles joinMs,
    ServerUse serverUse,
    List<StreamRow> streams,
    List<Sample> timeline,
    Capacity capacity) {

  record Setup(
      int rooms,
      int publishersPerRoom,
      int subscribersPerRoom,
      boolean audio,
      boolean video,
      boolean simulcast,
      int videoBitrate,
      int fps,
      double sendLoss,
      double receiveLoss,
      int delayMs,
      int jitterMs,
      double durationSeconds,
      double rampUpSeconds) {}

  record Totals(
      long packetsSent,
      long packetsReceived,
      double mbitPerSecondOut,
      double mbitPerSecondIn,
      long streams,
      long streamsExpected,
      long expected,
      long lost,
      double lossPercent,
      long corrupt,
      long srtpFailures,
      long freezes,
      long layerSwitches,
      double meanJitterMs) {}

  record Percentiles(long count, double p50, double p90, double p99, double max) {}

  /**
   * Time inside the SFU (Parley's parley_forwarding_delay_seconds from /metrics) during the
   * measured phase, ms; count 0 when the server does not export it.
   */
  record SfuDelay(long count, double p50, double p99, double p999) {}

  record ServerUse(
      double cpuPercentMean,
      double cpuPercentMax,
      double rssMbStart,
      double rssMbMax,
      double rssMbPerParticipant,
      double heapMbStart,
      double heapMbMax,
      double heapMbPerParticipant,
      double heapMbBeforeJoins,
      double heapFloorMbAtEnd,
      double heapFloorMbPerParticipant) {}

  record StreamRow(
      String receiver,
      String publisher,
      String kind,
      long ssrc,
      long packets,
      long lost,
      double lossPercent,
      long corrupt,
      double jitterMs,
      double latencyP50Ms,
      double latencyP99Ms,
      double latencyMaxMs,
      long joinMs,
      long freezes,
      long freezeMs,
      long layerSwitches) {}

  /** One second of the run. */
  record Sample(
      double t,
      int connected,
      double mbitOut,
      double mbitIn,
      double p50Ms,
      double p99Ms,
      double lossPercent,
      long freezes,
      double serverCpuPercent,
      double serverRssMb,
      double serverHeapMb) {}

  /** Capacity search: each step, and the last one within the SLO. */
  record Capacity(
      double sloP99Ms,
      double sloLossPercent,
      boolean sloFreezes,
      int lastGoodParticipants,
      int lastGoodRooms,
      String stopReason,
      List<Step> steps) {}

  record Step(
      int rooms,
      int participants,
      int connected,
      double p50Ms,
      double p99Ms,
      double lossPercent,
      long freezes,
      double serverCpuPercent,
      double mbitIn,
      boolean good,
      String breach,
      double sfuP50Ms,
      double sfuP99Ms) {}
}
