package io.parley.sfu.api;

/** Events from the media plane; called on the room's thread, so return quickly. */
public interface SfuListener {
  /** ICE and DTLS are up: media can flow. */
  default void endpointConnected(String roomId, String endpointId) {}

  /**
   * The endpoint's transport died (consent expired, DTLS failed or closed, fingerprint mismatch).
   */
  default void endpointDisconnected(String roomId, String endpointId, String reason) {}

  /** The first packet of a producer arrived. */
  default void producerActive(String roomId, String producerId) {}

  /** The loudest speaker of a room changed (null when nobody speaks). */
  default void dominantSpeakerChanged(String roomId, String endpointId) {}
}
