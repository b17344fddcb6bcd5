package io.parley.sfu.srtp;

/** The outcome of protecting or unprotecting one packet. Only OK leaves a usable packet. */
public enum SrtpStatus {
  OK,
  /** The authentication tag did not verify: forged, corrupted, or keyed for someone else. */
  AUTH_FAIL,
  /** The packet index was already seen (a duplicate or a replay). */
  REPLAY_FAIL,
  /** The packet index is older than the replay window. */
  REPLAY_OLD,
  /** Too short, not RTP/RTCP, or no room in the buffer for the tag. */
  INVALID,
  /** Any other failure inside the cipher. */
  FAIL
}
