package io.parley.signalling.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.config.ParleyConfig;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The credentials Parley mints work on a real TURN server: Debian's coturn with {@code
 * use-auth-secret} lets its own client allocate a relay with them, and refuses a wrong password.
 */
class CoturnAllocationTest {
  private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");
  private static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");

  @Test
  void coturnAcceptsMintedCredentialsAndRefusesOthers() throws Exception {
    assertThat(TURNSERVER).as("coturn (bash .ci/install)").exists();
    assertThat(UCLIENT).as("coturn's turnutils_uclient (bash .ci/install)").exists();
    int port;
    try (DatagramSocket probe = new DatagramSocket(0)) {
      port = probe.getLocalPort();
    }
    int relayFrom = 40000 + (int) (Math.random() * 20000);
    Path dir = Files.createTempDirectory("parley-coturn");
    Process turn =
        new ProcessBuilder(
                TURNSERVER.toString(),
                "-n",
                "--listening-ip=127.0.0.1",
                "--relay-ip=127.0.0.1",
                "--listening-port=" + port,
                "--min-port=" + relayFrom,
                "--max-port=" + (relayFrom + 20),
                "--use-auth-secret",
                "--static-auth-secret=test-secret",
                "--realm=parley.test",
                "--fingerprint",
                "--no-tls",
                "--no-dtls",
                "--no-cli",
                "--allow-loopback-peers",
                "--log-file=" + dir.resolve("turn.log"),
                "--pidfile=" + dir.resolve("turn.pid"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.log").toFile())
            .start();
    try {
      var config = new ParleyConfig.Turn(List.of("turn:127.0.0.1:" + port), "test-secret", 600);
      var minted = TurnCredentials.mint(config, "alice", System.currentTimeMillis() / 1000);

      // Await the server: the minted credentials must allocate within the deadline.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int good;
      do {
        good = allocate(port, minted.username(), minted.credential(), dir);
      } while (good != 0 && System.nanoTime() < deadline);
      assertThat(good).as("allocation with minted credentials: " + log(dir)).isZero();

      int bad = allocate(port, minted.username(), "not-the-password", dir);
      assertThat(bad).as("allocation with a wrong password").isNotZero();
      var expired = TurnCredentials.mint(config, "bob", System.currentTimeMillis() / 1000 - 3600);
      assertThat(allocate(port, expired.username(), expired.credential(), dir))
          .as("allocation with expired credentials")
          .isNotZero();
    } finally {
      turn.destroy();
      if (!turn.waitFor(10, TimeUnit.SECONDS)) {
        turn.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * coturn's own client: allocate a relay and send a few packets; its exit code says if it could.
   */
  private static int allocate(int port, String user, String password, Path dir) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                UCLIENT.toString(),
                "-u",
                user,
                "-w",
                password,
                "-p",
                String.valueOf(port),
                "-n",
                "2",
                "-m",
                "1",
                "-e",
                "127.0.0.1",
                "127.0.0.1"));
    Process client =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("client.log").toFile())
            .start();
    if (!client.waitFor(30, TimeUnit.SECONDS)) {
      client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return -1;
    }
    return client.exitValue();
  }

  private static String log(Path dir) throws IOException {
    Path client = dir.resolve("client.log");
    return Files.exists(client) ? Files.readString(client) : "";
  }
}
