package io.parley.signalling.sdp;

import java.util.List;

/**
 * One payload type of a media section, gathered from its {@code a=rtpmap}, {@code a=fmtp} and
 * {@code a=rtcp-fb} lines.
 *
 * @param name the encoding name as written, e.g. {@code VP8}, {@code opus}, {@code rtx}
 * @param channels 1 unless the rtpmap says otherwise
 * @param fmtp the format parameters, or null
 * @param feedback the rtcp-fb values, e.g. {@code nack pli}
 */
public record RtpCodec(
    int payloadType, String name, int clockRate, int channels, String fmtp, List<String> feedback) {
  public RtpCodec {
    feedback = List.copyOf(feedback);
  }

  /** True if this codec's name equals {@code other}, ignoring case as SDP does. */
  public boolean is(String other) {
    return name.equalsIgnoreCase(other);
  }

  String rtpmapValue() {
    String base = payloadType + " " + name + "/" + clockRate;
    return channels > 1 ? base + "/" + channels : base;
  }
}
