package io.parley.sfu.util;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A log line that is written at most once per interval, with a count of what it suppressed: the
 * packet path must never write a line per packet.
 */
public final class RateLimitedLog {
  private final Logger logger;
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Logger logger, long intervalMillis) {
    this.logger = logger;
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  public void warn(String format, Object arg1, Object arg2) {
    if (allowed()) {
      logger.warn(format, arg1, arg2);
    }
  }

  private boolean allowed() {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      suppressed.set(0);
      return true;
    }
    suppressed.incrementAndGet();
    return false;
  }

  public void warn(String format, Object arg) {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      long skipped = suppressed.getAndSet(0);
      if (logger.isWarnEnabled()) {
        logger.warn(format + (skipped > 0 ? " (" + skipped + " similar suppressed)" : ""), arg);
      }
    } else {
      suppressed.incrementAndGet();
    }
  }
}
