package io.parley.sfu.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpProfile;
import io.parley.sfu.srtp.SrtpSession;
import io.parley.sfu.srtp.SrtpStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DtlsSessionTest {
  private static final long DEADLINE_SECONDS = 15;

  private static ExecutorService executor;
  private static DtlsCertificate serverCertificate;
  private static DtlsCertificate clientCertificate;

  private final List<DtlsSession> sessions = new java.util.ArrayList<>();

  @BeforeAll
  static void setUp() {
    AtomicInteger n = new AtomicInteger();
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "dtls-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    serverCertificate = DtlsCertificate.generate();
    clientCertificate = DtlsCertificate.generate();
  }

  @AfterAll
  static void tearDown() {
    executor.shutdownNow();
  }

  @AfterEach
  void closeSessions() {
    sessions.forEach(DtlsSession::close);
  }

  /** Records the outcome a session reports. */
  static final class Outcome implements DtlsSession.Listener {
    final CompletableFuture<SrtpKeys> connected = new CompletableFuture<>();
    final CompletableFuture<String> failed = new CompletableFuture<>();

    @Override
    public void connected(SrtpKeys keys) {
      connected.complete(keys);
    }

    @Override
    public void failed(String reason, Throwable cause) {
      failed.complete(reason);
    }

    SrtpKeys awaitConnected() throws Exception {
      return connected.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    String awaitFailed() throws Exception {
      return failed.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Decides per datagram whether the link delivers it. */
  interface Link {
    boolean deliver(byte[] data, int offset, int length);
  }

  /** Two sessions wired through their sinks, like two ends of a 5-tuple. */
  final class Wire {
    final Outcome serverOutcome = new Outcome();
    final Outcome clientOutcome = new Outcome();
    final AtomicInteger clientSent = new AtomicInteger();
    final AtomicInteger serverSent = new AtomicInteger();
    final DtlsSession server;
    final DtlsSession client;
    volatile Link serverToClient = (d, o, l) -> true;
    volatile Link clientToServer = (d, o, l) -> true;

    Wire() {
      this(clientCertificate.fingerprint(), serverCertificate.fingerprint());
    }

    /** A pair where the server expects one fingerprint and the client another (null: not set). */
    Wire(String serverExpects, String clientExpects) {
      DtlsSession[] holder = new DtlsSession[2];
      server =
          new DtlsSession(
              DtlsRole.SERVER,
              serverCertificate,
              executor,
              (d, o, l) -> {
                serverSent.incrementAndGet();
                if (serverToClient.deliver(d, o, l)) {
                  holder[1].receive(d, o, l);
                }
              },
              serverOutcome);
      client =
          new DtlsSession(
              DtlsRole.CLIENT,
              clientCertificate,
              executor,
              (d, o, l) -> {
                clientSent.incrementAndGet();
                if (clientToServer.deliver(d, o, l)) {
                  holder[0].receive(d, o, l);
                }
              },
              clientOutcome);
      holder[0] = server;
      holder[1] = client;
      sessions.add(server);
      sessions.add(client);
      if (serverExpects != null) {
        server.setRemoteFingerprint("sha-256", serverExpects);
      }
      if (clientExpects != null) {
        client.setRemoteFingerprint("sha-256", clientExpects);
      }
    }

    void start() {
      server.start();
      client.start();
    }
  }

  @Test
  void certificateFingerprintIsUpperCaseSha256() {
    assertThat(serverCertificate.fingerprintAlgorithm()).isEqualTo("sha-256");
    assertThat(serverCertificate.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(serverCertificate.fingerprint()).isNotEqualTo(clientCertificate.fingerprint());
  }

  @Test
  void handshakeNegotiatesGcmAndSrtpFlowsBothWays() throws Exception {
    long start = System.nanoTime();
    Wire wire = new Wire();
    wire.start();
    SrtpKeys serverKeys = wire.serverOutcome.awaitConnected();
    SrtpKeys clientKeys = wire.clientOutcome.awaitConnected();
    System.out.printf(
        "DTLS handshake in-JVM: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));

    assertThat(serverKeys.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertKeysMirror(serverKeys, clientKeys);
    assertThat(wire.server.isConnected()).isTrue();
    assertThat(wire.client.isConnected()).isTrue();
    assertSrtpFlows(serverKeys, clientKeys);
  }

  @Test
  void handshakeWithAesCm80() throws Exception {
    Wire wire = new Wire();
    wire.client.setSrtpProfiles(List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80));
    wire.start();
    SrtpKeys serverKeys = wire.serverOutcome.awaitConnected();
    SrtpKeys clientKeys = wire.clientOutcome.awaitConnected();

    assertThat(serverKeys.profile()).isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
    assertKeysMirror(serverKeys, clientKeys);
    assertSrtpFlows(serverKeys, clientKeys);
  }

  @Test
  void serverPrefersGcmWhateverTheClientsOrder() throws Exception {
    Wire wire = new Wire();
    wire.client.setSrtpProfiles(
        List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM));
    wire.start();
    assertThat(wire.clientOutcome.awaitConnected().profile())
        .isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
  }

  @Test
  void noCommonSrtpProfileFailsBoth() throws Exception {
    Wire wire = new Wire();
    wire.client.setSrtpProfiles(List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_32));
    wire.start();
    assertThat(wire.serverOutcome.awaitFailed()).contains("handshake_failure");
    assertThat(wire.clientOutcome.awaitFailed()).contains("handshake_failure");
  }

  @Test
  void clientCertificateNotMatchingTheSdpFailsBothSides() throws Exception {
    Wire wire = new Wire(DtlsCertificate.generate().fingerprint(), serverCertificate.fingerprint());
    wire.start();
    assertThat(wire.serverOutcome.awaitFailed()).isEqualTo("fingerprint mismatch");
    assertThat(wire.clientOutcome.awaitFailed()).isEqualTo("peer sent alert bad_certificate");
    assertThat(wire.serverOutcome.connected).isNotDone();
    assertThat(wire.clientOutcome.connected).isNotDone();
  }

  @Test
  void serverCertificateNotMatchingTheSdpFailsTheClient() throws Exception {
    Wire wire = new Wire(clientCertificate.fingerprint(), DtlsCertificate.generate().fingerprint());
    wire.start();
    assertThat(wire.clientOutcome.awaitFailed()).isEqualTo("fingerprint mismatch");
    assertThat(wire.serverOutcome.awaitFailed()).isEqualTo("peer sent alert bad_certificate");
  }

  @Test
  void fingerprintIsComparedCaseInsensitivelyAndMayComeLate() throws Exception {
    Wire wire = new Wire(null, serverCertificate.fingerprint().toLowerCase());
    wire.start();
    // The server holds the handshake at the certificate check until the SDP's fingerprint comes.
    await(() -> wire.clientSent.get() >= 3);
    wire.server.setRemoteFingerprint("SHA-256", clientCertificate.fingerprint().toLowerCase());
    wire.serverOutcome.awaitConnected();
    wire.clientOutcome.awaitConnected();
  }

  @Test
  void sha1FingerprintIsAccepted() throws Exception {
    String sha1 = Fingerprint.of("sha-1", clientCertificate.der()).value();
    Wire wire = new Wire(null, serverCertificate.fingerprint());
    wire.server.setRemoteFingerprint("sha-1", sha1);
    wire.start();
    wire.serverOutcome.awaitConnected();
  }

  @Test
  void lostFirstServerFlightIsRetransmitted() throws Exception {
    Wire wire = new Wire();
    // Drop everything the server sends until the client has retransmitted its ClientHello.
    wire.serverToClient = (d, o, l) -> wire.clientSent.get() > 1;
    wire.start();
    wire.clientOutcome.awaitConnected();
    wire.serverOutcome.awaitConnected();
    assertThat(wire.clientSent.get()).isGreaterThan(1);
  }

  @Test
  void lostFinalServerFlightIsAnsweredAfterTheServerConnected() throws Exception {
    Wire wire = new Wire();
    AtomicInteger dropped = new AtomicInteger();
    int[] clientSentAtFirstDrop = {-1};
    // Drop the server's ChangeCipherSpec and Finished (epoch 1) until the client retransmits: the
    // server is connected by then and must answer from its post-handshake drain.
    wire.serverToClient =
        (d, o, l) -> {
          boolean finalFlight = d[o] == 20 || ((d[o + 3] << 8) | (d[o + 4] & 0xFF)) == 1;
          if (!finalFlight) {
            return true;
          }
          if (clientSentAtFirstDrop[0] < 0) {
            clientSentAtFirstDrop[0] = wire.clientSent.get();
          }
          if (wire.clientSent.get() == clientSentAtFirstDrop[0]) {
            dropped.incrementAndGet();
            return false;
          }
          return true;
        };
    wire.start();
    wire.serverOutcome.awaitConnected();
    wire.clientOutcome.awaitConnected();
    assertThat(dropped.get()).isPositive();
    assertThat(wire.server.isConnected()).isTrue();
  }

  @Test
  void peerCloseNotifyFailsTheSessionWithClosed() throws Exception {
    Wire wire = new Wire();
    wire.start();
    wire.serverOutcome.awaitConnected();
    wire.clientOutcome.awaitConnected();
    wire.client.close();
    assertThat(wire.serverOutcome.awaitFailed()).isEqualTo("closed");
    assertThat(wire.server.isConnected()).isFalse();
    assertThat(wire.clientOutcome.failed).isNotDone();
  }

  @Test
  void silentPeerTimesOut() throws Exception {
    Wire wire = new Wire();
    wire.clientToServer = (d, o, l) -> false;
    wire.client.setHandshakeTimeoutMillis(1500);
    wire.start();
    assertThat(wire.clientOutcome.awaitFailed()).isEqualTo("handshake timed out");
  }

  @Test
  void idleServerHoldsNoThreadAndCloseFreesAHandshakeThread() throws Exception {
    await(() -> activeThreads() == 0);
    Wire wire = new Wire();
    wire.clientToServer = (d, o, l) -> false;
    wire.server.start();
    assertThat(activeThreads()).isZero();
    wire.client.start();
    await(() -> activeThreads() == 1);
    wire.client.close();
    await(() -> activeThreads() == 0);
    assertThat(wire.clientOutcome.failed).isNotDone();
  }

  @Test
  void closeWakesAHandshakeWaitingForTheFingerprint() throws Exception {
    await(() -> activeThreads() == 0);
    Wire wire = new Wire(null, serverCertificate.fingerprint());
    wire.start();
    await(() -> wire.clientSent.get() >= 3); // the server now waits for the SDP's fingerprint
    wire.server.close();
    wire.client.close();
    await(() -> activeThreads() == 0);
    assertThat(wire.serverOutcome.failed).isNotDone();
  }

  private static void assertKeysMirror(SrtpKeys server, SrtpKeys client) {
    assertThat(client.profile()).isEqualTo(server.profile());
    assertThat(client.localKey()).isEqualTo(server.remoteKey());
    assertThat(client.localSalt()).isEqualTo(server.remoteSalt());
    assertThat(client.remoteKey()).isEqualTo(server.localKey());
    assertThat(client.remoteSalt()).isEqualTo(server.localSalt());
    assertThat(client.localKey()).isNotEqualTo(client.remoteKey());
  }

  private static void assertSrtpFlows(SrtpKeys serverKeys, SrtpKeys clientKeys) {
    try (SrtpSession sfu = new SrtpSession(serverKeys);
        SrtpSession browser = new SrtpSession(clientKeys)) {
      String rtp = "80e0abcd00001000cafebabe" + "5a".repeat(160);
      String rtcp = "80c8000612345678" + "00".repeat(20);
      roundTrip(browser, sfu, rtp, true);
      roundTrip(sfu, browser, rtp, true);
      roundTrip(browser, sfu, rtcp, false);
      roundTrip(sfu, browser, rtcp, false);
    }
  }

  private static void roundTrip(SrtpSession from, SrtpSession to, String hex, boolean rtp) {
    byte[] bytes = java.util.HexFormat.of().parseHex(hex);
    ByteBuf packet = Unpooled.buffer(bytes.length + 64).writeBytes(bytes);
    try {
      assertThat(rtp ? from.protectRtp(packet) : from.protectRtcp(packet)).isEqualTo(SrtpStatus.OK);
      assertThat(ByteBufUtil.hexDump(packet)).isNotEqualTo(hex);
      assertThat(rtp ? to.unprotectRtp(packet) : to.unprotectRtcp(packet)).isEqualTo(SrtpStatus.OK);
      assertThat(ByteBufUtil.hexDump(packet)).isEqualTo(hex);
    } finally {
      packet.release();
    }
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + DEADLINE_SECONDS + " s");
      }
      Thread.sleep(5); // polling with a deadline, not a sleep-and-hope
    }
  }

  static int activeThreads() {
    return ((ThreadPoolExecutor) executor).getActiveCount();
  }
}
