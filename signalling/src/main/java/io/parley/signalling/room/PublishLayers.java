package io.parley.signalling.room;

import io.parley.signalling.protocol.ServerEvent;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Asks each publisher to send only the simulcast layers someone in its room watches. A camera is
 * sent in three layers; when every tile that shows it is small, or nobody shows it (alone in the
 * room, on another page), the browser need not encode and upload the bigger ones: that is CPU and
 * uplink the publisher's own video and audio get back.
 *
 * <p>What each subscriber watches comes from its view ({@link Subscriber#layerWanted}); a layer
 * comes back at once when a tile grows, and goes only after the need has stayed lower for {@code
 * lowerAfterMs}, so a layout that flickers does not start and stop the encoder. The lowest layer
 * always stays on: someone who arrives gets a first frame without waiting for the publisher. The
 * SFU meanwhile forwards the best layer it has up to each subscriber's cap, as it does when a
 * browser drops a layer by itself.
 *
 * <p>Runs on the signalling context, like the rest of the room state.
 */
final class PublishLayers {
  private final Vertx vertx;
  private final boolean enabled;
  private final long lowerAfterNanos;
  private final LongAdder more = new LongAdder();
  private final LongAdder fewer = new LongAdder();

  /** producerId → what its publisher was last asked to send. */
  private final Map<String, Asked> asked = new HashMap<>();

  private static final class Asked {
    /** The highest layer asked for (the browser starts with all of them). */
    int top;

    /** When the need first fell below {@link #top} (nanos), or -1 while it has not. */
    long lowerSince = -1;

    long timer = -1;

    Asked(int top) {
      this.top = top;
    }
  }

  PublishLayers(Vertx vertx, boolean enabled, long lowerAfterMs) {
    this.vertx = vertx;
    this.enabled = enabled;
    this.lowerAfterNanos = TimeUnit.MILLISECONDS.toNanos(lowerAfterMs);
  }

  /** Looks again at what the room watches of each simulcast video; after any change of view. */
  void update(Room room) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    for (Participant owner : room.participants()) {
      for (Track t : owner.publisher.tracks()) {
        if (t.rids().size() < 2) {
          continue;
        }
        int need = 0;
        for (Participant o : room.participants()) {
          if (o != owner) {
            need = Math.max(need, o.subscriber.layerWanted(t.producerId()));
          }
        }
        apply(room, owner, t, Math.min(need, t.rids().size() - 1), now);
      }
    }
  }

  private void apply(Room room, Participant owner, Track t, int need, long now) {
    Asked a = asked.computeIfAbsent(t.producerId(), k -> new Asked(t.rids().size() - 1));
    if (need >= a.top) {
      a.lowerSince = -1;
      cancelTimer(a);
      if (need > a.top) {
        a.top = need;
        more.increment();
        tell(owner, t, need);
      }
      return;
    }
    if (a.lowerSince < 0) {
      a.lowerSince = now;
      a.timer =
          vertx.setTimer(
              TimeUnit.NANOSECONDS.toMillis(lowerAfterNanos) + 1,
              id -> {
                if (asked.get(t.producerId()) == a) {
                  a.timer = -1;
                  update(room);
                }
              });
      return;
    }
    if (now - a.lowerSince >= lowerAfterNanos) {
      a.top = need;
      a.lowerSince = -1;
      cancelTimer(a);
      fewer.increment();
      tell(owner, t, need);
    }
  }

  private static void tell(Participant owner, Track t, int top) {
    owner.send(
        new ServerEvent.PublishLayers(t.mid(), t.producerId(), t.rids().subList(0, top + 1)));
  }

  private void cancelTimer(Asked a) {
    if (a.timer >= 0) {
      vertx.cancelTimer(a.timer);
      a.timer = -1;
    }
  }

  /** The track is gone (unpublished, or its owner left). */
  void forget(Track t) {
    Asked a = asked.remove(t.producerId());
    if (a != null) {
      cancelTimer(a);
    }
  }

  /** Times a publisher was asked for more layers; any thread (for metrics). */
  long moreCount() {
    return more.sum();
  }

  /** Times a publisher was asked for fewer layers; any thread (for metrics). */
  long fewerCount() {
    return fewer.sum();
  }
}
