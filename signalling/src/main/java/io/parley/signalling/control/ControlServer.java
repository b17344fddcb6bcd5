package io.parley.signalling.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.sfu.api.SfuApi;
import io.parley.sfu.api.SfuException;
import io.parley.sfu.api.SfuListener;
import io.parley.signalling.control.ControlProtocol.Event;
import io.parley.signalling.control.ControlProtocol.Reply;
import io.parley.signalling.control.ControlProtocol.Request;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SFU node's control API: a WebSocket on {@link ControlProtocol#PATH} of its own port, for
 * signalling servers that present the shared secret ({@code Authorization: Bearer <secret>}; the
 * upgrade is refused with 401 otherwise). Each request becomes a call of the local {@link SfuApi};
 * the listener events of the rooms a connection made go back on it. When a connection closes, the
 * endpoints it made are closed: a signalling server that went away leaves nothing behind.
 *
 * <p>All of its state lives on one Vert.x context.
 */
public final class ControlServer {
  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
  private static final long STATUS_PERIOD_MS = 5000;

  private final SfuApi sfu;
  private final IntSupplier roomCount;
  private final byte[] secretDigest;
  private final ControlProtocol.Codec codec = new ControlProtocol.Codec();
  private final Set<Session> sessions = new LinkedHashSet<>();
  private Context context;
  private HttpServer server;
  private long statusTimer = -1;
  private boolean draining;

  /**
   * @param roomCount the node's rooms, for the status signalling places rooms by
   */
  public ControlServer(SfuApi sfu, IntSupplier roomCount, String secret) {
    this.sfu = sfu;
    this.roomCount = roomCount;
    this.secretDigest = sha256(secret);
  }

  /** Listens on {@code host:port}; call on a Vert.x context, which then owns this server. */
  public Future<HttpServer> listen(Vertx vertx, String host, int port) {
    context = vertx.getOrCreateContext();
    sfu.addListener(new Forwarder());
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            // Above the protocol's limit, so a too-large message gets an error reply; beyond this
            // the connection is closed (1009).
            .setMaxWebSocketMessageSize(4 * ControlProtocol.MAX_MESSAGE_BYTES)
            .setMaxWebSocketFrameSize(4 * ControlProtocol.MAX_MESSAGE_BYTES);
    return vertx
        .createHttpServer(options)
        .requestHandler(this::request)
        .listen()
        .map(
            s -> {
              server = s;
              statusTimer = vertx.setPeriodic(STATUS_PERIOD_MS, id -> broadcastStatus());
              log.info(
                  "SFU control API listens on {}:{}{}", host, s.actualPort(), ControlProtocol.PATH);
              return s;
            });
  }

  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /** Tells every signalling server that this node takes no new rooms. Any thread. */
  public void startDraining() {
    context.runOnContext(
        v -> {
          draining = true;
          broadcastStatus();
        });
  }

  public Future<Void> close() {
    if (server == null) {
      return Future.succeededFuture();
    }
    context.owner().cancelTimer(statusTimer);
    return server.close();
  }

