package io.parley.sfu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.FastThreadLocal;
import io.parley.sfu.api.ConsumerInfo;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.MediaMetrics;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.api.SfuApi;
import io.parley.sfu.api.SfuException;
import io.parley.sfu.api.SfuListener;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.ice.BindingRequest;
import io.parley.sfu.ice.StunCodec;
import io.parley.sfu.ice.StunException;
import io.parley.sfu.routing.Endpoint;
import io.parley.sfu.routing.MediaContext;
import io.parley.sfu.routing.MediaStats;
import io.parley.sfu.routing.Room;
import io.parley.sfu.routing.RoomBatch;
import io.parley.sfu.routing.Routing;
import io.parley.sfu.rtp.PacketKind;
import io.parley.sfu.transport.DropCounters;
import io.parley.sfu.transport.DropReason;
import io.parley.sfu.transport.MediaPath;
import io.parley.sfu.transport.TcpConnection;
import io.parley.sfu.transport.TcpTransport;
import io.parley.sfu.transport.UdpPath;
import io.parley.sfu.transport.UdpTransport;
import io.parley.sfu.util.LatencyHistogram;
import io.parley.sfu.util.RateLimitedLog;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media plane of one process: the UDP port, the ICE-TCP port, the rooms, and the control API. A
 * packet's path starts in one of the two {@code receive} methods (a UDP datagram, or one frame of
 * an ICE-TCP connection): STUN is answered here on the I/O thread; DTLS and SRTP from an address or
 * connection that passed an ICE check go to its endpoint, whose room runs on one event loop.
 */
