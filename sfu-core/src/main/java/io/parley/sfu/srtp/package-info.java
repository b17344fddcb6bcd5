/**
 * SRTP and SRTCP (RFC 3711, RFC 7714) for one transport, over jitsi-srtp, working in place on Netty
 * heap buffers.
 */
package io.parley.sfu.srtp;
