package io.parley.sfu.dtls;

import io.parley.sfu.srtp.SrtpKeys;
import java.io.IOException;
import org.bouncycastle.tls.Certificate;

/** What the BouncyCastle peer objects report back to their {@link DtlsSession}. */
interface HandshakeHooks {
  /**
   * Checks the peer's certificate against its SDP fingerprint.
   *
   * @throws IOException a TLS alert that ends the handshake if it does not match
   */
  void verifyPeerCertificate(Certificate chain) throws IOException;

  /** Called from notifyHandshakeComplete(), the only place the exporter may be used. */
  void handshakeComplete(SrtpKeys keys);
}
