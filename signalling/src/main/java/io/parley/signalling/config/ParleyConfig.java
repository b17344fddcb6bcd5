package io.parley.signalling.config;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Parley's whole configuration, one typed tree. Every setting, its default, and the environment
 * variable that overrides it are listed here and nowhere else.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>env var</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>PARLEY_HTTP_HOST</td><td>0.0.0.0</td><td>address the HTTP server binds</td></tr>
 *   <tr><td>PARLEY_HTTP_PORT</td><td>8080</td><td>HTTP and Socket.IO port (0 = any free port)</td></tr>
 *   <tr><td>PARLEY_UDP_BIND</td><td>0.0.0.0</td><td>address the SFU's UDP socket binds</td></tr>
 *   <tr><td>PARLEY_UDP_PORT</td><td>10000</td><td>the one UDP port for all media (0 = any)</td></tr>
 *   <tr><td>PARLEY_TCP_PORT</td><td>the UDP port's number</td><td>the ICE-TCP port (RFC 6544 passive
 *       candidates) for browsers whose network blocks UDP; {@code 0} or a negative number turns
 *       ICE-TCP off</td></tr>
 *   <tr><td>PARLEY_ICE_TCP_ONLY</td><td>false</td><td>{@code true} advertises only the ICE-TCP
 *       candidates (UDP stays open): a self-test that media works where UDP is blocked</td></tr>
 *   <tr><td>PARLEY_ADVERTISED_PORT</td><td>the bound port</td><td>the port put in the ICE
 *       candidates when browsers reach the media port through another number (a Kubernetes node
 *       port, a NAT forward): the UDP candidates, and the ICE-TCP ones when ICE-TCP is on the UDP
 *       port's number</td></tr>
 *   <tr><td>PARLEY_UDP_CONNECTED_SOCKETS</td><td>true</td><td>with epoll, a socket connected to
 *       each browser address on its room's event loop, so the kernel delivers a room's packets
 *       to the thread that forwards them; {@code false} reads everything on the shared
 *       SO_REUSEPORT sockets</td></tr>
 *   <tr><td>PARLEY_ADVERTISED_ADDRESSES</td><td>the host's non-loopback IPv4 addresses, then
 *       127.0.0.1</td><td>comma-separated addresses put in the SFU's ICE candidates, in preference
 *       order; behind NAT put the public IP first (and forward the UDP port to this host)</td></tr>
 *   <tr><td>PARLEY_ICE_SERVERS</td><td>none</td><td>STUN/TURN servers handed to browsers: a
 *       comma-separated list of URLs ({@code stun:stun.example.org:3478}), or a JSON array of
 *       {@code {"urls":[...],"username":"...","credential":"..."}}</td></tr>
 *   <tr><td>PARLEY_TURN_URIS</td><td>none</td><td>comma-separated TURN URIs
 *       ({@code turn:turn.example.org:3478?transport=udp}) handed to each participant with
 *       credentials minted for it (TURN REST API, coturn's {@code use-auth-secret})</td></tr>
 *   <tr><td>PARLEY_TURN_SECRET</td><td>none</td><td>the secret shared with the TURN server; needed
 *       with PARLEY_TURN_URIS</td></tr>
 *   <tr><td>PARLEY_TURN_TTL_SECONDS</td><td>86400</td><td>how long minted TURN credentials
 *       stay valid</td></tr>
 *   <tr><td>PARLEY_DRAIN_TIMEOUT_SECONDS</td><td>0</td><td>on SIGTERM, how long to wait for the
 *       meetings on this server to end (taking no new ones, {@code /readyz} answering 503)</td></tr>
 *   <tr><td>PARLEY_MAX_MESSAGE_BYTES</td><td>65536</td><td>largest signalling event accepted</td></tr>
 *   <tr><td>PARLEY_ADMIN_HOST</td><td>0.0.0.0</td><td>address the admin HTTP server binds</td></tr>
 *   <tr><td>PARLEY_ADMIN_PORT</td><td>none</td><td>if set, a second HTTP port serving only
 *       {@code /metrics}, {@code /healthz} and {@code /readyz} (0 = any free port); {@code /metrics}
 *       stays on the main port too</td></tr>
 *   <tr><td>PARLEY_ROLE</td><td>all</td><td>{@code all}: signalling and the SFU in this process;
 *       {@code sfu}: a media node (the SFU, its control API, health and metrics; no web client, no
 *       Socket.IO); {@code signalling}: HTTP, Socket.IO and the web client, with the media on the
 *       SFU nodes below</td></tr>
 *   <tr><td>PARLEY_CONTROL_SECRET</td><td>none</td><td>the secret signalling and SFU nodes share
 *       to authenticate the control API; required with roles {@code sfu} and {@code signalling}, at
 *       least 16 characters</td></tr>
 *   <tr><td>PARLEY_CONTROL_HOST</td><td>0.0.0.0</td><td>address an SFU node's control API
 *       binds</td></tr>
 *   <tr><td>PARLEY_CONTROL_PORT</td><td>8081</td><td>an SFU node's control API port (a WebSocket
 *       on {@code /control}; 0 = any free port)</td></tr>
 *   <tr><td>PARLEY_SFU_NODES</td><td>none</td><td>role {@code signalling}: comma-separated
 *       {@code host:port} of SFU nodes' control ports</td></tr>
 *   <tr><td>PARLEY_SFU_DNS</td><td>none</td><td>role {@code signalling}: {@code name:port}; every
 *       address {@code name} resolves to is an SFU node (a Kubernetes headless Service lists its
 *       ready pods), resolved again every PARLEY_SFU_DNS_REFRESH_SECONDS</td></tr>
 *   <tr><td>PARLEY_SFU_DNS_REFRESH_SECONDS</td><td>5</td><td>how often PARLEY_SFU_DNS is
 *       resolved</td></tr>
 *   <tr><td>PARLEY_LOG_FORMAT</td><td>text</td><td>{@code json} for one JSON object per log line
 *       (read by logback.xml)</td></tr>
 * </table>
 */
