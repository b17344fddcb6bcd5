package io.parley.sfu.api;

/**
 * A host candidate of the SFU.
 *
 * @param protocol {@code udp} or {@code tcp} (passive ICE-TCP)
 */
public record IceCandidate(
    String foundation, int component, String protocol, long priority, String address, int port) {

  /** The value of an SDP {@code a=candidate:} line (without the {@code a=candidate:} prefix). */
  public String toSdpValue() {
    String base =
        foundation
            + " "
            + component
            + " "
            + protocol
            + " "
            + priority
            + " "
            + address
            + " "
            + port
            + " typ host";
    return "tcp".equals(protocol) ? base + " tcptype passive" : base;
  }
}
