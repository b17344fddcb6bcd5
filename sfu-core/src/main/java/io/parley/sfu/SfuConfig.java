package io.parley.sfu;

import java.time.Duration;
import java.util.List;

/**
 * The media plane's settings. Defaults are documented on {@link #defaults()}; the signalling
 * server's typed configuration fills these from its own settings and environment.
 *
 * @param bindAddress the address the UDP socket (and the ICE-TCP port) binds, default {@code
 *     0.0.0.0}
 * @param udpPort the one UDP port for STUN, DTLS, SRTP and SRTCP, default 10000; 0 picks a free
 *     port (tests)
 * @param advertisedAddresses the addresses put in host candidates, in preference order
 * @param ioThreads Netty event loops (and, with SO_REUSEPORT, sockets); default: available
 *     processors
 * @param consentTimeout how long a bound address may go without a valid ICE check before media to
 *     it stops (RFC 7675: 30 s)
 * @param nativeTransport use epoll where available (falls back to NIO)
 * @param iceTcp the ICE-TCP port for browsers whose network blocks UDP
 * @param advertisedPort the port put in host candidates when browsers reach this node through a
 *     different one (a Kubernetes node port, a NAT's forwarded port); {@link #BOUND_PORT} (0, the
 *     default) for the bound port. It goes in the UDP candidates, and in the ICE-TCP ones when
 *     ICE-TCP shares the UDP port's number (an edge forwards both protocols on one number); an
 *     ICE-TCP port of its own is advertised as bound.
 * @param connectedSockets with epoll, give each browser address that passed an ICE check a socket
 *     of its own on the port, connected to that address and run by its room's loop (default on):
 *     the kernel hands that socket every datagram from the address, so a room's packets are read on
 *     the thread that forwards them instead of being passed across from the other loops
 */
