package io.parley.sfu.api;

/**
 * A negotiated codec.
 *
 * @param name {@code opus} or {@code VP8}
 * @param payloadType the RTP payload type on this transport
 * @param clockRate e.g. 48000 or 90000
 * @param channels 2 for Opus, 1 for video
 * @param redPayloadType for Opus: the payload type of RFC 2198 redundant audio ({@code
 *     red/48000/2}, each block Opus) also negotiated on this transport, or 0 for none
 */
public record Codec(String name, int payloadType, int clockRate, int channels, int redPayloadType) {
  public static Codec opus(int payloadType) {
    return new Codec("opus", payloadType, 48000, 2, 0);
  }

  /** Opus that may also come, or go, as redundant audio under {@code redPayloadType}. */
  public static Codec opusWithRed(int payloadType, int redPayloadType) {
    return new Codec("opus", payloadType, 48000, 2, redPayloadType);
  }

  public static Codec vp8(int payloadType) {
    return new Codec("VP8", payloadType, 90000, 1, 0);
  }

  /** True if redundant audio is negotiated. */
  public boolean hasRed() {
    return redPayloadType > 0;
  }
}
