package io.parley.load;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parley.sfu.dtls.DtlsCertificate;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.json.JSONObject;

/**
 * One load run: starts the participants room by room over the ramp-up, samples the run every second
 * (the live progress line and the timeline), and builds the {@link Report}. In capacity mode it
 * adds rooms step by step until the SLO breaks.
 */
final class LoadRun implements AutoCloseable {
  /** Capacity-search settings: the SLO, and how the load grows. */
  record CapacitySettings(
      int stepRooms,
      Duration stepDuration,
      Duration stepRampUp,
      int maxParticipants,
      double sloP99Ms,
      double sloLossPercent,
      boolean sloFreezes) {}

  private final RunSettings settings;
  private final PrintStream out;
  private final EventLoopGroup group;
  private final ExecutorService dtlsExecutor;
  private final ScheduledExecutorService timers;

  /** Packets a packet log keeps: 40 bytes each, 160 MB; ~30 min of scenario (a). */
  static final int PACKET_LOG_CAPACITY = 4_000_000;

  private final RunStats stats;
  private final SourceRegistry sources = new SourceRegistry();
  private final Participant.Context context;
  private final List<Participant> participants = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<Void>> joins = new CopyOnWriteArrayList<>();
  private final List<Report.Sample> timeline = new CopyOnWriteArrayList<>();
  private final ServerProbe probe;
  private final SignallingLag signallingLag = new SignallingLag();
  private final String runTag = letters(4);
  private final JanusApi janus;
  private final List<Long> janusRooms = new ArrayList<>();
  private long janusAdminSession;
  private long janusAdminHandle;
  private final long janusRoomBase = 1_000_000 + ThreadLocalRandom.current().nextInt(1_000_000);

  private final long startNanos = System.nanoTime();
  private final String startedAt = Instant.now().toString();
  private int roomsAdded;
  private ScheduledFuture<?> sampler;

  // Sampler state (sampler thread only, read after it stops).
  private long lastBytesIn;
  private long lastBytesOut;
  private long lastExpected;
  private long lastReceived;
  private long lastFreezes;
  private long lastSampleNanos = System.nanoTime();
  private volatile boolean steady;

  /** The server's forwarding delay histogram: latest reading, and at the start of steady state. */
  private volatile PromHistogram lastDelay = PromHistogram.EMPTY;

  private volatile PromHistogram steadyDelayStart;

  /** The server's heap before the first participant joined. */
  private double heapBeforeJoins = Double.NaN;

  private final Histogram steadyLatency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  private final Histogram windowLatency = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  private final boolean tty = System.console() != null;
  private long lastPrintNanos;

