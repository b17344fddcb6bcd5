package io.parley.signalling.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.sfu.api.SfuException;
import io.parley.signalling.control.ControlProtocol.Event;
import io.parley.signalling.control.ControlProtocol.Reply;
import io.parley.signalling.control.ControlProtocol.Request;
import io.vertx.core.Context;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signalling's one connection to one SFU node's control API: requests with ids and their replies,
 * the node's events, and reconnection with backoff when the connection drops. Confined to the
 * {@link RemoteSfu}'s context.
 */
final class SfuNodeConnection {
  private static final Logger log = LoggerFactory.getLogger(SfuNodeConnection.class);

  /** Callbacks into {@link RemoteSfu}, on its context. */
  interface Owner {
    void up(SfuNodeConnection node);

    void status(SfuNodeConnection node, Event.NodeStatus status);

    void event(SfuNodeConnection node, Event event);

    /** The connection dropped (it was up): its rooms are gone. */
    void down(SfuNodeConnection node, String reason);
  }

  /** Timings; tests shorten them. */
  record Timing(
      Duration requestTimeout, Duration silenceTimeout, Duration minBackoff, Duration maxBackoff) {
    static final Timing DEFAULTS =
        new Timing(
            Duration.ofSeconds(10),
            Duration.ofSeconds(15),
            Duration.ofMillis(250),
            Duration.ofSeconds(10));
  }

  private record Pending(CompletableFuture<JsonNode> reply, long timer) {}

  final String address;
  private final String host;
  private final int port;
  private final String secret;
  private final Context context;
  private final WebSocketClient client;
  private final ControlProtocol.Codec codec;
  private final Owner owner;
  private final Timing timing;
  private final Map<Long, Pending> pending = new HashMap<>();
  private WebSocket ws;
  private long nextId = 1;
  private long backoffMs;
  private long retryTimer = -1;
  private long watchdog = -1;
  private long lastHeardNanos;
  private boolean closed;
  private boolean connecting;

  /** From the node's last status; false until the first one. */
  boolean ready;

  /** The node's rooms from every signalling server, from its last status. */
  int reportedRooms;

  /** Still listed by the configuration or the last DNS answer: may take new rooms. */
  boolean listed = true;

  SfuNodeConnection(
      String host,
      int port,
      String secret,
      Context context,
      WebSocketClient client,
      ControlProtocol.Codec codec,
      Owner owner,
      Timing timing) {
    this.host = host;
    this.port = port;
    this.address = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    this.secret = secret;
    this.context = context;
    this.client = client;
    this.codec = codec;
    this.owner = owner;
    this.timing = timing;
    this.backoffMs = timing.minBackoff().toMillis();
  }

  boolean isUp() {
    return ws != null;
  }

  void connect() {
    if (closed || connecting || ws != null) {
      return;
    }
    connecting = true;
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(host)
            .setPort(port)
            .setURI(ControlProtocol.PATH)
            .setConnectTimeout(timing.requestTimeout().toMillis())
            .setTimeout(timing.requestTimeout().toMillis())
            .addHeader("Authorization", "Bearer " + secret);
    client
        .connect(options)
        .onComplete(
            ar -> {
              connecting = false;
              if (ar.failed()) {
                log.atWarn()
                    .addKeyValue("event", "sfu-node-unreachable")
                    .addKeyValue("node", address)
                    .log(
                        "cannot reach SFU node {}: {}; retrying in {} ms",
                        address,
                        ar.cause().getMessage(),
                        backoffMs);
                retryLater();
              } else if (closed) {
                ar.result().close();
              } else {
                opened(ar.result());
              }
            });
  }

