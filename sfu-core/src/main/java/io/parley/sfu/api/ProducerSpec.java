package io.parley.sfu.api;

import java.util.List;

/**
 * A track an endpoint publishes.
 *
 * @param producerId unique in the room
 * @param mid the media section's mid in the publisher's SDP
 * @param source a label for the UI, e.g. {@code camera}, {@code screen}, {@code mic}
 * @param encodings one, or several from low to high quality for simulcast
 * @param extensions the header-extension ids of the publish transport
 */
public record ProducerSpec(
    String producerId,
    MediaKind kind,
    String mid,
    String source,
    Codec codec,
    List<Encoding> encodings,
    HeaderExtensionIds extensions) {
  public ProducerSpec {
    encodings = List.copyOf(encodings);
    if (encodings.isEmpty()) {
      throw new IllegalArgumentException("a producer needs at least one encoding");
    }
  }

  /** A microphone: Opus on one SSRC. */
  public static ProducerSpec mic(
      String producerId, String mid, int payloadType, long ssrc, HeaderExtensionIds extensions) {
    return mic(producerId, mid, Codec.opus(payloadType), ssrc, extensions);
  }

  /** A microphone on one SSRC: Opus, possibly also as redundant audio. */
  public static ProducerSpec mic(
      String producerId, String mid, Codec codec, long ssrc, HeaderExtensionIds extensions) {
    return new ProducerSpec(
        producerId,
        MediaKind.AUDIO,
        mid,
        "mic",
        codec,
        List.of(new Encoding(null, ssrc)),
        extensions);
  }

  /** A camera without simulcast: VP8 on one SSRC. */
  public static ProducerSpec camera(
      String producerId, String mid, int payloadType, long ssrc, HeaderExtensionIds extensions) {
    return new ProducerSpec(
        producerId,
        MediaKind.VIDEO,
        mid,
        "camera",
        Codec.vp8(payloadType),
        List.of(new Encoding(null, ssrc)),
        extensions);
  }
}
