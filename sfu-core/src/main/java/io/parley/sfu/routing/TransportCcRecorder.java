package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;

/**
 * Arrival times of a publisher's packets by transport-wide sequence number, turned into
 * transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01) on a timer.
 */
final class TransportCcRecorder {
  void record(int sequenceNumber, long arrivalMicros, long mediaSsrc) {}

  boolean isEmpty() {
    return true;
  }

  int writeFeedback(ByteBuf out, long senderSsrc) {
    return 0;
  }
}
