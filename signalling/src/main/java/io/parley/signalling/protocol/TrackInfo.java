package io.parley.signalling.protocol;

/**
 * A published track (an SFU producer).
 *
 * @param kind {@code audio} or {@code video}
 * @param source {@code mic}, {@code camera} or {@code screen}
 */
public record TrackInfo(String producerId, String participantId, String kind, String source) {}
