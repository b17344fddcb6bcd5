package io.parley.signalling.protocol;

/** The browser's acknowledgement of a {@link ServerEvent.SubscribeOffer}. */
public record SubscribeAnswer(boolean ok, String sdp, String error) {}
