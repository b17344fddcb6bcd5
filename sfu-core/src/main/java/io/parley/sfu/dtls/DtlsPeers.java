package io.parley.sfu.dtls;

import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpProfile;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;

/** What our DTLS server and client share: suites, credentials, profile choice, key export. */
final class DtlsPeers {
  /** ECDHE with our ECDSA certificate only; AES-128-GCM first, as browsers prefer it. */
  static final int[] CIPHER_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
  };

  private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
      SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

  private DtlsPeers() {}

  static TlsCredentialedSigner signer(TlsContext context, DtlsCertificate certificate) {
    return new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(context),
        DtlsCertificate.CRYPTO,
        certificate.privateKey(),
        certificate.chain(),
        ECDSA_SHA256);
  }

  /** Our most preferred profile that the peer offered, or null. */
  static SrtpProfile choose(List<SrtpProfile> ours, int[] offered) {
    for (SrtpProfile profile : ours) {
      for (int id : offered) {
        if (profile.useSrtpId() == id) {
          return profile;
        }
      }
    }
    return null;
  }

  /**
   * RFC 5764 §4.2: the exporter gives client key, server key, client salt, server salt; we protect
   * with our own side's half.
   */
  static SrtpKeys exportKeys(TlsContext context, SrtpProfile profile, boolean server) {
    int keyLength = profile.keyLength();
    int saltLength = profile.saltLength();
    byte[] material =
        context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * (keyLength + saltLength));
    try {
      byte[] clientKey = Arrays.copyOfRange(material, 0, keyLength);
      byte[] serverKey = Arrays.copyOfRange(material, keyLength, 2 * keyLength);
      byte[] clientSalt = Arrays.copyOfRange(material, 2 * keyLength, 2 * keyLength + saltLength);
      byte[] serverSalt = Arrays.copyOfRange(material, 2 * keyLength + saltLength, material.length);
      return server
          ? new SrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt)
          : new SrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt);
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  static int[] useSrtpIds(List<SrtpProfile> profiles) {
    return profiles.stream().mapToInt(SrtpProfile::useSrtpId).toArray();
  }
}
