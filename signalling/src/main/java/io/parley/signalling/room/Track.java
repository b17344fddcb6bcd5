package io.parley.signalling.room;

import io.parley.sfu.api.MediaKind;
import io.parley.signalling.protocol.TrackInfo;
import java.util.Locale;

/** A track a participant publishes: one SFU producer. */
record Track(String producerId, String participantId, String mid, MediaKind kind, String source) {
  TrackInfo info() {
    return new TrackInfo(producerId, participantId, kind.name().toLowerCase(Locale.ROOT), source);
  }
}
