package io.parley.sfu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
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
import io.parley.sfu.routing.Routing;
import io.parley.sfu.transport.DropCounters;
import io.parley.sfu.transport.DropReason;
import io.parley.sfu.transport.UdpTransport;
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
 * The media plane of one process: the UDP port, the rooms, and the control API. A datagram's path
 * starts in {@link #receive}: STUN is answered here on the I/O thread; DTLS and SRTP from an
 * address that passed an ICE check go to its endpoint, whose room runs on one event loop.
 */
public final class Sfu
    implements SfuApi, MediaContext, UdpTransport.DatagramReceiver, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sfu.class);

  private final SfuConfig config;
  private final UdpTransport transport;
  private final DtlsCertificate certificate = DtlsCertificate.generate();
  private final ExecutorService handshakes;
  private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
  private final DropCounters drops = new DropCounters();
  private final MediaStats stats = new MediaStats();
  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final Map<String, Endpoint> endpointsByUfrag = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Endpoint> endpointsByAddress = new ConcurrentHashMap<>();
  private final List<SfuListener> listeners = new CopyOnWriteArrayList<>();
  private final SfuListener events = new ListenerFanout();
  private final RateLimitedLog dropLog = new RateLimitedLog(LOG, 10_000);
  private final Map<String, EndpointRecord> endpointStates = new ConcurrentHashMap<>();
  private volatile MediaMetrics metrics = MediaMetrics.NONE;

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
    this.transport =
        UdpTransport.bind(
            config.bindAddress(),
            config.udpPort(),
            config.ioThreads(),
            config.nativeTransport(),
            this);
  }

  /** Opens the UDP port and returns a running SFU. */
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

  @Override
  public void receive(Channel socket, ByteBuf content, InetSocketAddress sender) {
    if (!content.isReadable()) {
      drop(DropReason.UNKNOWN_PROTOCOL);
      content.release();
      return;
    }
    int first = content.getUnsignedByte(content.readerIndex());
    if (first <= 3) {
      try {
        receiveStun(socket, content, sender);
      } finally {
        content.release();
      }
    } else if (first >= 20 && first <= 63) {
      try {
        Endpoint endpoint = endpointsByAddress.get(sender);
        if (endpoint == null) {
          drop(DropReason.UNBOUND_ADDRESS);
        } else {
          endpoint.receiveDtls(content, sender);
        }
      } finally {
        content.release();
      }
    } else if (first >= 128 && first <= 191) {
      receiveSrtp(content, sender);
    } else {
      drop(DropReason.UNKNOWN_PROTOCOL);
      content.release();
    }
  }

  private void receiveStun(Channel socket, ByteBuf content, InetSocketAddress sender) {
    BindingRequest request;
    try {
      request = StunCodec.decodeBindingRequest(content);
    } catch (StunException e) {
      drop(DropReason.BAD_STUN);
      return;
    }
    Endpoint endpoint = endpointsByUfrag.get(request.localUfrag());
    if (endpoint == null) {
      drop(DropReason.STUN_UNKNOWN_USER);
      return;
    }
    String remoteUfrag = endpoint.remoteUfrag();
    if (remoteUfrag != null && !remoteUfrag.equals(request.remoteUfrag())) {
      drop(DropReason.STUN_UNKNOWN_USER);
      return;
    }
    if (!StunCodec.verifyIntegrity(content, endpoint.localPassword())) {
      drop(DropReason.STUN_BAD_INTEGRITY);
      return;
    }
    // Bind before answering: the browser sends its DTLS ClientHello as soon as the response
    // arrives, and it must not find the address unbound.
    if (endpointsByAddress.get(sender) != endpoint) {
      bindAddress(sender, endpoint);
    }
    byte[] response =
        StunCodec.encodeBindingSuccess(request.transactionId(), sender, endpoint.localPassword());
    socket.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(response), sender));
    boolean useCandidate = request.useCandidate();
    EndpointRecord record = endpointStates.get(endpointKey(endpoint.room().id(), endpoint.id()));
    if (record != null && !record.checked) {
      record.checked = true;
    }
    endpoint.room().offer(() -> endpoint.onValidCheck(sender, useCandidate));
  }

  private void receiveSrtp(ByteBuf content, InetSocketAddress sender) {
    Endpoint endpoint = endpointsByAddress.get(sender);
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
    ByteBuf owned = packet;
    if (!endpoint.room().offer(() -> endpoint.receiveSrtp(owned))) {
      drop(DropReason.OVERLOAD);
      owned.release();
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
  public void bindAddress(InetSocketAddress address, Endpoint endpoint) {
    Endpoint previous = endpointsByAddress.put(address, endpoint);
    if (previous != null && previous != endpoint) {
      LOG.info("address {} moves from endpoint {} to {}", address, previous.id(), endpoint.id());
    }
  }

  @Override
  public void unbindAddress(InetSocketAddress address, Endpoint endpoint) {
    endpointsByAddress.remove(address, endpoint);
  }

  @Override
  public void unregister(Endpoint endpoint) {
    endpointsByUfrag.remove(endpoint.localUfrag(), endpoint);
    endpointsByAddress.values().removeIf(e -> e == endpoint);
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
    for (int i = 0; i < addresses.size(); i++) {
      // RFC 8445 §5.1.2.1: type preference 126 for host, local preference by list order.
      long priority = (126L << 24) | ((long) (65535 - i) << 8) | (256 - 1);
      candidates.add(
          new IceCandidate(
              String.valueOf(i + 1), 1, "udp", priority, addresses.get(i), transport.port()));
    }
    return candidates;
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
    public void dominantSpeakerChanged(String roomId, String endpointId) {
      each(l -> l.dominantSpeakerChanged(roomId, endpointId));
    }
  }
}
