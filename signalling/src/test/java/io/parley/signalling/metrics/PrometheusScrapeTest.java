package io.parley.signalling.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.sfu.Sfu;
import io.parley.sfu.api.Codec;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.client.SyntheticMedia;
import io.parley.sfu.client.WebRtcClient;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.rtcp.ReportBlock;
import io.parley.sfu.rtp.rtcp.Rtcp;
import io.parley.sfu.rtp.rtcp.RtcpCompound;
import io.parley.sfu.rtp.rtcp.RtcpReceiverReport;
import io.parley.sfu.rtp.rtcp.RtcpRemb;
import io.parley.sfu.rtp.rtcp.RtcpSenderReport;
import io.parley.sfu.rtp.rtcp.TransportCcFeedbackBuilder;
import io.parley.sfu.transport.DropReason;
import io.parley.signalling.EmbeddedSfuFactory;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.support.TestClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoublePredicate;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Parley (embedded SFU) and a real Prometheus scraping it every second on loopback: two people join
 * a room over Socket.IO, three synthetic WebRTC participants (real ICE, DTLS, SRTP) publish audio
 * and video to each other, acknowledge what they receive with transport-cc feedback and answer the
 * SFU's sender reports with receiver reports and REMB, and every series arrives in Prometheus with
 * a plausible value.
 */
class PrometheusScrapeTest {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final int AUDIO_PT = 111;
  private static final int VIDEO_PT = 96;
  private static final HeaderExtensionIds EXTENSIONS = new HeaderExtensionIds(1, 0, 0, 3, 2);
  private static final String MEDIA_ROOM = "media-room";

