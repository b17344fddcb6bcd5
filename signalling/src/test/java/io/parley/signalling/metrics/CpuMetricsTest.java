package io.parley.signalling.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The CPU series: present under Micrometer's names, and the usages follow real work. */
class CpuMetricsTest {

  @Test
  void usagesFollowWorkDoneSinceTheLastReading() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new CpuMetrics().bindTo(registry);
    assertThat(registry.get("system.cpu.count").gauge().value())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(registry.get("system.load.average.1m").gauge().value()).isNotNaN();

    double process = registry.get("process.cpu.usage").gauge().value();
    double system = registry.get("system.cpu.usage").gauge().value();
    assertThat(process).isBetween(0.0, 1.0);
    assertThat(system).isBetween(0.0, 1.0);

    // Work on this thread for 200 ms of its own CPU time: the next reading shows it.
    var threads = ManagementFactory.getThreadMXBean();
    long until = threads.getCurrentThreadCpuTime() + 200_000_000L;
    long x = 1;
    while (threads.getCurrentThreadCpuTime() < until) {
      for (int i = 0; i < 10_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
    }
    assertThat(x).isNotZero();
    process = registry.get("process.cpu.usage").gauge().value();
    system = registry.get("system.cpu.usage").gauge().value();
    assertThat(process).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
    assertThat(system).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
  }
}
