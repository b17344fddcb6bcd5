package io.parley.signalling.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU series Micrometer's ProcessorMetrics exports ({@code process_cpu_usage}, {@code
 * system_cpu_usage}, {@code system_cpu_count}, {@code system_load_average_1m}), computed cheaply.
 * ProcessorMetrics asks the JDK for both usages, which in a container reads several cgroup files on
 * every call: measured, 70 % of a scrape's garbage. Here the process's usage is its CPU time over
 * the wall time since the last reading, and the machine's comes from {@code /proc/stat} read into a
 * reused buffer (the JDK's figure where there is no {@code /proc}).
 *
 * <p>Both usages cover the time since the previous scrape, as Micrometer's do (0 to 1, all cores).
 * Each reading is synchronized: two scrapes at once (the endpoint and a test, say) take turns.
 */
final class CpuMetrics {
  private static final Path PROC_STAT = Path.of("/proc/stat");

  private final com.sun.management.OperatingSystemMXBean os;
  private final int processors = Runtime.getRuntime().availableProcessors();
  private final byte[] stat = new byte[512];

  private long lastProcessCpuNanos = -1;
  private long lastWallNanos;
  private long lastBusyTicks = -1;
  private long lastTotalTicks;
  private double lastSystemUsage = Double.NaN;

  CpuMetrics() {
    this.os =
        ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean sun
            ? sun
            : null;
    if (os != null) {
      // The first scrape then reports the usage since start-up rather than nothing.
      processUsage();
      systemUsage();
    }
  }

  void bindTo(MeterRegistry registry) {
    Gauge.builder("system.cpu.count", () -> processors)
        .description("The number of processors available to the Java virtual machine")
        .register(registry);
    Gauge.builder(
            "system.load.average.1m",
            () -> ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
        .description("The system load average over the last minute (-1 where unknown)")
        .register(registry);
    if (os != null) {
      Gauge.builder("process.cpu.usage", this, CpuMetrics::processUsage)
          .description("The recent CPU usage of the Parley process, 0 to 1 over all cores")
          .register(registry);
      Gauge.builder("system.cpu.usage", this, CpuMetrics::systemUsage)
          .description("The recent CPU usage of the whole machine, 0 to 1 over all cores")
          .register(registry);
    }
  }

  /** CPU time used since the last reading over the CPU time there was. */
  synchronized double processUsage() {
    long cpu = os.getProcessCpuTime();
    long wall = System.nanoTime();
    double usage = Double.NaN;
    if (lastProcessCpuNanos >= 0 && wall > lastWallNanos && cpu >= 0) {
      usage = (double) (cpu - lastProcessCpuNanos) / ((wall - lastWallNanos) * (double) processors);
    }
    lastProcessCpuNanos = cpu;
    lastWallNanos = wall;
    return Math.max(0, Math.min(1, usage));
  }

  /** Busy share of all CPU ticks since the last reading, from /proc/stat's first line. */
  synchronized double systemUsage() {
    long[] ticks = readStatTotals();
    if (ticks == null) {
      return os.getCpuLoad();
    }
    long busy = ticks[0];
    long total = ticks[1];
    if (lastBusyTicks >= 0 && total <= lastTotalTicks) {
      // No tick (1/100 s) since the last reading: nothing new to tell; the baseline stays, so the
      // next reading covers both spans.
      return Double.isNaN(lastSystemUsage) ? os.getCpuLoad() : lastSystemUsage;
    }
    if (lastBusyTicks >= 0) {
      double usage = (double) (busy - lastBusyTicks) / (total - lastTotalTicks);
      lastSystemUsage = Math.max(0, Math.min(1, usage));
    }
    lastBusyTicks = busy;
    lastTotalTicks = total;
    return lastSystemUsage;
  }

  /**
   * {busy, total} ticks from "cpu user nice system idle iowait irq softirq steal ...", or null
   * without /proc. Idle and iowait are not busy.
   */
  private long[] readStatTotals() {
    int n;
    try (InputStream in = Files.newInputStream(PROC_STAT)) {
      n = in.readNBytes(stat, 0, stat.length);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
    if (n < 4 || stat[0] != 'c' || stat[1] != 'p' || stat[2] != 'u' || stat[3] != ' ') {
      return null;
    }
    long busy = 0;
    long total = 0;
    int field = 0;
    int i = 4;
    while (i < n && stat[i] != '\n' && field < 8) {
      while (i < n && stat[i] == ' ') {
        i++;
      }
      long value = 0;
      boolean digits = false;
      while (i < n && stat[i] >= '0' && stat[i] <= '9') {
        value = value * 10 + (stat[i] - '0');
        digits = true;
        i++;
      }
      if (!digits) {
        break;
      }
      total += value;
      if (field != 3 && field != 4) {
        busy += value;
      }
      field++;
    }
    return field >= 4 ? new long[] {busy, total} : null;
  }
}
