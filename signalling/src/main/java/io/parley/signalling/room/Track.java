package io.parley.signalling.room;

import io.parley.sfu.api.MediaKind;
import io.parley.signalling.protocol.TrackInfo;
import java.util.List;
import java.util.Locale;

/**
 * A track a participant publishes: one SFU producer.
 *
 * @param rids the simulcast layers' rids from low to high quality (empty without simulcast)
 */
record Track(
    String producerId,
    String participantId,
    String mid,
    MediaKind kind,
    String source,
    List<String> rids) {
  Track {
    rids = List.copyOf(rids);
  }

  TrackInfo info() {
    return new TrackInfo(producerId, participantId, kind.name().toLowerCase(Locale.ROOT), source);
  }
}
