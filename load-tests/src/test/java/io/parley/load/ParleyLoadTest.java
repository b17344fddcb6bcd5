package io.parley.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** parley-load for a few seconds against a real Parley server in this JVM, on free ports. */
class ParleyLoadTest {
  private Main server;

  @BeforeEach
  void startServer() throws Exception {
    ParleyConfig config =
        ParleyConfig.fromEnvironment(
            Map.of(
                "PARLEY_HTTP_HOST", "127.0.0.1",
                "PARLEY_HTTP_PORT", "0",
                "PARLEY_UDP_BIND", "127.0.0.1",
                "PARLEY_UDP_PORT", "0",
                "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1"));
    server = Main.start(config, new EmbeddedSfuFactory());
  }

  @AfterEach
  void stopServer() throws Exception {
    server.stop();
  }

  @Test
  void measuresEveryStreamOfARoom(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    int code =
        ParleyLoad.run(
            new PrintStream(text, true, StandardCharsets.UTF_8),
            "--server",
            "http://127.0.0.1:" + server.httpPort(),
            "--rooms",
            "1",
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
            "--out",
            dir.toString(),
            "--label",
            "test",
            "--packet-log",
            dir.resolve("packets.txt").toString());
    String output = text.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output).isZero();
    Report r = ReportWriter.readJson(dir.resolve("report.json"));
    assertThat(r.participantsConnected()).isEqualTo(3);
    assertThat(r.participantsFailed()).isZero();
    // Each publisher receives the other's audio and video, the subscriber both publishers'.
    assertThat(r.totals().streamsExpected()).isEqualTo(8);
    assertThat(r.totals().streams()).isEqualTo(8);
    assertThat(r.streams()).allSatisfy(s -> assertThat(s.packets()).isPositive());
    assertThat(r.streams()).filteredOn(s -> s.kind().equals("video")).hasSize(4);
    assertThat(r.streams())
        .filteredOn(s -> s.kind().equals("video"))
        .allSatisfy(s -> assertThat(s.joinMs()).isNotNegative());
    assertThat(r.totals().corrupt()).isZero();
    assertThat(r.totals().srtpFailures()).isZero();
    assertThat(r.totals().packetsReceived()).isPositive();
    assertThat(r.latencyMs().count()).isPositive();
    assertThat(r.latencyMs().p50()).isPositive();
    assertThat(r.joinMs().count()).isEqualTo(4);
    assertThat(r.timeline()).isNotEmpty();
    assertThat(output).contains("participants connected", "3 / 3");
    assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg", "pub0-0");

    // The packet log: every media packet received, in wall-clock time, sent before it arrived.
    List<String> lines = Files.readAllLines(dir.resolve("packets.txt"));
    assertThat(lines.get(0)).startsWith("# arrival_ns sent_ns receiver publisher kind ssrc seq");
    List<String[]> packets = lines.stream().skip(1).map(l -> l.split(" ")).toList();
    assertThat(packets).hasSize((int) r.streams().stream().mapToLong(s -> s.packets()).sum());
    long now = System.currentTimeMillis() * 1_000_000L;
    assertThat(packets)
        .allSatisfy(
            p -> {
              assertThat(p).hasSize(7);
              long arrival = Long.parseLong(p[0]);
              long sent = Long.parseLong(p[1]);
              assertThat(arrival)
                  .isBetween(now - 60_000_000_000L, now)
                  .isGreaterThanOrEqualTo(sent);
              assertThat(p[3]).isNotEqualTo(p[2]).startsWith("pub0-");
              assertThat(p[4]).isIn("audio", "video");
              assertThat(Integer.parseInt(p[6])).isBetween(0, 0xFFFF);
            });
    assertThat(output).contains("wrote " + packets.size() + " packets to ");
  }

  @Test
  void simulcastPublishersAreForwardedOneLayer(@TempDir Path dir) throws Exception {
    int code =
        ParleyLoad.run(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            "--server",
            "http://127.0.0.1:" + server.httpPort(),
            "--publishers",
            "2",
            "--simulcast",
            "--no-audio",
            "--duration",
            "2s",
            "--ramp-up",
            "200ms",
            "--out",
            dir.toString());
    Report r = ReportWriter.readJson(dir.resolve("report.json"));
    assertThat(code).isZero();
    assertThat(r.participantsConnected()).isEqualTo(2);
    // Three layers go up; each subscriber gets one stream per publisher.
    assertThat(r.totals().streams()).isEqualTo(2);
    assertThat(r.streams()).allSatisfy(s -> assertThat(s.packets()).isPositive());
    assertThat(r.totals().corrupt()).isZero();
  }
}
