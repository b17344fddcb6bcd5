package io.parley.signalling.http;

import io.parley.sfu.api.SfuApi;
import io.parley.signalling.config.ParleyConfig;
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
import io.vertx.ext.web.handler.StaticHandler;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of Parley: the web client from the classpath's {@code webroot/}, {@code /r/<room>}
 * pages, {@code /healthz}, {@code /readyz}, and Socket.IO on {@code /socket.io/}. Start completes
 * once the port listens.
 */
public final class ParleyServer extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ParleyServer.class);
  private static final Pattern ROOM_PAGE = Pattern.compile("^/r/[^/]+/?$");

  private final ParleyConfig config;
  private final SfuApi sfu;
  private HttpServer server;
  private SocketIoGateway gateway;
  private RoomService rooms;

  public ParleyServer(ParleyConfig config, SfuApi sfu) {
    this.config = config;
    this.sfu = sfu;
  }

  @Override
  public Future<?> start() {
    rooms = new RoomService(sfu, context, config);
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
    router.get("/readyz").handler(ctx -> ctx.response().end("ready\n"));
    router.route("/socket.io/*").handler(this::socketIo);
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
    return vertx
        .createHttpServer(options)
        .requestHandler(router)
        .listen()
        .onSuccess(
            s -> {
              server = s;
              log.info("Parley listens on http://{}:{}", config.http().host(), s.actualPort());
            });
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
    return server == null ? Future.succeededFuture() : server.close();
  }
}
