package io.parley.signalling.room;

/** A token bucket: {@code burst} at once, then {@code perSecond}. One thread. */
final class RateLimit {
  private final int burst;
  private final double perNano;
  private double tokens;
  private long last = System.nanoTime();

  RateLimit(int burst, double perSecond) {
    this.burst = burst;
    this.perNano = perSecond / 1e9;
    this.tokens = burst;
  }

  /** Takes one token if there is one. */
  boolean tryTake() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
