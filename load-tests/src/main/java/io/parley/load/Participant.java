package io.parley.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.rtcp.Rtcp;
import io.parley.sfu.rtp.rtcp.RtcpCompound;
import io.parley.sfu.rtp.rtcp.RtcpSenderReport;
import io.parley.sfu.rtp.rtcp.RtcpXr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A synthetic participant: the signalling is the subclass's (Parley's Socket.IO or Janus's HTTP
 * API); the media is this class's. A publisher has one transport on which it sends audio and video
 * (three layers with simulcast) and answers keyframe requests; every participant has one transport
 * on which it receives the others' streams and measures them.
 */
abstract class Participant implements AutoCloseable {
  /** What every participant of a run shares. */
  record Context(
      EventLoopGroup group,
      String bindAddress,
      DtlsCertificate certificate,
      Executor dtlsExecutor,
      MediaSettings media,
      Impairment impairment,
      RunStats stats,
      SourceRegistry sources) {}

  final Context ctx;
  final String name;
  final boolean publishes;
  volatile long joinNanos;
  volatile boolean publishConnected;
  volatile boolean subscribeConnected;
  volatile boolean failed;

  private final List<SyntheticStream> audio = new ArrayList<>();
  private final List<SyntheticStream> video = new ArrayList<>();
  private final RtpPacket rtp = new RtpPacket();
  private final RtcpCompound rtcp = new RtcpCompound();
  private final Map<Long, StreamStats> received = new HashMap<>();
  protected volatile PeerTransport publishTransport;
  protected volatile PeerTransport subscribeTransport;
  private ScheduledFuture<?> audioTask;
  private ScheduledFuture<?> videoTask;
  private ScheduledFuture<?> reportTask;
  private ScheduledFuture<?> feedbackTask;
  private final ReceiverFeedback feedback = new ReceiverFeedback();

  /** The transport-cc header extension id of the streams this participant receives, or 0. */
  protected volatile int receiveTransportCcId;

  /**
   * Notes the transport-cc extension of a server's subscribe offer: the answer accepts it, and a
   * browser that accepted it sends transport-cc feedback for what it receives, so this one does too
   * (to Parley and to Janus alike).
   */
  protected void acceptTransportCc(io.parley.signalling.sdp.SessionDescription offer) {
    int id = Sdp.transportCcId(offer);
    if (id != 0) {
      receiveTransportCcId = id;
    }
  }

  private volatile boolean keyframeRequested = true;
  private long lastKeyframeNanos;
  private int transportSeq;
  private boolean closed;

  Participant(Context ctx, String name, boolean publishes) {
    this.ctx = ctx;
    this.name = name;
    this.publishes = publishes;
  }

  /** Joins, publishes if it is a publisher, subscribes to the others; completes when joined. */
  abstract CompletableFuture<Void> start();

  /** Leaves the room and frees everything. */
  abstract void stopSignalling();

  /** Opens the publish transport and makes up the tracks it will send. */
  protected List<Sdp.Track> preparePublish() {
    publishTransport = newTransport(new PublisherRtcp());
    List<Sdp.Track> tracks = new ArrayList<>();
    int mid = 0;
    if (ctx.media().audio()) {
      long ssrc = newSsrc();
      String m = String.valueOf(mid++);
      audio.add(new SyntheticStream(ssrc, false, m, null));
      ctx.sources().register(ssrc, new SourceRegistry.Source(name, false, 0, joinNanos));
      tracks.add(new Sdp.Track(m, false, List.of(ssrc)));
    }
    if (ctx.media().video()) {
      String m = String.valueOf(mid);
      List<Long> ssrcs = new ArrayList<>();
      for (int layer = 0; layer < ctx.media().layers(); layer++) {
        long ssrc = newSsrc();
        ssrcs.add(ssrc);
        String rid = ctx.media().simulcast() ? MediaSettings.RIDS[layer] : null;
        video.add(new SyntheticStream(ssrc, true, m, rid));
        ctx.sources().register(ssrc, new SourceRegistry.Source(name, true, layer, joinNanos));
      }
      tracks.add(new Sdp.Track(m, true, ssrcs));
    }
    return tracks;
  }

  protected PeerTransport newTransport(PeerTransport.Listener listener) {
    return PeerTransport.open(
        ctx.group(),
        ctx.bindAddress(),
        ctx.certificate(),
        ctx.dtlsExecutor(),
        listener,
        ctx.impairment(),
        ctx.stats().counters);
  }

  protected PeerTransport newSubscribeTransport() {
    PeerTransport t = newTransport(new SubscriberMedia());
    feedbackTask =
        t.channel()
            .eventLoop()
            .scheduleAtFixedRate(
                () -> {
                  ByteBuf out = feedback.tick(System.nanoTime(), received.values());
                  if (out != null) {
                    t.sendRtcp(out);
                  }
                },
                100,
                100,
                TimeUnit.MILLISECONDS);
    return t;
  }

  /** Starts sending once the publish transport is up. */
  protected void startSending() {
    publishConnected = true;
    var loop = publishTransport.channel().eventLoop();
    if (!audio.isEmpty()) {
      // Start at a random phase so the participants' packets do not all leave at once.
      audioTask =
          loop.scheduleAtFixedRate(
              this::sendAudio, ThreadLocalRandom.current().nextInt(20), 20, TimeUnit.MILLISECONDS);
    }
    if (!video.isEmpty()) {
      long interval = 1_000_000 / ctx.media().fps();
      videoTask =
          loop.scheduleAtFixedRate(
              this::sendVideo,
              ThreadLocalRandom.current().nextLong(interval),
              interval,
              TimeUnit.MICROSECONDS);
    }
    // Sender reports, as browsers send them: the server relays them to subscribers (lip sync),
    // who answer with receiver reports from which the server computes round-trip times.
    reportTask =
        loop.scheduleAtFixedRate(
            this::sendSenderReports,
            ThreadLocalRandom.current().nextInt(1000),
            1000,
            TimeUnit.MILLISECONDS);
  }

