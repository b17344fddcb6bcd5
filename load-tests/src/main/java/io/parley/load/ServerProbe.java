package io.parley.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The server's CPU and memory while it is under load: from /proc for a process id (works for any
 * server on this machine, Parley or Janus), and from Parley's Prometheus /metrics when given (JVM
 * heap).
 */
final class ServerProbe {
  /** One reading; NaN where unknown. */
  /** One reading; NaN where unknown. */
  record Reading(double cpuPercent, double rssMb, double heapMb, PromHistogram forwardingDelay) {}

  /** Parley's histogram of the time forwarded packets spend inside the SFU. */
  static final String FORWARDING_DELAY = "parley_forwarding_delay_seconds";

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private final long pid;
  private final URI metrics;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * /metrics is fetched on every this many readings (the first included), /proc on each. A scrape
   * is real work for the server (~12 ms of CPU, and more than half the garbage it makes with four
   * people in a room): once a second it would be the tool slowing down what it measures. Prometheus
   * itself scrapes every 15-30 s.
   */
  static final int METRICS_EVERY = 5;

  private int reads;
  private long lastTicks = -1;
  private long lastNanos;

  ServerProbe(long pid, URI metrics) {
    this.pid = pid;
    this.metrics = metrics;
  }

  Reading read() {
    double cpu = Double.NaN;
    double rss = Double.NaN;
    double heap = Double.NaN;
    PromHistogram delay = PromHistogram.EMPTY;
    if (pid > 0) {
      try {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
        long now = System.nanoTime();
        if (lastTicks >= 0) {
          double seconds = (now - lastNanos) / 1e9;
          cpu = (ticks - lastTicks) / TICKS_PER_SECOND / seconds * 100;
        }
        lastTicks = ticks;
        lastNanos = now;
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
          if (line.startsWith("VmRSS:")) {
            rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
          }
        }
      } catch (IOException | RuntimeException e) {
        // The process is gone or unreadable: unknown.
      }
    }
    if (metrics != null && reads++ % METRICS_EVERY == 0) {
      try {
        String text =
            http.send(
                    HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
          if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
            sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            found = true;
          } else if (pid <= 0 && line.startsWith("process_cpu_usage ")) {
            cpu = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) * 100;
          }
        }
        if (found) {
          heap = sum / (1024 * 1024);
        }
        delay = PromHistogram.parse(text, FORWARDING_DELAY);
      } catch (IOException | RuntimeException e) {
        // No metrics this time.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new Reading(cpu, rss, heap, delay);
  }
}
