package io.parley.sfu.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsi.utils.dsi.DominantSpeakerIdentification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Timers that run on the room's tick rather than waking its loop. */
class TickSchedulerTest {
  private static final long MS = 1_000_000L;

  private final EventLoop loop = new DefaultEventLoop();
  private final TickScheduler timers = new TickScheduler(loop);

  @AfterEach
  void stop() {
    loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
  }

  /** Runs {@code body} on the loop and waits for it. */
  private <T> T onLoop(java.util.concurrent.Callable<T> body) throws Exception {
    return loop.submit(body).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aTaskRunsAtTheFirstTickAtOrAfterItsDelayAndNotBefore() throws Exception {
    List<String> ran = new ArrayList<>();
    onLoop(
        () -> {
          ScheduledFuture<?> later =
              timers.schedule(
                  () -> {
                    ran.add("later");
                  },
                  50,
                  TimeUnit.MILLISECONDS);
          timers.execute(
              () -> {
                ran.add("now");
              });
          long start = System.nanoTime();
          timers.runDue(start);
          assertThat(ran).containsExactly("now");
          timers.runDue(start + 20 * MS);
          assertThat(ran).containsExactly("now");
          assertThat(later.isDone()).isFalse();
          timers.runDue(start + 60 * MS);
          assertThat(ran).containsExactly("now", "later");
          assertThat(later.isDone()).isTrue();
          assertThat(timers.pending()).isZero();
          return null;
        });
  }

  @Test
  void aTaskScheduledByARunningTaskWaitsForTheNextTick() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    onLoop(
        () -> {
          // Re-arms itself with no delay, as the speaker detector does near a deadline: one run
          // per tick, never a loop within one.
          Runnable again =
              new Runnable() {
                @Override
                public void run() {
                  runs.incrementAndGet();
                  timers.execute(this);
                }
              };
          timers.execute(again);
          long now = System.nanoTime();
          timers.runDue(now);
          timers.runDue(now + 20 * MS);
          timers.runDue(now + 40 * MS);
          assertThat(runs).hasValue(3);
          assertThat(timers.pending()).isEqualTo(1);
          return null;
        });
  }

  @Test
  void afterShutdownNothingRunsAndNewTasksAreCancelled() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    onLoop(
        () -> {
          ScheduledFuture<?> waiting =
              timers.schedule((Runnable) runs::incrementAndGet, 0, TimeUnit.SECONDS);
          timers.shutdown();
          timers.runDue(System.nanoTime() + 1000 * MS);
          ScheduledFuture<?> late =
              timers.schedule((Runnable) runs::incrementAndGet, 0, TimeUnit.SECONDS);
          timers.runDue(System.nanoTime() + 1000 * MS);
          assertThat(runs).hasValue(0);
          assertThat(waiting.isCancelled()).isTrue();
          assertThat(late.isCancelled()).isTrue();
          assertThat(timers.pending()).isZero();
          return null;
        });
  }

  @Test
  void aTaskScheduledFromAnotherThreadIsHandedToTheLoop() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    timers.execute(runs::incrementAndGet); // this test's thread, not the loop
    // The hand-over is a task on the loop, so it is queued once this one runs after it.
    assertThat((int) onLoop(timers::pending)).isEqualTo(1);
    onLoop(
        () -> {
          timers.runDue(System.nanoTime());
          return null;
        });
    assertThat(runs).hasValue(1);
  }

  @Test
  void onlyOneShotRunnablesAreOffered() {
    assertThatThrownBy(() -> timers.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.SECONDS))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> timers.schedule(() -> 1, 1, TimeUnit.SECONDS))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  /** The dominant speaker detector, driven only by 20 ms ticks, still names who talks. */
  @Test
  void theSpeakerDetectorDecidesOnTicks() throws Exception {
    CompletableFuture<String> dominant = new CompletableFuture<>();
    DominantSpeakerIdentification<String> speakers =
        onLoop(
            () -> {
              DominantSpeakerIdentification<String> dsi =
                  new DominantSpeakerIdentification<>(Clock.systemUTC(), timers);
              dsi.addActiveSpeakerChangedListener(
                  s -> {
                    if ("ada".equals(s)) {
                      dominant.complete(s);
                    }
                  });
              return dsi;
            });
    // Over a background level of 40 (of 127), Ada talks in bursts (300 ms at 100-116, 200 ms
    // back at 40) and Brook is quiet (the detector measures speech above each one's own floor: a
    // constant level is noise); a level each 20 ms, the tick right after.
    long start = System.nanoTime();
    ScheduledFuture<?> talk =
        loop.scheduleAtFixedRate(
            () -> {
              long ms = (System.nanoTime() - start) / MS;
              speakers.levelChanged("ada", ms % 500 < 300 ? 100 + (int) (ms % 17) : 40);
              speakers.levelChanged("brook", 40);
              timers.runDue(System.nanoTime());
            },
            0,
            20,
            TimeUnit.MILLISECONDS);
    try {
      assertThat(dominant.get(10, TimeUnit.SECONDS)).isEqualTo("ada");
    } finally {
      talk.cancel(false);
    }
  }
}
