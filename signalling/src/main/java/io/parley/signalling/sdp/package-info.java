/**
 * A small typed model of the SDP that WebRTC browsers and Parley exchange (parse and write), and
 * the offer/answer rules Parley applies to it: {@link io.parley.signalling.sdp.PublishNegotiator}
 * answers a browser's publish offer, {@link io.parley.signalling.sdp.SubscribeOfferBuilder} offers
 * the tracks a participant receives.
 */
package io.parley.signalling.sdp;
