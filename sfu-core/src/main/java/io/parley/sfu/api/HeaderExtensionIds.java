package io.parley.sfu.api;

/**
 * The RTP header-extension ids negotiated on a transport; 0 means not negotiated.
 *
 * @param mid urn:ietf:params:rtp-hdrext:sdes:mid
 * @param rid urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
 * @param repairedRid urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
 * @param transportCc draft-holmer-rmcat-transport-wide-cc-extensions-01
 * @param audioLevel urn:ietf:params:rtp-hdrext:ssrc-audio-level
 * @param playoutDelay http://www.webrtc.org/experiments/rtp-hdrext/playout-delay (the SFU tells a
 *     subscriber's video receiver how long to hold frames at least; see {@code PlayoutDelay})
 */
public record HeaderExtensionIds(
    int mid, int rid, int repairedRid, int transportCc, int audioLevel, int playoutDelay) {
  public static final HeaderExtensionIds NONE = new HeaderExtensionIds(0, 0, 0, 0, 0);

  /** Without playout delay. */
  public HeaderExtensionIds(int mid, int rid, int repairedRid, int transportCc, int audioLevel) {
    this(mid, rid, repairedRid, transportCc, audioLevel, 0);
  }
}
