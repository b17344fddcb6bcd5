package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.sfu.api.SfuException;
import io.parley.sfu.transport.MediaPath;
import io.parley.sfu.transport.PooledDatagram;
import io.parley.sfu.transport.TcpConnection;
import io.parley.sfu.transport.UdpPath;
import io.parley.sfu.util.LatencyHistogram;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsi.utils.dsi.DominantSpeakerIdentification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room's media state: its endpoints, producers and consumers. Everything here is confined to one
 * event loop; other threads reach it through {@link #execute} and {@link #call}.
 */
public final class Room {
  private static final Logger LOG = LoggerFactory.getLogger(Room.class);

  /** Tasks (mostly packets) waiting for the room's loop before new packets are dropped. */
  static final int MAX_PENDING = 16_384;

  private final String id;
  private final EventLoop loop;
  private final Channel socket;
  private final MediaContext context;
  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  private final Map<String, Producer> producers = new LinkedHashMap<>();
  private final Map<String, Consumer> consumers = new LinkedHashMap<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final ScheduledFuture<?> ticker;
  private boolean flushPending;
  private boolean tickFailureLogged;

  /** Time inside the SFU of forwarded packets, shared by the rooms of this loop. */
  private final LatencyHistogram forwardingDelay;

  /** RTP packets handed to the socket since the last {@link #recordForwardingDelay}. */
  private int forwarded;

  /** ICE-TCP connections written to since the last flush (a handful at most). */
  private final List<TcpConnection> tcpFlushes = new ArrayList<>();

  private volatile boolean closed;

  /**
   * Who speaks, from the publishers' audio levels. Made with the room, not with the first level
   * heard: a branch on the packet path that only a room's first audio packet takes is one the
   * compiled code has never seen, and the JIT discards the whole inlined path to take it.
   */
  private final DominantSpeakerIdentification<String> speakers;

  /** The last endpoint the detector named (room loop only). */
  private String dominantSpeaker;

  /** The detector's timers, run by the room's tick (see {@link TickScheduler}). */
  private final TickScheduler speakerTimers;

  public Room(String id, EventLoop loop, Channel socket, MediaContext context) {
    this.id = id;
    this.loop = loop;
    this.socket = socket;
    this.context = context;
    this.forwardingDelay = context.forwardingDelay(loop);
    this.ticker = loop.scheduleAtFixedRate(this::tick, 20, 20, TimeUnit.MILLISECONDS);
    this.speakerTimers = new TickScheduler(loop);
    this.speakers = new DominantSpeakerIdentification<>(Clock.systemUTC(), speakerTimers);
    speakers.addActiveSpeakerChangedListener(
        speaker -> {
          if (!closed && speaker != null && endpoints.containsKey(speaker)) {
            dominantSpeaker = speaker;
            context.events().dominantSpeakerChanged(id, speaker);
          }
        });
  }

  public String id() {
    return id;
  }

  /** The endpoint publishing the loudest speaker's audio, or null before anyone has spoken. */
  String dominantSpeaker() {
    return dominantSpeaker;
  }

  /** The event loop that owns this room's state. */
  public EventLoop loop() {
    return loop;
  }

  MediaContext context() {
    return context;
  }

  /** Runs a packet task on the room's loop; false (and nothing runs) if the room is overloaded. */
  public boolean offer(Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
      return true;
    }
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      return false;
    }
    loop.execute(
        () -> {
          pending.decrementAndGet();
          task.run();
        });
    return true;
  }

  /**
   * Runs a batch of packets on the room's loop (at once when called there); false, and the packets
   * are released, if the room is overloaded.
   */
  public boolean offer(RoomBatch batch) {
    if (loop.inEventLoop()) {
      batch.run();
      return true;
    }
    int n = batch.size();
    if (pending.addAndGet(n) > MAX_PENDING) {
      pending.addAndGet(-n);
      batch.release();
      return false;
    }
    context.stats().handedOver.add(n);
    loop.execute(
        () -> {
          pending.addAndGet(-n);
          batch.run();
        });
    return true;
  }

  /** Runs a control command on the room's loop. */
  public <T> CompletableFuture<T> call(Callable<T> command) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable task =
        () -> {
          try {
            if (closed) {
              throw new SfuException("room " + id + " is closed");
            }
            result.complete(command.call());
          } catch (Throwable e) {
            result.completeExceptionally(e);
          }
        };
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
    return result;
  }

  void execute(Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }

  // ---- state, room thread only ----

  public Endpoint createEndpoint(String endpointId) {
    if (endpoints.containsKey(endpointId)) {
      throw new SfuException("endpoint " + endpointId + " already exists in room " + id);
    }
    Endpoint endpoint = new Endpoint(endpointId, this);
    endpoints.put(endpointId, endpoint);
    return endpoint;
  }

  public Endpoint endpoint(String endpointId) {
    Endpoint endpoint = endpoints.get(endpointId);
    if (endpoint == null) {
      throw new SfuException("no endpoint " + endpointId + " in room " + id);
    }
    return endpoint;
  }

  public Producer producer(String producerId) {
    Producer producer = producers.get(producerId);
    if (producer == null) {
      throw new SfuException("no producer " + producerId + " in room " + id);
    }
    return producer;
  }

  public Consumer consumer(String consumerId) {
    Consumer consumer = consumers.get(consumerId);
    if (consumer == null) {
      throw new SfuException("no consumer " + consumerId + " in room " + id);
    }
    return consumer;
  }

  void addProducer(Producer producer) {
    if (producers.putIfAbsent(producer.id(), producer) != null) {
      throw new SfuException("producer " + producer.id() + " already exists in room " + id);
    }
  }

  void addConsumer(Consumer consumer) {
    if (consumers.putIfAbsent(consumer.id(), consumer) != null) {
      throw new SfuException("consumer " + consumer.id() + " already exists in room " + id);
    }
  }

  public void removeProducer(String producerId) {
    Producer producer = producers.remove(producerId);
    if (producer == null) {
      return;
    }
    for (Consumer consumer : new ArrayList<>(producer.consumers())) {
      removeConsumer(consumer.id());
    }
    producer.endpoint().removeProducer(producer);
    context.events().producerClosed(id, producerId);
  }

  public void removeConsumer(String consumerId) {
    Consumer consumer = consumers.remove(consumerId);
    if (consumer == null) {
      return;
    }
    consumer.producer().removeConsumer(consumer);
    consumer.subscriber().removeConsumer(consumer);
    consumer.close();
    context.events().consumerClosed(id, consumerId);
  }

  public void closeEndpoint(String endpointId) {
    Endpoint endpoint = endpoints.remove(endpointId);
    if (endpoint == null) {
      return;
    }
    for (Producer producer : new ArrayList<>(endpoint.producers())) {
      removeProducer(producer.id());
    }
    for (Consumer consumer : new ArrayList<>(endpoint.consumers())) {
      removeConsumer(consumer.id());
    }
    endpoint.close();
  }

  /** Whether the room has closed (its last endpoint left); readable from any thread. */
  public boolean isClosed() {
    return closed;
  }

  public boolean isEmpty() {
    return endpoints.isEmpty();
  }

  public List<Endpoint> endpoints() {
    return List.copyOf(endpoints.values());
  }

  /** Closes everything; the room thread only. */
  public void close() {
    for (String endpointId : new ArrayList<>(endpoints.keySet())) {
      closeEndpoint(endpointId);
    }
    closed = true;
    ticker.cancel(false);
    speakerTimers.shutdown();
  }

  /**
   * One audio packet's level from the ssrc-audio-level extension (RFC 6464: 0 is the loudest, 127
   * silence). The detector's decisions run on this room's loop and become {@code
   * dominantSpeakerChanged} events naming the publishing endpoint.
   */
  void audioLevel(String endpointId, int rfc6464Level) {
    if (closed) {
      return;
    }
    // The detector counts the other way: 0 is silence, 127 the loudest.
    speakers.levelChanged(endpointId, 127 - (rfc6464Level & 0x7F));
  }

  // ---- sending ----

  /**
   * Writes a packet to a path, taking ownership: a datagram on the room's socket, or a frame on an
   * ICE-TCP connection (whose own I/O thread sends it; a full connection drops it). {@link #flush}
   * sends everything written.
   */
  void write(ByteBuf packet, MediaPath to) {
    if (to instanceof UdpPath udp) {
      // The socket sends from direct memory: copy here (Netty would, and wrap the copy in a new
      // envelope) into the pool the media sockets use, and hand over a pooled envelope, so
      // forwarding allocates nothing per packet.
      ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(packet.readableBytes());
      direct.writeBytes(packet, packet.readerIndex(), packet.readableBytes());
      packet.release();
      socket.write(PooledDatagram.of(direct, udp.address()), socket.voidPromise());
      flushPending = true;
    } else if (to instanceof TcpConnection tcp) {
      if (tcp.write(packet) && !tcpFlushes.contains(tcp)) {
        tcpFlushes.add(tcp);
      }
    } else {
      packet.release();
    }
  }

  /** Sends what was written (one sendmmsg with epoll where several packets wait). */
  void flush() {
    if (flushPending) {
      flushPending = false;
      socket.flush();
    }
    if (!tcpFlushes.isEmpty()) {
      for (int i = 0; i < tcpFlushes.size(); i++) {
        tcpFlushes.get(i).flush();
      }
      tcpFlushes.clear();
    }
  }

  /** A forwarded RTP packet was written (see {@link #recordForwardingDelay}). */
  void countForwarded() {
    forwarded++;
  }

  /** The forwarded packets counted since the last call. */
  int takeForwarded() {
    int n = forwarded;
    forwarded = 0;
    return n;
  }

  /**
   * Records {@code times} forwarded packets that spent {@code nanos} inside the SFU: from reading
   * the incoming packet from the socket to the flush that handed the copies to the socket.
   */
  void recordForwardingDelay(long nanos, int times) {
    forwardingDelay.record(nanos, times);
  }

  /**
   * Every 20 ms on the room's loop: consent, feedback and reports per endpoint, then the speaker
   * detector's timers. A periodic task that throws is never run again, so a failure is caught here,
   * the room's first one is logged with its stack, and the rest of the tick goes on: one endpoint's
   * bug must not stop the feedback, consent checks and speaker detection of the whole room.
   */
  private void tick() {
    long now = System.nanoTime();
    for (Endpoint endpoint : endpoints.values()) {
      try {
        endpoint.tick(now);
      } catch (RuntimeException e) {
        tickFailed("endpoint " + endpoint.id(), e);
      }
    }
    try {
      speakerTimers.runDue(now);
    } catch (RuntimeException e) {
      tickFailed("speaker detection", e);
    }
    flush();
  }

  private void tickFailed(String what, RuntimeException e) {
    if (!tickFailureLogged) {
      tickFailureLogged = true;
      LOG.warn(
          "room {}: {} failed in the room's tick (later failures here are not logged)",
          id,
          what,
          e);
    }
  }
}
