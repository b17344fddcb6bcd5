package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.load.ParleyLoad;
import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard's queries against a live Prometheus, drawn in Chromium: Parley (embedded
 * SFU), a real Prometheus scraping it every second, and a short meeting of synthetic participants
 * (parley-load: real signalling, ICE, DTLS-SRTP, RTP and the RTCP a browser sends). Then {@code
 * e2e/dashboard.mjs} runs every panel's PromQL as a query_range over the meeting and draws it; a
 * query that returns no data fails the test (a dashboard query naming a series Parley does not
 * export). The screenshot is {@code target/e2e/grafana-dashboard.png} (docs/grafana-dashboard.png
 * is a copy of one).
 */
class DashboardRenderTest {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Path DASHBOARD = Path.of("../deploy/grafana/dashboards/parley.json");
  private static final Path E2E = Path.of("e2e");
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private Main server;
  private Process prometheus;
  private Path promDir;
  private String promBase;

  @AfterEach
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (server != null) {
      server.stop();
    }
    if (promDir != null) {
      try (var files = Files.walk(promDir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void everyPanelHasDataFromALiveMeeting() throws Exception {
    assertThat(PROMETHEUS).as("Debian prometheus (run .ci/install)").exists();
    assertThat(Path.of("/usr/bin/chromium")).as("Debian chromium (run .ci/install)").exists();
    assertThat(E2E.resolve("node_modules/playwright-core"))
        .as("playwright-core (run .ci/install)")
        .exists();
    server =
        Main.start(
            ParleyConfig.fromEnvironment(
                Map.of(
                    "PARLEY_HTTP_HOST", "127.0.0.1",
                    "PARLEY_HTTP_PORT", "0",
                    "PARLEY_UDP_BIND", "127.0.0.1",
                    "PARLEY_UDP_PORT", "0",
                    "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1")),
            new EmbeddedSfuFactory());
    startPrometheus(server.httpPort());
    awaitQuery("up{job=\"parley\"} == 1");
    long start = Instant.now().getEpochSecond();

    // Two rooms of two publishers and one watcher each, joining over 8 s, for 45 s. The panels are
    // drawn while the meeting runs, after everyone has been in it for 20 s.
    Path out = Files.createDirectories(Path.of("target", "e2e"));
    ByteArrayOutputStream loadOutput = new ByteArrayOutputStream();
    CompletableFuture<Integer> load =
        CompletableFuture.supplyAsync(
            () ->
                ParleyLoad.run(
                    new PrintStream(loadOutput, true, StandardCharsets.UTF_8),
                    "--server",
                    "http://127.0.0.1:" + server.httpPort(),
                    "--rooms",
                    "2",
                    "--publishers",
                    "2",
                    "--subscribers",
                    "1",
                    "--duration",
                    "45s",
                    "--ramp-up",
                    "8s",
                    "--video-bitrate",
                    "300k",
                    "--out",
                    out.resolve("dashboard-load").toString()));
    awaitQuery("min_over_time(parley_participants{job=\"parley\"}[20s]) == 6");
    long end = Instant.now().getEpochSecond();

    Path screenshot = out.resolve("grafana-dashboard.png").toAbsolutePath();
    Path log = out.resolve("dashboard.log");
    Process node =
        new ProcessBuilder(
                "node",
                "dashboard.mjs",
                promBase,
                DASHBOARD.toAbsolutePath().normalize().toString(),
                screenshot.toString(),
                Long.toString(start),
                Long.toString(end),
                "2",
                "10s")
            .directory(E2E.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      boolean finished = node.waitFor(3, TimeUnit.MINUTES);
      String output = Files.readString(log);
      System.out.println(output);
      assertThat(finished).as("the render finished within 3 minutes").isTrue();
      assertThat(node.exitValue()).as(output).isZero();
      assertThat(screenshot).exists();
      assertThat(load.get(2, TimeUnit.MINUTES))
          .as(loadOutput.toString(StandardCharsets.UTF_8))
          .isZero();
    } finally {
      if (node.isAlive()) {
        node.descendants().forEach(ProcessHandle::destroyForcibly);
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private void startPrometheus(int port) throws Exception {
    promDir = Files.createTempDirectory("parley-dashboard");
    int promPort = freePort();
    Path config = promDir.resolve("prometheus.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "scrape_configs:",
            "  - job_name: parley",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + port + "']",
            ""));
    prometheus =
        new ProcessBuilder(
                PROMETHEUS.toString(),
                "--config.file=" + config,
                "--web.listen-address=127.0.0.1:" + promPort,
                "--storage.tsdb.path=" + promDir.resolve("data"),
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(promDir.resolve("prometheus.log").toFile())
            .start();
    promBase = "http://127.0.0.1:" + promPort;
  }

  /** Waits until the instant query returns at least one sample. */
  private void awaitQuery(String promql) throws Exception {
    Instant deadline = Instant.now().plus(DEADLINE);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      assertThat(prometheus.isAlive()).as("prometheus exited").isTrue();
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            promBase
                                + "/api/v1/query?query="
                                + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        last = r.body();
        JsonNode result = json.readTree(r.body()).path("data").path("result");
        if (r.statusCode() == 200 && result.size() > 0) {
          return;
        }
      } catch (IOException e) {
        last = e.toString(); // not listening yet
      }
      prometheus.waitFor(200, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError(promql + " returned nothing within " + DEADLINE + ": " + last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
