package io.parley.sfu.routing;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Timers that run on a room's tick instead of waking the room's loop on their own: a task is due
 * after its delay and runs at the first {@link #runDue} at or after that (up to one tick late). The
 * dominant speaker detector re-arms a timer every few milliseconds while anyone talks and stops
 * only 15 s after the last level; on the loop's own timers that kept the loop of a closed room
 * waking 25-45 times a second.
 *
 * <p>One-shot tasks only ({@link #execute}, {@link #schedule(Runnable, long, TimeUnit)}): what the
 * detector uses. Confined to the room's loop; calls from elsewhere are handed to it.
 */
final class TickScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final EventLoop loop;
  private List<Task> tasks = new ArrayList<>();
  private List<Task> running = new ArrayList<>();
  private volatile boolean shutdown;

  TickScheduler(EventLoop loop) {
    this.loop = loop;
  }

  /** On the room's loop: runs the tasks due by {@code nowNanos}; ones they schedule wait. */
  void runDue(long nowNanos) {
    if (tasks.isEmpty()) {
      return;
    }
    List<Task> batch = tasks;
    tasks = running;
    running = batch;
    for (int i = 0; i < batch.size(); i++) {
      Task task = batch.get(i);
      if (shutdown) {
        task.cancel(false);
      } else if (task.dueNanos - nowNanos <= 0) {
        task.run();
      } else {
        tasks.add(task);
      }
    }
    batch.clear();
  }

  /** Tasks waiting (done or cancelled ones leave at the next {@link #runDue}). */
  int pending() {
    return tasks.size();
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Task task = new Task(command, System.nanoTime() + unit.toNanos(Math.max(0, delay)));
    if (loop.inEventLoop()) {
      add(task);
    } else {
      loop.execute(() -> add(task));
    }
    return task;
  }

  private void add(Task task) {
    if (shutdown) {
      task.cancel(false);
    } else {
      tasks.add(task);
    }
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("one-shot Runnable tasks only");
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("one-shot tasks only");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("one-shot tasks only");
  }

  /** Drops every waiting task (at the next tick, on the loop); later ones are cancelled. */
  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    return Collections.emptyList();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }

  private static final class Task extends FutureTask<Void> implements ScheduledFuture<Void> {
    final long dueNanos;

    Task(Runnable command, long dueNanos) {
      super(command, null);
      this.dueNanos = dueNanos;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
  }
}
