package io.parley.sfu.dtls;

import io.parley.sfu.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Hashtable;
import java.util.List;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * Our side of a handshake as DTLS 1.2 server: ECDHE-ECDSA only, demands the client's certificate
 * (to check it against the SDP fingerprint) and picks the SRTP profile from use_srtp.
 */
final class DtlsServer extends DefaultTlsServer {
  private final DtlsCertificate certificate;
  private final List<SrtpProfile> profiles;
  private final HandshakeHooks hooks;
  private final int handshakeTimeoutMillis;
  private SrtpProfile selected;

  DtlsServer(
      DtlsCertificate certificate,
      List<SrtpProfile> profiles,
      HandshakeHooks hooks,
      int handshakeTimeoutMillis) {
    super(DtlsCertificate.CRYPTO);
    this.certificate = certificate;
    this.profiles = profiles;
    this.hooks = hooks;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return TlsUtils.getSupportedCipherSuites(getCrypto(), DtlsPeers.CIPHER_SUITES);
  }

  @Override
  protected boolean preferLocalCipherSuites() {
    return true;
  }

  @Override
  public int getHandshakeTimeoutMillis() {
    return handshakeTimeoutMillis;
  }

  @Override
  protected TlsCredentialedSigner getECDSASignerCredentials() {
    return DtlsPeers.signer(context, certificate);
  }

  @Override
  public CertificateRequest getCertificateRequest() {
    short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
    return new CertificateRequest(
        types, TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
  }

  @Override
  public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
    hooks.verifyPeerCertificate(clientCertificate);
  }

  @Override
  public void processClientExtensions(Hashtable clientExtensions) throws IOException {
    super.processClientExtensions(clientExtensions);
    UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
    if (offered == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "client offered no use_srtp");
    }
    selected = DtlsPeers.choose(profiles, offered.getProtectionProfiles());
    if (selected == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "no SRTP profile in common");
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Hashtable getServerExtensions() throws IOException {
    Hashtable extensions = super.getServerExtensions();
    if (extensions == null) {
      extensions = new Hashtable();
    }
    TlsSRTPUtils.addUseSRTPExtension(
        extensions, new UseSRTPData(new int[] {selected.useSrtpId()}, TlsUtils.EMPTY_BYTES));
    return extensions;
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    hooks.handshakeComplete(DtlsPeers.exportKeys(context, selected, true));
  }
}
