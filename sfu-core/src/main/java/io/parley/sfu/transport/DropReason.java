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
  /**
   * A valid Binding request for one endpoint read on the socket connected to another endpoint's
   * address: it reached that socket before it was connected, so its real sender is unknown.
   */
  STUN_UNATTRIBUTABLE,
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
  OVERLOAD,
  /** An ICE-TCP frame longer than any packet the SFU takes; its connection is closed. */
  TCP_FRAME_TOO_LONG,
  /** A packet not sent because its ICE-TCP connection's send buffer was full. */
  TCP_BACKPRESSURE,
  /**
   * An ICE-TCP connection refused as it opened: too many connections were still waiting for their
   * first valid ICE check (one count per connection).
   */
  TCP_CONNECTION_LIMIT,
  /**
   * An ICE-TCP connection closed because it carried no valid ICE check in time, or something else
   * first (one count per connection).
   */
  TCP_NO_CHECK,
  /**
   * What the SFU sent to an address came back as ICMP port unreachable: the browser's socket is
   * gone (a closed tab, before signalling noticed). One count per error a connected socket reports.
   */
  PEER_UNREACHABLE
}
