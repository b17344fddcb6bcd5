package io.parley.sfu.api;

import java.util.List;

/**
 * What the SFU's SDP says about one endpoint: ICE-lite credentials, host candidates for the
 * advertised addresses, and the DTLS certificate fingerprint ({@code a=setup:passive}).
 *
 * @param fingerprintAlgorithm e.g. {@code sha-256}
 * @param fingerprint upper-case hex pairs separated by colons
 */
public record TransportInfo(
    String iceUfrag,
    String icePwd,
    List<IceCandidate> candidates,
    String fingerprintAlgorithm,
    String fingerprint) {
  public TransportInfo {
    candidates = List.copyOf(candidates);
  }
}
