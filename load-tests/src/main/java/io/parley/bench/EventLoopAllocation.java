package io.parley.bench;

import com.sun.management.ThreadMXBean;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.parley.sfu.srtp.SrtpProfile;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bytes allocated per forwarded packet on the kind of thread the server forwards on: a Netty event
 * loop, a {@link FastThreadLocalThread}. JMH's {@code -prof gc} runs the benchmark on a plain
 * thread, where Netty 4.2 neither recycles buffer objects nor keeps per-thread buffer caches, so it
 * shows more garbage than the server makes; this measures the server's case with the thread's own
 * allocation counter, after a warm-up that lets the JIT settle.
 */
public final class EventLoopAllocation {
  private EventLoopAllocation() {}

  /** What one measurement found. */
  public record Result(double bytesPerForwarded, double nanosPerForwarded) {}

  /** Forwards {@code warmup} then {@code measured} incoming packets to {@code consumers}. */
  public static Result measure(SrtpProfile profile, int consumers, int warmup, int measured)
      throws Exception {
    AtomicReference<Object> out = new AtomicReference<>();
    Thread loop =
        new FastThreadLocalThread(
            () -> {
              try (InMemoryRoom room = InMemoryRoom.create(profile, consumers)) {
                ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
                run(room, warmup);
                long bytes = threads.getCurrentThreadAllocatedBytes();
                long started = System.nanoTime();
                run(room, measured);
                long nanos = System.nanoTime() - started;
                bytes = threads.getCurrentThreadAllocatedBytes() - bytes;
                double forwarded = (double) measured * consumers;
                out.set(new Result(bytes / forwarded, nanos / forwarded));
              } catch (Exception e) {
                out.set(e);
              }
            },
            "bench-event-loop");
    loop.start();
    loop.join();
    if (out.get() instanceof Exception e) {
      throw e;
    }
    return (Result) out.get();
  }

  private static void run(InMemoryRoom room, int packets) {
    for (int i = 1; i <= packets; i++) {
      if ((i & 1023) == 0) {
        room.runTimers(); // the room's 20 ms timer, as in ForwardingBenchmark
      }
      room.forwardOne();
    }
  }
}
