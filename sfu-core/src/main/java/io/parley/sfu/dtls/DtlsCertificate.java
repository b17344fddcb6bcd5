package io.parley.sfu.dtls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/** An ECDSA P-256 self-signed certificate and its key, made once per SFU process. */
public final class DtlsCertificate {
  /** One TLS crypto for the process: it only holds a SecureRandom, which is thread-safe. */
  static final BcTlsCrypto CRYPTO = new BcTlsCrypto(new SecureRandom());

  private static final String ALGORITHM = "sha-256";

  private final byte[] der;
  private final Certificate chain;
  private final AsymmetricKeyParameter privateKey;
  private final String fingerprint;

  private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey) throws IOException {
    this.der = der;
    this.chain = new Certificate(new TlsCertificate[] {CRYPTO.createCertificate(der)});
    this.privateKey = privateKey;
    this.fingerprint = Fingerprint.of(ALGORITHM, der).value();
  }

  public static DtlsCertificate generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keyPair = generator.generateKeyPair();
      Instant now = Instant.now();
      X500Name name = new X500Name("CN=parley-sfu");
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(63, new SecureRandom()),
              // Back-dated a day so a peer with a slow clock does not see it as not yet valid.
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(Duration.ofDays(365))),
              name,
              keyPair.getPublic());
      byte[] der =
          builder
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()))
              .getEncoded();
      return new DtlsCertificate(
          der, PrivateKeyFactory.createKey(keyPair.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot make the DTLS certificate", e);
    }
  }

  /** The hash named in a=fingerprint: always "sha-256". */
  public String fingerprintAlgorithm() {
    return ALGORITHM;
  }

  /** "AB:CD:…", upper-case, the SHA-256 of the certificate's DER. */
  public String fingerprint() {
    return fingerprint;
  }

  byte[] der() {
    return der.clone();
  }

  Certificate chain() {
    return chain;
  }

  AsymmetricKeyParameter privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "DtlsCertificate[" + ALGORITHM + " " + fingerprint + "]";
  }
}
