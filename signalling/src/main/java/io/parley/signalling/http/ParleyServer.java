package io.parley.signalling.http;

import io.parley.sfu.api.SfuApi;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.metrics.ServerMetrics;
import io.parley.signalling.protocol.MessageCodec;
import io.parley.signalling.room.RoomService;
import io.parley.signalling.socketio.ClientSession;
import io.parley.signalling.socketio.SocketIoGateway;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of Parley: the web client from the classpath's {@code webroot/}, {@code /r/<room>}
 * pages, {@code /healthz}, {@code /readyz}, {@code /metrics} (with metrics), Socket.IO on {@code
 * /socket.io/}, and the connectivity self-test ({@code /selftest}, {@code /api/selftest/*}); and,
 * when configured, an admin port with {@code /metrics} and the health endpoints only. Start
 * completes once the ports listen.
 */
public final class ParleyServer extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ParleyServer.class);
  private static final Pattern ROOM_PAGE = Pattern.compile("^/r/[^/]+/?$");

  private final ParleyConfig config;
  private final SfuApi sfu;
  private final ServerMetrics metrics;
  private HttpServer server;
  private HttpServer adminServer;
  private SocketIoGateway gateway;
  private RoomService rooms;
  private volatile boolean warmingUp;

  public ParleyServer(ParleyConfig config, SfuApi sfu) {
    this(config, sfu, null);
  }

  /** A server that serves {@code metrics} (null: none) on {@code /metrics}. */
  public ParleyServer(ParleyConfig config, SfuApi sfu, ServerMetrics metrics) {
    this.config = config;
    this.sfu = sfu;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    if (metrics == null) {
      rooms = new RoomService(sfu, context, config);
    } else {
      rooms = new RoomService(sfu, context, config, metrics::joinToFirstMedia);
      metrics.bindRooms(rooms::roomGauge, rooms::participantGauge);
      metrics.bindThrottled(rooms::throttledRequests);
      metrics.bindPublishLayers(rooms::publishLayersRaised, rooms::publishLayersLowered);
      metrics.probe("signalling", task -> context.runOnContext(v -> task.run()));
    }
    MessageCodec codec = new MessageCodec();
    gateway =
        new SocketIoGateway(
            socket ->
                context.runOnContext(
                    v ->
                        new ClientSession(
                            socket, rooms, context, codec, config.signalling().maxMessageBytes())));

    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> ctx.response().end("ok\n"));
    router.get("/readyz").handler(this::ready);
    if (metrics != null) {
      router.get("/metrics").handler(metrics.handler());
    }
    router.route("/socket.io/*").handler(this::socketIo);
    SelfTest selfTest = new SelfTest(config, sfu, context);
    router.get("/api/selftest/ice-servers").handler(selfTest::iceServers);
    router
        .post("/api/selftest/probe")
        .handler(BodyHandler.create(false).setBodyLimit(32 * 1024))
        .handler(selfTest::probe);
    // The connectivity self-test page is a page of the client-side app.
    router.get("/selftest").handler(ctx -> ctx.reroute("/index.html"));
    router
        .get("/r/*")
        .handler(
            ctx -> {
              if (ROOM_PAGE.matcher(ctx.normalizedPath()).matches()) {
                // The client-side app reads the room id from the path.
                ctx.reroute("/index.html");
              } else {
                ctx.next();
              }
            });
    router.route().handler(StaticHandler.create("webroot").setIndexPage("index.html"));

    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.http().host())
            .setPort(config.http().port())
            // A little above the per-event limit, so an oversized event gets a clear reply.
            .setMaxWebSocketMessageSize(Math.max(4 * config.signalling().maxMessageBytes(), 262144))
            .setMaxWebSocketFrameSize(Math.max(4 * config.signalling().maxMessageBytes(), 262144));
    Future<HttpServer> main =
        vertx
            .createHttpServer(options)
            .requestHandler(router)
            .listen()
            .map(
                s -> {
                  server = s;
                  log.info("Parley listens on http://{}:{}", config.http().host(), s.actualPort());
                  return s;
                });
    if (!config.admin().enabled()) {
      return main;
    }
    return main.compose(s -> startAdmin());
  }

  /** The admin port: metrics and health only, for Prometheus and probes on a private port. */
  private Future<HttpServer> startAdmin() {
    Router admin = Router.router(vertx);
    admin.get("/healthz").handler(ctx -> ctx.response().end("ok\n"));
    admin.get("/readyz").handler(this::ready);
    if (metrics != null) {
      admin.get("/metrics").handler(metrics.handler());
    }
    return vertx
        .createHttpServer(
            new HttpServerOptions().setHost(config.admin().host()).setPort(config.admin().port()))
        .requestHandler(admin)
        .listen()
        .map(
            s -> {
              adminServer = s;
              log.info(
                  "Parley admin (metrics) listens on http://{}:{}",
                  config.admin().host(),
                  s.actualPort());
              return s;
            });
  }

  /** The admin port (useful with port 0), or -1 without one. */
  public int adminPort() {
    return adminServer == null ? -1 : adminServer.actualPort();
  }

  private void socketIo(RoutingContext ctx) {
    String upgrade = ctx.request().getHeader("Upgrade");
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      ctx.response()
          .setStatusCode(400)
          .putHeader("content-type", "application/json")
          .end("{\"code\":3,\"message\":\"Parley signalling needs the websocket transport\"}");
      return;
    }
    ctx.request().toWebSocket().onSuccess(gateway::handle).onFailure(ctx::fail);
  }

  /** The port the HTTP server listens on (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  public RoomService rooms() {
    return rooms;
  }

  @Override
  public Future<?> stop() {
    if (gateway != null) {
      gateway.close();
    }
    Future<Void> admin = adminServer == null ? Future.succeededFuture() : adminServer.close();
    Future<Void> main = server == null ? Future.succeededFuture() : server.close();
    return Future.join(admin, main);
  }

  /** Ready unless draining: a load balancer stops sending new meetings here. */
  /**
   * While true, {@code /readyz} answers 503 "warming up" (the start-up warm-up is running); the
   * server already serves meetings.
   */
  public void setWarmingUp(boolean warming) {
    warmingUp = warming;
  }

  private void ready(io.vertx.ext.web.RoutingContext ctx) {
    if (rooms != null && rooms.isDraining()) {
      ctx.response().setStatusCode(503).end("draining\n");
    } else if (warmingUp) {
      ctx.response().setStatusCode(503).end("warming up\n");
    } else {
      ctx.response().end("ready\n");
    }
  }
}
