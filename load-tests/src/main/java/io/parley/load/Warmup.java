package io.parley.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.dtls.DtlsWarmup;
import io.parley.sfu.ice.StunCodec;
import io.parley.sfu.ice.StunException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

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
    if (!DtlsWarmup.handshakeOnce(certificate, certificate, executor)) {
      throw new IllegalStateException("DTLS-SRTP does not work here");
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
}
