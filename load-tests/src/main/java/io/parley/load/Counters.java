package io.parley.load;

import java.util.concurrent.atomic.LongAdder;

/** Totals over every transport of a run: bytes and packets each way, SRTP failures. */
final class Counters {
  final LongAdder bytesSent = new LongAdder();
  final LongAdder packetsSent = new LongAdder();
  final LongAdder bytesReceived = new LongAdder();
  final LongAdder packetsReceived = new LongAdder();
  final LongAdder srtpFailures = new LongAdder();

  void sent(int bytes) {
    bytesSent.add(bytes);
    packetsSent.increment();
  }

  void received(int bytes) {
    bytesReceived.add(bytes);
    packetsReceived.increment();
  }

  void srtpFailure() {
    srtpFailures.increment();
  }
}
