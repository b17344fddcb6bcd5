package io.parley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.parley.sfu.Sfu;
import io.parley.sfu.SfuConfig;
import io.parley.sfu.api.Codec;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.Encoding;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.client.SyntheticMedia;
import io.parley.sfu.client.WebRtcClient;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.rtp.RtpPacket;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The whole server on loopback: a real Sfu, one publisher and N subscribers speaking real WebRTC
 * (ICE, DTLS, SRTP) over UDP. The publisher sends 1200-byte VP8 packets at increasing rates; each
 * step prints forwarded packets per second, the CPU time of the server's own I/O threads (sfu-io-*,
 * via ThreadMXBean: the clients share the machine but not these threads), forwarded packets per
 * server CPU-second, loss, and the publisher-to-subscriber latency from the payload stamps (it
 * includes both clients' SRTP and two trips through the kernel, so it bounds the time inside the
 * SFU from above).
 *
 * <p>Arguments, all optional: {@code subscribers=10 seconds=3 rates=500,1000,2000,5000,10000}.
 */
public final class LoopbackThroughput {
  private static final int PT = 96;
  private static final HeaderExtensionIds EXTENSIONS = new HeaderExtensionIds(1, 0, 0, 3, 2);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private LoopbackThroughput() {}

  public static void main(String[] args) throws Exception {
    java.util.Map<String, String> opts = new java.util.HashMap<>();
    for (String arg : args) {
      opts.put(arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    int subscribers = Integer.parseInt(opts.getOrDefault("subscribers", "10"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "3"));
    String[] rates = opts.getOrDefault("rates", "500,1000,2000,5000,10000").split(",");

    Sfu sfu = Sfu.start(SfuConfig.loopback());
    EventLoopGroup clients = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ExecutorService dtls = Executors.newCachedThreadPool();
    DtlsCertificate certificate = DtlsCertificate.generate();
    Recorder latency = new Recorder(3);
    AtomicLong received = new AtomicLong();
    List<WebRtcClient> all = new ArrayList<>();
    try {
      WebRtcClient publisher = join(sfu, "p", clients, certificate, dtls, null, null);
      all.add(publisher);
      long ssrc = 0x2345_6789L;
      sfu.addProducer(
              "bench",
              "p",
              new ProducerSpec(
                  "video",
                  MediaKind.VIDEO,
                  "1",
                  "camera",
                  Codec.vp8(PT),
                  List.of(new Encoding(null, ssrc)),
                  EXTENSIONS))
          .get(30, TimeUnit.SECONDS);
      for (int i = 0; i < subscribers; i++) {
        String id = "s" + i;
        all.add(join(sfu, id, clients, certificate, dtls, latency, received));
        sfu.addConsumer(
                "bench", id, new ConsumerSpec("c" + i, "video", "v", Codec.vp8(PT), EXTENSIONS))
            .get(30, TimeUnit.SECONDS);
      }
      SyntheticMedia media = SyntheticMedia.video(ssrc, PT);
      System.out.printf(
          Locale.ROOT,
          "Loopback: 1 publisher, %d subscribers, 1200-byte VP8, %s transport, %d s per step%n",
          subscribers,
          sfu.isNativeTransport() ? "epoll" : "nio",
          seconds);
      String row = "%9s %11s %10s %9s %14s %7s %9s %9s%n";
      System.out.printf(
          Locale.ROOT,
          row,
          "in pkt/s",
          "fwd pkt/s",
          "server CPU",
          "CPU/s",
          "fwd/CPU-second",
          "loss",
          "p50 us",
          "p99 us");
      // A warm-up step so the JIT has compiled the path before the first figure.
      step(sfu, publisher, media, 1000, 2, received, latency, subscribers);
      for (String rate : rates) {
        double[] r =
            step(
                sfu,
                publisher,
                media,
                Integer.parseInt(rate),
                seconds,
                received,
                latency,
                subscribers);
        System.out.printf(
            Locale.ROOT,
            "%9s %11.0f %9.2fs %9.2f %14.0f %6.2f%% %9.0f %9.0f%n",
            rate,
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6]);
      }
    } finally {
      for (WebRtcClient c : all) {
        c.close();
      }
      sfu.close();
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      dtls.shutdownNow();
    }
  }

  /** Sends at {@code rate} packets/s for {@code seconds}; returns the step's figures. */
  private static double[] step(
      Sfu sfu,
      WebRtcClient publisher,
      SyntheticMedia media,
      int rate,
      int seconds,
      AtomicLong received,
      Recorder latency,
      int subscribers)
      throws Exception {
    latency.reset();
    long forwardedBefore = sfu.stats().rtpOut.sum();
    long receivedBefore = received.get();
    long cpuBefore = serverCpuNanos();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    long sent = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      long due = (now - start) * rate / 1_000_000_000L;
      while (sent < due) {
        ByteBuf[] frame =
            media.videoFrame(PooledByteBufAllocator.DEFAULT, 1174, 1180, true, 3000, 3);
        publisher.sendRtp(frame[0]);
        sent++;
      }
      Thread.sleep(0, 200_000);
    }
    Thread.sleep(200); // let the last packets arrive
    double wall = (System.nanoTime() - start) / 1e9;
    double cpu = (serverCpuNanos() - cpuBefore) / 1e9;
    long forwarded = sfu.stats().rtpOut.sum() - forwardedBefore;
    long got = received.get() - receivedBefore;
    Histogram h = latency.getIntervalHistogram();
    double loss = sent == 0 ? 0 : 100.0 * (sent * subscribers - got) / (sent * subscribers);
    return new double[] {
      forwarded / wall,
      cpu,
      cpu / wall,
      cpu == 0 ? 0 : forwarded / cpu,
      loss,
      h.getValueAtPercentile(50) / 1000.0,
      h.getValueAtPercentile(99) / 1000.0
    };
  }

  private static WebRtcClient join(
      Sfu sfu,
      String id,
      EventLoopGroup group,
      DtlsCertificate certificate,
      ExecutorService dtls,
      Recorder latency,
      AtomicLong received)
      throws Exception {
    TransportInfo info = sfu.createEndpoint("bench", id).get(30, TimeUnit.SECONDS);
    RtpPacket rtp = new RtpPacket();
    WebRtcClient client =
        WebRtcClient.start(
            group,
            "127.0.0.1",
            info,
            certificate,
            dtls,
            new WebRtcClient.MediaListener() {
              @Override
              public void rtp(ByteBuf packet) {
                if (latency == null || !rtp.parse(packet)) {
                  return;
                }
                long sentNanos =
                    SyntheticMedia.sentNanos(
                        packet, SyntheticMedia.videoStampOffset(rtp.payloadOffset()));
                latency.recordValue(Math.max(0, (System.nanoTime() - sentNanos)));
                received.incrementAndGet();
              }
            });
    sfu.connectEndpoint("bench", id, client.remoteParams()).get(30, TimeUnit.SECONDS);
    client.awaitConnected(Duration.ofSeconds(60));
    return client;
  }

  /** CPU time of the server's I/O threads (the rooms run on them too). */
  private static long serverCpuNanos() {
    long sum = 0;
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("sfu-io")) {
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu > 0) {
          sum += cpu;
        }
      }
    }
    return sum;
  }
}
