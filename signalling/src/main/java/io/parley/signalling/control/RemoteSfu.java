package io.parley.signalling.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.sfu.api.ConsumerInfo;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.api.SfuApi;
import io.parley.sfu.api.SfuException;
import io.parley.sfu.api.SfuListener;
import io.parley.sfu.api.TransportInfo;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.control.ControlProtocol.Event;
import io.parley.signalling.control.ControlProtocol.Request;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SfuApi} of signalling in role {@code signalling}: the media is on SFU nodes, reached
 * through their control API ({@link ControlServer}).
 *
 * <p>It keeps one connection per node (the configured ones, and every address a DNS name resolves
 * to, resolved again periodically), places each new room on the ready node with the fewest rooms,
 * and sends every command of that room there. When a node's connection drops, every endpoint of its
 * rooms is reported disconnected (the rooms' participants are told and can join again, landing on
 * another node), and the connection is retried with backoff. A node that drains (it reports not
 * ready) or is no longer listed keeps its rooms but gets no new ones.
 *
 * <p>All state lives on one Vert.x context; the futures complete on it.
 */
public final class RemoteSfu implements SfuApi, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RemoteSfu.class);

  /** Lists the nodes ({@code host:port}) the configuration names; may block (DNS). */
  @FunctionalInterface
  public interface Discovery {
    List<String> nodes() throws Exception;
  }

  /** A room's node and the endpoints this server made there. */
  private static final class Placement {
    final SfuNodeConnection node;
    final Set<String> endpoints = new HashSet<>();

    Placement(SfuNodeConnection node) {
      this.node = node;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final String secret;
  private final WebSocketClient client;
  private final ControlProtocol.Codec codec = new ControlProtocol.Codec();
  private final SfuNodeConnection.Timing timing;
  private final List<SfuListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, SfuNodeConnection> nodes = new HashMap<>();
  private final Map<String, Placement> rooms = new HashMap<>();
  private final Discovery discovery;
  private final long refreshMs;
  private long refreshTimer = -1;
  private boolean resolving;
  private volatile List<String> readyNodes = List.of();
  private volatile boolean closed;

  /**
   * Connects to the nodes of {@code control} ({@code PARLEY_SFU_NODES}, {@code PARLEY_SFU_DNS}).
   */
  public RemoteSfu(Vertx vertx, ParleyConfig.Control control) {
    this(
        vertx,
        control.secret(),
        discovery(control),
        Duration.ofSeconds(control.dnsRefreshSeconds()),
        SfuNodeConnection.Timing.DEFAULTS);
  }

  RemoteSfu(
      Vertx vertx,
      String secret,
      Discovery discovery,
      Duration refresh,
      SfuNodeConnection.Timing timing) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.secret = secret;
    this.discovery = discovery;
    this.refreshMs = refresh.toMillis();
    this.timing = timing;
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxMessageSize(4 * ControlProtocol.MAX_MESSAGE_BYTES)
                .setMaxFrameSize(4 * ControlProtocol.MAX_MESSAGE_BYTES));
    context.runOnContext(v -> refresh());
  }

  /** The configured nodes, then every address of the DNS name. */
  static Discovery discovery(ParleyConfig.Control control) {
    List<String> fixed = control.sfuNodes();
    String dns = control.sfuDns();
    if (dns == null) {
      return () -> fixed;
    }
    InetSocketAddress name = ParleyConfig.Control.hostPort("PARLEY_SFU_DNS", dns);
    return () -> {
      List<String> all = new ArrayList<>(fixed);
      for (InetAddress a : InetAddress.getAllByName(name.getHostString())) {
        String host = a.getHostAddress();
        all.add((host.contains(":") ? "[" + host + "]" : host) + ":" + name.getPort());
      }
      return all;
    };
  }

  /** How many nodes are connected and ready for new rooms (any thread). */
  public int readyNodes() {
    return readyNodes.size();
  }

  /** The {@code host:port} of the nodes connected and ready for new rooms (any thread). */
  public List<String> readyNodeAddresses() {
    return readyNodes;
  }

  // ---- discovery ----

  private void refresh() {
    if (closed || resolving) {
      return;
    }
    resolving = true;
    vertx
        .executeBlocking((Callable<List<String>>) discovery::nodes, false)
        .onComplete(
            ar -> {
              resolving = false;
              if (closed) {
                return;
              }
              if (ar.succeeded()) {
                listed(ar.result());
              } else {
                // Keep what we have: a failed lookup says nothing about the nodes.
                log.warn("cannot list the SFU nodes: {}", ar.cause().toString());
              }
              refreshTimer = vertx.setTimer(refreshMs, id -> refresh());
            });
  }

  private void listed(List<String> addresses) {
    Set<String> now = new LinkedHashSet<>();
    for (String a : addresses) {
      InetSocketAddress hp = ParleyConfig.Control.hostPort("SFU node", a);
      SfuNodeConnection node =
          new SfuNodeConnection(
              hp.getHostString(), hp.getPort(), secret, context, client, codec, owner, timing);
      now.add(node.address);
      if (!nodes.containsKey(node.address)) {
        log.info("SFU node {} listed", node.address);
        nodes.put(node.address, node);
        node.connect();
      }
    }
    for (SfuNodeConnection node : List.copyOf(nodes.values())) {
      boolean wasListed = node.listed;
      node.listed = now.contains(node.address);
      if (wasListed && !node.listed) {
        log.info("SFU node {} is no longer listed: no new rooms go there", node.address);
      }
      retireIfDone(node);
    }
    countReady();
  }

  /** A node no longer listed goes once none of our rooms is on it. */
  private void retireIfDone(SfuNodeConnection node) {
    if (!node.listed && roomsOn(node) == 0) {
      nodes.remove(node.address);
      node.close();
    }
  }

  private int roomsOn(SfuNodeConnection node) {
    int n = 0;
    for (Placement p : rooms.values()) {
      if (p.node == node) {
        n++;
      }
    }
    return n;
  }

  private void countReady() {
    readyNodes =
        nodes.values().stream().filter(this::placeable).map(n -> n.address).sorted().toList();
  }

  private boolean placeable(SfuNodeConnection node) {
    return node.isUp() && node.ready && node.listed;
  }

  /** The ready node with the fewest rooms (ours first, then the node's own count). */
  private SfuNodeConnection place() {
    Map<SfuNodeConnection, Integer> ours = new HashMap<>();
    rooms.values().forEach(p -> ours.merge(p.node, 1, Integer::sum));
    return nodes.values().stream()
        .filter(this::placeable)
        .min(
            Comparator.<SfuNodeConnection>comparingInt(n -> ours.getOrDefault(n, 0))
                .thenComparingInt(n -> n.reportedRooms)
                .thenComparing(n -> n.address))
        .orElse(null);
  }

  private final SfuNodeConnection.Owner owner =
      new SfuNodeConnection.Owner() {
        @Override
        public void up(SfuNodeConnection node) {
          countReady();
        }

        @Override
        public void status(SfuNodeConnection node, Event.NodeStatus status) {
          countReady();
        }

        @Override
        public void event(SfuNodeConnection node, Event event) {
          deliver(node, event);
        }

        @Override
        public void down(SfuNodeConnection node, String reason) {
          countReady();
          nodeLost(node);
        }
      };

  /** Every endpoint of the node's rooms is gone: say so, and forget the rooms. */
  private void nodeLost(SfuNodeConnection node) {
    List<String> lost = new ArrayList<>();
    rooms
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue().node != node) {
                return false;
              }
              for (String endpointId : e.getValue().endpoints) {
                lost.add(e.getKey());
                lost.add(endpointId);
              }
              return true;
            });
    if (!lost.isEmpty()) {
      log.atWarn()
          .addKeyValue("event", "sfu-node-rooms-lost")
          .addKeyValue("node", node.address)
          .log("{} endpoint(s) lost with SFU node {}", lost.size() / 2, node.address);
    }
    for (int i = 0; i < lost.size(); i += 2) {
      String roomId = lost.get(i);
      String endpointId = lost.get(i + 1);
      each(
          l ->
              l.endpointDisconnected(
                  roomId, endpointId, "the media server of this meeting stopped"));
    }
    if (!node.listed) {
      retireIfDone(node);
    }
  }

  private void deliver(SfuNodeConnection node, Event event) {
    String roomId = roomOf(event);
    Placement p = roomId == null ? null : rooms.get(roomId);
    if (p == null || p.node != node) {
      return; // a room this server no longer holds there
    }
    if (event instanceof Event.EndpointConnected e) {
      each(l -> l.endpointConnected(e.roomId(), e.endpointId()));
    } else if (event instanceof Event.EndpointDisconnected e) {
      each(l -> l.endpointDisconnected(e.roomId(), e.endpointId(), e.reason()));
    } else if (event instanceof Event.ProducerAdded e) {
      each(l -> l.producerAdded(e.roomId(), e.endpointId(), e.producerId()));
    } else if (event instanceof Event.ProducerClosed e) {
      each(l -> l.producerClosed(e.roomId(), e.producerId()));
    } else if (event instanceof Event.ConsumerAdded e) {
      each(l -> l.consumerAdded(e.roomId(), e.endpointId(), e.consumerId()));
    } else if (event instanceof Event.ConsumerClosed e) {
      each(l -> l.consumerClosed(e.roomId(), e.consumerId()));
    } else if (event instanceof Event.ProducerActive e) {
      each(l -> l.producerActive(e.roomId(), e.producerId()));
    } else if (event instanceof Event.ConsumerBandwidthPaused e) {
      each(l -> l.consumerBandwidthPaused(e.roomId(), e.consumerId(), e.paused()));
    } else if (event instanceof Event.DominantSpeakerChanged e) {
      each(l -> l.dominantSpeakerChanged(e.roomId(), e.endpointId()));
    }
  }

  private static String roomOf(Event event) {
    if (event instanceof Event.EndpointConnected e) {
      return e.roomId();
    } else if (event instanceof Event.EndpointDisconnected e) {
      return e.roomId();
    } else if (event instanceof Event.ProducerAdded e) {
      return e.roomId();
    } else if (event instanceof Event.ProducerClosed e) {
      return e.roomId();
    } else if (event instanceof Event.ConsumerAdded e) {
      return e.roomId();
    } else if (event instanceof Event.ConsumerClosed e) {
      return e.roomId();
    } else if (event instanceof Event.ProducerActive e) {
      return e.roomId();
    } else if (event instanceof Event.ConsumerBandwidthPaused e) {
      return e.roomId();
    } else if (event instanceof Event.DominantSpeakerChanged e) {
      return e.roomId();
    }
    return null;
  }

  private void each(Consumer<SfuListener> event) {
    for (SfuListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        log.warn("an SFU listener failed", e);
      }
    }
  }

  // ---- SfuApi ----

  @Override
  public CompletableFuture<TransportInfo> createEndpoint(String roomId, String endpointId) {
    return onContext(
        () -> {
          Placement p = rooms.get(roomId);
          if (p == null) {
            SfuNodeConnection node = place();
            if (node == null) {
              throw new SfuException(
                  "no media server is available right now: try again in a moment");
            }
            p = new Placement(node);
            rooms.put(roomId, p);
            log.atInfo()
                .addKeyValue("event", "room-placed")
                .addKeyValue("room", roomId)
                .addKeyValue("node", node.address)
                .log("room {} goes to SFU node {}", roomId, node.address);
          }
          Placement placement = p;
          boolean added = placement.endpoints.add(endpointId);
          return placement
              .node
              .send(id -> new Request.CreateEndpoint(id, roomId, endpointId))
              .whenComplete(
                  (r, e) -> {
                    if (e != null && added) {
                      forget(placement, roomId, endpointId);
                    }
                  })
              .thenApply(json -> decode(json, TransportInfo.class));
        });
  }

  @Override
  public CompletableFuture<Void> connectEndpoint(
      String roomId, String endpointId, RemoteTransportParams remote) {
    return none(roomId, id -> new Request.ConnectEndpoint(id, roomId, endpointId, remote));
  }

  @Override
  public CompletableFuture<Void> addProducer(String roomId, String endpointId, ProducerSpec spec) {
    return none(roomId, id -> new Request.AddProducer(id, roomId, endpointId, spec));
  }

  @Override
  public CompletableFuture<Void> removeProducer(String roomId, String producerId) {
    return none(roomId, id -> new Request.RemoveProducer(id, roomId, producerId));
  }

  @Override
  public CompletableFuture<ConsumerInfo> addConsumer(
      String roomId, String subscriberEndpointId, ConsumerSpec spec) {
    return onContext(
        () ->
            node(roomId)
                .send(id -> new Request.AddConsumer(id, roomId, subscriberEndpointId, spec))
                .thenApply(json -> decode(json, ConsumerInfo.class)));
  }

  @Override
  public CompletableFuture<Void> removeConsumer(String roomId, String consumerId) {
    return none(roomId, id -> new Request.RemoveConsumer(id, roomId, consumerId));
  }

  @Override
  public CompletableFuture<Void> setConsumerPaused(
      String roomId, String consumerId, boolean paused) {
    return none(roomId, id -> new Request.SetConsumerPaused(id, roomId, consumerId, paused));
  }

  @Override
  public CompletableFuture<Void> setConsumerMaxLayer(
      String roomId, String consumerId, int maxLayer) {
    return none(roomId, id -> new Request.SetConsumerMaxLayer(id, roomId, consumerId, maxLayer));
  }

  @Override
  public CompletableFuture<Void> closeEndpoint(String roomId, String endpointId) {
    return onContext(
        () -> {
          Placement p = rooms.get(roomId);
          if (p == null) {
            return CompletableFuture.completedFuture(null);
          }
          CompletableFuture<JsonNode> sent =
              p.node.send(id -> new Request.CloseEndpoint(id, roomId, endpointId));
          p.endpoints.remove(endpointId);
          if (p.endpoints.isEmpty()) {
            rooms.remove(roomId);
          }
          // A node that is going away is let go once it has answered.
          return sent.handle((r, e) -> (Void) null).whenComplete((r, e) -> retireIfDone(p.node));
        });
  }

  @Override
  public void addListener(SfuListener listener) {
    listeners.add(listener);
  }

  private void forget(Placement p, String roomId, String endpointId) {
    p.endpoints.remove(endpointId);
    if (p.endpoints.isEmpty() && rooms.get(roomId) == p) {
      rooms.remove(roomId);
      retireIfDone(p.node);
    }
  }

  private SfuNodeConnection node(String roomId) {
    Placement p = rooms.get(roomId);
    if (p == null) {
      throw new SfuException("no room " + roomId);
    }
    return p.node;
  }

  private CompletableFuture<Void> none(String roomId, LongFunction<Request> request) {
    return onContext(() -> node(roomId).send(request).thenApply(json -> (Void) null));
  }

  private <T> T decode(JsonNode json, Class<T> type) {
    try {
      T value = json == null ? null : codec.fromTree(json, type);
      if (value == null) {
        throw new SfuException("the media server sent no " + type.getSimpleName());
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new SfuException("the media server sent a bad " + type.getSimpleName());
    }
  }

  /** Runs {@code command} on this object's context; the future completes there. */
  private <T> CompletableFuture<T> onContext(Supplier<CompletableFuture<T>> command) {
    CompletableFuture<T> out = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          CompletableFuture<T> f;
          try {
            f = command.get();
          } catch (RuntimeException e) {
            out.completeExceptionally(e);
            return;
          }
          f.whenComplete(
              (r, e) -> {
                if (e == null) {
                  out.complete(r);
                } else {
                  out.completeExceptionally(
                      e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                }
              });
        });
    return out;
  }

  @Override
  public void close() {
    closed = true;
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          if (refreshTimer >= 0) {
            vertx.cancelTimer(refreshTimer);
          }
          // Shutting down is not losing the nodes: no disconnection events for our rooms.
          rooms.clear();
          List.copyOf(nodes.values()).forEach(SfuNodeConnection::close);
          nodes.clear();
          done.complete(null);
        });
    try {
      done.get(5, TimeUnit.SECONDS);
      client.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("closing the SFU node connections: {}", e.toString());
    }
  }
}
