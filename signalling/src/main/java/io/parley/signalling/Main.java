package io.parley.signalling;

import io.parley.sfu.Sfu;
import io.parley.sfu.api.SfuApi;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.http.ParleyServer;
import io.parley.signalling.metrics.ServerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts Parley in one process: the embedded SFU, then the HTTP and signalling server. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private final Vertx vertx;
  private final SfuApi sfu;
  private final ParleyServer server;
  private final ServerMetrics metrics;

  private Main(Vertx vertx, SfuApi sfu, ParleyServer server, ServerMetrics metrics) {
    this.vertx = vertx;
    this.sfu = sfu;
    this.server = server;
    this.metrics = metrics;
  }

  /** Starts a server; blocks until it listens. */
  public static Main start(ParleyConfig config, SfuFactory sfuFactory) throws Exception {
    SfuApi sfu = sfuFactory.start(config.media());
    ServerMetrics metrics = new ServerMetrics();
    if (sfu instanceof Sfu embedded) {
      metrics.bindSfu(embedded);
    }
    Vertx vertx = Vertx.vertx();
    ParleyServer server = new ParleyServer(config, sfu, metrics);
    try {
      vertx
          .deployVerticle(server)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      metrics.close();
      closeSfu(sfu);
      throw e;
    }
    return new Main(vertx, sfu, server, metrics);
  }

  public int httpPort() {
    return server.actualPort();
  }

  /** The embedded SFU's ICE-TCP port, or -1 when it is off or the SFU is remote. */
  public int tcpPort() {
    return sfu instanceof Sfu embedded ? embedded.tcpPort() : -1;
  }

  /** The admin (metrics) port, or -1 when none is configured. */
  public int adminPort() {
    return server.adminPort();
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  /**
   * Graceful shutdown, first half: no new meetings, {@code /readyz} answers 503, and the returned
   * future completes when the last participant has left or the timeout has passed.
   */
  public java.util.concurrent.CompletableFuture<Boolean> drain(java.time.Duration timeout) {
    server.rooms().startDraining();
    java.util.concurrent.CompletableFuture<Boolean> done =
        new java.util.concurrent.CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    vertx.setPeriodic(
        0,
        250,
        id -> {
          boolean empty = server.rooms().participantGauge() == 0;
          if (empty || System.nanoTime() - deadline > 0) {
            vertx.cancelTimer(id);
            done.complete(empty);
          }
        });
    return done;
  }

  public void stop() throws Exception {
    Future<Void> closed = vertx.close();
    closed.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    metrics.close();
    closeSfu(sfu);
  }

  private static void closeSfu(SfuApi sfu) {
    if (sfu instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("closing the SFU failed", e);
      }
    }
  }

  public static void main(String[] args) {
    try {
      ParleyConfig config = ParleyConfig.fromEnvironment();
      Main main = start(config, new EmbeddedSfuFactory());
      log.info(
          "Parley is up: open http://localhost:{} (media on UDP {}, ICE-TCP {}, advertised {})",
          main.httpPort(),
          config.media().udpPort(),
          main.tcpPort() < 0 ? "off" : main.tcpPort(),
          config.media().advertisedAddresses());
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      int seconds = config.signalling().drainTimeoutSeconds();
                      if (seconds > 0) {
                        log.info(
                            "draining: waiting up to {} s for the meetings here to end", seconds);
                        boolean empty = main.drain(java.time.Duration.ofSeconds(seconds)).get();
                        log.info(
                            empty ? "drained" : "drain timed out; stopping with meetings open");
                      }
                      main.stop();
                    } catch (Exception e) {
                      log.warn("shutdown failed", e);
                    }
                  }));
    } catch (Exception e) {
      log.error("Parley could not start: {}", e.getMessage(), e);
      System.exit(1);
    }
  }
}