public record SfuConfig(
    String bindAddress,
    int udpPort,
    List<String> advertisedAddresses,
    int ioThreads,
    Duration consentTimeout,
    boolean nativeTransport,
    IceTcp iceTcp,
    int advertisedPort,
    boolean connectedSockets) {

  /** {@link #advertisedPort}: advertise the port that is bound. */
  public static final int BOUND_PORT = 0;

  /**
   * ICE-TCP (RFC 6544): passive TCP host candidates on one TCP port, each connection carrying RFC
   * 4571 framed STUN, DTLS and SRTP exactly like the UDP port's datagrams.
   *
   * @param port 1..65535; {@link #SAME_AS_UDP} (0, the default) for the UDP port's number (with a
   *     random UDP port, the same random number); {@link #OFF} (-1) for no ICE-TCP
   * @param only advertise only the TCP candidates (the UDP port stays open): a self-test that media
   *     reaches browsers whose network blocks UDP
   * @param maxPendingConnections connections that have not carried a valid ICE check yet; beyond
   *     this new ones are closed at once (default 256)
   * @param checkTimeout a connection that carries no valid ICE check this long after it opened is
   *     closed (default 5 s)
   */
  public record IceTcp(int port, boolean only, int maxPendingConnections, Duration checkTimeout) {
    public static final int SAME_AS_UDP = 0;
    public static final int OFF = -1;

    /** The UDP port's number, 256 pending connections, 5 s for the first valid check. */
    public static final IceTcp DEFAULTS =
        new IceTcp(SAME_AS_UDP, false, 256, Duration.ofSeconds(5));

    public static final IceTcp DISABLED = new IceTcp(OFF, false, 256, Duration.ofSeconds(5));

    public IceTcp {
      if (port < OFF || port > 65535) {
        throw new IllegalArgumentException("ICE-TCP port out of range: " + port);
      }
      if (only && port == OFF) {
        throw new IllegalArgumentException("TCP-only candidates need an ICE-TCP port");
      }
      if (maxPendingConnections < 1) {
        throw new IllegalArgumentException("maxPendingConnections must be >= 1");
      }
      if (checkTimeout.isNegative() || checkTimeout.isZero()) {
        throw new IllegalArgumentException("checkTimeout must be positive");
      }
    }

    public boolean enabled() {
      return port != OFF;
    }

    public IceTcp withPort(int newPort) {
      return new IceTcp(newPort, only && newPort != OFF, maxPendingConnections, checkTimeout);
    }

    public IceTcp withOnly(boolean tcpOnly) {
      return new IceTcp(port, tcpOnly, maxPendingConnections, checkTimeout);
    }

    public IceTcp withLimits(int maxPending, Duration timeout) {
      return new IceTcp(port, only, maxPending, timeout);
    }
  }

  public SfuConfig {
    advertisedAddresses = List.copyOf(advertisedAddresses);
    if (udpPort < 0 || udpPort > 65535) {
      throw new IllegalArgumentException("udpPort out of range: " + udpPort);
    }
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be >= 1");
    }
    if (iceTcp == null) {
      iceTcp = IceTcp.DEFAULTS;
    }
    if (advertisedPort < 0 || advertisedPort > 65535) {
      throw new IllegalArgumentException("advertisedPort out of range: " + advertisedPort);
    }
  }

  /** Settings with a connected socket per checked address ({@link #connectedSockets}). */
  public SfuConfig(
      String bindAddress,
      int udpPort,
      List<String> advertisedAddresses,
      int ioThreads,
      Duration consentTimeout,
      boolean nativeTransport,
      IceTcp iceTcp,
      int advertisedPort) {
    this(
        bindAddress,
        udpPort,
        advertisedAddresses,
        ioThreads,
        consentTimeout,
        nativeTransport,
        iceTcp,
        advertisedPort,
        true);
  }

  /** Settings that advertise the bound ports. */
  public SfuConfig(
      String bindAddress,
      int udpPort,
      List<String> advertisedAddresses,
      int ioThreads,
      Duration consentTimeout,
      boolean nativeTransport,
      IceTcp iceTcp) {
    this(
        bindAddress,
        udpPort,
        advertisedAddresses,
        ioThreads,
        consentTimeout,
        nativeTransport,
        iceTcp,
        BOUND_PORT);
  }

  /** The settings before ICE-TCP existed, with ICE-TCP on the UDP port's number. */
  public SfuConfig(
      String bindAddress,
      int udpPort,
      List<String> advertisedAddresses,
      int ioThreads,
      Duration consentTimeout,
      boolean nativeTransport) {
    this(
        bindAddress,
        udpPort,
        advertisedAddresses,
        ioThreads,
        consentTimeout,
        nativeTransport,
        IceTcp.DEFAULTS);
  }

  /**
   * Port 10000 (UDP, and TCP for ICE-TCP) on all interfaces, advertising 127.0.0.1, one loop per
   * core, 30 s consent.
   */
  public static SfuConfig defaults() {
    return new SfuConfig(
        "0.0.0.0",
        10000,
        List.of("127.0.0.1"),
        Runtime.getRuntime().availableProcessors(),
        Duration.ofSeconds(30),
        true,
        IceTcp.DEFAULTS);
  }

  /** A config for tests: a random free port on loopback (ICE-TCP on the same number). */
  public static SfuConfig loopback() {
    return new SfuConfig(
        "127.0.0.1", 0, List.of("127.0.0.1"), 2, Duration.ofSeconds(30), true, IceTcp.DEFAULTS);
  }

  public SfuConfig withUdpPort(int port) {
    return new SfuConfig(
        bindAddress,
        port,
        advertisedAddresses,
        ioThreads,
        consentTimeout,
        nativeTransport,
        iceTcp,
        advertisedPort,
        connectedSockets);
  }

  public SfuConfig withIoThreads(int threads) {
    return new SfuConfig(
        bindAddress,
        udpPort,
        advertisedAddresses,
        threads,
        consentTimeout,
        nativeTransport,
        iceTcp,
        advertisedPort,
        connectedSockets);
  }

  public SfuConfig withConsentTimeout(Duration timeout) {
    return new SfuConfig(
        bindAddress,
        udpPort,
        advertisedAddresses,
        ioThreads,
        timeout,
        nativeTransport,
        iceTcp,
        advertisedPort,
        connectedSockets);
  }

  public SfuConfig withAdvertisedAddresses(List<String> addresses) {
    return new SfuConfig(
        bindAddress,
        udpPort,
        addresses,
        ioThreads,
        consentTimeout,
        nativeTransport,
        iceTcp,
        advertisedPort,
        connectedSockets);
  }

  public SfuConfig withIceTcp(IceTcp tcp) {
    return new SfuConfig(
        bindAddress,
        udpPort,
        advertisedAddresses,
        ioThreads,
        consentTimeout,
        nativeTransport,
        tcp,
        advertisedPort,
        connectedSockets);
  }

  public SfuConfig withAdvertisedPort(int port) {
    return new SfuConfig(
        bindAddress,
        udpPort,
        advertisedAddresses,
        ioThreads,
        consentTimeout,
        nativeTransport,
        iceTcp,
        port,
        connectedSockets);
  }

  public SfuConfig withConnectedSockets(boolean connected) {
    return new SfuConfig(
        bindAddress,
        udpPort,
        advertisedAddresses,
        ioThreads,
        consentTimeout,
        nativeTransport,
        iceTcp,
        advertisedPort,
        connected);
  }
}
