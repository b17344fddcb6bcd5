package io.parley.sfu.api;

/** Events from the media plane; called on the room's thread, so return quickly. */
public interface SfuListener {
  /** ICE and DTLS are up: media can flow. */
  default void endpointConnected(String roomId, String endpointId) {}

  /**
   * The endpoint's transport died (consent expired, DTLS failed or closed, fingerprint mismatch).
   */
  default void endpointDisconnected(String roomId, String endpointId, String reason) {}

  /** A producer was added to a room. */
  default void producerAdded(String roomId, String endpointId, String producerId) {}

  /** A producer was removed (by command, or because its endpoint closed). */
  default void producerClosed(String roomId, String producerId) {}

  /** A consumer was added for a subscriber endpoint. */
  default void consumerAdded(String roomId, String endpointId, String consumerId) {}

  /**
   * A consumer was removed: by command, or because its producer or one of their endpoints closed
   * (the subscriber's SDP should drop it).
   */
  default void consumerClosed(String roomId, String consumerId) {}

  /** The first packet of a producer arrived. */
  default void producerActive(String roomId, String producerId) {}

  /**
   * A video consumer stopped because not even its lowest layer fits its subscriber's downlink
   * ({@code paused}), or goes on again: the subscriber's page may say so on the tile.
   */
  default void consumerBandwidthPaused(String roomId, String consumerId, boolean paused) {}

  /** The loudest speaker of a room changed (null when nobody speaks). */
  default void dominantSpeakerChanged(String roomId, String endpointId) {}
}
