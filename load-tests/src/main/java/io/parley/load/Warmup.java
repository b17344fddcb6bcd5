package io.parley.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.dtls.DtlsRole;
import io.parley.sfu.dtls.DtlsSession;
import io.parley.sfu.ice.StunCodec;
import io.parley.sfu.ice.StunException;
import io.parley.sfu.rtp.RtpHeaderWriter;
import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpSession;
import io.parley.sfu.srtp.SrtpStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Loads and initialises the crypto before the first participant needs it: a DTLS handshake between
 * two in-memory sessions, then SRTP both ways. Without it the first SRTP session picks its AES
 * implementation by benchmarking on a participant's event loop, stalling that loop for seconds and
 * showing up as latency and slow joins that have nothing to do with the server.
 */
final class Warmup {
  private Warmup() {}

  static void run(DtlsCertificate certificate, Executor executor) throws Exception {
    stun();
    CompletableFuture<SrtpKeys> clientKeys = new CompletableFuture<>();
    CompletableFuture<SrtpKeys> serverKeys = new CompletableFuture<>();
    DtlsSession[] sessions = new DtlsSession[2];
    sessions[0] =
        new DtlsSession(
            DtlsRole.CLIENT,
            certificate,
            executor,
            (data, offset, length) -> sessions[1].receive(data, offset, length),
            listener(clientKeys));
    sessions[1] =
        new DtlsSession(
            DtlsRole.SERVER,
            certificate,
            executor,
            (data, offset, length) -> sessions[0].receive(data, offset, length),
            listener(serverKeys));
    for (DtlsSession s : sessions) {
      s.setRemoteFingerprint(certificate.fingerprintAlgorithm(), certificate.fingerprint());
    }
    sessions[1].start();
    sessions[0].start();
    try (SrtpSession client = new SrtpSession(clientKeys.get(20, TimeUnit.SECONDS));
        SrtpSession server = new SrtpSession(serverKeys.get(20, TimeUnit.SECONDS))) {
      for (int i = 0; i < 100; i++) {
        ByteBuf packet = Unpooled.buffer(1400);
        try {
          new RtpHeaderWriter().begin(packet, false, 96, i, i * 3000L, 1234).finish();
          packet.writeZero(1000);
          if (client.protectRtp(packet) != SrtpStatus.OK
              || server.unprotectRtp(packet) != SrtpStatus.OK) {
            throw new IllegalStateException("SRTP does not work here");
          }
        } finally {
          packet.release();
        }
      }
    } finally {
      for (DtlsSession s : sessions) {
        s.close();
      }
    }
  }

  /**
   * A binding request and its response, both with MESSAGE-INTEGRITY: the first integrity check
   * loads ice4j and its configuration (seconds on a busy machine), which would otherwise happen on
   * the event loop of the first participant's transport and stall every participant on that loop.
   */
  private static void stun() throws StunException {
    String pwd = "warmupwarmupwarmupwarmup";
    byte[] id = StunCodec.newTransactionId();
    ByteBuf request =
        Unpooled.wrappedBuffer(StunCodec.encodeBindingRequest(id, "a:b", pwd, 1, true, 1, true));
    ByteBuf response = null;
    try {
      if (!StunCodec.verifyIntegrity(request, pwd)) {
        throw new IllegalStateException("STUN integrity does not work here");
      }
      response =
          Unpooled.wrappedBuffer(
              StunCodec.encodeBindingSuccess(
                  id, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), pwd));
      StunCodec.decodeBindingResponse(response, pwd);
    } finally {
      request.release();
      if (response != null) {
        response.release();
      }
    }
  }

  private static DtlsSession.Listener listener(CompletableFuture<SrtpKeys> keys) {
    return new DtlsSession.Listener() {
      @Override
      public void connected(SrtpKeys k) {
        keys.complete(k);
      }

      @Override
      public void failed(String reason, Throwable cause) {
        keys.completeExceptionally(new IllegalStateException(reason, cause));
      }
    };
  }
}
