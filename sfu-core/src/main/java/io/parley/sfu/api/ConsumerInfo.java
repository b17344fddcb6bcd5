package io.parley.sfu.api;

/**
 * What the subscriber's SDP must announce for a consumer.
 *
 * @param ssrc the SSRC the subscriber receives (stable for the consumer's life)
 * @param cname the RTCP CNAME (one per publishing participant, for lip sync)
 * @param streamId the msid stream id
 * @param trackId the msid track id
 */
public record ConsumerInfo(
    String consumerId, MediaKind kind, long ssrc, String cname, String streamId, String trackId) {}
