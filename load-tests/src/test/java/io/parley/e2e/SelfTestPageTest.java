package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connectivity self-test page in real Chromium ({@code e2e/selftest.mjs}): against a server
 * with a reachable media port and a real coturn whose credentials Parley mints, signalling, UDP and
 * TURN pass and TCP passes or is reported as not offered; against a server that advertises an
 * address nobody can reach (TEST-NET-1, 192.0.2.1), UDP fails with its fix hint. Screenshots go to
 * {@code target/e2e/}.
 */
class SelfTestPageTest {
  private static final Path E2E = Path.of("e2e");
  private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");
  private static final String SECRET = "selftest-secret";

  private final List<Main> servers = new ArrayList<>();
  private Process turn;
  private Path turnDir;

  @AfterEach
  void stop() throws Exception {
    for (Main s : servers) {
      s.stop();
    }
    if (turn != null) {
      turn.destroy();
      if (!turn.waitFor(10, TimeUnit.SECONDS)) {
        turn.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (turnDir != null) {
      try (var files = Files.walk(turnDir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void reportsEachMediaPathWithAFixHintWhenItFails() throws Exception {
    assertThat(Path.of("/usr/bin/chromium")).as("Debian chromium (run .ci/install)").exists();
    assertThat(TURNSERVER).as("coturn (run .ci/install)").exists();
    assertThat(E2E.resolve("node_modules/playwright-core"))
        .as("playwright-core (run .ci/install)")
        .exists();
    int turnPort = startCoturn();

    Main good =
        start(
            Map.of(
                "PARLEY_ADVERTISED_ADDRESSES",
                "127.0.0.1",
                "PARLEY_TURN_URIS",
                "turn:127.0.0.1:" + turnPort + "?transport=udp",
                "PARLEY_TURN_SECRET",
                SECRET));
    Main unreachable = start(Map.of("PARLEY_ADVERTISED_ADDRESSES", "192.0.2.1"));

    Path out = Files.createDirectories(Path.of("target", "e2e"));
    Path log = out.resolve("selftest.log");
    Process node =
        new ProcessBuilder(
                "node",
                "selftest.mjs",
                "http://127.0.0.1:" + good.httpPort(),
                "http://127.0.0.1:" + unreachable.httpPort(),
                out.toAbsolutePath().toString(),
                "expected")
            .directory(E2E.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      boolean finished = node.waitFor(4, TimeUnit.MINUTES);
      String output = Files.readString(log);
      System.out.println(output);
      assertThat(finished).as("the browser run finished within 4 minutes").isTrue();
      assertThat(node.exitValue()).as(output).isZero();
    } finally {
      if (node.isAlive()) {
        node.descendants().forEach(ProcessHandle::destroyForcibly);
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private Main start(Map<String, String> extra) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(extra);
    env.put("PARLEY_HTTP_HOST", "127.0.0.1");
    env.put("PARLEY_HTTP_PORT", "0");
    env.put("PARLEY_UDP_PORT", "0");
    Main m = Main.start(ParleyConfig.fromEnvironment(env), new EmbeddedSfuFactory());
    servers.add(m);
    return m;
  }

  /** coturn on loopback, checking the credentials Parley mints; returns once it listens. */
  private int startCoturn() throws Exception {
    int port;
    try (DatagramSocket probe = new DatagramSocket(0)) {
      port = probe.getLocalPort();
    }
    int relayFrom = 40000 + ThreadLocalRandom.current().nextInt(20000);
    turnDir = Files.createTempDirectory("parley-selftest-turn");
    Path turnLog = turnDir.resolve("turn.log");
    turn =
        new ProcessBuilder(
                TURNSERVER.toString(),
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                "--listening-port=" + port,
                "--min-port=" + relayFrom,
                "--max-port=" + (relayFrom + 40),
                "--use-auth-secret",
                "--static-auth-secret=" + SECRET,
                "--realm=parley.test",
                "--fingerprint",
                "--no-tls",
                "--no-dtls",
                "--no-cli",
                "--allow-loopback-peers",
                "--simple-log",
                "--log-file=" + turnLog,
                "--pidfile=" + turnDir.resolve("turn.pid"))
            .redirectErrorStream(true)
            .redirectOutput(turnDir.resolve("out.log").toFile())
            .start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (!answersStun(port)) {
      assertThat(turn.isAlive()).as("coturn exited: %s", read(turnDir.resolve("out.log"))).isTrue();
      assertThat(Instant.now()).as("coturn did not listen: %s", read(turnLog)).isBefore(deadline);
      turn.waitFor(100, TimeUnit.MILLISECONDS);
    }
    return port;
  }

  /**
   * Whether a STUN Binding request to the port gets an answer (coturn answers them
   * unauthenticated).
   */
  private static boolean answersStun(int port) throws IOException {
    byte[] request = new byte[20];
    request[1] = 0x01; // Binding request, no attributes
    request[4] = 0x21;
    request[5] = 0x12;
    request[6] = (byte) 0xA4;
    request[7] = 0x42;
    ThreadLocalRandom.current().nextBytes(java.util.Arrays.copyOfRange(request, 8, 20));
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(200);
      InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
      socket.send(new DatagramPacket(request, request.length, server));
      byte[] answer = new byte[1500];
      socket.receive(new DatagramPacket(answer, answer.length));
      return answer[0] == 0x01 && answer[1] == 0x01; // Binding success response
    } catch (SocketTimeoutException | PortUnreachableException e) {
      return false;
    }
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }
}
