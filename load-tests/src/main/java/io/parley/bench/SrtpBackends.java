package io.parley.bench;

import io.parley.sfu.srtp.SrtpSession;
import org.jitsi.srtp.crypto.Aes;

/** Picks jitsi-srtp's AES backend for a benchmark fork, overriding sfu-core's fixed choice. */
final class SrtpBackends {
  private SrtpBackends() {}

  /** {@code default}, or a jitsi-srtp factory name: SunJCE, OpenSSL, BouncyCastle. */
  static void select(String backend) throws ClassNotFoundException {
    // Load SrtpSession first: its static initialiser sets sfu-core's own choice.
    Class.forName(SrtpSession.class.getName(), true, SrtpBackends.class.getClassLoader());
    if (!"default".equals(backend)) {
      Aes.setFactoryClassName(backend);
    }
  }
}
