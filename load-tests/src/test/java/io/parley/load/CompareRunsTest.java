package io.parley.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare-runs.py}, the summary of {@code compare-janus.sh --repeat N}: medians and a sign
 * test over reports laid out as the script writes them.
 */
class CompareRunsTest {
  private static final Path SCRIPT = Path.of("compare-runs.py").toAbsolutePath();

  @Test
  void countsRunsPerServerAndTellsAClearLeadFromACoinFlip(@TempDir Path dir) throws Exception {
    // Eight runs: Parley's p99 lower in all seven pairs (p = 2/128), p50 level in two and split
    // 3/2 in the rest; the eighth run's Janus report is missing (a run that failed), so its pair is
    // left out.
    double[][] p99 = {{2, 3}, {2.5, 3}, {1, 4}, {2, 2.5}, {3, 3.5}, {2, 5}, {1.5, 2}, {1, 9}};
    double[][] p50 = {
      {0.3, 0.3},
      {0.3, 0.302},
      {0.2, 0.4},
      {0.2, 0.4},
      {0.2, 0.4},
      {0.5, 0.3},
      {0.5, 0.3},
      {0.6, 0.1}
    };
    for (int i = 0; i < 8; i++) {
      write(dir, i + 1, "parley", p99[i][0], p50[i][0], 12);
      if (i < 7) {
        write(dir, i + 1, "janus", p99[i][1], p50[i][1], 10);
      }
      // The kernel's DAMON monitor, as compare-janus.sh records it beside each report.
      Files.writeString(dir.resolve("run" + (i + 1)).resolve("parley-a/kdamond-ms.txt"), "10" + i);
      if (i < 7) {
        Files.writeString(dir.resolve("run" + (i + 1)).resolve("janus-a/kdamond-ms.txt"), "3" + i);
      }
    }

    List<String> out = run(dir, "a", 8);

    assertThat(out).contains("| a | p99 latency ms | 2.00 | 3.00 | 7 / 0 / 0 | 0.02 |");
    assertThat(out).contains("| a | p50 latency ms | 0.30 | 0.30 | 3 / 2 / 2 | 1.00 |");
    assertThat(out).contains("| a | server cpu % | 12.0 | 10.0 | 0 / 0 / 7 | 0.02 |");
    assertThat(out).contains("| a | kernel memory monitor ms | 103 | 33 | 0 / 0 / 7 | 0.02 |");
    assertThat(out)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("(a) p99 latency per run, ms (Parley / Janus): 2.00 / 3.00, ")
                    .endsWith("1.50 / 2.00"));
  }

  @Test
  void oneRunIsATableOfBothServersWithRatios(@TempDir Path dir) throws Exception {
    writeReport(dir.resolve("parley-a").resolve("report.json"), 2, 0.3, 12);
    writeReport(dir.resolve("janus-a").resolve("report.json"), 3, 0.6, 10);

    List<String> out = run(dir, "a", 1);

    assertThat(out)
        .contains(
            "| a | p99 latency ms | 2.0 | 3.0 | 1.50x |",
            "| a | p50 latency ms | 0.3 | 0.6 | 2.00x |",
            "| a | server cpu % | 12 | 10 | 0.83x |");
    assertThat(out).noneMatch(l -> l.contains("memory monitor"));
  }

  private static void write(Path dir, int run, String server, double p99, double p50, double cpu)
      throws Exception {
    writeReport(
        dir.resolve("run" + run).resolve(server + "-a").resolve("report.json"), p99, p50, cpu);
  }

  private static void writeReport(Path report, double p99, double p50, double cpu)
      throws Exception {
    Files.createDirectories(report.getParent());
    Files.writeString(
        report,
        String.format(
            java.util.Locale.ROOT,
            "{\"participantsConnected\": 4, \"totals\": {\"streams\": 24, \"lossPercent\": 0,"
                + " \"freezes\": 0, \"mbitPerSecondIn\": 9.5},"
                + " \"latencyMs\": {\"p50\": %s, \"p99\": %s}, \"joinMs\": {\"p50\": 100, \"p99\": 200},"
                + " \"serverUse\": {\"cpuPercentMean\": %s, \"rssMbPerParticipant\": 1.5}}",
            p50,
            p99,
            cpu));
  }

  private static List<String> run(Path dir, String only, int runs) throws Exception {
    Process p =
        new ProcessBuilder("python3", SCRIPT.toString(), dir.toString(), only, String.valueOf(runs))
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(text).isZero();
    return text.lines().toList();
  }
}
