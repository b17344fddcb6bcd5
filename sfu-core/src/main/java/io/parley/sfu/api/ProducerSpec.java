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
}
