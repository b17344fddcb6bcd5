package io.parley.load;

import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/** Run-wide live statistics: shared recorders the sampler reads interval by interval. */
final class RunStats {
  final Counters counters = new Counters();
  final Recorder latency = StreamStats.newRecorder();
  final Recorder joinMillis = new Recorder(3_600_000, 3);
  final LongAdder corrupt = new LongAdder();
  final LongAdder freezes = new LongAdder();
  final LongAdder failures = new LongAdder();
  final Queue<StreamStats> streams = new ConcurrentLinkedQueue<>();
  final Queue<String> errors = new ConcurrentLinkedQueue<>();

  /** Every received packet, when asked for ({@code --packet-log}); else null. */
  final PacketLog packetLog;

  RunStats(PacketLog packetLog) {
    this.packetLog = packetLog;
  }

  void error(String message) {
    failures.increment();
    if (errors.size() < 50) {
      errors.add(message);
    }
  }

  Collection<StreamStats> streams() {
    return List.copyOf(streams);
  }

  long expected() {
    long sum = 0;
    for (StreamStats s : streams) {
      sum += s.expected();
    }
    return sum;
  }

  long received() {
    long sum = 0;
    for (StreamStats s : streams) {
      sum += s.packets;
    }
    return sum;
  }
}
