package io.parley.sfu.transport;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counts dropped packets by reason; safe to increment from any thread. */
public final class DropCounters {
  private final LongAdder[] counters = new LongAdder[DropReason.values().length];

  public DropCounters() {
    for (int i = 0; i < counters.length; i++) {
      counters[i] = new LongAdder();
    }
  }

  public void increment(DropReason reason) {
    counters[reason.ordinal()].increment();
  }

  public long get(DropReason reason) {
    return counters[reason.ordinal()].sum();
  }

  public Map<DropReason, Long> snapshot() {
    Map<DropReason, Long> map = new EnumMap<>(DropReason.class);
    for (DropReason reason : DropReason.values()) {
      map.put(reason, get(reason));
    }
    return map;
  }
}
