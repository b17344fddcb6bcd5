package io.parley.sfu.api;

import java.util.concurrent.CompletableFuture;

/**
 * The control API of the media plane: the only door the signalling server uses.
 *
 * <p>An <em>endpoint</em> is one WebRTC transport (one ICE ufrag, one DTLS session, one UDP 5-tuple
 * with BUNDLE and rtcp-mux). A participant in the browser usually has two: a publish transport (the
 * browser offers, the SFU answers) and a subscribe transport (the SFU offers). A <em>producer</em>
 * is a track published on an endpoint; a <em>consumer</em> is one subscriber endpoint's copy of one
 * producer.
 *
 * <p>Every command is handed to the thread that owns the room's media state; the returned future
 * completes on that thread (do not block in its callbacks). Commands for an unknown room or
 * endpoint complete exceptionally with {@link SfuException}.
 */
public interface SfuApi {

  /** Creates an endpoint in a room (the room is created on first use). */
  CompletableFuture<TransportInfo> createEndpoint(String roomId, String endpointId);

  /**
   * Sets the browser's ICE credentials and DTLS fingerprint, learnt from its SDP. Media is accepted
   * only after this and a valid ICE check.
   */
  CompletableFuture<Void> connectEndpoint(
      String roomId, String endpointId, RemoteTransportParams remote);

  /** Publishes a track of an endpoint. */
  CompletableFuture<Void> addProducer(String roomId, String endpointId, ProducerSpec spec);

  CompletableFuture<Void> removeProducer(String roomId, String producerId);

  /** Makes a subscriber endpoint receive a producer; returns what its SDP must announce. */
  CompletableFuture<ConsumerInfo> addConsumer(
      String roomId, String subscriberEndpointId, ConsumerSpec spec);

  CompletableFuture<Void> removeConsumer(String roomId, String consumerId);

  /**
   * Pauses or resumes a consumer (a subscriber does not show that video). Resuming asks the
   * producer for a keyframe.
   */
  CompletableFuture<Void> setConsumerPaused(String roomId, String consumerId, boolean paused);

  /**
   * Caps the simulcast layer a video consumer forwards (0 = the lowest): a subscriber showing that
   * video small needs no more. The consumer still drops to a lower layer when a higher one stops.
   * Audio consumers ignore it.
   */
  CompletableFuture<Void> setConsumerMaxLayer(String roomId, String consumerId, int maxLayer);

  /** Closes an endpoint, its producers and consumers (and the consumers of its producers). */
  CompletableFuture<Void> closeEndpoint(String roomId, String endpointId);

  /** Registers a listener for media-plane events; it is called on room threads. */
  void addListener(SfuListener listener);
}
