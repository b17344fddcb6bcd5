package io.parley.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Janus adapter against Debian's real Janus VideoRoom on loopback (skipped where Janus is not
 * installed): the same participants and measurements as against Parley.
 */
class JanusLoadTest {
  private ProcessHandle janus;
  private Path janusDir;
  private int port;

  @BeforeEach
  void startJanus() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/janus")), "Debian janus is not installed");
    Process script =
        new ProcessBuilder("bash", Path.of("janus-loopback.sh").toAbsolutePath().toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String line = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(script.exitValue()).as(line).isZero();
    String[] parts = line.split(" ");
    janus = ProcessHandle.of(Long.parseLong(parts[0])).orElseThrow();
    port = Integer.parseInt(parts[1]);
    janusDir = Path.of(parts[2]);
  }

  @AfterEach
  void stopJanus() throws Exception {
    if (janus != null) {
      janus.destroy();
      janus.onExit().get(20, TimeUnit.SECONDS);
      assertThat(janus.isAlive()).isFalse();
      try (var files = Files.walk(janusDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void measuresEveryStreamOfAJanusRoom(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    int code =
        ParleyLoad.run(
            new PrintStream(text, true, StandardCharsets.UTF_8),
            "--janus",
            "http://127.0.0.1:" + port + "/janus",
            "--publishers",
            "2",
            "--subscribers",
            "1",
            "--duration",
            "3s",
            "--ramp-up",
            "300ms",
            "--video-bitrate",
            "300k",
            "--server-pid",
            String.valueOf(janus.pid()),
            "--out",
            dir.toString());
    String output = text.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output).isZero();
    Report r = ReportWriter.readJson(dir.resolve("report.json"));
    assertThat(r.participantsConnected()).as(output).isEqualTo(3);
    assertThat(r.totals().streams()).as(output).isEqualTo(8);
    assertThat(r.streams()).allSatisfy(s -> assertThat(s.packets()).isPositive());
    assertThat(r.totals().corrupt()).isZero();
    assertThat(r.latencyMs().count()).isPositive();
    assertThat(r.serverUse().rssMbMax()).isPositive();
  }
}
