package io.parley.signalling.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.sfu.Sfu;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.MediaMetrics;
import io.parley.sfu.routing.MediaStats;
import io.parley.sfu.transport.DropReason;
import io.parley.sfu.util.LatencyHistogram;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Parley's Prometheus metrics: one registry for the process, the media plane's counters read at
 * scrape time, quality histograms fed by the SFU's RTCP ({@link MediaMetrics}), join-to-first-media
 * from the signalling side, event-loop lag, and Micrometer's JVM and process binders. No label
 * names a room or a participant. docs/metrics.md lists every series.
 */
public final class ServerMetrics implements MediaMetrics, AutoCloseable {
  /** Prometheus' text exposition format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Duration PROBE_INTERVAL = Duration.ofMillis(500);

  /** What function meters read, kept here (a meter holds it only weakly). */
  private final java.util.List<Object> held = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final ScheduledExecutorService prober =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "parley-loop-probe");
            t.setDaemon(true);
            return t;
          });
  private final List<LoopProbe> probes = new ArrayList<>();

  private final Timer rtt;
  private final Timer publisherRtt;
  private final Timer jitter;
  private final DistributionSummary loss;
  private final DistributionSummary bandwidth;
  private final DistributionSummary deliveryRate;
  private final Timer joinToFirstMedia;

  /** The embedded SFU whose forwarding delay is exported, or null. */
  private volatile Sfu sfu;

  /** The {@code le} labels of the forwarding delay's buckets, in seconds. */
  private static final String[] FORWARDING_DELAY_LE = new String[LatencyHistogram.BUCKETS];

  static {
    for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
      FORWARDING_DELAY_LE[i] =
          java.math.BigDecimal.valueOf(LatencyHistogram.upperBound(i))
              .movePointLeft(9)
              .stripTrailingZeros()
              .toPlainString();
    }
  }

  public ServerMetrics() {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    // Thread counts only: Micrometer's JvmThreadMetrics also reports threads by state, reading a
    // ThreadInfo of every thread on each scrape (a fifth of a scrape's garbage, measured).
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Gauge.builder("jvm.threads.live", threads, ThreadMXBean::getThreadCount)
        .description("Live threads, daemon and non-daemon")
        .baseUnit("threads")
        .register(registry);
    Gauge.builder("jvm.threads.daemon", threads, ThreadMXBean::getDaemonThreadCount)
        .description("Live daemon threads")
        .baseUnit("threads")
        .register(registry);
    Gauge.builder("jvm.threads.peak", threads, ThreadMXBean::getPeakThreadCount)
        .description("The most live threads since the JVM started")
        .baseUnit("threads")
        .register(registry);
    new CpuMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);

    rtt =
        Timer.builder("parley.rtt")
            .description("Round-trip time to subscribers, from RTCP receiver reports")
            .serviceLevelObjectives(millis(5, 10, 25, 50, 100, 150, 200, 300, 500, 1000, 2000))
            .register(registry);
    publisherRtt =
        Timer.builder("parley.publisher.rtt")
            .description("Round-trip time to publishers, from RTCP XR (RRTR sent, DLRR answered)")
            .serviceLevelObjectives(millis(5, 10, 25, 50, 100, 150, 200, 300, 500, 1000, 2000))
            .register(registry);
    jitter =
        Timer.builder("parley.jitter")
            .description("Interarrival jitter reported by subscribers in RTCP receiver reports")
            .serviceLevelObjectives(millis(1, 2, 5, 10, 20, 30, 50, 100, 200, 500))
            .register(registry);
    loss =
        DistributionSummary.builder("parley.loss.ratio")
            .description("Fraction lost reported by subscribers in RTCP receiver reports (0..1)")
            .serviceLevelObjectives(0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
            .register(registry);
    bandwidth = subscriberBandwidth("remb");
    deliveryRate = subscriberBandwidth("transport_cc");
    joinToFirstMedia =
        Timer.builder("parley.join.to.first.media")
            .description("Time from a participant's join to the first media of its own tracks")
            .serviceLevelObjectives(
                millis(250, 500, 1000, 2000, 3000, 5000, 10_000, 20_000, 30_000, 60_000))
            .register(registry);
  }

  /** One histogram name, a {@code source} label per way the SFU learns a subscriber's bandwidth. */
  private DistributionSummary subscriberBandwidth(String source) {
    return DistributionSummary.builder("parley.subscriber.bandwidth")
        .baseUnit("bps")
        .description(
            "Subscriber bandwidth, bits per second, by source: REMB estimates, or rates"
                + " acknowledged in transport-cc feedback (a lower bound)")
        .tag("source", source)
        .serviceLevelObjectives(100e3, 250e3, 500e3, 1e6, 1.5e6, 2.5e6, 5e6, 10e6, 20e6, 50e6)
        .register(registry);
  }

  private static Duration[] millis(long... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofMillis(values[i]);
    }
    return out;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The media plane's series, read from the embedded SFU at scrape time. */
  public void bindSfu(Sfu sfu) {
    MediaStats s = sfu.stats();
    counter("parley.forwarded.packets", "RTP packets forwarded to subscribers", s, st -> st.rtpOut);
    for (MediaKind kind : MediaKind.values()) {
      Tags tags = Tags.of("kind", kind.name().toLowerCase(Locale.ROOT));
      FunctionCounter.builder("parley.rtp.packets.received", s, st -> st.packetsIn(kind))
          .description("RTP packets received from publishers, matched to a track")
          .tags(tags)
          .register(registry);
      FunctionCounter.builder("parley.rtp.bytes.received", s, st -> st.bytesIn(kind))
          .description("Bytes of those RTP packets (after SRTP)")
          .tags(tags)
          .register(registry);
      FunctionCounter.builder("parley.rtp.packets.sent", s, st -> st.packetsOut(kind))
          .description("RTP packets sent to subscribers (first transmissions)")
          .tags(tags)
          .register(registry);
      FunctionCounter.builder("parley.rtp.bytes.sent", s, st -> st.bytesOut(kind))
          .description("Bytes of those RTP packets (SRTP-protected)")
          .tags(tags)
          .register(registry);
    }
    for (DropReason reason : DropReason.values()) {
      FunctionCounter.builder("parley.dropped.packets", sfu.drops(), d -> d.get(reason))
          .description("Datagrams and packets the media plane dropped, by reason")
          .tag("reason", reason.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    counter("parley.ice.checks", "Valid ICE connectivity checks answered", s, st -> st.iceChecks);
    counter("parley.ice.failures", "Endpoints whose ICE failed", s, st -> st.iceFailures);
    counter("parley.dtls.failures", "DTLS handshakes that failed", s, st -> st.dtlsFailures);
    counter("parley.nacks.received", "RTCP NACKs received from subscribers", s, st -> st.nacksIn);
    counter("parley.nacks.sent", "RTCP NACKs sent to publishers", s, st -> st.nacksOut);
    counter(
        "parley.retransmissions",
        "Packets resent to subscribers for their NACKs",
        s,
        st -> st.retransmissions);
    counter(
        "parley.retransmission.misses",
        "NACKed packets no longer (or never) in the subscriber's cache, so not resent",
        s,
        st -> st.retransmissionMisses);
    Map<String, java.util.function.Function<MediaStats, java.util.concurrent.atomic.LongAdder>>
        uplinkLosses =
            Map.of(
                "recovered", st -> st.uplinkRecovered,
                "unrecovered", st -> st.uplinkUnrecovered,
                "padding", st -> st.uplinkPaddingLost,
                "unwatched", st -> st.uplinkUnwatchedLost);
    uplinkLosses.forEach(
        (outcome, adder) ->
            FunctionCounter.builder("parley.uplink.losses", s, st -> adder.apply(st).sum())
                .description(
                    "Packets lost on publishers' uplinks, by what became of them: resent after a"
                        + " NACK, given up on, padding, or in a layer nobody received")
                .tag("outcome", outcome)
                .register(registry));
    counter(
        "parley.playout.delay.changes",
        "Times a subscriber's browser was asked to hold video frames longer or shorter, so resends"
            + " on a long lossy path make their frames",
        s,
        st -> st.playoutDelayChanges);
    counter(
        "parley.keyframe.requests.received",
        "PLI and FIR entries received from subscribers",
        s,
        st -> st.pliIn);
    counter("parley.keyframe.requests.sent", "PLIs sent to publishers", s, st -> st.pliOut);
    counter(
        "parley.packets.handed.over",
        "SRTP packets read on an event loop other than their room's and passed to it",
        s,
        st -> st.handedOver);
    counter(
        "parley.layer.switches",
        "Simulcast layer switches of consumers",
        s,
        st -> st.layerSwitches);
    counter(
        "parley.red.packets.received",
        "Redundant-audio (RFC 2198) packets received from publishers",
        s,
        st -> st.redIn);
    counter(
        "parley.red.packets.forwarded",
        "Redundant-audio packets sent on as they came to subscribers that take them",
        s,
        st -> st.redForwarded);
    counter(
        "parley.red.packets.stripped",
        "Redundant-audio packets sent as plain Opus (the newest frame alone) to other subscribers",
        s,
        st -> st.redStripped);
    counter(
        "parley.red.downlink.changes",
        "Times a subscriber's downlink was found too narrow for redundant audio (it gets plain"
            + " Opus), or wide enough for it again",
        s,
        st -> st.redHoldBacks);
    counter(
        "parley.downlink.congestion",
        "Times a subscriber's downlink showed congestion and its bandwidth estimate was lowered",
        s,
        st -> st.bandwidthDecreases);
    counter(
        "parley.downlink.layer.changes",
        "Video layer caps changed to fit a subscriber's estimated downlink",
        s,
        st -> st.bandwidthLayerChanges);
    counter(
        "parley.downlink.video.pauses",
        "Videos stopped because not even their lowest layer fit a subscriber's downlink",
        s,
        st -> st.bandwidthPauses);
    counter(
        "parley.downlink.video.resumes",
        "Videos started again when a subscriber's downlink had room for them",
        s,
        st -> st.bandwidthResumes);
    counter(
        "parley.downlink.probes",
        "Padding probes sent to find out whether a subscriber's downlink carries more",
        s,
        st -> st.bandwidthProbes);
    counter(
        "parley.downlink.padding.packets",
        "Padding-only RTP packets those probes sent",
        s,
        st -> st.paddingPackets);
    for (Sfu.EndpointState state : Sfu.EndpointState.values()) {
      Gauge.builder("parley.endpoints", sfu, x -> x.endpointCount(state))
          .description("Open SFU endpoints (WebRTC transports) by state")
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    sfu.setMediaMetrics(this);
    this.sfu = sfu;
    List<io.netty.channel.EventLoop> loops = sfu.eventLoops();
    for (int i = 0; i < loops.size(); i++) {
      probe("media-" + i, loops.get(i));
    }
  }

  private void counter(
      String name,
      String description,
      MediaStats stats,
      java.util.function.Function<MediaStats, java.util.concurrent.atomic.LongAdder> adder) {
    ToDoubleFunction<MediaStats> f = st -> adder.apply(st).sum();
    FunctionCounter.builder(name, stats, f).description(description).register(registry);
  }

  /** The signalling side's gauges: rooms and participants. */
  public void bindRooms(IntSupplier rooms, IntSupplier participants) {
    Gauge.builder("parley.rooms", rooms, IntSupplier::getAsInt)
        .description("Rooms with at least one participant")
        .strongReference(true)
        .register(registry);
    Gauge.builder("parley.participants", participants, IntSupplier::getAsInt)
        .description("Participants in all rooms")
        .strongReference(true)
        .register(registry);
  }

  /** Requests refused because a participant sent too many in a short time (a flood). */
  public void bindThrottled(java.util.function.LongSupplier throttled) {
    // A meter holds the object it reads only weakly: a supplier nobody else holds would be
    // collected and the counter would stay at its last value.
    held.add(throttled);
    FunctionCounter.builder("parley.signalling.throttled", throttled, t -> t.getAsLong())
        .description("Signalling requests refused because their sender sent too many too fast")
        .register(registry);
  }

  /**
   * Times publishers were asked to send more or fewer simulcast layers, as tiles that show their
   * videos grow and shrink.
   */
  public void bindPublishLayers(
      java.util.function.LongSupplier more, java.util.function.LongSupplier fewer) {
    held.add(more);
    held.add(fewer);
    FunctionCounter.builder("parley.publish.layer.changes", more, t -> t.getAsLong())
        .description("Publishers asked to send more or fewer simulcast layers")
        .tag("change", "more")
        .register(registry);
    FunctionCounter.builder("parley.publish.layer.changes", fewer, t -> t.getAsLong())
        .description("Publishers asked to send more or fewer simulcast layers")
        .tag("change", "fewer")
        .register(registry);
  }

  /**
   * Measures an event loop's lag: every 500 ms a task is handed to it, and the gauge shows how long
   * the last one waited (or how long the pending one has been waiting, if longer).
   */
  public void probe(String loop, Executor executor) {
    LoopProbe probe = new LoopProbe(executor);
    synchronized (probes) {
      probes.add(probe);
    }
    Gauge.builder("parley.event.loop.lag", probe, LoopProbe::lagSeconds)
        .description("Delay of a task handed to an event loop")
        .strongReference(true)
        .baseUnit("seconds")
        .tag("loop", loop)
        .register(registry);
    prober.scheduleWithFixedDelay(probe::send, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A participant's first media arrived this long after it joined. */
  public void joinToFirstMedia(Duration sinceJoin) {
    joinToFirstMedia.record(sinceJoin);
  }

  // ---- MediaMetrics, called on room threads ----

  @Override
  public void receiverReport(
      MediaKind kind, double rttSeconds, double jitterSeconds, double fractionLost) {
    if (!Double.isNaN(rttSeconds) && rttSeconds >= 0) {
      rtt.record((long) (rttSeconds * 1e9), TimeUnit.NANOSECONDS);
    }
    if (jitterSeconds >= 0) {
      jitter.record((long) (jitterSeconds * 1e9), TimeUnit.NANOSECONDS);
    }
    loss.record(fractionLost);
  }

  @Override
  public void publisherRoundTrip(double rttSeconds) {
    publisherRtt.record((long) (rttSeconds * 1e9), TimeUnit.NANOSECONDS);
  }

  @Override
  public void subscriberBandwidth(long bitsPerSecond) {
    bandwidth.record(bitsPerSecond);
  }

  @Override
  public void subscriberDeliveryRate(long bitsPerSecond) {
    deliveryRate.record(bitsPerSecond);
  }

  // ---- exposition ----

  /** The registry in Prometheus' text format. */
  public String scrape() {
    String text = registry.scrape();
    Sfu media = sfu;
    if (media == null) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 8192).append(text);
    if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') {
      out.append('\n');
    }
    appendForwardingDelay(media, out);
    return out.toString();
  }

  /**
   * The SFU's forwarding delay as a Prometheus histogram, written here from its own fixed buckets
   * (recorded on the packet path without Micrometer): log-linear, 1 µs to 2.1 s.
   */
  static void appendForwardingDelay(Sfu sfu, StringBuilder out) {
    long[] counts = new long[LatencyHistogram.BUCKETS + 1];
    long sumNanos = sfu.forwardingDelay(counts);
    String name = "parley_forwarding_delay_seconds";
    out.append("# HELP ")
        .append(name)
        .append(
            " Time a forwarded RTP packet spent inside the SFU: from reading the publisher's"
                + " datagram to handing the subscriber's copy to the socket\n");
    out.append("# TYPE ").append(name).append(" histogram\n");
    long cumulative = 0;
    for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
      cumulative += counts[i];
      out.append(name)
          .append("_bucket{le=\"")
          .append(FORWARDING_DELAY_LE[i])
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
    cumulative += counts[LatencyHistogram.BUCKETS];
    out.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
    out.append(name).append("_sum ").append(sumNanos / 1e9).append('\n');
    out.append(name).append("_count ").append(cumulative).append('\n');
  }

  /** A Vert.x route handler serving {@link #scrape()} (off the event loop). */
  public Handler<RoutingContext> handler() {
    return ctx ->
        ctx.vertx()
            .executeBlocking(this::scrape, false)
            .onSuccess(text -> ctx.response().putHeader("content-type", CONTENT_TYPE).end(text))
            .onFailure(ctx::fail);
  }

  @Override
  public void close() {
    prober.shutdownNow();
    gc.close();
    registry.close();
  }

  /** One loop's probe: at most one task in flight. */
  private static final class LoopProbe {
    private final Executor loop;
    private final AtomicLong pendingSince = new AtomicLong();
    private volatile double lastLagSeconds;

    LoopProbe(Executor loop) {
      this.loop = loop;
    }

    void send() {
      long now = System.nanoTime();
      if (!pendingSince.compareAndSet(0, now)) {
        return; // the previous probe has not run yet: the gauge shows its wait
      }
      try {
        loop.execute(
            () -> {
              lastLagSeconds = (System.nanoTime() - now) / 1e9;
              pendingSince.set(0);
            });
      } catch (RuntimeException e) {
        pendingSince.set(0); // the loop shut down
      }
    }

    double lagSeconds() {
      long pending = pendingSince.get();
      double waiting = pending == 0 ? 0 : (System.nanoTime() - pending) / 1e9;
      return Math.max(lastLagSeconds, waiting);
    }
  }
}
