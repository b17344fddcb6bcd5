package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the browser tests share: the Parley server they drive (the real one, on random ports) and
 * the node script under {@code e2e/} that drives the browsers, whose output is printed and whose
 * exit code is the verdict.
 */
final class NodeScript {
  static final Path E2E = Path.of("e2e");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  private NodeScript() {}

  /** Fails with what to install when Chromium or the npm packages are missing. */
  static void requireBrowsers() {
    assertThat(CHROMIUM).as("Debian chromium (run .ci/install)").exists();
    assertThat(E2E.resolve("node_modules/playwright-core"))
        .as("playwright-core (run .ci/install)")
        .exists();
  }

  /** Starts Parley on loopback HTTP and random ports, with {@code env} on top of the defaults. */
  static Main startServer(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>();
    all.put("PARLEY_HTTP_HOST", "127.0.0.1");
    all.put("PARLEY_HTTP_PORT", "0");
    all.put("PARLEY_UDP_PORT", "0");
    all.putAll(env);
    return Main.start(ParleyConfig.fromEnvironment(all), new EmbeddedSfuFactory());
  }

  /** The sum of a counter's series on the server's /metrics, by exact name (no labels). */
  static long counter(String base, String name) throws Exception {
    java.net.http.HttpResponse<String> metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    return metrics
        .body()
        .lines()
        .filter(l -> l.startsWith(name + " "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(name.length() + 1).trim()))
        .sum();
  }

  static String baseUrl(Main server) {
    return "http://127.0.0.1:" + server.httpPort();
  }

  /**
   * Runs {@code node <script> <args>} in {@code e2e/}, its output to {@code log}, and asserts it
   * ends in time with exit code 0; a script still running at the limit is killed with its browsers.
   */
  static void run(String script, Path log, Duration limit, String... args) throws Exception {
    Files.createDirectories(log.toAbsolutePath().getParent());
    List<String> command = new java.util.ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    Process node =
        new ProcessBuilder(command)
            .directory(E2E.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      boolean finished = node.waitFor(limit.toSeconds(), TimeUnit.SECONDS);
      String output = read(log);
      System.out.println(output);
      assertThat(finished).as("%s finished within %s", script, limit).isTrue();
      assertThat(node.exitValue()).as(output).isZero();
    } finally {
      if (node.isAlive()) {
        node.descendants().forEach(ProcessHandle::destroyForcibly);
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }
}
