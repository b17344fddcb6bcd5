package io.parley.sfu;

import java.time.Duration;
import java.util.List;

/**
 * The media plane's settings. Defaults are documented on {@link #defaults()}; the signalling
 * server's typed configuration fills these from its own settings and environment.
 *
 * @param bindAddress the address the UDP socket binds, default {@code 0.0.0.0}
 * @param udpPort the one UDP port for STUN, DTLS, SRTP and SRTCP, default 10000; 0 picks a free
 *     port (tests)
 * @param advertisedAddresses the addresses put in host candidates, in preference order
 * @param ioThreads Netty event loops (and, with SO_REUSEPORT, sockets); default: available
 *     processors
 * @param consentTimeout how long a bound address may go without a valid ICE check before media to
 *     it stops (RFC 7675: 30 s)
 * @param nativeTransport use epoll where available (falls back to NIO)
 */
public record SfuConfig(
    String bindAddress,
    int udpPort,
    List<String> advertisedAddresses,
    int ioThreads,
    Duration consentTimeout,
    boolean nativeTransport) {

  public SfuConfig {
    advertisedAddresses = List.copyOf(advertisedAddresses);
    if (udpPort < 0 || udpPort > 65535) {
      throw new IllegalArgumentException("udpPort out of range: " + udpPort);
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be >= 1");
    }
  }

  /** Port 10000 on all interfaces, advertising 127.0.0.1, one loop per core, 30 s consent. */
  public static SfuConfig defaults() {
    return new SfuConfig(
        "0.0.0.0",
        10000,
        List.of("127.0.0.1"),
        Runtime.getRuntime().availableProcessors(),
        Duration.ofSeconds(30),
        true);
  }

  /** A config for tests: a random free port on loopback. */
  public static SfuConfig loopback() {
    return new SfuConfig("127.0.0.1", 0, List.of("127.0.0.1"), 2, Duration.ofSeconds(30), true);
  }

  public SfuConfig withUdpPort(int port) {
    return new SfuConfig(
        bindAddress, port, advertisedAddresses, ioThreads, consentTimeout, nativeTransport);
  }

  public SfuConfig withIoThreads(int threads) {
    return new SfuConfig(
        bindAddress, udpPort, advertisedAddresses, threads, consentTimeout, nativeTransport);
  }

  public SfuConfig withConsentTimeout(Duration timeout) {
    return new SfuConfig(
        bindAddress, udpPort, advertisedAddresses, ioThreads, timeout, nativeTransport);
  }

  public SfuConfig withAdvertisedAddresses(List<String> addresses) {
    return new SfuConfig(
        bindAddress, udpPort, addresses, ioThreads, consentTimeout, nativeTransport);
  }
}
