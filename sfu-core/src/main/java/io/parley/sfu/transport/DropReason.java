package io.parley.sfu.transport;

/** Why the media plane dropped a datagram or packet. Each reason has its own counter. */
public enum DropReason {
  /** First byte outside the RFC 7983 ranges for STUN, DTLS and RTP/RTCP. */
  UNKNOWN_PROTOCOL,
  /** Not a well-formed STUN Binding request (bad length, fingerprint, missing attributes). */
  BAD_STUN,
  /** USERNAME names no live endpoint. */
  STUN_UNKNOWN_USER,
  /** MESSAGE-INTEGRITY does not match the endpoint's password. */
  STUN_BAD_INTEGRITY,
  /** DTLS or SRTP from an address no valid ICE check has bound. */
  UNBOUND_ADDRESS,
  /** SRTP or SRTCP authentication failed (wrong key or tampered). */
  SRTP_AUTH_FAIL,
  /** SRTCP authentication failed (wrong key or tampered). */
  SRTCP_AUTH_FAIL,
  /** SRTP replay protection rejected a packet seen before. */
  SRTP_REPLAY,
  /** SRTP before the DTLS handshake finished. */
  SRTP_NOT_READY,
  /** RTP or RTCP that does not parse. */
  PARSE_ERROR,
  /** RTP with an SSRC, mid and rid that match no producer. */
  UNKNOWN_SSRC,
  /** The room's queue or the DTLS queue was full. */
  OVERLOAD
}
