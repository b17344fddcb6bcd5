package io.parley.signalling;

import io.parley.sfu.MediaWarmup;
import io.parley.sfu.Sfu;
import io.parley.sfu.api.SfuApi;
import io.parley.sfu.dtls.DtlsWarmup;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.control.RemoteSfu;
import io.parley.signalling.http.MediaNodeServer;
import io.parley.signalling.http.ParleyServer;
import io.parley.signalling.metrics.ServerMetrics;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Parley in its role ({@code PARLEY_ROLE}): everything in one process (the embedded SFU,
 * then the HTTP and signalling server), an SFU node (the SFU and its control API), or the
 * signalling server of remote SFU nodes.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private final ParleyConfig config;
  private final Vertx vertx;
  private final SfuApi sfu;
  private final ParleyServer server;
  private final MediaNodeServer mediaNode;
  private final ServerMetrics metrics;

  private Main(
      ParleyConfig config,
      Vertx vertx,
      SfuApi sfu,
      ParleyServer server,
      MediaNodeServer mediaNode,
      ServerMetrics metrics) {
    this.config = config;
    this.vertx = vertx;
    this.sfu = sfu;
    this.server = server;
    this.mediaNode = mediaNode;
    this.metrics = metrics;
  }

  /**
   * Vert.x on the kernel's own transport (epoll) where Netty's native library loads, as the media
   * plane's sockets already are; otherwise Java NIO. One transport in the process keeps Netty's
   * shared pipeline code seeing one channel family, so the JIT does not recompile it when both
   * kinds of channel pass through.
   */
  static Vertx newVertx() {
    Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
    if (vertx.isNativeTransportEnabled()) {
      log.info("signalling on the native transport (epoll)");
    } else {
      log.info(
          "signalling on Java NIO: native transport unavailable ({})",
          String.valueOf(vertx.unavailableNativeTransportCause()));
    }
    return vertx;
  }

  /**
   * Starts a server in the configuration's role; blocks until it listens. Roles {@code all} and
   * {@code sfu} start their SFU with {@code sfuFactory}; role {@code signalling} connects to the
   * configured SFU nodes instead.
   */
  public static Main start(ParleyConfig config, SfuFactory sfuFactory) throws Exception {
    ServerMetrics metrics = new ServerMetrics();
    Vertx vertx = null;
    SfuApi sfu = null;
    try {
      ParleyConfig.Role role = config.control().role();
      if (role == ParleyConfig.Role.SIGNALLING) {
        vertx = newVertx();
        sfu = new RemoteSfu(vertx, config.control());
      } else {
        sfu = sfuFactory.start(config.media());
        if (sfu instanceof Sfu embedded) {
          metrics.bindSfu(embedded);
        }
        vertx = newVertx();
      }
      ParleyServer server = null;
      MediaNodeServer mediaNode = null;
      Deployable verticle;
      if (role == ParleyConfig.Role.SFU) {
        SfuApi local = sfu;
        mediaNode = new MediaNodeServer(config, sfu, () -> roomCount(local), metrics);
        // Rooms and participants are signalling's series; a media node serves the media plane's.
        verticle = mediaNode;
      } else {
        server = new ParleyServer(config, sfu, metrics);
        verticle = server;
      }
      vertx
          .deployVerticle(verticle)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      return new Main(config, vertx, sfu, server, mediaNode, metrics);
    } catch (Exception e) {
      if (vertx != null) {
        vertx.close();
      }
      metrics.close();
      if (sfu != null) {
        closeSfu(sfu);
      }
      throw e;
    }
  }

  private static int roomCount(SfuApi sfu) {
    return sfu instanceof Sfu embedded ? embedded.roomCount() : 0;
  }

  /** The media plane this server uses (the embedded {@code Sfu}, or the remote nodes' client). */
  SfuApi sfu() {
    return sfu;
  }

  public ParleyConfig.Role role() {
    return config.control().role();
  }

  public int httpPort() {
    return server != null ? server.actualPort() : mediaNode.httpPort();
  }

  /** An SFU node's control port, or -1 in the other roles. */
  public int controlPort() {
    return mediaNode == null ? -1 : mediaNode.controlPort();
  }

  /** The embedded SFU's ICE-TCP port, or -1 when it is off or the SFU is remote. */
  public int tcpPort() {
    return sfu instanceof Sfu embedded ? embedded.tcpPort() : -1;
  }

  /** The admin (metrics) port, or -1 when none is configured. */
  public int adminPort() {
    return server == null ? -1 : server.adminPort();
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  /** The SFU nodes' client in role {@code signalling}, else null. */
  public RemoteSfu remoteSfu() {
    return sfu instanceof RemoteSfu remote ? remote : null;
  }

  /**
   * Graceful shutdown, first half: no new meetings, {@code /readyz} answers 503, and the returned
   * future completes when the last meeting here has ended (the last participant left; on an SFU
   * node, its last room closed) or the timeout has passed.
   */
  public CompletableFuture<Boolean> drain(Duration timeout) {
    BooleanSupplier empty;
    if (mediaNode != null) {
      mediaNode.startDraining();
      empty = () -> roomCount(sfu) == 0;
    } else {
      server.rooms().startDraining();
      empty = () -> server.rooms().participantGauge() == 0;
    }
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    Runnable check =
        () -> {
          boolean isEmpty = empty.getAsBoolean();
          if (isEmpty || System.nanoTime() - deadline > 0) {
            done.complete(isEmpty);
          }
        };
    // At once, then every 250 ms. Not a periodic timer without initial delay: its first run could
    // come before Vert.x had stored the timer's handle, cancelling it there threw, and the drain
    // never ended (seen once in CI).
    vertx.runOnContext(v -> check.run());
    long timer = vertx.setPeriodic(250, id -> check.run());
    done.whenComplete((result, failure) -> vertx.cancelTimer(timer));
    return done;
  }

  public void stop() throws Exception {
    // The SFU nodes' client first, so that a closing Vert.x is not mistaken for lost nodes.
    if (sfu instanceof RemoteSfu) {
      closeSfu(sfu);
    }
    Future<Void> closed = vertx.close();
    closed.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    metrics.close();
    if (!(sfu instanceof RemoteSfu)) {
      closeSfu(sfu);
    }
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

  /** Handshakes the embedded SFU runs in memory after start (see {@link DtlsWarmup}). */
  static final int WARMUP_HANDSHAKES = 8;

  /** The start-up meeting (see {@link MediaWarmup}): its people, packets and time limit. */
  static final int WARMUP_PARTICIPANTS = 4;

  static final long WARMUP_PACKETS = 40_000;
  static final Duration WARMUP_LIMIT = Duration.ofSeconds(20);

  /**
   * Warms the embedded SFU in the background so the first people to join are not slowed by a cold
   * JVM: DTLS-SRTP handshakes in memory, then a short meeting with itself over the media port, then
   * the signalling code of a join ({@link SignallingWarmup}). {@code /readyz} says "warming up"
   * (503) until it ends; meetings work meanwhile. Only the command-line start does this; tests that
   * start servers do not.
   */
  CompletableFuture<Void> warmUp() {
    if (!(sfu instanceof Sfu embedded)) {
      return CompletableFuture.completedFuture(null);
    }
    setWarmingUp(true);
    long started = System.nanoTime();
    return DtlsWarmup.start(embedded.certificate(), embedded.handshakeExecutor(), WARMUP_HANDSHAKES)
        .thenCompose(
            n -> {
              log.info(
                  "warm-up: {} of {} in-memory DTLS-SRTP handshakes in {} ms",
                  n,
                  WARMUP_HANDSHAKES,
                  (System.nanoTime() - started) / 1_000_000);
              return MediaWarmup.start(embedded, WARMUP_PARTICIPANTS, WARMUP_PACKETS, WARMUP_LIMIT);
            })
        .handle(
            (result, failure) -> {
              if (failure != null) {
                log.warn(
                    "warm-up: the start-up meeting failed ({}); serving cold", failure.toString());
              } else {
                log.info(
                    "warm-up: {} rooms, {} participants ({} came in as others left), {} packets"
                        + " forwarded in {} ms",
                    result.rooms(),
                    result.connected(),
                    result.replaced(),
                    result.forwarded(),
                    result.millis());
              }
              return null;
            })
        .thenRunAsync(
            () -> {
              try {
                SignallingWarmup.Result result = SignallingWarmup.run(SignallingWarmup.ROUNDS);
                log.info(
                    "warm-up: {} publish exchanges through Socket.IO, JSON and SDP ({} KB of SDP)"
                        + " in {} ms",
                    result.rounds(),
                    result.sdpChars() / 1024,
                    result.millis());
              } catch (RuntimeException e) {
                log.warn("warm-up: the signalling warm-up failed ({}); serving cold", e.toString());
              }
            },
            task -> {
              Thread thread = new Thread(task, "signalling-warmup");
              thread.setDaemon(true);
              thread.start();
            })
        .thenRun(
            () -> {
              // The warm-up leaves ~150 MB of young garbage and a few MB that live on (pools,
              // compiled-code metadata). Collected now, before anyone is served: otherwise the
              // first young collection copies those survivors during a meeting (a 74 ms pause
              // measured with four people 20 s after start).
              long gcStarted = System.nanoTime();
              System.gc();
              log.info(
                  "warm-up: heap collected in {} ms; ready",
                  (System.nanoTime() - gcStarted) / 1_000_000);
              setWarmingUp(false);
            });
  }

  private void setWarmingUp(boolean warming) {
    if (server != null) {
      server.setWarmingUp(warming);
    }
    if (mediaNode != null) {
      mediaNode.setWarmingUp(warming);
    }
  }

  /**
   * On a machine the JVM sees as small (one CPU, or under 1792 MB) it picks the Serial collector,
   * whose young pauses stop forwarding for tens of milliseconds (57–73 ms measured at 55
   * participants, against 7–26 ms with G1 and a 5 ms goal). Media nodes should say so.
   */
  private static void warnAboutSerialGc(ParleyConfig.Role role) {
    if (role == ParleyConfig.Role.SIGNALLING) {
      return;
    }
    boolean serial =
        java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
            .anyMatch(gc -> gc.getName().equals("Copy"));
    if (serial) {
      log.warn(
          "the JVM chose the Serial garbage collector (few CPUs or little memory): its pauses hold"
              + " up media; run java with -XX:+UseG1GC -XX:MaxGCPauseMillis=5");
    }
  }

  public static void main(String[] args) {
    try {
      ParleyConfig config = ParleyConfig.fromEnvironment();
      if (config.control().sfuDns() != null
          && java.security.Security.getProperty("networkaddress.cache.ttl") == null) {
        // PARLEY_SFU_DNS is resolved again every few seconds: the JVM must not keep old answers
        // longer than that (its default is 30 s).
        java.security.Security.setProperty(
            "networkaddress.cache.ttl",
            String.valueOf(Math.min(5, config.control().dnsRefreshSeconds())));
        java.security.Security.setProperty("networkaddress.cache.negative.ttl", "1");
      }
      Main main = start(config, new EmbeddedSfuFactory());
      switch (main.role()) {
        case ALL ->
            log.info(
                "Parley is up: open http://localhost:{} (media on UDP {}, ICE-TCP {}, advertised {}"
                    + " port {})",
                main.httpPort(),
                config.media().udpPort(),
                main.tcpPort() < 0 ? "off" : main.tcpPort(),
                config.media().advertisedAddresses(),
                advertisedPort(main));
        case SFU ->
            log.info(
                "Parley SFU node is up: control API on port {}, health on {} (media on UDP {},"
                    + " ICE-TCP {}, advertised {} port {})",
                main.controlPort(),
                main.httpPort(),
                config.media().udpPort(),
                main.tcpPort() < 0 ? "off" : main.tcpPort(),
                config.media().advertisedAddresses(),
                advertisedPort(main));
        case SIGNALLING ->
            log.info(
                "Parley signalling is up: open http://localhost:{} (SFU nodes: {}{})",
                main.httpPort(),
                config.control().sfuNodes(),
                config.control().sfuDns() == null ? "" : ", DNS " + config.control().sfuDns());
      }
      warnAboutSerialGc(main.role());
      main.warmUp();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      int seconds = config.signalling().drainTimeoutSeconds();
                      if (seconds > 0) {
                        log.info(
                            "draining: waiting up to {} s for the meetings here to end", seconds);
                        boolean empty = main.drain(Duration.ofSeconds(seconds)).get();
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

  private static Object advertisedPort(Main main) {
    return main.sfu instanceof Sfu embedded ? embedded.advertisedUdpPort() : "-";
  }
}
