/** Parley's media plane: UDP transport, ICE-lite, DTLS-SRTP, RTP/RTCP and routing. */
package io.parley.sfu;
