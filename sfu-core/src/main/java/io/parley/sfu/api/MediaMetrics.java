package io.parley.sfu.api;

/**
 * Per-report media quality samples for a metrics system (histograms). Called on room threads, about
 * once a second per stream (never per packet): implementations must be quick and thread-safe.
 */
public interface MediaMetrics {
  /** Records nothing. */
  MediaMetrics NONE = new MediaMetrics() {};

  /**
   * A report block from a subscriber about a stream the SFU sends it (RFC 3550 §6.4.1).
   *
   * @param kind the stream's kind
   * @param rttSeconds round-trip time from LSR/DLSR, or NaN when the block carries none
   * @param jitterSeconds interarrival jitter, converted with the stream's clock rate
   * @param fractionLost fraction lost since the previous report, 0..1
   */
  default void receiverReport(
      MediaKind kind, double rttSeconds, double jitterSeconds, double fractionLost) {}

  /**
   * The round trip to a publisher's browser, from its answer (DLRR, RFC 3611) to the time the SFU
   * sent it (RRTR): measured on transports that only publish too.
   */
  default void publisherRoundTrip(double rttSeconds) {}

  /** A subscriber's receive bandwidth estimate (REMB), in bits per second. */
  default void subscriberBandwidth(long bitsPerSecond) {}

  /**
   * The rate a subscriber acknowledged receiving in its transport-cc feedback over about a second,
   * in bits per second: what the path delivered, a lower bound of its bandwidth.
   */
  default void subscriberDeliveryRate(long bitsPerSecond) {}
}
