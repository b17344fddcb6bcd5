package io.parley.sfu.dtls;

import io.parley.sfu.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Hashtable;
import java.util.List;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * Our side of a handshake as DTLS 1.2 client (when the browser answers a=setup:passive): offers
 * use_srtp and checks the server's certificate against its SDP fingerprint.
 */
final class DtlsClient extends DefaultTlsClient {
  private final DtlsCertificate certificate;
  private final List<SrtpProfile> profiles;
  private final HandshakeHooks hooks;
  private final int handshakeTimeoutMillis;
  private SrtpProfile selected;

  DtlsClient(
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
  public int getHandshakeTimeoutMillis() {
    return handshakeTimeoutMillis;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Hashtable getClientExtensions() throws IOException {
    Hashtable extensions = super.getClientExtensions();
    if (extensions == null) {
      extensions = new Hashtable();
    }
    TlsSRTPUtils.addUseSRTPExtension(
        extensions, new UseSRTPData(DtlsPeers.useSrtpIds(profiles), TlsUtils.EMPTY_BYTES));
    return extensions;
  }

  @Override
  public void processServerExtensions(Hashtable serverExtensions) throws IOException {
    super.processServerExtensions(serverExtensions);
    UseSRTPData chosen =
        serverExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
    if (chosen == null || chosen.getProtectionProfiles().length != 1) {
      throw new TlsFatalAlert(AlertDescription.illegal_parameter, "server chose no SRTP profile");
    }
    selected = DtlsPeers.choose(profiles, chosen.getProtectionProfiles());
    if (selected == null) {
      throw new TlsFatalAlert(
          AlertDescription.illegal_parameter, "server chose an SRTP profile we did not offer");
    }
  }

  @Override
  public TlsAuthentication getAuthentication() {
    return new TlsAuthentication() {
      @Override
      public void notifyServerCertificate(TlsServerCertificate serverCertificate)
          throws IOException {
        hooks.verifyPeerCertificate(serverCertificate.getCertificate());
      }

      @Override
      public TlsCredentials getClientCredentials(CertificateRequest request) {
        return DtlsPeers.signer(context, certificate);
      }
    };
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    hooks.handshakeComplete(DtlsPeers.exportKeys(context, selected, false));
  }
}
