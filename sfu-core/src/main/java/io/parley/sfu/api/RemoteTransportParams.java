package io.parley.sfu.api;

/**
 * The browser's side of a transport, from its SDP.
 *
 * @param fingerprintAlgorithm e.g. {@code sha-256}
 * @param fingerprint hex pairs separated by colons, any case
 */
public record RemoteTransportParams(
    String iceUfrag, String icePwd, String fingerprintAlgorithm, String fingerprint) {}
