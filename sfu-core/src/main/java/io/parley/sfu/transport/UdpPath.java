package io.parley.sfu.transport;

import java.net.InetSocketAddress;

/** A browser's UDP address: media goes out as datagrams on the room's socket. */
public record UdpPath(InetSocketAddress address) implements MediaPath {
  @Override
  public String toString() {
    return "udp " + address;
  }
}
