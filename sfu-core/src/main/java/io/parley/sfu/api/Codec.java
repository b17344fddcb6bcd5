package io.parley.sfu.api;

/**
 * A negotiated codec.
 *
 * @param name {@code opus} or {@code VP8}
 * @param payloadType the RTP payload type on this transport
 * @param clockRate e.g. 48000 or 90000
 * @param channels 2 for Opus, 1 for video
 */
public record Codec(String name, int payloadType, int clockRate, int channels) {
  public static Codec opus(int payloadType) {
    return new Codec("opus", payloadType, 48000, 2);
  }

  public static Codec vp8(int payloadType) {
    return new Codec("VP8", payloadType, 90000, 1);
  }
}