  /** The names ops-tests' ParleyMetrics holds the dashboard and alerts to. */
  private static final List<String> SERIES =
      List.of(
          "parley_rooms",
          "parley_participants",
          "parley_endpoints",
          "parley_rtp_packets_received_total",
          "parley_rtp_packets_sent_total",
          "parley_rtp_bytes_received_total",
          "parley_rtp_bytes_sent_total",
          "parley_forwarded_packets_total",
          "parley_dropped_packets_total",
          "parley_ice_checks_total",
          "parley_ice_failures_total",
          "parley_dtls_failures_total",
          "parley_nacks_received_total",
          "parley_nacks_sent_total",
          "parley_retransmission_misses_total",
          "parley_uplink_losses_total",
          "parley_retransmissions_total",
          "parley_keyframe_requests_received_total",
          "parley_keyframe_requests_sent_total",
          "parley_layer_switches_total",
          "parley_publish_layer_changes_total",
          "parley_event_loop_lag_seconds",
          "parley_subscriber_bandwidth_bps_bucket",
          "parley_rtt_seconds_bucket",
          "parley_publisher_rtt_seconds_bucket",
          "parley_jitter_seconds_bucket",
          "parley_loss_ratio_bucket",
          "parley_join_to_first_media_seconds_bucket",
          "parley_forwarding_delay_seconds_bucket");

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Main parley;
  private Process prometheus;
  private Path promDir;
  private EventLoopGroup clientGroup;
  private ExecutorService dtls;

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    if (prometheus != null) {
      ProcessHandle handle = prometheus.toHandle();
      handle.destroy();
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        handle.destroyForcibly();
        prometheus.waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (clientGroup != null) {
      clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (dtls != null) {
      dtls.shutdownNow();
    }
    if (parley != null) {
      parley.stop();
    }
    if (promDir != null) {
      try (var files = Files.walk(promDir)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void seriesArriveInPrometheusWithPlausibleValues() throws Exception {
    assumeTrue(
        Files.isExecutable(PROMETHEUS),
        "needs Debian's prometheus package (.ci/install installs it)");
    AtomicReference<Sfu> sfu = new AtomicReference<>();
    ParleyConfig config =
        ParleyConfig.fromEnvironment(
                Map.of(
                    "PARLEY_HTTP_HOST", "127.0.0.1",
                    "PARLEY_UDP_BIND", "127.0.0.1",
                    "PARLEY_ADVERTISED_ADDRESSES", "127.0.0.1"))
            .withPorts(0, 0)
            .withAdminPort(0);
    parley =
        Main.start(
            config,
            media -> {
              Sfu s = (Sfu) new EmbeddedSfuFactory().start(media);
              sfu.set(s);
              return s;
            });
    assertThat(parley.adminPort()).isPositive().isNotEqualTo(parley.httpPort());

    startPrometheus(parley.adminPort(), parley.httpPort());

    // Two people in a signalling room.
    for (String name : List.of("Ada", "Grace")) {
      TestClient c = new TestClient(parley.httpPort());
      toClose.add(c);
      JSONObject reply =
          c.request("join", new JSONObject().put("roomId", "abc-defg-hij").put("name", name));
      assertThat(reply.getBoolean("ok")).as(reply.toString()).isTrue();
    }

    // Three synthetic WebRTC participants in a media room, everyone receiving everyone.
    clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
    DtlsCertificate certificate = DtlsCertificate.generate();
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Peer p = new Peer(sfu.get(), "peer" + i, certificate);
      toClose.add(p);
      peers.add(p);
    }
    for (Peer p : peers) {
      p.publish();
    }
    for (Peer p : peers) {
      for (Peer o : peers) {
        if (o != p) {
          p.subscribeTo(o);
        }
      }
    }
    for (Peer p : peers) {
      p.startSending();
    }
    // A datagram that is no protocol of ours: dropped and counted.
    peers.get(0).client.sendRaw(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF, 1, 2, 3}));

    // Both HTTP ports are scraped.
    await("up{job=\"parley\"}", v -> v == 1);
    await("up{job=\"parley-http\"}", v -> v == 1);
    await("parley_rooms{job=\"parley\"}", v -> v == 1);
    await("parley_participants{job=\"parley\"}", v -> v == 2);
    await("parley_endpoints{job=\"parley\",state=\"connected\"}", v -> v == 3);
    await("parley_endpoints{job=\"parley\",state=\"connecting\"}", v -> v == 0);
    for (String kind : List.of("audio", "video")) {
      String sel = "{job=\"parley\",kind=\"" + kind + "\"}";
      await("parley_rtp_packets_received_total" + sel, v -> v > 10);
      await("parley_rtp_bytes_received_total" + sel, v -> v > 1000);
      await("parley_rtp_packets_sent_total" + sel, v -> v > 10);
      await("parley_rtp_bytes_sent_total" + sel, v -> v > 1000);
    }
    double forwarded = await("parley_forwarded_packets_total{job=\"parley\"}", v -> v > 0);
    await("parley_forwarded_packets_total{job=\"parley\"}", v -> v > forwarded);
    await(
        "count(parley_dropped_packets_total{job=\"parley\"})",
        v -> v == DropReason.values().length);
    await("parley_dropped_packets_total{job=\"parley\",reason=\"unknown_protocol\"}", v -> v >= 1);
    await("parley_ice_checks_total{job=\"parley\"}", v -> v >= 3);
    await("parley_ice_failures_total{job=\"parley\"}", v -> v == 0);
    await("parley_dtls_failures_total{job=\"parley\"}", v -> v == 0);
    await("parley_keyframe_requests_sent_total{job=\"parley\"}", v -> v >= 1);
    // RTT under load can be long (this machine is shared); the SFU ignores RTTs over 10 s.
    // From the subscribers' receiver reports (2% loss, 1 ms of video jitter) and REMB (1.5 Mbit/s).
    await("parley_rtt_seconds_count{job=\"parley\"}", v -> v > 0);
    await(
        "parley_rtt_seconds_sum{job=\"parley\"} / parley_rtt_seconds_count", v -> v > 0 && v < 10);
    await("parley_jitter_seconds_count{job=\"parley\"}", v -> v > 0);
    await("parley_loss_ratio_count{job=\"parley\"}", v -> v > 0);
    await(
        "parley_loss_ratio_sum{job=\"parley\"} / parley_loss_ratio_count",
        v -> Math.abs(v - 5 / 256.0) < 1e-6);
    await("parley_subscriber_bandwidth_bps_count{job=\"parley\",source=\"remb\"}", v -> v > 0);
    await(
        "histogram_quantile(0.5,"
            + " parley_subscriber_bandwidth_bps_bucket{job=\"parley\",source=\"remb\"})",
        v -> v >= 1e6 && v <= 1.5e6);
    // From their transport-cc feedback: each receives two peers' audio (~50 kbit/s each with
    // SRTP) and video (25 frames/s of 4-12 kB, ~1 Mbit/s each).
    await(
        "parley_subscriber_bandwidth_bps_count{job=\"parley\",source=\"transport_cc\"}",
        v -> v > 0);
    await(
        "parley_subscriber_bandwidth_bps_sum{job=\"parley\",source=\"transport_cc\"}"
            + " / parley_subscriber_bandwidth_bps_count",
        v -> v > 500e3 && v < 20e6);
    await("parley_join_to_first_media_seconds_count{job=\"parley\"}", v -> v >= 0);
    // Every forwarded packet's time inside the SFU; its median is above 0 and well below 2 s.
    await("parley_forwarding_delay_seconds_count{job=\"parley\"}", v -> v > 0);
    await(
        "histogram_quantile(0.5, parley_forwarding_delay_seconds_bucket{job=\"parley\"})",
        v -> v > 0 && v < 2);
    await("parley_event_loop_lag_seconds{job=\"parley\",loop=\"signalling\"}", v -> v < 5);
    await("parley_event_loop_lag_seconds{job=\"parley\",loop=\"media-0\"}", v -> v < 5);
    await("sum(jvm_memory_used_bytes{job=\"parley\",area=\"heap\"})", v -> v > 0);
    await("process_cpu_usage{job=\"parley\"}", v -> v >= 0);
    await("process_uptime_seconds{job=\"parley\"}", v -> v > 0);

    // Every name the dashboard and alerts use is there; no label names a room or a participant.
    Set<String> names = new TreeSet<>();
    Set<String> labels = new TreeSet<>();
    for (JsonNode r : query("{job=\"parley\",__name__=~\"parley_.*\"}")) {
      names.add(r.path("metric").path("__name__").asText());
      r.path("metric").fieldNames().forEachRemaining(labels::add);
    }
    assertThat(names).containsAll(SERIES);
    assertThat(labels)
        .containsOnly(
            "__name__",
            "instance",
            "job",
            "kind",
            "reason",
            "state",
            "loop",
            "le",
            "source",
            "change",
            "outcome");
  }

  // ---- Prometheus ----

  private void startPrometheus(int adminPort, int httpPort) throws Exception {
    promDir = Files.createTempDirectory("parley-prometheus");
    int port = freePort();
    Path configFile = promDir.resolve("prometheus.yml");
    Files.writeString(
        configFile,
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "scrape_configs:",
            "  - job_name: parley",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + adminPort + "']",
            "  - job_name: parley-http",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + httpPort + "']",
            ""));
    prometheus =
        new ProcessBuilder(
                PROMETHEUS.toString(),
                "--config.file=" + configFile,
                "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.path=" + promDir.resolve("data"),
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(promDir.resolve("prometheus.log").toFile())
            .start();
    promBase = "http://127.0.0.1:" + port;
    Instant deadline = Instant.now().plus(DEADLINE);
    while (true) {
      assertThat(prometheus.isAlive()).as("prometheus exited: %s", log()).isTrue();
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(promBase + "/-/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      assertThat(Instant.now()).as("prometheus not ready: %s", log()).isBefore(deadline);
      prometheus.waitFor(100, TimeUnit.MILLISECONDS);
    }
  }

  private String promBase;

  private String log() {
    try {
      return Files.readString(promDir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private JsonNode query(String promql) throws Exception {
    String url =
        promBase + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s: %s", promql, r.body()).isEqualTo(200);
    JsonNode body = json.readTree(r.body());
    return body.path("data").path("result");
  }

  /** Waits until the query has exactly one sample matching {@code ok}; returns its value. */
  private double await(String promql, DoublePredicate ok) throws Exception {
    Instant deadline = Instant.now().plus(DEADLINE);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      JsonNode result = query(promql);
      last = result.toString();
      if (result.size() == 1) {
        double v = Double.parseDouble(result.get(0).path("value").get(1).asText());
        if (ok.test(v)) {
          return v;
        }
      }
      prometheus.waitFor(200, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError(
        "no plausible value for " + promql + " within " + DEADLINE + ": " + last);
  }

  // ---- a synthetic participant: one WebRTC transport that publishes and receives ----

  private final class Peer implements AutoCloseable {
    final Sfu sfu;
    final String id;
    final WebRtcClient client;
    final long audioSsrc = ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
    final long videoSsrc = ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
    final SyntheticMedia audio = SyntheticMedia.audio(audioSsrc, AUDIO_PT);
    final SyntheticMedia video = SyntheticMedia.video(videoSsrc, VIDEO_PT);
    final RtcpCompound compound = new RtcpCompound();
    final RtpPacket received = new RtpPacket();
    final TransportCcFeedbackBuilder transportCc = new TransportCcFeedbackBuilder(audioSsrc);
    final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    int frames;

    Peer(Sfu sfu, String id, DtlsCertificate certificate) throws Exception {
      this.sfu = sfu;
      this.id = id;
      TransportInfo info = sfu.createEndpoint(MEDIA_ROOM, id).get(30, TimeUnit.SECONDS);
      client =
          WebRtcClient.start(
              clientGroup,
              "127.0.0.1",
              info,
              certificate,
              dtls,
              new WebRtcClient.MediaListener() {
                @Override
                public void rtp(ByteBuf packet) {
                  acknowledge(packet);
                }

                @Override
                public void rtcp(ByteBuf packet) {
                  answerSenderReports(packet);
                }
              });
      sfu.connectEndpoint(MEDIA_ROOM, id, client.remoteParams()).get(30, TimeUnit.SECONDS);
      client.awaitConnected(Duration.ofSeconds(60));
    }

    void publish() throws Exception {
      sfu.addProducer(
              MEDIA_ROOM, id, ProducerSpec.mic(id + "-audio", "0", AUDIO_PT, audioSsrc, EXTENSIONS))
          .get(30, TimeUnit.SECONDS);
      sfu.addProducer(
              MEDIA_ROOM,
              id,
              ProducerSpec.camera(id + "-video", "1", VIDEO_PT, videoSsrc, EXTENSIONS))
          .get(30, TimeUnit.SECONDS);
    }

    void subscribeTo(Peer other) throws Exception {
      sfu.addConsumer(
              MEDIA_ROOM,
              id,
              new ConsumerSpec(
                  id + "<-" + other.id + "-audio",
                  other.id + "-audio",
                  "a-" + other.id,
                  Codec.opus(AUDIO_PT),
                  EXTENSIONS))
          .get(30, TimeUnit.SECONDS);
      sfu.addConsumer(
              MEDIA_ROOM,
              id,
              new ConsumerSpec(
                  id + "<-" + other.id + "-video",
                  other.id + "-video",
                  "v-" + other.id,
                  Codec.vp8(VIDEO_PT),
                  EXTENSIONS))
          .get(30, TimeUnit.SECONDS);
    }

    /** Audio at 50 packets/s, video at 25 frames/s (a keyframe a second), sender reports. */
    void startSending() {
      var loop = client.channel().eventLoop();
      var alloc = PooledByteBufAllocator.DEFAULT;
      tasks.add(
          loop.scheduleAtFixedRate(
              () -> client.sendRtp(audio.audioPacket(alloc, 120, 2, 30, 3)),
              0,
              20,
              TimeUnit.MILLISECONDS));
      tasks.add(
          loop.scheduleAtFixedRate(
              () -> {
                boolean key = frames++ % 25 == 0;
                for (ByteBuf packet :
                    video.videoFrame(alloc, key ? 12000 : 4000, 1200, key, 3600, 3)) {
                  client.sendRtp(packet);
                }
              },
              0,
              40,
              TimeUnit.MILLISECONDS));
      tasks.add(
          loop.scheduleAtFixedRate(
              () -> {
                long ntp = ntpNow();
                ByteBuf sr = alloc.heapBuffer(256);
                RtcpSenderReport.write(sr, audioSsrc, ntp, 0, 0, 0);
                RtcpSenderReport.write(sr, videoSsrc, ntp, 0, 0, 0);
                client.sendRtcp(sr);
              },
              100,
              300,
              TimeUnit.MILLISECONDS));
      tasks.add(loop.scheduleAtFixedRate(this::sendTransportCc, 100, 100, TimeUnit.MILLISECONDS));
    }

    /** Like a browser: transport-cc feedback for what arrives, every 100 ms. */
    private void acknowledge(ByteBuf packet) {
      if (received.parse(packet)) {
        int seq = received.transportCcSequence(EXTENSIONS.transportCc());
        if (seq >= 0) {
          transportCc.onPacket(seq, System.nanoTime() / 1000);
        }
      }
    }

    private void sendTransportCc() {
      if (transportCc.pendingPackets() > 0) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(1500);
        transportCc.build(out, videoSsrc);
        client.sendRtcp(out);
      }
    }

    /** Like a browser: a receiver report (with LSR/DLSR for the RTT) and a REMB per SR. */
    private void answerSenderReports(ByteBuf packet) {
      compound.reset(packet);
      while (compound.next()) {
        int offset = compound.offset();
        if (compound.packetType() != Rtcp.PT_SR
            || !RtcpSenderReport.isValid(packet, offset, compound.contentLength())) {
          continue;
        }
        long ssrc = RtcpSenderReport.senderSsrc(packet, offset);
        long lsr = (RtcpSenderReport.ntpTimestamp(packet, offset) >>> 16) & 0xFFFFFFFFL;
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(256);
        RtcpReceiverReport.write(
            out, audioSsrc, new ReportBlock[] {new ReportBlock(ssrc, 5, 0, 0, 90, lsr, 0)});
        RtcpRemb.write(out, audioSsrc, 1_500_000, ssrc);
        client.sendRtcp(out);
      }
    }

    @Override
    public void close() throws Exception {
      tasks.forEach(t -> t.cancel(false));
      client.close();
      sfu.closeEndpoint(MEDIA_ROOM, id).get(30, TimeUnit.SECONDS);
    }
  }

  private static long ntpNow() {
    long millis = System.currentTimeMillis();
    long seconds = millis / 1000 + 2_208_988_800L;
    long fraction = (millis % 1000) * 0x100000000L / 1000;
    return (seconds << 32) | fraction;
  }
}