  private void request(HttpServerRequest request) {
    if (!ControlProtocol.PATH.equals(request.path())) {
      request.response().setStatusCode(404).end("not found\n");
      return;
    }
    if (!authorized(request.getHeader("Authorization"))) {
      log.atWarn()
          .addKeyValue("event", "control-refused")
          .addKeyValue("remote", String.valueOf(request.remoteAddress()))
          .log(
              "refused a control connection from {}: wrong or missing secret",
              request.remoteAddress());
      request.response().setStatusCode(401).end("the control API needs the shared secret\n");
      return;
    }
    String upgrade = request.getHeader("Upgrade");
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      request.response().setStatusCode(400).end("the control API is a WebSocket\n");
      return;
    }
    request
        .toWebSocket()
        .onSuccess(ws -> new Session(ws))
        .onFailure(e -> log.warn("control WebSocket upgrade failed: {}", e.getMessage()));
  }

  private boolean authorized(String header) {
    String prefix = "Bearer ";
    if (header == null || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return false;
    }
    // Comparing digests takes the same time whatever the length or content of the guess.
    return MessageDigest.isEqual(secretDigest, sha256(header.substring(prefix.length())));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Event.NodeStatus status() {
    return new Event.NodeStatus(!draining, roomCount.getAsInt());
  }

  private void broadcastStatus() {
    String status = codec.encode(status());
    sessions.forEach(s -> s.send(status));
  }

  /** One signalling server's connection. */
  private final class Session {
    private final ServerWebSocket ws;
    private final String remote;

    /** roomId -> the endpoints this connection made there. */
    private final Map<String, Set<String>> endpoints = new HashMap<>();

    Session(ServerWebSocket ws) {
      this.ws = ws;
      this.remote = String.valueOf(ws.remoteAddress());
      sessions.add(this);
      ws.textMessageHandler(this::receive);
      ws.binaryMessageHandler(
          b -> send(codec.encode(Reply.failure(null, "the control API takes text messages"))));
      ws.exceptionHandler(e -> log.debug("control connection from {}: {}", remote, e.toString()));
      ws.closeHandler(v -> closed());
      log.info("signalling server {} connected to the control API", remote);
      send(codec.encode(status()));
    }

    void send(String message) {
      if (!ws.isClosed()) {
        ws.writeTextMessage(message);
      }
    }

    boolean has(String roomId) {
      return endpoints.containsKey(roomId);
    }

    private void receive(String text) {
      Request request;
      try {
        request = codec.decodeRequest(text);
      } catch (ControlProtocol.BadMessage e) {
        log.atWarn()
            .addKeyValue("event", "control-bad-message")
            .addKeyValue("remote", remote)
            .log("bad control message from {}: {}", remote, e.getMessage());
        send(codec.encode(Reply.failure(e.id(), e.getMessage())));
        return;
      }
      long id = request.id();
      CompletableFuture<?> call;
      try {
        call = call(request);
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      Future.fromCompletionStage(call, context)
          .onComplete(
              ar -> {
                if (ar.succeeded()) {
                  JsonNode result = ar.result() == null ? null : codec.toTree(ar.result());
                  send(codec.encode(Reply.success(id, result)));
                } else {
                  failed(request, ar.cause());
                }
              });
    }

    private void failed(Request request, Throwable cause) {
      Throwable e =
          cause instanceof CompletionException && cause.getCause() != null
              ? cause.getCause()
              : cause;
      String message;
      if (e instanceof SfuException || e instanceof IllegalArgumentException) {
        message = e.getMessage();
      } else {
        log.warn("control request {} failed", request.getClass().getSimpleName(), e);
        message = "the SFU failed: " + e.getClass().getSimpleName();
      }
      send(codec.encode(Reply.failure(request.id(), message)));
    }

    private CompletableFuture<?> call(Request request) {
      if (request instanceof Request.CreateEndpoint r) {
        boolean added =
            endpoints.computeIfAbsent(r.roomId(), k -> new HashSet<>()).add(r.endpointId());
        CompletableFuture<?> created = sfu.createEndpoint(r.roomId(), r.endpointId());
        // A refused duplicate must not untrack the endpoint that already has its id.
        return !added
            ? created
            : created.whenComplete(
                (info, e) -> {
                  if (e != null) {
                    context.runOnContext(v -> forget(r.roomId(), r.endpointId()));
                  }
                });
      } else if (request instanceof Request.ConnectEndpoint r) {
        return sfu.connectEndpoint(r.roomId(), r.endpointId(), r.remote());
      } else if (request instanceof Request.AddProducer r) {
        return sfu.addProducer(r.roomId(), r.endpointId(), r.spec());
      } else if (request instanceof Request.RemoveProducer r) {
        return sfu.removeProducer(r.roomId(), r.producerId());
      } else if (request instanceof Request.AddConsumer r) {
        return sfu.addConsumer(r.roomId(), r.endpointId(), r.spec());
      } else if (request instanceof Request.RemoveConsumer r) {
        return sfu.removeConsumer(r.roomId(), r.consumerId());
      } else if (request instanceof Request.SetConsumerPaused r) {
        return sfu.setConsumerPaused(r.roomId(), r.consumerId(), r.paused());
      } else if (request instanceof Request.SetConsumerMaxLayer r) {
        return sfu.setConsumerMaxLayer(r.roomId(), r.consumerId(), r.maxLayer());
      } else if (request instanceof Request.CloseEndpoint r) {
        forget(r.roomId(), r.endpointId());
        return sfu.closeEndpoint(r.roomId(), r.endpointId());
      }
      throw new IllegalArgumentException("unsupported request");
    }

    private void forget(String roomId, String endpointId) {
      Set<String> inRoom = endpoints.get(roomId);
      if (inRoom != null && inRoom.remove(endpointId) && inRoom.isEmpty()) {
        endpoints.remove(roomId);
      }
    }

    /** The signalling server went away: its endpoints go too. */
    private void closed() {
      sessions.remove(this);
      int count = 0;
      for (Map.Entry<String, Set<String>> room : endpoints.entrySet()) {
        for (String endpointId : List.copyOf(room.getValue())) {
          sfu.closeEndpoint(room.getKey(), endpointId);
          count++;
        }
      }
      endpoints.clear();
      log.info(
          "signalling server {} left the control API; closed its {} endpoint(s)", remote, count);
    }
  }

  /** Sends each SFU event to the connections that made endpoints in its room. */
  private final class Forwarder implements SfuListener {
    private void forward(String roomId, Event event) {
      context.runOnContext(
          v -> {
            String text = null;
            for (Session s : sessions) {
              if (s.has(roomId)) {
                text = text == null ? codec.encode(event) : text;
                s.send(text);
              }
            }
          });
    }

    @Override
    public void endpointConnected(String roomId, String endpointId) {
      forward(roomId, new Event.EndpointConnected(roomId, endpointId));
    }

    @Override
    public void endpointDisconnected(String roomId, String endpointId, String reason) {
      forward(roomId, new Event.EndpointDisconnected(roomId, endpointId, reason));
    }

    @Override
    public void producerAdded(String roomId, String endpointId, String producerId) {
      forward(roomId, new Event.ProducerAdded(roomId, endpointId, producerId));
    }

    @Override
    public void producerClosed(String roomId, String producerId) {
      forward(roomId, new Event.ProducerClosed(roomId, producerId));
    }

    @Override
    public void consumerAdded(String roomId, String endpointId, String consumerId) {
      forward(roomId, new Event.ConsumerAdded(roomId, endpointId, consumerId));
    }

    @Override
    public void consumerClosed(String roomId, String consumerId) {
      forward(roomId, new Event.ConsumerClosed(roomId, consumerId));
    }

    @Override
    public void producerActive(String roomId, String producerId) {
      forward(roomId, new Event.ProducerActive(roomId, producerId));
    }

    @Override
    public void consumerBandwidthPaused(String roomId, String consumerId, boolean paused) {
      forward(roomId, new Event.ConsumerBandwidthPaused(roomId, consumerId, paused));
    }

    @Override
    public void dominantSpeakerChanged(String roomId, String endpointId) {
      forward(roomId, new Event.DominantSpeakerChanged(roomId, endpointId));
    }
  }
}