  LoadRun(RunSettings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    this.stats =
        new RunStats(settings.packetLog() != null ? new PacketLog(PACKET_LOG_CAPACITY) : null);
    this.group =
        new MultiThreadIoEventLoopGroup(
            settings.ioThreads(),
            new DefaultThreadFactory("load-io", true),
            NioIoHandler.newFactory());
    this.dtlsExecutor = Executors.newCachedThreadPool(new DefaultThreadFactory("load-dtls", true));
    this.timers =
        Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("load-timer", true));
    DtlsCertificate certificate = DtlsCertificate.generate();
    try {
      Warmup.run(certificate, dtlsExecutor);
    } catch (Exception e) {
      throw new IllegalStateException("DTLS-SRTP does not work on this machine: " + e, e);
    }
    this.janus =
        settings.target() == RunSettings.Target.JANUS ? new JanusApi(settings.server()) : null;
    this.context =
        new Participant.Context(
            group,
            bindAddress(),
            certificate,
            dtlsExecutor,
            settings.media(),
            settings.impairment(),
            stats,
            sources);
    this.probe = new ServerProbe(settings.serverPid(), settings.metricsUrl());
  }

  /** Every received packet, if {@code --packet-log} asked for it; else null. */
  PacketLog packetLog() {
    return stats.packetLog;
  }

  /** A normal run: all rooms over the ramp-up, then the duration at steady state. */
  Report run() throws Exception {
    startSampler();
    addRooms(settings.rooms(), settings.rampUp());
    awaitJoins(settings.rampUp().plusSeconds(30));
    awaitStreams(Duration.ofSeconds(15));
    markSteady();
    waitFor(settings.duration());
    return finish(null);
  }

  /**
   * Capacity search: the initial rooms, then {@code stepRooms} more per step until the SLO breaks.
   */
  Report capacity(CapacitySettings c) throws Exception {
    startSampler();
    List<Report.Step> steps = new ArrayList<>();
    int lastGoodParticipants = 0;
    int lastGoodRooms = 0;
    String stopReason = "reached --max-participants";
    int add = settings.rooms();
    Duration ramp = settings.rampUp();
    while (true) {
      long failuresBefore = stats.failures.sum();
      addRooms(add, ramp);
      awaitJoins(ramp.plusSeconds(30));
      awaitStreams(Duration.ofSeconds(15));
      markSteady();
      // The step's window: only what happens while it holds.
      synchronized (windowLatency) {
        windowLatency.reset();
      }
      PromHistogram delay0 = lastDelay;
      long expected0 = stats.expected();
      long received0 = stats.received();
      long freezes0 = stats.freezes.sum();
      double cpuSum = 0;
      int cpuCount = 0;
      int timelineStart = timeline.size();
      waitFor(c.stepDuration());
      long now = System.nanoTime();
      long frozenNow = stats.streams().stream().filter(s -> s.frozenAt(now)).count();
      long dExpected = stats.expected() - expected0;
      long dLost = Math.max(0, dExpected - (stats.received() - received0));
      double loss = dExpected == 0 ? 0 : 100.0 * dLost / dExpected;
      long freezes = stats.freezes.sum() - freezes0 + frozenNow;
      double p50;
      double p99;
      synchronized (windowLatency) {
        p50 = windowLatency.getValueAtPercentile(50) / 1000.0;
        p99 = windowLatency.getValueAtPercentile(99) / 1000.0;
      }
      PromHistogram stepDelay = lastDelay.minus(delay0);
      double mbitIn = 0;
      for (Report.Sample s : timeline.subList(timelineStart, timeline.size())) {
        if (!Double.isNaN(s.serverCpuPercent())) {
          cpuSum += s.serverCpuPercent();
          cpuCount++;
        }
        mbitIn += s.mbitIn();
      }
      int samples = Math.max(1, timeline.size() - timelineStart);
      int connected = connectedCount();
      String breach = null;
      if (stats.failures.sum() > failuresBefore) {
        breach = "participants failed to join or lost their connection";
      } else if (p99 > c.sloP99Ms()) {
        breach = String.format(Locale.ROOT, "p99 latency %.1f ms > %.0f ms", p99, c.sloP99Ms());
      } else if (loss > c.sloLossPercent()) {
        breach = String.format(Locale.ROOT, "loss %.2f%% > %.2f%%", loss, c.sloLossPercent());
      } else if (c.sloFreezes() && freezes > 0) {
        breach = freezes + " video freezes (> 500 ms)";
      }
      Report.Step step =
          new Report.Step(
              roomsAdded,
              participants.size(),
              connected,
              p50,
              p99,
              loss,
              freezes,
              cpuCount == 0 ? Double.NaN : cpuSum / cpuCount,
              mbitIn / samples,
              breach == null,
              breach,
              stepDelay.percentile(50) * 1e3,
              stepDelay.percentile(99) * 1e3);
      steps.add(step);
      out.printf(
          Locale.ROOT,
          "%nstep: %d rooms, %d participants (%d connected): p99 %.1f ms (inside the SFU %.3f"
              + " ms), loss %.2f%%, freezes %d -> %s%n",
          roomsAdded,
          participants.size(),
          connected,
          p99,
          step.sfuP99Ms(),
          loss,
          freezes,
          breach == null ? "within the SLO" : "SLO broken: " + breach);
      if (breach != null) {
        stopReason = breach;
        break;
      }
      lastGoodParticipants = participants.size();
      lastGoodRooms = roomsAdded;
      if (participants.size() + c.stepRooms() * settings.perRoom() > c.maxParticipants()) {
        break;
      }
      add = c.stepRooms();
      ramp = c.stepRampUp();
    }
    return finish(
        new Report.Capacity(
            c.sloP99Ms(),
            c.sloLossPercent(),
            c.sloFreezes(),
            lastGoodParticipants,
            lastGoodRooms,
            stopReason,
            steps));
  }

  /**
   * The address participants' sockets bind: as given, or with "auto" the address the server's
   * candidates will use — the server's host for Parley, Janus's local-ip for Janus (Janus does not
   * gather loopback candidates, so its host candidates are on the machine's interface).
   */
  private String bindAddress() {
    if (!settings.bindAddress().equals("auto")) {
      return settings.bindAddress();
    }
    try {
      if (janus != null) {
        JSONObject info =
            janus.post("", new JSONObject().put("janus", "info")).get(10, TimeUnit.SECONDS);
        String ip = info.optString("local-ip", "");
        if (!ip.isEmpty()) {
          return ip;
        }
      }
      return java.net.InetAddress.getByName(settings.server().getHost()).getHostAddress();
    } catch (Exception e) {
      return "127.0.0.1";
    }
  }

  // ---- participants ----

  private void addRooms(int count, Duration rampUp) throws Exception {
    int first = roomsAdded;
    roomsAdded += count;
    int total = count * settings.perRoom();
    long intervalMicros = total <= 1 ? 0 : rampUp.toNanos() / 1000 / total;
    int n = 0;
    for (int r = first; r < first + count; r++) {
      Object room = prepareRoom(r);
      for (int i = 0; i < settings.perRoom(); i++) {
        boolean publishes = i < settings.publishers();
        String name = (publishes ? "pub" : "sub") + r + "-" + i;
        long delay = intervalMicros * n++;
        CompletableFuture<Void> joined = new CompletableFuture<>();
        joins.add(joined);
        timers.schedule(
            () -> {
              Participant p = newParticipant(room, name, publishes);
              participants.add(p);
              p.start()
                  .orTimeout(30, TimeUnit.SECONDS)
                  .whenComplete(
                      (v, e) -> {
                        if (e != null) {
                          p.failed = true;
                          stats.error(name + " did not join: " + rootMessage(e));
                        }
                        joined.complete(null);
                      });
            },
            delay,
            TimeUnit.MICROSECONDS);
      }
    }
  }

  private Object prepareRoom(int index) throws Exception {
    if (janus == null) {
      return "lt" + runTag.charAt(0) + "-" + runTag + "-" + roomLetters(index);
    }
    if (janusAdminSession == 0) {
      janusAdminSession = janus.createSession().get(10, TimeUnit.SECONDS);
      janusAdminHandle = janus.attachVideoRoom(janusAdminSession).get(10, TimeUnit.SECONDS);
      timers.scheduleAtFixedRate(
          () -> janus.post("/" + janusAdminSession, new JSONObject().put("janus", "keepalive")),
          25,
          25,
          TimeUnit.SECONDS);
    }
    long room = janusRoomBase + index;
    janus
        .request(
            janusAdminSession,
            janusAdminHandle,
            new JSONObject()
                .put("request", "create")
                .put("room", room)
                .put("description", "parley-load " + index)
                .put("publishers", Math.max(settings.publishers() + 1, 16))
                .put("audiocodec", "opus")
                .put("videocodec", "vp8")
                .put("notify_joining", false))
        .get(10, TimeUnit.SECONDS);
    janusRooms.add(room);
    return room;
  }

  private Participant newParticipant(Object room, String name, boolean publishes) {
    if (janus != null) {
      return new JanusParticipant(
          context, janus, (Long) room, name, publishes, settings.server().getHost(), timers);
    }
    return new ParleyParticipant(context, settings.server(), (String) room, name, publishes);
  }

  private void awaitJoins(Duration timeout) throws Exception {
    // Wait until each join has succeeded or failed (each also has its own timeout).
    try {
      CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      stats.error("some participants had not joined after " + timeout.toSeconds() + " s");
    }
  }

  /**
   * Waits until every stream the joined participants should receive has delivered a packet (the
   * server's subscription offers and their transports take a moment after the joins), or the
   * timeout passes; the measured phase starts after it.
   */
  private void awaitStreams(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long expected = (long) roomsAdded * settings.streamsPerRoom();
    while (stats.streams.size() < expected && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    if (stats.streams.size() < expected) {
      stats.error(
          "only "
              + stats.streams.size()
              + " of "
              + expected
              + " streams arrived within "
              + timeout.toSeconds()
              + " s of the joins");
    }
  }

  private int connectedCount() {
    int n = 0;
    for (Participant p : participants) {
      if (!p.failed && (!p.publishes || p.publishConnected)) {
        n++;
      }
    }
    return n;
  }

  // ---- sampling ----

  private void startSampler() {
    // The first reading is the baseline: CPU ticks, and the heap before anyone joined.
    heapBeforeJoins = probe.read().heapMb();
    sampler = timers.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
  }

  private void markSteady() {
    timers.submit(
        () -> {
          stats.latency.getIntervalHistogram(); // drop what the ramp-up recorded
          steady = true;
        });
  }

  private void sample() {
    try {
      if (janus == null) {
        signallingLag.probe();
      }
      long now = System.nanoTime();
      double dt = Math.max(1e-3, (now - lastSampleNanos) / 1e9);
      lastSampleNanos = now;
      long in = stats.counters.bytesReceived.sum();
      long outBytes = stats.counters.bytesSent.sum();
      long expected = stats.expected();
      long received = stats.received();
      long freezes = stats.freezes.sum();
      Histogram interval = stats.latency.getIntervalHistogram();
      if (steady) {
        steadyLatency.add(interval);
        synchronized (windowLatency) {
          windowLatency.add(interval);
        }
      }
      long dExpected = expected - lastExpected;
      double loss =
          dExpected <= 0
              ? 0
              : 100.0 * Math.max(0, dExpected - (received - lastReceived)) / dExpected;
      ServerProbe.Reading server = probe.read();
      if (server.forwardingDelay().count() > 0) {
        lastDelay = server.forwardingDelay();
        if (steady && steadyDelayStart == null) {
          steadyDelayStart = server.forwardingDelay();
        }
      }
      Report.Sample s =
          new Report.Sample(
              (now - startNanos) / 1e9,
              connectedCount(),
              (outBytes - lastBytesOut) * 8 / dt / 1e6,
              (in - lastBytesIn) * 8 / dt / 1e6,
              interval.getTotalCount() == 0 ? Double.NaN : interval.getValueAtPercentile(50) / 1e3,
              interval.getTotalCount() == 0 ? Double.NaN : interval.getValueAtPercentile(99) / 1e3,
              loss,
              freezes - lastFreezes,
              server.cpuPercent(),
              server.rssMb(),
              server.heapMb());
      timeline.add(s);
      lastBytesIn = in;
      lastBytesOut = outBytes;
      lastExpected = expected;
      lastReceived = received;
      lastFreezes = freezes;
      progress(s, freezes);
    } catch (RuntimeException e) {
      stats.error("sampler: " + e);
    }
  }

  private void progress(Report.Sample s, long totalFreezes) {
    String line =
        String.format(
            Locale.ROOT,
            "[%5.0fs] connected %d/%d  out %.1f Mbit/s  in %.1f Mbit/s  p50 %s  p99 %s  loss %.2f%%"
                + "  freezes %d%s%s",
            s.t(),
            s.connected(),
            roomsAdded * settings.perRoom(),
            s.mbitOut(),
            s.mbitIn(),
            ms(s.p50Ms()),
            ms(s.p99Ms()),
            s.lossPercent(),
            totalFreezes,
            Double.isNaN(s.serverCpuPercent())
                ? ""
                : String.format(Locale.ROOT, "  server cpu %.0f%%", s.serverCpuPercent()),
            janus != null || Double.isNaN(signallingLag.lastMs())
                ? ""
                : String.format(
                    Locale.ROOT,
                    "  client event thread lag %.0f ms (max %.0f)",
                    signallingLag.lastMs(),
                    signallingLag.maxMs()));
    long now = System.nanoTime();
    if (tty) {
      out.print("\r" + line + "   ");
      out.flush();
    } else if (now - lastPrintNanos >= TimeUnit.SECONDS.toNanos(5)) {
      lastPrintNanos = now;
      out.println(line);
    }
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f ms", v);
  }

  private void waitFor(Duration d) throws InterruptedException {
    // The tool's own clock: the run is meant to last this long.
    TimeUnit.NANOSECONDS.sleep(d.toNanos());
  }

  // ---- the report ----

  private Report finish(Report.Capacity capacity) throws Exception {
    sampler.cancel(false);
    // One last sample, on the timer thread, after the cancelled one.
    timers.submit(this::sample).get(10, TimeUnit.SECONDS);
    if (tty) {
      out.println();
    }
    long endNanos = System.nanoTime();
    long frozenAtEnd = stats.streams().stream().filter(s -> s.frozenAt(endNanos)).count();
    int connected = connectedCount();
    int failed = (int) participants.stream().filter(p -> p.failed).count();
    for (Participant p : participants) {
      p.close();
    }
    if (janus != null) {
      destroyJanusRooms();
    }
    double seconds = (endNanos - startNanos) / 1e9;
    List<Report.StreamRow> rows = new ArrayList<>();
    Histogram all = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    Histogram join = new Histogram(3_600_000, 3);
    long expected = 0;
    long lost = 0;
    long freezes = frozenAtEnd;
    long switches = 0;
    double jitterSum = 0;
    for (StreamStats s : stats.streams()) {
      all.add(s.latencyMicros);
      if (s.joinMillis >= 0) {
        join.recordValue(s.joinMillis);
      }
      expected += s.expected();
      lost += s.lost();
      freezes += s.freezes;
      switches += s.layerSwitches;
      jitterSum += s.jitterMillis;
      rows.add(
          new Report.StreamRow(
              s.receiver,
              s.publisher,
              s.publisher == null ? "?" : s.video ? "video" : "audio",
              s.ssrc,
              s.packets,
              s.lost(),
              s.expected() == 0 ? 0 : 100.0 * s.lost() / s.expected(),
              s.corrupt,
              s.jitterMillis,
              s.latencyMicros.getValueAtPercentile(50) / 1e3,
              s.latencyMicros.getValueAtPercentile(99) / 1e3,
              s.latencyMicros.getMaxValue() / 1e3,
              s.joinMillis,
              s.freezes,
              s.freezeMillis,
              s.layerSwitches));
    }
    Histogram latency = steadyLatency.getTotalCount() > 0 ? steadyLatency : all;
    int streamCount = rows.size();
    Report.Totals totals =
        new Report.Totals(
            stats.counters.packetsSent.sum(),
            stats.counters.packetsReceived.sum(),
            stats.counters.bytesSent.sum() * 8 / seconds / 1e6,
            stats.counters.bytesReceived.sum() * 8 / seconds / 1e6,
            streamCount,
            (long) roomsAdded * settings.streamsPerRoom(),
            expected,
            lost,
            expected == 0 ? 0 : 100.0 * lost / expected,
            stats.corrupt.sum(),
            stats.counters.srtpFailures.sum(),
            freezes,
            switches,
            streamCount == 0 ? 0 : jitterSum / streamCount);
    MediaSettings m = settings.media();
    Impairment imp = settings.impairment();
    Report.Setup setup =
        new Report.Setup(
            roomsAdded,
            settings.publishers(),
            settings.subscribers(),
            m.audio(),
            m.video(),
            m.simulcast(),
            m.videoBitrate(),
            m.fps(),
            imp.sendLoss(),
            imp.receiveLoss(),
            imp.delayMillis(),
            imp.jitterMillis(),
            settings.duration().toMillis() / 1e3,
            settings.rampUp().toMillis() / 1e3);
    return new Report(
        settings.target().name().toLowerCase(Locale.ROOT),
        settings.label(),
        settings.server().toString(),
        startedAt,
        machine(),
        setup,
        roomsAdded * settings.perRoom(),
        connected,
        failed,
        List.copyOf(stats.errors),
        seconds,
        totals,
        percentiles(latency, 1e3),
        sfuDelay(),
        percentiles(join, 1),
        serverUse(connected),
        rows,
        List.copyOf(timeline),
        capacity);
  }

  /** Time inside the SFU over the measured phase (from the first reading after steady state). */
  private Report.SfuDelay sfuDelay() {
    PromHistogram d = lastDelay.minus(steadyDelayStart);
    return new Report.SfuDelay(
        d.count(), d.percentile(50) * 1e3, d.percentile(99) * 1e3, d.percentile(99.9) * 1e3);
  }

  private Report.ServerUse serverUse(int connected) {
    double cpuSum = 0;
    double cpuMax = Double.NaN;
    int cpuN = 0;
    double rssStart = Double.NaN;
    double rssMax = Double.NaN;
    double heapStart = Double.NaN;
    double heapMax = Double.NaN;
    for (Report.Sample s : timeline) {
      if (!Double.isNaN(s.serverCpuPercent())) {
        cpuSum += s.serverCpuPercent();
        cpuN++;
        cpuMax =
            Double.isNaN(cpuMax) ? s.serverCpuPercent() : Math.max(cpuMax, s.serverCpuPercent());
      }
      if (!Double.isNaN(s.serverRssMb())) {
        rssStart = Double.isNaN(rssStart) ? s.serverRssMb() : rssStart;
        rssMax = Double.isNaN(rssMax) ? s.serverRssMb() : Math.max(rssMax, s.serverRssMb());
      }
      if (!Double.isNaN(s.serverHeapMb())) {
        heapStart = Double.isNaN(heapStart) ? s.serverHeapMb() : heapStart;
        heapMax = Double.isNaN(heapMax) ? s.serverHeapMb() : Math.max(heapMax, s.serverHeapMb());
      }
    }
    // The heap that stays: the lowest reading of the last 15 s (three readings, see
    // ServerProbe.METRICS_EVERY; young collections run every few seconds under load, so the lowest
    // is close to the heap right after one), less the heap before anyone joined.
    double floor = Double.NaN;
    for (Report.Sample s : timeline.subList(Math.max(0, timeline.size() - 15), timeline.size())) {
      if (!Double.isNaN(s.serverHeapMb())) {
        floor = Double.isNaN(floor) ? s.serverHeapMb() : Math.min(floor, s.serverHeapMb());
      }
    }
    int n = Math.max(1, connected);
    return new Report.ServerUse(
        cpuN == 0 ? Double.NaN : cpuSum / cpuN,
        cpuMax,
        rssStart,
        rssMax,
        (rssMax - rssStart) / n,
        heapStart,
        heapMax,
        (heapMax - heapStart) / n,
        heapBeforeJoins,
        floor,
        (floor - heapBeforeJoins) / n);
  }

  private static Report.Percentiles percentiles(Histogram h, double divisor) {
    if (h.getTotalCount() == 0) {
      return new Report.Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    return new Report.Percentiles(
        h.getTotalCount(),
        h.getValueAtPercentile(50) / divisor,
        h.getValueAtPercentile(90) / divisor,
        h.getValueAtPercentile(99) / divisor,
        h.getMaxValue() / divisor);
  }

  private void destroyJanusRooms() {
    for (long room : janusRooms) {
      try {
        janus
            .request(
                janusAdminSession,
                janusAdminHandle,
                new JSONObject().put("request", "destroy").put("room", room))
            .get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // best effort
      }
    }
    try {
      janus
          .post("/" + janusAdminSession, new JSONObject().put("janus", "destroy"))
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // best effort
    }
  }

  static String machine() {
    String cpu = "";
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return String.format(
        Locale.ROOT,
        "%d cores%s, %d MiB max heap, %s %s, Java %s",
        Runtime.getRuntime().availableProcessors(),
        cpu.isEmpty() ? "" : " (" + cpu + ")",
        Runtime.getRuntime().maxMemory() / (1024 * 1024),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.version"));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t != t.getCause()) {
      t = t.getCause();
    }
    return t instanceof TimeoutException ? "timed out" : String.valueOf(t.getMessage());
  }

  private static String letters(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
    }
    return b.toString();
  }

  private static String roomLetters(int index) {
    char[] c = new char[3];
    for (int i = 2; i >= 0; i--) {
      c[i] = (char) ('a' + index % 26);
      index /= 26;
    }
    return new String(c);
  }

  @Override
  public void close() {
    for (Participant p : participants) {
      p.close();
    }
    if (sampler != null) {
      sampler.cancel(false);
    }
    timers.shutdownNow();
    if (janus != null) {
      janus.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtlsExecutor.shutdownNow();
  }

  URI server() {
    return settings.server();
  }
}