  /** The sender SSRC of its RTCP answers that belong to no stream of its own. */
  private final long rtcpSsrc = newSsrc();

  private void sendSenderReports() {
    List<SyntheticStream> streams = new ArrayList<>(audio);
    streams.addAll(video);
    if (streams.isEmpty()) {
      return;
    }
    long ntp = ntpNow();
    ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64 * streams.size());
    for (SyntheticStream s : streams) {
      RtcpSenderReport.write(out, s.ssrc(), ntp, s.timestamp(), s.packets(), s.octets());
    }
    publishTransport.sendRtcp(out);
  }

  private static long ntpNow() {
    long millis = System.currentTimeMillis();
    long seconds = millis / 1000 + 2_208_988_800L;
    long fraction = (millis % 1000) * 0x100000000L / 1000;
    return (seconds << 32) | fraction;
  }

  private void sendAudio() {
    for (SyntheticStream s : audio) {
      // A talker: level varies 20..50 dBov below full scale.
      int level = 20 + ThreadLocalRandom.current().nextInt(30);
      publishTransport.sendRtp(
          s.audioPacket(PooledByteBufAllocator.DEFAULT, 80, level, nextTransportSeq(1)));
    }
  }

  private void sendVideo() {
    long now = System.nanoTime();
    boolean key =
        keyframeRequested
            || now - lastKeyframeNanos
                >= TimeUnit.MILLISECONDS.toNanos(ctx.media().keyframeIntervalMillis());
    if (key) {
      keyframeRequested = false;
      lastKeyframeNanos = now;
    }
    MediaSettings m = ctx.media();
    int fps = m.fps();
    for (int layer = 0; layer < video.size(); layer++) {
      int frameBytes = Math.max(200, m.layerBitrate(layer) / 8 / fps);
      if (key) {
        frameBytes *= 3;
      }
      int packets = SyntheticStream.packetsFor(frameBytes, 1200);
      for (ByteBuf p :
          video
              .get(layer)
              .videoFrame(
                  PooledByteBufAllocator.DEFAULT,
                  frameBytes,
                  1200,
                  key,
                  90000 / fps,
                  nextTransportSeq(packets))) {
        publishTransport.sendRtp(p);
      }
    }
  }

  private int nextTransportSeq(int count) {
    int first = transportSeq;
    transportSeq = (transportSeq + count) & 0xFFFF;
    return first;
  }

  private static long newSsrc() {
    return ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
  }

  /**
   * RTCP the server sends a publisher: keyframe requests matter, and its reference time (RTCP XR
   * RRTR) is echoed at once in a DLRR block, as a browser does, so the server knows the round trip;
   * the rest is ignored.
   */
  private final class PublisherRtcp implements PeerTransport.Listener {
    @Override
    public void rtp(ByteBuf packet, long arrivalNanos) {}

    @Override
    public void rtcp(ByteBuf packet) {
      rtcp.reset(packet);
      while (rtcp.next()) {
        if (rtcp.packetType() == Rtcp.PT_PSFB
            && (rtcp.fmt() == Rtcp.FMT_PLI || rtcp.fmt() == Rtcp.FMT_FIR)) {
          keyframeRequested = true;
        } else if (rtcp.packetType() == Rtcp.PT_XR
            && rtcp.contentLength() >= 20
            && packet.getUnsignedByte(rtcp.offset() + 8) == 4) {
          long serverSsrc = packet.getUnsignedInt(rtcp.offset() + 4);
          long ntpMiddle = (packet.getLong(rtcp.offset() + 12) >>> 16) & 0xFFFFFFFFL;
          ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(32);
          RtcpXr.writeDlrr(out, rtcpSsrc, serverSsrc, ntpMiddle, 0);
          publishTransport.sendRtcp(out);
        }
      }
    }
  }

  /** Media the server sends a subscriber: measured per SSRC. */
  private final class SubscriberMedia implements PeerTransport.Listener {
    @Override
    public void rtp(ByteBuf packet, long arrivalNanos) {
      if (!rtp.parse(packet)) {
        ctx.stats().corrupt.increment();
        return;
      }
      StreamStats s = received.get(rtp.ssrc());
      if (s == null) {
        s = new StreamStats(name, rtp.ssrc(), joinNanos, ctx.stats());
        received.put(rtp.ssrc(), s);
        ctx.stats().streams.add(s);
      }
      s.onPacket(rtp, arrivalNanos, ctx.sources());
      feedback.onRtp(rtp, arrivalNanos, receiveTransportCcId);
    }

    @Override
    public void rtcp(ByteBuf packet) {
      feedback.onRtcp(packet, System.nanoTime());
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (audioTask != null) {
      audioTask.cancel(false);
    }
    if (videoTask != null) {
      videoTask.cancel(false);
    }
    if (reportTask != null) {
      reportTask.cancel(false);
    }
    if (feedbackTask != null) {
      feedbackTask.cancel(false);
    }
    try {
      stopSignalling();
    } catch (RuntimeException e) {
      // leaving is best effort
    }
    if (publishTransport != null) {
      publishTransport.close();
    }
    if (subscribeTransport != null) {
      subscribeTransport.close();
    }
  }
}
