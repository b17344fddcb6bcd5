package io.parley.sfu.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpSession;
import io.parley.sfu.srtp.SrtpStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * DTLS-SRTP handshakes run in memory right after the server starts, so that the first people to
 * join do not wait for BouncyCastle's elliptic-curve and handshake code to be interpreted and then
 * compiled: on a fresh JVM the first join took 1.7 s against 0.27–0.36 s for the next ones. Each
 * round is a real server and client {@link DtlsSession} pair wired to each other (the server with
 * the SFU's certificate, on the SFU's handshake executor), followed by SRTP both ways under the
 * negotiated keys. Nothing touches the network or any room.
 */
public final class DtlsWarmup {
  private DtlsWarmup() {}

  /**
   * Runs {@code rounds} handshakes one after another on a low-priority daemon thread; the future
   * completes with the number that connected (a failure only shortens the warm-up).
   */
  public static CompletableFuture<Integer> start(
      DtlsCertificate serverCertificate, Executor handshakes, int rounds) {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              int connected = 0;
              try {
                DtlsCertificate client = DtlsCertificate.generate();
                for (int i = 0; i < rounds; i++) {
                  if (handshakeOnce(serverCertificate, client, handshakes)) {
                    connected++;
                  }
                }
              } catch (RuntimeException e) {
                // A warm-up that cannot run leaves the server as it was.
              }
              done.complete(connected);
            },
            "dtls-warmup");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
    return done;
  }

  /**
   * One in-memory DTLS-SRTP handshake between a server and a client session, then SRTP both ways
   * under the keys it exported; true if all of it worked. Blocks the calling thread.
   */
  public static boolean handshakeOnce(
      DtlsCertificate serverCert, DtlsCertificate clientCert, Executor e) {
    CompletableFuture<SrtpKeys> serverKeys = new CompletableFuture<>();
    CompletableFuture<SrtpKeys> clientKeys = new CompletableFuture<>();
    DtlsSession[] pair = new DtlsSession[2];
    pair[0] =
        new DtlsSession(
            DtlsRole.SERVER,
            serverCert,
            e,
            (d, o, l) -> pair[1].receive(d, o, l),
            DtlsSession.Listener.completing(serverKeys));
    pair[1] =
        new DtlsSession(
            DtlsRole.CLIENT,
            clientCert,
            e,
            (d, o, l) -> pair[0].receive(d, o, l),
            DtlsSession.Listener.completing(clientKeys));
    pair[0].setRemoteFingerprint(clientCert.fingerprintAlgorithm(), clientCert.fingerprint());
    pair[1].setRemoteFingerprint(serverCert.fingerprintAlgorithm(), serverCert.fingerprint());
    try {
      pair[0].start();
      pair[1].start();
      SrtpKeys server = serverKeys.get(DtlsSession.HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      SrtpKeys client = clientKeys.get(DtlsSession.HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      return srtpBothWays(server, client);
    } catch (Exception failed) {
      return false;
    } finally {
      pair[0].close();
      pair[1].close();
    }
  }

  /** A few packets protected on one side and unprotected on the other, as media would go. */
  private static boolean srtpBothWays(SrtpKeys server, SrtpKeys client) {
    try (SrtpSession a = new SrtpSession(server);
        SrtpSession b = new SrtpSession(client)) {
      boolean ok = true;
      for (int seq = 0; seq < 200; seq++) {
        ByteBuf packet = Unpooled.buffer(1300);
        packet.writeByte(0x80).writeByte(96).writeShort(seq).writeInt(seq * 3000).writeInt(0x5eed);
        packet.writeZero(1000);
        ok &= a.protectRtp(packet) == SrtpStatus.OK && b.unprotectRtp(packet) == SrtpStatus.OK;
        packet.release();
      }
      return ok;
    }
  }
}
