package io.parley.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.Sfu;
import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real WebRTC media through the split: a signalling-role server and two SFU-role servers in this
 * JVM, on loopback and free ports, and parley-load's synthetic participants in two rooms. Every
 * stream arrives, and each room's media goes through its own node.
 */
class SplitLoadTest {
  private static final String SECRET = "split-load-test-secret-0123456789";
  private final List<Main> servers = new ArrayList<>();
  private final List<Sfu> sfus = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = servers.size() - 1; i >= 0; i--) {
      servers.get(i).stop();
    }
  }

  private Main start(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("PARLEY_CONTROL_SECRET", SECRET);
    all.put("PARLEY_HTTP_HOST", "127.0.0.1");
    all.put("PARLEY_HTTP_PORT", "0");
    Main m =
        Main.start(
            ParleyConfig.fromEnvironment(all),
            media -> {
              Sfu s = (Sfu) new EmbeddedSfuFactory().start(media);
              sfus.add(s);
              return s;
            });
    servers.add(m);
    return m;
  }

  private Main sfuNode() throws Exception {
    return start(
        Map.of(
            "PARLEY_ROLE", "sfu",
            "PARLEY_CONTROL_HOST", "127.0.0.1",
            "PARLEY_CONTROL_PORT", "0",
            "PARLEY_UDP_BIND", "127.0.0.1",
            "PARLEY_UDP_PORT", "0",
            "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1"));
  }

  @Test
  void mediaFlowsThroughTwoRemoteSfuNodes(@TempDir Path dir) throws Exception {
    Main a = sfuNode();
    Main b = sfuNode();
    Main signalling =
        start(
            Map.of(
                "PARLEY_ROLE",
                "signalling",
                "PARLEY_SFU_NODES",
                "127.0.0.1:" + a.controlPort() + ",127.0.0.1:" + b.controlPort()));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (signalling.remoteSfu().readyNodes() < 2) {
      assertThat(System.nanoTime() - deadline).as("both nodes ready within 10 s").isNegative();
      Thread.sleep(20);
    }

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    int code =
        ParleyLoad.run(
            new PrintStream(text, true, StandardCharsets.UTF_8),
            "--server",
            "http://127.0.0.1:" + signalling.httpPort(),
            "--rooms",
            "2",
            "--publishers",
            "2",
            "--subscribers",
            "0",
            "--duration",
            "3s",
            "--ramp-up",
            "300ms",
            "--video-bitrate",
            "300k",
            "--out",
            dir.toString());
    String output = text.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output).isZero();
    Report r = ReportWriter.readJson(dir.resolve("report.json"));
    assertThat(r.participantsConnected()).isEqualTo(4);
    assertThat(r.participantsFailed()).isZero();
    // Per room, each publisher receives the other's audio and video.
    assertThat(r.totals().streamsExpected()).isEqualTo(8);
    assertThat(r.totals().streams()).isEqualTo(8);
    assertThat(r.streams()).allSatisfy(s -> assertThat(s.packets()).isPositive());
    assertThat(r.totals().corrupt()).isZero();
    assertThat(r.totals().srtpFailures()).isZero();
    // Both nodes forwarded media: one room each.
    assertThat(sfus).hasSize(2);
    assertThat(sfus).allSatisfy(s -> assertThat(s.stats().rtpOut.sum()).isPositive());
  }
}
