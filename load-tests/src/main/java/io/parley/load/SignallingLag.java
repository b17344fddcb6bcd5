package io.parley.load;

import io.socket.thread.EventThread;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How late the Socket.IO client's event thread runs a task. The Java client delivers every
 * participant's events and acknowledgements on that one thread, so work done there delays all
 * participants' signalling (a late subscribe answer is a late first frame).
 */
final class SignallingLag {
  private final AtomicLong lastNanos = new AtomicLong(-1);
  private final AtomicLong maxNanos = new AtomicLong(-1);
  private volatile boolean pending;

  /** Posts one probe unless the previous one has not run yet (then it is still counting). */
  void probe() {
    if (pending) {
      return;
    }
    pending = true;
    long posted = System.nanoTime();
    EventThread.nextTick(
        () -> {
          long lag = System.nanoTime() - posted;
          lastNanos.set(lag);
          maxNanos.accumulateAndGet(lag, Math::max);
          pending = false;
        });
  }

  /** The last measured lag, ms, or NaN before the first. */
  double lastMs() {
    long v = lastNanos.get();
    return v < 0 ? Double.NaN : v / 1e6;
  }

  /** The largest lag so far, ms, or NaN before the first. */
  double maxMs() {
    long v = maxNanos.get();
    return v < 0 ? Double.NaN : v / 1e6;
  }
}
