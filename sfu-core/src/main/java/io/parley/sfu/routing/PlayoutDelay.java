package io.parley.sfu.routing;

/**
 * How long a subscriber's browser should hold each video frame at least before it shows it, so that
 * a packet lost on the way and sent again still makes its frame. A browser's video jitter buffer
 * does not grow for resent packets (it leaves frames that waited for a resend out of its estimate),
 * so on a long path every lost packet is a freeze of about a round trip. Telling it to hold frames
 * that long (the playout-delay header extension) turns those freezes into a steady delay; the
 * browser delays the sound as much to keep lips in sync.
 *
 * <p>The delay covers the leg where packets are being lost: the subscriber's downlink (it asks the
 * SFU for them: one round trip of that path), the publisher's uplink (the SFU asks the publisher:
 * one round trip of that one), or both. It stays at zero while nothing is lost, and where a round
 * trip is short enough that a resend comes within the browser's own margin; it rises at once when
 * needed and comes down slowly once losses stop, so the browser (and lip sync) follow smoothly.
 * Confined to the room thread.
 */
final class PlayoutDelay {
  /** A leg with a shorter round trip is recovered within the browser's own margin. */
  static final long MIN_ROUND_TRIP_MS = 30;

  /** The delay stays this long after the last loss on a leg. */
  static final long HOLD_NANOS = 10_000_000_000L;

  /** Never more: past this a meeting stops feeling like a conversation. */
  static final int MAX_MS = 400;

  /** Changed only by at least this much (or to or from none): a round trip's wobble does not. */
  static final int MIN_CHANGE_MS = 30;

  /** Lowered by at most this much per second. */
  static final int STEP_DOWN_MS = 40;

  /** The maximum sent with it: Chromium's own default, so only the minimum changes. */
  static final int MAX_SENT_MS = 10_000;

  private long downlinkLossNanos = Long.MIN_VALUE / 2;
  private int millis;
  private long lastChangeNanos = Long.MIN_VALUE / 2;

  /** The subscriber lost a packet of this stream (it asked for it again, or reported a loss). */
  void downlinkLoss(long now) {
    downlinkLossNanos = now;
  }

  /** The delay asked for now, in ms (0 for none). */
  int millis() {
    return millis;
  }

  /**
   * Recomputes the delay.
   *
   * @param downlinkRttMs the subscriber's round trip, or -1 if not known
   * @param uplinkRttMs the publisher's round trip, or -1 if not known
   * @param uplinkLossNanos when the SFU last found a packet of the stream lost on the uplink
   * @return true if the delay changed (the subscriber must be told)
   */
  boolean update(long now, long downlinkRttMs, long uplinkRttMs, long uplinkLossNanos) {
    long needed =
        Math.max(
            needed(now, downlinkLossNanos, downlinkRttMs),
            needed(now, uplinkLossNanos, uplinkRttMs));
    int wanted = (int) Math.min(MAX_MS, needed);
    int next = millis;
    if (wanted >= millis + MIN_CHANGE_MS || (wanted > 0 && millis == 0)) {
      next = wanted;
    } else if ((wanted <= millis - MIN_CHANGE_MS || (wanted == 0 && millis > 0))
        && now - lastChangeNanos >= 1_000_000_000L) {
      next = Math.max(wanted, millis - STEP_DOWN_MS);
    }
    if (next == millis) {
      return false;
    }
    millis = next;
    lastChangeNanos = now;
    return true;
  }

  /**
   * What one leg needs: nothing without a recent loss or with a short round trip, else a round trip
   * and a quarter and 20 ms (the loss to be noticed, and the resend to be sent), in 10 ms steps.
   */
  private static long needed(long now, long lossNanos, long rttMs) {
    if (now - lossNanos > HOLD_NANOS || rttMs < MIN_ROUND_TRIP_MS) {
      return 0;
    }
    return (rttMs * 5 / 4 + 20 + 9) / 10 * 10;
  }

  /**
   * The extension's three bytes: the minimum and maximum delay in 10 ms units, 12 bits each
   * (http://www.webrtc.org/experiments/rtp-hdrext/playout-delay).
   */
  static int wire(int minMs, int maxMs) {
    return (Math.min(0xFFF, minMs / 10) << 12) | Math.min(0xFFF, maxMs / 10);
  }
}
