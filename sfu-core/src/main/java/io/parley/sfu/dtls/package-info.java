/**
 * DTLS 1.2 with the use_srtp extension (RFC 5764) over an ICE-bound 5-tuple, on BouncyCastle's
 * blocking DTLS API run off the I/O threads; the peer's certificate is checked against the
 * a=fingerprint of its SDP.
 */
package io.parley.sfu.dtls;