public final class Sfu
    implements SfuApi,
        MediaContext,
        UdpTransport.DatagramReceiver,
        TcpTransport.FrameReceiver,
        AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sfu.class);

  private final SfuConfig config;
  private final UdpTransport transport;

  /** The ICE-TCP port, or null when it is off. */
  private final TcpTransport tcp;

  private final DtlsCertificate certificate = DtlsCertificate.generate();
  private final ExecutorService handshakes;
  private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
  private final DropCounters drops = new DropCounters();
  private final MediaStats stats = new MediaStats();
  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final Map<String, Endpoint> endpointsByUfrag = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Endpoint> endpointsByAddress = new ConcurrentHashMap<>();
  private final Map<TcpConnection, Endpoint> endpointsByConnection = new ConcurrentHashMap<>();

  /** A socket connected to each bound UDP address, on its room's loop (see connectedSockets). */
  private final Map<InetSocketAddress, Connected> connectedSockets = new ConcurrentHashMap<>();

  private record Connected(Channel channel, Endpoint endpoint, long createdNanos) {}

  /**
   * How long after a socket is connected what it reads may have come from another address: a
   * datagram that reached it between its bind and its connect is read with the connected peer named
   * as sender. Such datagrams wait in the socket's queue and are read at once.
   */
  static final long CONNECT_RACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

  /**
   * Connected sockets one endpoint may hold: a browser's transport passes checks from a few
   * addresses (IPv4, IPv6, a relay); a peer that sprays checks from many ports gets the shared
   * sockets for the rest instead of a file descriptor each.
   */
  static final int MAX_CONNECTED_SOCKETS_PER_ENDPOINT = 4;

  /**
   * Connected sockets in all, whatever the endpoints: a bound on the file descriptors they take.
   */
  static final int MAX_CONNECTED_SOCKETS = 16_384;

  private final List<SfuListener> listeners = new CopyOnWriteArrayList<>();
  private final SfuListener events = new ListenerFanout();
  private final RateLimitedLog dropLog = new RateLimitedLog(LOG, 10_000);
  private final Map<String, EndpointRecord> endpointStates = new ConcurrentHashMap<>();
  private volatile MediaMetrics metrics = MediaMetrics.NONE;

  /** Per I/O thread: the SRTP packets of the socket's current read batch, by room. */
  private final FastThreadLocal<ReadBatches> readBatches =
      new FastThreadLocal<>() {
        @Override
        protected ReadBatches initialValue() {
          return new ReadBatches();
        }
      };

  /** Time inside the SFU of forwarded packets, one histogram per event loop (its only writer). */
  private final Map<EventLoop, LatencyHistogram> forwardingDelay = new java.util.HashMap<>();

  /** What an endpoint's transport is doing, for the endpoints-by-state gauge. */
  public enum EndpointState {
    /** Created; ICE and DTLS not done yet. */
    CONNECTING,
    /** ICE and DTLS are up. */
    CONNECTED,
    /** The transport failed (consent expired, DTLS failed) and the endpoint is not closed yet. */
    DISCONNECTED
  }

  /**
   * An endpoint closed while connecting this long after creation, with no valid check: ICE failed.
   */
  private static final long ICE_GIVE_UP_NANOS = 5_000_000_000L;

  private static final class EndpointRecord {
    final long createdNanos = System.nanoTime();
    volatile EndpointState state = EndpointState.CONNECTING;
    volatile boolean checked;
  }

  private static String endpointKey(String roomId, String endpointId) {
    return roomId + '\u0000' + endpointId;
  }

  /** A Binding request that passed every check, and the endpoint it is for. */
  private record ValidCheck(Endpoint endpoint, BindingRequest request) {}

  private Sfu(SfuConfig config) throws InterruptedException {
    this.config = config;
    AtomicInteger threads = new AtomicInteger();
    this.handshakes =
        Executors.newCachedThreadPool(
            r -> {
              Thread thread = new Thread(r, "dtls-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    SfuConfig.IceTcp iceTcp = config.iceTcp();
    // With a random UDP port, ICE-TCP takes the same number, which may be taken for TCP: then
    // both are opened again on another random number.
    boolean retry = config.udpPort() == 0 && iceTcp.port() == SfuConfig.IceTcp.SAME_AS_UDP;
    UdpTransport udp;
    TcpTransport tcpPort = null;
    for (int attempt = 1; ; attempt++) {
      udp =
          UdpTransport.bind(
              config.bindAddress(),
              config.udpPort(),
              config.ioThreads(),
              config.nativeTransport(),
              this);
      if (!iceTcp.enabled()) {
        break;
      }
      int port = iceTcp.port() == SfuConfig.IceTcp.SAME_AS_UDP ? udp.port() : iceTcp.port();
      try {
        tcpPort =
            TcpTransport.bind(
                udp.group(),
                udp.isNative(),
                config.bindAddress(),
                port,
                iceTcp.maxPendingConnections(),
                iceTcp.checkTimeout(),
                drops,
                this);
        break;
      } catch (InterruptedException e) {
        udp.close();
        throw e;
      } catch (Exception e) {
        udp.close();
        if (!retry || attempt >= 5) {
          throw new IllegalStateException("cannot open the ICE-TCP port " + port, e);
        }
      }
    }
    this.transport = udp;
    this.tcp = tcpPort;
    udp.group().forEach(e -> forwardingDelay.put((EventLoop) e, new LatencyHistogram()));
  }

  /** Opens the UDP port (and the ICE-TCP port) and returns a running SFU. */
  public static Sfu start(SfuConfig config) {
    try {
      return new Sfu(config);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding the UDP port", e);
    }
  }

  public int udpPort() {
    return transport.port();
  }

  /** The ICE-TCP port, or -1 when ICE-TCP is off. */
  public int tcpPort() {
    return tcp == null ? -1 : tcp.port();
  }

  /** Open ICE-TCP connections: {@code pending} ones have not carried a valid ICE check yet. */
  public int tcpConnections(boolean pending) {
    if (tcp == null) {
      return 0;
    }
    return pending ? tcp.pendingConnections() : tcp.openConnections() - tcp.pendingConnections();
  }

  public SfuConfig config() {
    return config;
  }

  public boolean isNativeTransport() {
    return transport.isNative();
  }

  public int roomCount() {
    return rooms.size();
  }

  /** Number of open endpoints in {@code state}. */
  public int endpointCount(EndpointState state) {
    int n = 0;
    for (EndpointRecord record : endpointStates.values()) {
      if (record.state == state) {
        n++;
      }
    }
    return n;
  }

  /** The event loops that run the rooms and the UDP sockets (to measure their lag). */
  public List<EventLoop> eventLoops() {
    List<EventLoop> loops = new ArrayList<>();
    transport.group().forEach(e -> loops.add((EventLoop) e));
    return loops;
  }

  /** Sets where RTCP-based quality samples go (RTT, jitter, loss, bandwidth estimates). */
  public void setMediaMetrics(MediaMetrics metrics) {
    this.metrics = metrics == null ? MediaMetrics.NONE : metrics;
  }

  // ---- the packet path's entry ----

  /** A UDP datagram, on the I/O thread of the socket it arrived on. */
  @Override
  public void receive(Channel socket, ByteBuf content, InetSocketAddress sender) {
    int first = content.isReadable() ? content.getUnsignedByte(content.readerIndex()) : -1;
    if (PacketKind.isStun(first)) {
      try {
        ValidCheck check = check(content);
        if (check == null) {
          return;
        }
        Endpoint endpoint = check.endpoint();
        Endpoint bound = endpointsByAddress.get(sender);
        if (bound != null && bound != endpoint && mayBeFromElsewhere(socket, sender)) {
          // A check for another endpoint, read on a socket so newly connected that it may have
          // come from any address: binding it would move the peer's address to that endpoint.
          // Dropped; the browser repeats its check, and the repeat arrives from its own address.
          drop(DropReason.STUN_UNATTRIBUTABLE);
          return;
        }
        UdpPath path = new UdpPath(sender);
        // Bind and record the check before answering: the browser sends its DTLS ClientHello as
        // soon as the response arrives, and it must neither find the address unbound nor finish
        // the handshake before the room has the check (the room would see a connected transport
        // with no checked path and end it).
        if (bound != endpoint) {
          bindPath(path, endpoint);
        }
        if (!validCheck(endpoint, path, check.request().useCandidate())) {
          return;
        }
        byte[] response =
            StunCodec.encodeBindingSuccess(
                check.request().transactionId(), sender, endpoint.localPassword());
        socket.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(response), sender));
      } finally {
        content.release();
      }
    } else if (PacketKind.isDtls(first)) {
      try {
        Endpoint endpoint = endpointsByAddress.get(sender);
        if (endpoint == null) {
          drop(DropReason.UNBOUND_ADDRESS);
        } else {
          endpoint.receiveDtls(content, new UdpPath(sender));
        }
      } finally {
        content.release();
      }
    } else if (PacketKind.isRtpOrRtcp(first)) {
      receiveSrtp(content, endpointsByAddress.get(sender), true);
    } else {
      drop(DropReason.UNKNOWN_PROTOCOL);
      content.release();
    }
  }

  /**
   * One frame of an ICE-TCP connection, on the connection's I/O thread: demultiplexed like a
   * datagram. A connection belongs to the endpoint of the first valid check it carries; before
   * that, anything but a valid check closes it.
   */
  @Override
  public void receive(TcpConnection connection, ByteBuf frame) {
    Endpoint bound = endpointsByConnection.get(connection);
    int first = frame.isReadable() ? frame.getUnsignedByte(frame.readerIndex()) : -1;
    if (PacketKind.isStun(first)) {
      try {
        ValidCheck check = check(frame);
        if (check != null && bound != null && check.endpoint() != bound) {
          drop(DropReason.STUN_UNKNOWN_USER);
          check = null;
        }
        if (check == null) {
          if (bound == null) {
            connection.refuse();
          }
          return;
        }
        Endpoint endpoint = check.endpoint();
        if (bound == null) {
          connection.markChecked();
          bindPath(connection, endpoint);
        }
        // Recorded before the answer, as over UDP.
        if (!validCheck(endpoint, connection, check.request().useCandidate())) {
          return;
        }
        byte[] response =
            StunCodec.encodeBindingSuccess(
                check.request().transactionId(),
                connection.remoteAddress(),
                endpoint.localPassword());
        connection.writeAndFlush(Unpooled.wrappedBuffer(response));
      } finally {
        frame.release();
      }
    } else if (bound == null) {
      boolean media = PacketKind.isDtls(first) || PacketKind.isRtpOrRtcp(first);
      drop(media ? DropReason.UNBOUND_ADDRESS : DropReason.UNKNOWN_PROTOCOL);
      frame.release();
      connection.refuse();
    } else if (PacketKind.isDtls(first)) {
      try {
        bound.receiveDtls(frame, connection);
      } finally {
        frame.release();
      }
    } else if (PacketKind.isRtpOrRtcp(first)) {
      receiveSrtp(frame, bound, false);
    } else {
      drop(DropReason.UNKNOWN_PROTOCOL);
      frame.release();
    }
  }

  /** An ICE-TCP connection closed: its endpoint loses that path. */
  @Override
  public void closed(TcpConnection connection) {
    Endpoint endpoint = endpointsByConnection.remove(connection);
    if (endpoint != null) {
      endpoint
          .room()
          .call(
              () -> {
                endpoint.pathClosed(connection);
                return null;
              });
    }
  }

  /**
   * Decodes a Binding request and checks it: USERNAME names a live endpoint (and, once known, the
   * browser's ufrag), MESSAGE-INTEGRITY matches its password. Null (counted) if any check fails.
   */
  private ValidCheck check(ByteBuf content) {
    BindingRequest request;
    try {
      request = StunCodec.decodeBindingRequest(content);
    } catch (StunException e) {
      drop(DropReason.BAD_STUN);
      return null;
    }
    Endpoint endpoint = endpointsByUfrag.get(request.localUfrag());
    if (endpoint == null) {
      drop(DropReason.STUN_UNKNOWN_USER);
      return null;
    }
    String remoteUfrag = endpoint.remoteUfrag();
    if (remoteUfrag != null && !remoteUfrag.equals(request.remoteUfrag())) {
      drop(DropReason.STUN_UNKNOWN_USER);
      return null;
    }
    if (!StunCodec.verifyIntegrity(content, endpoint.localPassword())) {
      drop(DropReason.STUN_BAD_INTEGRITY);
      return null;
    }
    return new ValidCheck(endpoint, request);
  }

  /**
   * Hands a valid check to its endpoint's room, ahead of anything the check's answer sets off;
   * false (counted, and the check goes unanswered: the browser repeats it) if the room is too far
   * behind.
   */
  private boolean validCheck(Endpoint endpoint, MediaPath path, boolean useCandidate) {
    EndpointRecord record = endpointStates.get(endpointKey(endpoint.room().id(), endpoint.id()));
    if (record != null && !record.checked) {
      record.checked = true;
    }
    if (!endpoint.room().offer(() -> endpoint.onValidCheck(path, useCandidate))) {
      drop(DropReason.OVERLOAD);
      return false;
    }
    return true;
  }

  /**
   * The end of a socket's read batch: each room gets the batch's packets for it in one task (run
   * here if the room lives on this loop), and sends the forwarded copies with one flush.
   */
  @Override
  public void readComplete(Channel socket) {
    readBatches.get().handOver();
  }

  /**
   * A socket's error: on a socket connected to a browser's address, ICMP port unreachable means the
   * browser's socket is gone (counted; signalling or the consent check will close the endpoint).
   */
  @Override
  public void socketError(Channel socket, Throwable cause) {
    if (cause instanceof java.net.PortUnreachableException) {
      drops.increment(DropReason.PEER_UNREACHABLE);
    } else {
      LOG.debug("UDP socket error on {}", socket, cause);
    }
  }

  /**
   * One I/O thread's read batch: the SRTP packets read since the last read-complete, by room (a
   * handful of rooms at most), handed to each room at the end of the batch. A room on this thread
   * runs its packets at once, and its {@link RoomBatch} is kept for the next read batch; one on
   * another loop takes the object with the packets. With connected sockets every room a socket's
   * packets go to lives on the socket's loop, so the steady state allocates nothing here.
   */
  private final class ReadBatches {
    private final List<RoomBatch> current = new ArrayList<>();
    private final java.util.ArrayDeque<RoomBatch> spare = new java.util.ArrayDeque<>();

    RoomBatch forRoom(Room room) {
      for (int i = 0; i < current.size(); i++) {
        if (current.get(i).room() == room) {
          return current.get(i);
        }
      }
      RoomBatch batch = spare.pollFirst();
      if (batch == null) {
        batch = new RoomBatch(room);
      } else {
        batch.reuse(room);
      }
      current.add(batch);
      return batch;
    }

    void handOver() {
      try {
        for (int i = 0; i < current.size(); i++) {
          RoomBatch batch = current.get(i);
          Room room = batch.room();
          boolean here = room.loop().inEventLoop();
          int n = batch.size();
          if (!room.offer(batch)) {
            for (int k = 0; k < n; k++) {
              drop(DropReason.OVERLOAD);
            }
          } else if (here && batch.size() == 0 && spare.size() < MAX_SPARE_BATCHES) {
            batch.reuse(null); // holds no room while it waits
            spare.addFirst(batch);
          }
        }
      } finally {
        current.clear();
      }
    }
  }

  /** Batch objects an I/O thread keeps for reuse (one per room it reads for, typically). */
  private static final int MAX_SPARE_BATCHES = 64;

  /**
   * An SRTP or SRTCP packet for {@code endpoint}: with {@code batched} (UDP) it joins the read
   * batch's packets for its room, else (an ICE-TCP frame) it goes to the room alone.
   */
  private void receiveSrtp(ByteBuf content, Endpoint endpoint, boolean batched) {
    long arrived = System.nanoTime();
    if (endpoint == null) {
      drop(DropReason.UNBOUND_ADDRESS);
      content.release();
      return;
    }
    // SRTP works in place on a byte array, with room after the packet for the auth tag.
    ByteBuf packet = content;
    if (!content.hasArray() || content.writableBytes() < 64) {
      packet = allocator.heapBuffer(content.readableBytes() + 96);
      packet.writeBytes(content);
      content.release();
    }
    Room room = endpoint.room();
    if (batched) {
      readBatches.get().forRoom(room).add(endpoint, packet, arrived);
      return;
    }
    RoomBatch single = new RoomBatch(room);
    single.add(endpoint, packet, arrived);
    if (!room.offer(single)) {
      drop(DropReason.OVERLOAD);
    }
  }

  // ---- MediaContext ----

  @Override
  public DropCounters drops() {
    return drops;
  }

  @Override
  public void drop(DropReason reason) {
    drops.increment(reason);
    if (LOG.isDebugEnabled()) {
      dropLog.warn("dropped a packet: {}", reason);
    }
  }

  @Override
  public MediaStats stats() {
    return stats;
  }

  @Override
  public MediaMetrics metrics() {
    return metrics;
  }

  @Override
  public SfuListener events() {
    return events;
  }

  @Override
  public LatencyHistogram forwardingDelay(EventLoop loop) {
    LatencyHistogram histogram = forwardingDelay.get(loop);
    return histogram != null ? histogram : new LatencyHistogram();
  }

  /**
   * Time inside the SFU of every packet forwarded so far, summed over the event loops: from the
   * incoming datagram's read to the flush that handed the copy to the socket. Returns the sum in
   * ns; {@code counts} (length {@link LatencyHistogram#BUCKETS} + 1) receives the bucket counts.
   */
  public long forwardingDelay(long[] counts) {
    long sum = 0;
    for (LatencyHistogram histogram : forwardingDelay.values()) {
      sum += histogram.addTo(counts);
    }
    return sum;
  }

  @Override
  public DtlsCertificate certificate() {
    return certificate;
  }

  @Override
  public java.util.concurrent.Executor handshakeExecutor() {
    return handshakes;
  }

  @Override
  public ByteBufAllocator allocator() {
    return allocator;
  }

  @Override
  public Duration consentTimeout() {
    return config.consentTimeout();
  }

  @Override
  public void bindPath(MediaPath path, Endpoint endpoint) {
    if (path instanceof UdpPath udp) {
      Endpoint previous = endpointsByAddress.put(udp.address(), endpoint);
      if (previous != null && previous != endpoint) {
        LOG.info("address {} moves from endpoint {} to {}", udp, previous.id(), endpoint.id());
      }
      connectSocket(udp.address(), endpoint);
    } else if (path instanceof TcpConnection connection && connection.isOpen()) {
      endpointsByConnection.put(connection, endpoint);
    }
  }

  /** Stops media from a path; an ICE-TCP connection is closed (it has no other use). */
  @Override
  public void unbindPath(MediaPath path, Endpoint endpoint) {
    if (path instanceof UdpPath udp) {
      if (endpointsByAddress.remove(udp.address(), endpoint)) {
        disconnectSocket(udp.address());
      }
    } else if (path instanceof TcpConnection connection) {
      endpointsByConnection.remove(connection, endpoint);
      connection.close();
    }
  }

  /**
   * Gives a checked address a socket of its own on {@code loop}, its room's, so the kernel delivers
   * that address's datagrams where they are forwarded (no hand-over between loops). Any thread.
   */
  private void connectSocket(InetSocketAddress address, Endpoint endpoint) {
    if (!config.connectedSockets() || !transport.isNative()) {
      return;
    }
    EventLoop loop = endpoint.room().loop();
    Connected existing = connectedSockets.get(address);
    if (existing != null
        && existing.endpoint() == endpoint
        && existing.channel().isOpen()
        && existing.channel().eventLoop() == loop) {
      return;
    }
    if (connectedSockets.size() >= MAX_CONNECTED_SOCKETS
        || connectedCount(endpoint) >= MAX_CONNECTED_SOCKETS_PER_ENDPOINT) {
      return;
    }
    Channel channel = transport.connect(address, loop);
    if (channel == null) {
      return;
    }
    Connected added = new Connected(channel, endpoint, System.nanoTime());
    Connected previous = connectedSockets.put(address, added);
    if (previous != null && previous.channel() != channel) {
      previous.channel().close();
    }
    // A socket that fails or closes stops holding the address: the shared sockets take it again.
    channel.closeFuture().addListener(f -> connectedSockets.remove(address, added));
  }

  /**
   * Whether a datagram {@code socket} read may have come from another address than {@code sender}:
   * the socket is connected to {@code sender} (which it then names as the sender of all it reads)
   * and was connected less than {@link #CONNECT_RACE_NANOS} ago, or is one no longer in use.
   */
  private boolean mayBeFromElsewhere(Channel socket, InetSocketAddress sender) {
    if (!(socket instanceof io.netty.channel.socket.DatagramChannel udp) || !udp.isConnected()) {
      return false;
    }
    Connected c = connectedSockets.get(sender);
    return c == null
        || c.channel() != socket
        || System.nanoTime() - c.createdNanos() < CONNECT_RACE_NANOS;
  }

  private int connectedCount(Endpoint endpoint) {
    int n = 0;
    for (Connected c : connectedSockets.values()) {
      if (c.endpoint() == endpoint) {
        n++;
      }
    }
    return n;
  }

  private void disconnectSocket(InetSocketAddress address) {
    Connected connected = connectedSockets.remove(address);
    if (connected != null) {
      connected.channel().close();
    }
  }

  /** Sockets connected to browsers' addresses now open (tests and diagnostics). */
  public int connectedSocketCount() {
    return (int) connectedSockets.values().stream().filter(c -> c.channel().isOpen()).count();
  }

  @Override
  public void unregister(Endpoint endpoint) {
    endpointsByUfrag.remove(endpoint.localUfrag(), endpoint);
    removeEndpoint(endpointsByAddress, endpoint, this::disconnectSocket);
    removeEndpoint(endpointsByConnection, endpoint, TcpConnection::close);
  }

  /** Removes every key of {@code endpoint} from {@code map}, handing each to {@code removed}. */
  private static <K> void removeEndpoint(
      Map<K, Endpoint> map, Endpoint endpoint, java.util.function.Consumer<K> removed) {
    map.entrySet()
        .removeIf(
            entry -> {
              if (entry.getValue() != endpoint) {
                return false;
              }
              removed.accept(entry.getKey());
              return true;
            });
  }

  // ---- SfuApi ----

  private Room room(String roomId) {
    Room room = rooms.get(roomId);
    if (room == null) {
      throw new SfuException("no room " + roomId);
    }
    return room;
  }

  private <T> CompletableFuture<T> inRoom(String roomId, java.util.function.Function<Room, T> f) {
    Room room;
    try {
      room = room(roomId);
    } catch (SfuException e) {
      return CompletableFuture.failedFuture(e);
    }
    return room.call(() -> f.apply(room));
  }

  @Override
  public CompletableFuture<TransportInfo> createEndpoint(String roomId, String endpointId) {
    Room room =
        rooms.compute(
            roomId,
            (id, existing) -> {
              if (existing != null && !existing.isClosed()) {
                return existing;
              }
              EventLoop loop = transport.group().next();
              return new Room(id, loop, transport.channelFor(loop), this);
            });
    CompletableFuture<TransportInfo> created =
        room.call(
            () -> {
              Endpoint endpoint = room.createEndpoint(endpointId);
              endpointsByUfrag.put(endpoint.localUfrag(), endpoint);
              endpointStates.put(endpointKey(roomId, endpointId), new EndpointRecord());
              return new TransportInfo(
                  endpoint.localUfrag(),
                  endpoint.localPassword(),
                  candidates(),
                  certificate.fingerprintAlgorithm(),
                  certificate.fingerprint());
            });
    // The room's last endpoint may have left (closing it) between the lookup and the command:
    // then the endpoint goes into a new room of the same id.
    return created.exceptionallyCompose(
        e ->
            room.isClosed()
                ? createEndpoint(roomId, endpointId)
                : CompletableFuture.failedFuture(e));
  }

  private List<IceCandidate> candidates() {
    List<IceCandidate> candidates = new ArrayList<>();
    List<String> addresses = config.advertisedAddresses();
    int udpAdvertised = advertisedUdpPort();
    int tcpAdvertised = advertisedTcpPort();
    if (tcp == null || !config.iceTcp().only()) {
      for (int i = 0; i < addresses.size(); i++) {
        candidates.add(
            new IceCandidate(
                String.valueOf(i + 1), 1, "udp", udpPriority(i), addresses.get(i), udpAdvertised));
      }
    }
    if (tcp != null) {
      for (int i = 0; i < addresses.size(); i++) {
        candidates.add(
            new IceCandidate(
                "tcp" + (i + 1), 1, "tcp", tcpPriority(i), addresses.get(i), tcpAdvertised));
      }
    }
    return candidates;
  }

  /** The port in UDP candidates: the advertised one, else the bound one. */
  public int advertisedUdpPort() {
    int advertised = config.advertisedPort();
    return advertised == SfuConfig.BOUND_PORT ? transport.port() : advertised;
  }

  /**
   * The port in ICE-TCP candidates (-1 when off): the advertised one when ICE-TCP shares the UDP
   * port's number, else the bound one.
   */
  public int advertisedTcpPort() {
    if (tcp == null) {
      return -1;
    }
    boolean sharesUdpNumber = tcp.port() == transport.port();
    int advertised = config.advertisedPort();
    return advertised != SfuConfig.BOUND_PORT && sharesUdpNumber ? advertised : tcp.port();
  }

  /** RFC 8445 §5.1.2.1: type preference 126 for host, local preference by list order. */
  static long udpPriority(int index) {
    return (126L << 24) | ((long) (65535 - index) << 8) | (256 - 1);
  }

  /**
   * RFC 6544 §4.2: a TCP host candidate ranks below every UDP host candidate (type preference 90,
   * as browsers use for theirs), and its local preference is 2^13 * direction-pref + other-pref,
   * with direction-pref 4 for passive host candidates and other-pref by list order.
   */
  static long tcpPriority(int index) {
    long localPreference = (4L << 13) | (8191 - index);
    return (90L << 24) | (localPreference << 8) | (256 - 1);
  }

  @Override
  public CompletableFuture<Void> connectEndpoint(
      String roomId, String endpointId, RemoteTransportParams remote) {
    return inRoom(
        roomId,
        room -> {
          room.endpoint(endpointId).connect(remote);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> addProducer(String roomId, String endpointId, ProducerSpec spec) {
    return inRoom(
        roomId,
        room -> {
          Routing.addProducer(room, endpointId, spec);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> removeProducer(String roomId, String producerId) {
    return inRoom(
        roomId,
        room -> {
          room.removeProducer(producerId);
          return null;
        });
  }

  @Override
  public CompletableFuture<ConsumerInfo> addConsumer(
      String roomId, String subscriberEndpointId, ConsumerSpec spec) {
    return inRoom(roomId, room -> Routing.addConsumer(room, subscriberEndpointId, spec));
  }

  @Override
  public CompletableFuture<Void> removeConsumer(String roomId, String consumerId) {
    return inRoom(
        roomId,
        room -> {
          room.removeConsumer(consumerId);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> setConsumerPaused(
      String roomId, String consumerId, boolean paused) {
    return inRoom(
        roomId,
        room -> {
          room.consumer(consumerId).setPaused(paused);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> setConsumerMaxLayer(
      String roomId, String consumerId, int maxLayer) {
    return inRoom(
        roomId,
        room -> {
          room.consumer(consumerId).setMaxEncoding(maxLayer);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> closeEndpoint(String roomId, String endpointId) {
    Room room = rooms.get(roomId);
    if (room == null) {
      return CompletableFuture.completedFuture(null);
    }
    return room.call(
        () -> {
          endpointClosed(roomId, endpointId);
          room.closeEndpoint(endpointId);
          if (room.isEmpty()) {
            rooms.remove(roomId, room);
            room.close();
          }
          return null;
        });
  }

  private void endpointClosed(String roomId, String endpointId) {
    EndpointRecord record = endpointStates.remove(endpointKey(roomId, endpointId));
    if (record != null
        && record.state == EndpointState.CONNECTING
        && !record.checked
        && System.nanoTime() - record.createdNanos >= ICE_GIVE_UP_NANOS) {
      stats.iceFailures.increment();
      LOG.info("endpoint {} in room {} closed without a valid ICE check", endpointId, roomId);
    }
  }

  private void setState(String roomId, String endpointId, EndpointState state) {
    EndpointRecord record = endpointStates.get(endpointKey(roomId, endpointId));
    if (record != null) {
      record.state = state;
    }
  }

  @Override
  public void addListener(SfuListener listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    for (Room room : rooms.values()) {
      room.call(
              () -> {
                room.close();
                return null;
              })
          .join();
    }
    rooms.clear();
    endpointStates.clear();
    if (tcp != null) {
      tcp.close();
    }
    transport.close();
    handshakes.shutdownNow();
  }

  /** Delivers events to every listener; one failing listener does not stop the others. */
  private final class ListenerFanout implements SfuListener {
    private void each(java.util.function.Consumer<SfuListener> event) {
      for (SfuListener listener : listeners) {
        try {
          event.accept(listener);
        } catch (RuntimeException e) {
          LOG.warn("an SFU listener failed", e);
        }
      }
    }

    @Override
    public void endpointConnected(String roomId, String endpointId) {
      setState(roomId, endpointId, EndpointState.CONNECTED);
      each(l -> l.endpointConnected(roomId, endpointId));
    }

    @Override
    public void endpointDisconnected(String roomId, String endpointId, String reason) {
      setState(roomId, endpointId, EndpointState.DISCONNECTED);
      if (reason != null && reason.startsWith("ICE")) {
        stats.iceFailures.increment();
      }
      each(l -> l.endpointDisconnected(roomId, endpointId, reason));
    }

    @Override
    public void producerAdded(String roomId, String endpointId, String producerId) {
      each(l -> l.producerAdded(roomId, endpointId, producerId));
    }

    @Override
    public void producerClosed(String roomId, String producerId) {
      each(l -> l.producerClosed(roomId, producerId));
    }

    @Override
    public void consumerAdded(String roomId, String endpointId, String consumerId) {
      each(l -> l.consumerAdded(roomId, endpointId, consumerId));
    }

    @Override
    public void consumerClosed(String roomId, String consumerId) {
      each(l -> l.consumerClosed(roomId, consumerId));
    }

    @Override
    public void producerActive(String roomId, String producerId) {
      each(l -> l.producerActive(roomId, producerId));
    }

    @Override
    public void consumerBandwidthPaused(String roomId, String consumerId, boolean paused) {
      each(l -> l.consumerBandwidthPaused(roomId, consumerId, paused));
    }

    @Override
    public void dominantSpeakerChanged(String roomId, String endpointId) {
      each(l -> l.dominantSpeakerChanged(roomId, endpointId));
    }
  }
}
