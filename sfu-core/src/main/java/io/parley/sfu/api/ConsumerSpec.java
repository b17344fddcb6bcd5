package io.parley.sfu.api;

/**
 * A subscription of one subscriber endpoint to one producer.
 *
 * @param consumerId unique in the room
 * @param producerId the producer to receive
 * @param mid the media section's mid in the subscriber's SDP (written into the mid extension)
 * @param codec the codec and payload type as the subscriber's SDP announces them
 * @param extensions the header-extension ids in the subscriber's SDP (0 = not sent)
 */
public record ConsumerSpec(
    String consumerId, String producerId, String mid, Codec codec, HeaderExtensionIds extensions) {}