  private void opened(WebSocket socket) {
    ws = socket;
    backoffMs = timing.minBackoff().toMillis();
    lastHeardNanos = System.nanoTime();
    socket.textMessageHandler(this::receive);
    socket.exceptionHandler(e -> log.debug("SFU node {}: {}", address, e.toString()));
    socket.closeHandler(v -> dropped("its control connection closed"));
    long silence = timing.silenceTimeout().toNanos();
    watchdog =
        context
            .owner()
            .setPeriodic(
                Math.max(100, timing.silenceTimeout().toMillis() / 3),
                id -> {
                  if (ws == socket && System.nanoTime() - lastHeardNanos > silence) {
                    log.warn(
                        "SFU node {} has said nothing for {}", address, timing.silenceTimeout());
                    socket.close();
                    dropped("it stopped answering");
                  }
                });
    log.atInfo()
        .addKeyValue("event", "sfu-node-connected")
        .addKeyValue("node", address)
        .log("connected to SFU node {}", address);
    owner.up(this);
  }

  /** Sends a request built with its id; the future completes on this context with the result. */
  CompletableFuture<JsonNode> send(LongFunction<Request> request) {
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    if (ws == null) {
      reply.completeExceptionally(
          new SfuException("the media server " + address + " is unreachable"));
      return reply;
    }
    long id = nextId++;
    Request r = request.apply(id);
    long timer =
        context
            .owner()
            .setTimer(
                timing.requestTimeout().toMillis(),
                t -> {
                  Pending p = pending.remove(id);
                  if (p != null) {
                    p.reply.completeExceptionally(
                        new SfuException(
                            "the media server "
                                + address
                                + " did not answer within "
                                + timing.requestTimeout().toSeconds()
                                + " s"));
                  }
                });
    pending.put(id, new Pending(reply, timer));
    ws.writeTextMessage(codec.encode(r));
    return reply;
  }

  private void receive(String text) {
    lastHeardNanos = System.nanoTime();
    Object message;
    try {
      message = codec.decodeFromNode(text);
    } catch (ControlProtocol.BadMessage e) {
      log.warn("SFU node {}: {}", address, e.getMessage());
      return;
    }
    if (message instanceof Reply reply) {
      Pending p = reply.id() == null ? null : pending.remove(reply.id());
      if (p == null) {
        if (!reply.ok()) {
          log.warn("SFU node {} refused a message: {}", address, reply.error());
        }
        return;
      }
      context.owner().cancelTimer(p.timer);
      if (reply.ok()) {
        p.reply.complete(reply.result());
      } else {
        p.reply.completeExceptionally(
            new SfuException(reply.error() == null ? "the media server refused" : reply.error()));
      }
    } else if (message instanceof Event.NodeStatus status) {
      boolean wasReady = ready;
      ready = status.ready();
      reportedRooms = status.rooms();
      if (wasReady && !ready) {
        log.info("SFU node {} drains: no new rooms go there", address);
      }
      owner.status(this, status);
    } else if (message instanceof Event event) {
      owner.event(this, event);
    }
  }

  private void dropped(String reason) {
    if (ws == null) {
      return;
    }
    ws = null;
    ready = false;
    context.owner().cancelTimer(watchdog);
    for (Pending p : List.copyOf(pending.values())) {
      context.owner().cancelTimer(p.timer);
      p.reply.completeExceptionally(
          new SfuException("lost the connection to the media server " + address));
    }
    pending.clear();
    (closed ? log.atInfo() : log.atWarn())
        .addKeyValue("event", closed ? "sfu-node-closed" : "sfu-node-lost")
        .addKeyValue("node", address)
        .log("{} SFU node {}: {}", closed ? "let go of" : "lost", address, reason);
    owner.down(this, reason);
    retryLater();
  }

  private void retryLater() {
    if (closed) {
      return;
    }
    long delay = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
    backoffMs = Math.min(backoffMs * 2, timing.maxBackoff().toMillis());
    retryTimer =
        context
            .owner()
            .setTimer(
                Math.max(1, delay),
                id -> {
                  retryTimer = -1;
                  connect();
                });
  }

  /** Stops for good (the node is no longer listed and holds none of our rooms, or shutdown). */
  void close() {
    closed = true;
    if (retryTimer >= 0) {
      context.owner().cancelTimer(retryTimer);
    }
    WebSocket socket = ws;
    if (socket != null) {
      dropped("closed by this server");
      socket.close();
    }
  }
}