public record ParleyConfig(
    Http http,
    Media media,
    Signalling signalling,
    List<IceServer> iceServers,
    Admin admin,
    Turn turn,
    Control control) {

  public ParleyConfig {
    iceServers = List.copyOf(iceServers);
  }

  /** A one-process configuration (role {@code all}). */
  public ParleyConfig(
      Http http,
      Media media,
      Signalling signalling,
      List<IceServer> iceServers,
      Admin admin,
      Turn turn) {
    this(http, media, signalling, iceServers, admin, turn, Control.ALL_IN_ONE);
  }

  public ParleyConfig(
      Http http, Media media, Signalling signalling, List<IceServer> iceServers, Admin admin) {
    this(http, media, signalling, iceServers, admin, Turn.NONE);
  }

  public ParleyConfig(Http http, Media media, Signalling signalling, List<IceServer> iceServers) {
    this(http, media, signalling, iceServers, Admin.NONE);
  }

  /**
   * TURN servers whose credentials Parley mints per participant (the TURN REST API that coturn
   * implements as {@code use-auth-secret}): time-limited, never stored.
   */
  public record Turn(List<String> uris, String secret, int ttlSeconds) {
    public static final Turn NONE = new Turn(List.of(), null, 86400);

    public Turn {
      uris = List.copyOf(uris);
      if (ttlSeconds <= 0) {
        throw new IllegalArgumentException("PARLEY_TURN_TTL_SECONDS must be positive");
      }
      if (uris.isEmpty() != (secret == null || secret.isEmpty())) {
        throw new IllegalArgumentException(
            "PARLEY_TURN_URIS and PARLEY_TURN_SECRET go together: set both or neither");
      }
    }

    public boolean enabled() {
      return !uris.isEmpty();
    }
  }

  /** What this process runs: everything, a media node, or the signalling of media nodes. */
  public enum Role {
    ALL,
    SFU,
    SIGNALLING;

    static Role parse(String value) {
      if (value == null || value.isBlank()) {
        return ALL;
      }
      return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "all" -> ALL;
        case "sfu" -> SFU;
        case "signalling" -> SIGNALLING;
        default ->
            throw new IllegalArgumentException(
                "PARLEY_ROLE must be all, sfu or signalling, not '" + value + "'");
      };
    }
  }

  /**
   * The split between signalling and SFU nodes: this process's role, the secret of the control API,
   * where an SFU node serves it, and where signalling finds the SFU nodes.
   *
   * @param port an SFU node's control port
   * @param sfuNodes signalling: {@code host:port} of SFU nodes
   * @param sfuDns signalling: {@code name:port} whose every address is an SFU node, or null
   * @param dnsRefreshSeconds how often {@code sfuDns} is resolved again
   */
  public record Control(
      Role role,
      String secret,
      String host,
      int port,
      List<String> sfuNodes,
      String sfuDns,
      int dnsRefreshSeconds) {
    public static final int MIN_SECRET_LENGTH = 16;
    public static final Control ALL_IN_ONE =
        new Control(Role.ALL, null, "0.0.0.0", 8081, List.of(), null, 5);

    public Control {
      sfuNodes = List.copyOf(sfuNodes);
      if (role != Role.ALL && (secret == null || secret.length() < MIN_SECRET_LENGTH)) {
        throw new IllegalArgumentException(
            "PARLEY_ROLE="
                + role.name().toLowerCase(java.util.Locale.ROOT)
                + " needs PARLEY_CONTROL_SECRET, the secret shared by signalling and SFU nodes (at"
                + " least "
                + MIN_SECRET_LENGTH
                + " characters): without it anyone on the network could control the media nodes");
      }
      if (role == Role.SIGNALLING && sfuNodes.isEmpty() && sfuDns == null) {
        throw new IllegalArgumentException(
            "PARLEY_ROLE=signalling needs SFU nodes: PARLEY_SFU_NODES (host:port,...) or"
                + " PARLEY_SFU_DNS (name:port)");
      }
      for (String node : sfuNodes) {
        hostPort("PARLEY_SFU_NODES", node);
      }
      if (sfuDns != null) {
        hostPort("PARLEY_SFU_DNS", sfuDns);
      }
      if (dnsRefreshSeconds <= 0) {
        throw new IllegalArgumentException("PARLEY_SFU_DNS_REFRESH_SECONDS must be positive");
      }
    }

    /** Splits {@code host:port} (IPv6 in brackets), or throws naming the variable. */
    public static java.net.InetSocketAddress hostPort(String variable, String value) {
      int colon = value.lastIndexOf(':');
      String host = colon > 0 ? value.substring(0, colon) : "";
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port = -1;
      try {
        port = Integer.parseInt(value.substring(colon + 1));
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        // reported below
      }
      if (host.isEmpty() || port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            variable + " needs host:port entries, not '" + value + "'");
      }
      return java.net.InetSocketAddress.createUnresolved(host, port);
    }
  }

  /** The optional admin HTTP server ({@code /metrics} for Prometheus); port -1 = none. */
  public record Admin(String host, int port) {
    public static final Admin NONE = new Admin("0.0.0.0", -1);

    public boolean enabled() {
      return port >= 0;
    }
  }

  /** The HTTP server: web client, health endpoints, Socket.IO. */
  public record Http(String host, int port) {}

  /**
   * The embedded SFU's UDP port and ICE-TCP port.
   *
   * @param tcpPort the ICE-TCP port: 1..65535; {@link #TCP_SAME_AS_UDP} (0) for the UDP port's
   *     number, random when that is; {@link #TCP_OFF} (-1) for none
   * @param tcpOnly advertise only the ICE-TCP candidates
   * @param advertisedPort the port in the candidates, {@link #ADVERTISE_BOUND_PORT} (0) for the
   *     bound one
   */
  public record Media(
      String bindAddress,
      int udpPort,
      List<String> advertisedAddresses,
      int tcpPort,
      boolean tcpOnly,
      int advertisedPort,
      boolean connectedSockets) {
    public static final int TCP_SAME_AS_UDP = 0;
    public static final int TCP_OFF = -1;
    public static final int ADVERTISE_BOUND_PORT = 0;

    public Media {
      advertisedAddresses = List.copyOf(advertisedAddresses);
      if (advertisedAddresses.isEmpty()) {
        throw new IllegalArgumentException("at least one advertised address is needed");
      }
      if (tcpPort < TCP_OFF || tcpPort > 65535) {
        throw new IllegalArgumentException("the ICE-TCP port is out of range: " + tcpPort);
      }
      if (tcpOnly && tcpPort == TCP_OFF) {
        throw new IllegalArgumentException(
            "PARLEY_ICE_TCP_ONLY needs ICE-TCP: PARLEY_TCP_PORT must not turn it off");
      }
      if (advertisedPort < 0 || advertisedPort > 65535) {
        throw new IllegalArgumentException(
            "PARLEY_ADVERTISED_PORT must be a port number 1..65535, not " + advertisedPort);
      }
    }

    /** Media with a connected socket per browser address (PARLEY_UDP_CONNECTED_SOCKETS). */
    public Media(
        String bindAddress,
        int udpPort,
        List<String> advertisedAddresses,
        int tcpPort,
        boolean tcpOnly,
        int advertisedPort) {
      this(bindAddress, udpPort, advertisedAddresses, tcpPort, tcpOnly, advertisedPort, true);
    }

    /** Media that advertises the bound ports. */
    public Media(
        String bindAddress,
        int udpPort,
        List<String> advertisedAddresses,
        int tcpPort,
        boolean tcpOnly) {
      this(bindAddress, udpPort, advertisedAddresses, tcpPort, tcpOnly, ADVERTISE_BOUND_PORT);
    }

    /** UDP media with ICE-TCP on the same port number. */
    public Media(String bindAddress, int udpPort, List<String> advertisedAddresses) {
      this(bindAddress, udpPort, advertisedAddresses, TCP_SAME_AS_UDP, false);
    }
  }

  /**
   * The signalling channel's limits, and how long a shutdown waits for open meetings to end.
   *
   * @param drainTimeoutSeconds on SIGTERM: stop taking new meetings, report not ready, and wait up
   *     to this long for the meetings here to end (0: stop at once)
   * @param maxParticipantsPerRoom joins beyond this are refused with "this meeting is full"
   * @param audioRed ask browsers that offer redundant audio (RFC 2198) to send their mic that way:
   *     each Opus frame again in the next packet, so one lost packet costs no sound, at about twice
   *     the audio bitrate
   * @param pauseUnwatchedLayers ask each browser to send only the simulcast layers someone watches
   *     (a camera shown small everywhere is not encoded and uploaded at 720p)
   * @param playoutDelay let the SFU ask a subscriber's browser to hold video frames a round trip
   *     longer while packets are being lost on a long path, so a resent packet still makes its
   *     frame (smooth video for a little more delay; off: freezes instead)
   */
  public record Signalling(
      int maxMessageBytes,
      int drainTimeoutSeconds,
      int maxParticipantsPerRoom,
      boolean audioRed,
      boolean pauseUnwatchedLayers,
      boolean playoutDelay) {
    public Signalling(int maxMessageBytes) {
      this(maxMessageBytes, 0);
    }

    public Signalling(int maxMessageBytes, int drainTimeoutSeconds) {
      this(maxMessageBytes, drainTimeoutSeconds, 100);
    }

    public Signalling(int maxMessageBytes, int drainTimeoutSeconds, int maxParticipantsPerRoom) {
      this(maxMessageBytes, drainTimeoutSeconds, maxParticipantsPerRoom, true);
    }

    public Signalling(
        int maxMessageBytes,
        int drainTimeoutSeconds,
        int maxParticipantsPerRoom,
        boolean audioRed) {
      this(maxMessageBytes, drainTimeoutSeconds, maxParticipantsPerRoom, audioRed, true);
    }

    public Signalling(
        int maxMessageBytes,
        int drainTimeoutSeconds,
        int maxParticipantsPerRoom,
        boolean audioRed,
        boolean pauseUnwatchedLayers) {
      this(
          maxMessageBytes,
          drainTimeoutSeconds,
          maxParticipantsPerRoom,
          audioRed,
          pauseUnwatchedLayers,
          true);
    }
  }

  /** A STUN or TURN server for RTCPeerConnection's iceServers. */
  public record IceServer(List<String> urls, String username, String credential) {
    public IceServer {
      urls = List.copyOf(urls);
    }
  }

  /** The defaults, with environment overrides from {@link System#getenv()}. */
  public static ParleyConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** The defaults, with overrides from {@code env}; throws with a clear message on a bad value. */
  public static ParleyConfig fromEnvironment(Map<String, String> env) {
    Http http =
        new Http(
            env.getOrDefault("PARLEY_HTTP_HOST", "0.0.0.0"), port(env, "PARLEY_HTTP_PORT", 8080));
    String advertised = env.get("PARLEY_ADVERTISED_ADDRESSES");
    Media media =
        new Media(
            env.getOrDefault("PARLEY_UDP_BIND", "0.0.0.0"),
            port(env, "PARLEY_UDP_PORT", 10000),
            advertised == null || advertised.isBlank()
                ? defaultAdvertisedAddresses()
                : Arrays.stream(advertised.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .toList(),
            tcpPort(env),
            bool(env, "PARLEY_ICE_TCP_ONLY", false),
            port(env, "PARLEY_ADVERTISED_PORT", Media.ADVERTISE_BOUND_PORT),
            bool(env, "PARLEY_UDP_CONNECTED_SOCKETS", true));
    Signalling signalling =
        new Signalling(
            integer(env, "PARLEY_MAX_MESSAGE_BYTES", 65536),
            integer(env, "PARLEY_DRAIN_TIMEOUT_SECONDS", 0),
            integer(env, "PARLEY_MAX_PARTICIPANTS_PER_ROOM", 100),
            bool(env, "PARLEY_AUDIO_RED", true),
            bool(env, "PARLEY_PAUSE_UNWATCHED_LAYERS", true),
            bool(env, "PARLEY_PLAYOUT_DELAY", true));
    String adminPort = env.get("PARLEY_ADMIN_PORT");
    Admin admin =
        adminPort == null || adminPort.isBlank()
            ? Admin.NONE
            : new Admin(
                env.getOrDefault("PARLEY_ADMIN_HOST", "0.0.0.0"),
                port(env, "PARLEY_ADMIN_PORT", -1));
    String turnUris = env.get("PARLEY_TURN_URIS");
    Turn turn =
        new Turn(
            turnUris == null
                ? List.of()
                : Arrays.stream(turnUris.split(","))
                    .map(String::trim)
                    .filter(u -> !u.isEmpty())
                    .toList(),
            env.get("PARLEY_TURN_SECRET"),
            integer(env, "PARLEY_TURN_TTL_SECONDS", 86400));
    String sfuDns = env.get("PARLEY_SFU_DNS");
    Control control =
        new Control(
            Role.parse(env.get("PARLEY_ROLE")),
            env.get("PARLEY_CONTROL_SECRET"),
            env.getOrDefault("PARLEY_CONTROL_HOST", "0.0.0.0"),
            port(env, "PARLEY_CONTROL_PORT", 8081),
            list(env.get("PARLEY_SFU_NODES")),
            sfuDns == null || sfuDns.isBlank() ? null : sfuDns.trim(),
            integer(env, "PARLEY_SFU_DNS_REFRESH_SECONDS", 5));
    return new ParleyConfig(
        http, media, signalling, iceServers(env.get("PARLEY_ICE_SERVERS")), admin, turn, control);
  }

  private static List<String> list(String value) {
    return value == null
        ? List.of()
        : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** The host's up, non-loopback IPv4 addresses (the SFU binds IPv4), then 127.0.0.1. */
  public static List<String> defaultAdvertisedAddresses() {
    List<String> out = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            out.add(a.getHostAddress());
          }
        }
      }
    } catch (SocketException e) {
      // No interface list: loopback still works for a meeting on this machine.
    }
    out.add("127.0.0.1");
    return out.stream().distinct().toList();
  }

  static List<IceServer> iceServers(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    String v = value.trim();
    if (v.startsWith("[")) {
      try {
        return new ObjectMapper().readValue(v, new TypeReference<List<IceServer>>() {});
      } catch (Exception e) {
        throw new IllegalArgumentException(
            "PARLEY_ICE_SERVERS is not a JSON array of {urls, username, credential}: "
                + e.getMessage());
      }
    }
    return Arrays.stream(v.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(url -> new IceServer(List.of(url), null, null))
        .toList();
  }

  /** PARLEY_TCP_PORT: unset for the UDP port's number, 0 or negative for none, else the port. */
  private static int tcpPort(Map<String, String> env) {
    String v = env.get("PARLEY_TCP_PORT");
    if (v == null || v.isBlank()) {
      return Media.TCP_SAME_AS_UDP;
    }
    int p = integer(env, "PARLEY_TCP_PORT", 0);
    if (p <= 0) {
      return Media.TCP_OFF;
    }
    if (p > 65535) {
      throw new IllegalArgumentException("PARLEY_TCP_PORT must be a port number, not " + p);
    }
    return p;
  }

  private static boolean bool(Map<String, String> env, String name, boolean def) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return def;
    }
    return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default ->
          throw new IllegalArgumentException(name + " must be true or false, not '" + v + "'");
    };
  }

  private static int port(Map<String, String> env, String name, int def) {
    int p = integer(env, name, def);
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException(name + " must be a port number 0..65535, not " + p);
    }
    return p;
  }

  private static int integer(Map<String, String> env, String name, int def) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return def;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, not '" + v + "'");
    }
  }

  /** A copy with other ports (tests use 0 for free ones). */
  public ParleyConfig withPorts(int httpPort, int udpPort) {
    return new ParleyConfig(
        new Http(http.host(), httpPort),
        new Media(
            media.bindAddress(),
            udpPort,
            media.advertisedAddresses(),
            media.tcpPort(),
            media.tcpOnly(),
            media.advertisedPort(),
            media.connectedSockets()),
        signalling,
        iceServers,
        admin,
        turn,
        control);
  }

  /** A copy with an admin port (0 = any free port, -1 = none). */
  public ParleyConfig withAdminPort(int port) {
    return new ParleyConfig(
        http, media, signalling, iceServers, new Admin(admin.host(), port), turn, control);
  }

  /** A copy with other split settings. */
  public ParleyConfig withControl(Control newControl) {
    return new ParleyConfig(http, media, signalling, iceServers, admin, turn, newControl);
  }
}
