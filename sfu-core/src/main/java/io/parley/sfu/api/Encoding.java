package io.parley.sfu.api;

/**
 * One encoding (simulcast layer) of a producer. Either the SSRC is known from the SDP, or the rid
 * is, and the SSRC is learnt from the first packet carrying that rid.
 *
 * @param rid the rid, or null for a track without simulcast
 * @param ssrc the SSRC, or 0 if not signalled
 */
public record Encoding(String rid, long ssrc) {}
