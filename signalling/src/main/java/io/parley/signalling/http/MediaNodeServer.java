package io.parley.signalling.http;

import io.parley.sfu.api.SfuApi;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.control.ControlServer;
import io.parley.signalling.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SFU node (role {@code sfu}): {@code /healthz}, {@code /readyz} and {@code /metrics} on the
 * HTTP port, and the control API for signalling ({@link ControlServer}) on the control port. No web
 * client, no Socket.IO. Start completes once both ports listen.
 */
public final class MediaNodeServer extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(MediaNodeServer.class);

  private final ParleyConfig config;
  private final ServerMetrics metrics;
  private final ControlServer control;
  private HttpServer server;
  private volatile boolean draining;
  private volatile boolean warmingUp;

  /**
   * @param rooms the SFU's open rooms (for the status signalling places rooms by)
   */
  public MediaNodeServer(
      ParleyConfig config, SfuApi sfu, IntSupplier rooms, ServerMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    this.control = new ControlServer(sfu, rooms, config.control().secret());
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> ctx.response().end("ok\n"));
    router.get("/readyz").handler(this::ready);
    if (metrics != null) {
      router.get("/metrics").handler(metrics.handler());
    }
    return vertx
        .createHttpServer(
            new HttpServerOptions().setHost(config.http().host()).setPort(config.http().port()))
        .requestHandler(router)
        .listen()
        .map(
            s -> {
              server = s;
              log.info(
                  "Parley SFU node: health and metrics on http://{}:{}",
                  config.http().host(),
                  s.actualPort());
              return s;
            })
        .compose(s -> control.listen(vertx, config.control().host(), config.control().port()));
  }

  public int httpPort() {
    return server.actualPort();
  }

  public int controlPort() {
    return control.actualPort();
  }

  /** No new rooms: {@code /readyz} answers 503 and signalling servers are told. */
  public void startDraining() {
    draining = true;
    control.startDraining();
  }

  public boolean isDraining() {
    return draining;
  }

  @Override
  public Future<?> stop() {
    Future<Void> main = server == null ? Future.succeededFuture() : server.close();
    return Future.join(main, control.close());
  }

  /** While true, {@code /readyz} answers 503 "warming up" (the start-up warm-up is running). */
  public void setWarmingUp(boolean warming) {
    warmingUp = warming;
  }

  private void ready(RoutingContext ctx) {
    if (draining) {
      ctx.response().setStatusCode(503).end("draining\n");
    } else if (warmingUp) {
      ctx.response().setStatusCode(503).end("warming up\n");
    } else {
      ctx.response().end("ready\n");
    }
  }
}
