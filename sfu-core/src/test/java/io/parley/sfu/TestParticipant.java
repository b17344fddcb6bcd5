package io.parley.sfu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.sfu.api.Codec;
import io.parley.sfu.api.ConsumerInfo;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.client.SyntheticMedia;
import io.parley.sfu.client.WebRtcClient;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.Vp8Descriptor;
import io.parley.sfu.rtp.rtcp.ReportBlock;
import io.parley.sfu.rtp.rtcp.Rtcp;
import io.parley.sfu.rtp.rtcp.RtcpCompound;
import io.parley.sfu.rtp.rtcp.RtcpNack;
import io.parley.sfu.rtp.rtcp.RtcpReceiverReport;
import io.parley.sfu.rtp.rtcp.RtcpSenderReport;
import io.parley.sfu.rtp.rtcp.RtcpXr;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A synthetic participant for sfu-core tests: one WebRtcClient transport that publishes Opus-shaped
 * audio and VP8-shaped video and receives the others' streams, recording what arrives.
 */
final class TestParticipant implements AutoCloseable {
  static final int AUDIO_PT = 111;
  static final int VIDEO_PT = 96;
  static final int PLAYOUT_DELAY_ID = 6;
  static final HeaderExtensionIds EXTENSIONS =
      new HeaderExtensionIds(1, 0, 0, 3, 2, PLAYOUT_DELAY_ID);

  /** What one received stream (one consumer SSRC) looked like. */
  static final class Received {
    final AtomicLong packets = new AtomicLong();
    final AtomicLong corrupt = new AtomicLong();
    final java.util.Set<Integer> sequenceNumbers =
        java.util.Collections.synchronizedSet(new java.util.HashSet<>());

    /** A consistent copy of the sequence numbers received so far. */
    java.util.Set<Integer> sequenceSnapshot() {
      synchronized (sequenceNumbers) {
        return new java.util.HashSet<>(sequenceNumbers);
      }
    }

    final AtomicLong duplicates = new AtomicLong();
    final java.util.Set<Integer> sourceSequenceNumbers = ConcurrentHashMap.newKeySet();
    volatile long sourceSsrc;

    /** Send-to-receive time of the latest packet: high while the JVM is still warming up. */
    volatile long latencyNanos = Long.MAX_VALUE;

    volatile boolean keyframe;

    /** The newest sequence number received (by arrival), for receiver reports. */
    volatile int highestSeq = -1;

    /** The playout-delay extension's value on the latest packet, or -1 if it had none. */
    volatile int playoutDelay = -1;

    final AtomicLong packetsWithPlayoutDelay = new AtomicLong();

    /** Packets in a row, up to the latest, without the playout-delay extension. */
    final AtomicLong packetsSincePlayoutDelay = new AtomicLong();
  }

  final String roomId;
  final String id;
  final Sfu sfu;
  final WebRtcClient client;
  final long audioSsrc = ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
  final long videoSsrc = ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
  final SyntheticMedia audio = SyntheticMedia.audio(audioSsrc, AUDIO_PT);
  final SyntheticMedia video = SyntheticMedia.video(videoSsrc, VIDEO_PT);
  final Map<Long, Received> received = new ConcurrentHashMap<>();
  final Map<Long, ConsumerInfo> consumers = new ConcurrentHashMap<>();
  final AtomicInteger plisReceived = new AtomicInteger();

  /** When each PLI arrived ({@link System#nanoTime}). */
  final List<Long> pliNanos = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** The level its audio packets carry: 0 (loud) .. 127 (silence). */
  volatile int audioLevel = 30;

  final AtomicInteger nacksReceived = new AtomicInteger();
  final AtomicInteger transportCcReceived = new AtomicInteger();
  final AtomicInteger senderReportsReceived = new AtomicInteger();
  final AtomicInteger receiverReportsReceived = new AtomicInteger();
  final List<Long> pliSsrcs = new CopyOnWriteArrayList<>();
  private final RtpPacket rtp = new RtpPacket();
  private final Vp8Descriptor vp8 = new Vp8Descriptor();
  private final RtcpCompound compound = new RtcpCompound();

  /** Sent video packets by sequence number, to answer the SFU's NACKs (client loop only). */
  private final ByteBuf[] history = new ByteBuf[1024];

  final AtomicInteger retransmitted = new AtomicInteger();

  /** Padding-only packets received, on any stream. */
  final AtomicLong paddingReceived = new AtomicLong();

  /**
   * Decides whether a NACKed video packet is resent (client loop; null: always), e.g. to lose a
   * resend on the way or to ignore a repeated request as a browser does.
   */
  volatile java.util.function.IntPredicate resendFilter;

  /** When the SFU asked for each video sequence number ({@link System#nanoTime}). */
  final Map<Integer, List<Long>> nackNanos = new ConcurrentHashMap<>();

  /**
   * When not negative, the SFU's reference time (RRTR, to a publisher) is answered with a DLRR this
   * many milliseconds later that claims no delay, and so is each sender report (about a stream this
   * participant receives) with a receiver report: the SFU then measures a round trip that long each
   * way, as on a long path.
   */
  volatile int reportHoldMillis = -1;

  /** Whether {@link #startSending} sends a sender report about its video once a second. */
  volatile boolean sendSenderReports;

  /** The fraction lost (of 256) this participant's receiver reports give. */
  volatile int reportedFractionLost;

  private ScheduledFuture<?> audioTask;
  private ScheduledFuture<?> videoTask;
  private volatile boolean forceKeyframe = true;
  private int frames;

  private TestParticipant(
      Sfu sfu,
      String roomId,
      String id,
      TransportInfo info,
      EventLoopGroup group,
      DtlsCertificate certificate,
      Executor dtls,
      String protocol) {
    this.sfu = sfu;
    this.roomId = roomId;
    this.id = id;
    this.client =
        WebRtcClient.start(
            group,
            "127.0.0.1",
            info,
            certificate,
            dtls,
            new WebRtcClient.MediaListener() {
              @Override
              public void rtp(ByteBuf packet) {
                onRtp(packet);
              }

              @Override
              public void rtcp(ByteBuf packet) {
                onRtcp(packet);
              }
            },
            protocol);
  }

  static TestParticipant join(
      Sfu sfu,
      String roomId,
      String id,
      EventLoopGroup group,
      DtlsCertificate certificate,
      Executor dtls)
      throws Exception {
    return join(sfu, roomId, id, group, certificate, dtls, "udp");
  }

  /** Joins over the server's first candidate of {@code protocol}: {@code udp} or {@code tcp}. */
  static TestParticipant join(
      Sfu sfu,
      String roomId,
      String id,
      EventLoopGroup group,
      DtlsCertificate certificate,
      Executor dtls,
      String protocol)
      throws Exception {
    TransportInfo info = sfu.createEndpoint(roomId, id).get(5, TimeUnit.SECONDS);
    TestParticipant participant =
        new TestParticipant(sfu, roomId, id, info, group, certificate, dtls, protocol);
    sfu.connectEndpoint(roomId, id, participant.client.remoteParams()).get(5, TimeUnit.SECONDS);
    participant.client.awaitConnected(Duration.ofSeconds(15));
    return participant;
  }

  String audioProducerId() {
    return id + "-audio";
  }

  String videoProducerId() {
    return id + "-video";
  }

  void publish() throws Exception {
    sfu.addProducer(
            roomId, id, ProducerSpec.mic(audioProducerId(), "0", AUDIO_PT, audioSsrc, EXTENSIONS))
        .get(5, TimeUnit.SECONDS);
    sfu.addProducer(
            roomId,
            id,
            ProducerSpec.camera(videoProducerId(), "1", VIDEO_PT, videoSsrc, EXTENSIONS))
        .get(5, TimeUnit.SECONDS);
  }

  void subscribeTo(TestParticipant other) throws Exception {
    ConsumerInfo a =
        sfu.addConsumer(
                roomId,
                id,
                new ConsumerSpec(
                    id + "<-" + other.audioProducerId(),
                    other.audioProducerId(),
                    "a-" + other.id,
                    Codec.opus(AUDIO_PT),
                    EXTENSIONS))
            .get(5, TimeUnit.SECONDS);
    ConsumerInfo v =
        sfu.addConsumer(
                roomId,
                id,
                new ConsumerSpec(
                    id + "<-" + other.videoProducerId(),
                    other.videoProducerId(),
                    "v-" + other.id,
                    Codec.vp8(VIDEO_PT),
                    EXTENSIONS))
            .get(5, TimeUnit.SECONDS);
    consumers.put(a.ssrc(), a);
    consumers.put(v.ssrc(), v);
  }

  /** Audio at 50 packets/s; video at 25 frames/s, ~1 Mbit/s, a keyframe every 2 s. */
  void startSending() {
    var loop = client.channel().eventLoop();
    audioTask =
        loop.scheduleAtFixedRate(
            () ->
                client.sendRtp(
                    audio.audioPacket(PooledByteBufAllocator.DEFAULT, 120, 2, audioLevel, 3)),
            0,
            20,
            TimeUnit.MILLISECONDS);
    videoTask =
        loop.scheduleAtFixedRate(
            () -> {
              boolean key = forceKeyframe || frames % 50 == 0;
              forceKeyframe = false;
              frames++;
              if (sendSenderReports && frames % 25 == 1) {
                // As a browser does about once a second: what the SFU translates into its own
                // sender reports to subscribers.
                ByteBuf sr = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
                long ms = System.currentTimeMillis();
                long ntp = ((ms / 1000 + 2_208_988_800L) << 32) | ((ms % 1000) << 32) / 1000;
                RtcpSenderReport.write(sr, videoSsrc, ntp, frames * 3600L, frames * 5L, 0);
                client.sendRtcp(sr);
              }
              for (ByteBuf packet :
                  video.videoFrame(
                      PooledByteBufAllocator.DEFAULT, key ? 15000 : 5000, 1200, key, 3600, 3)) {
                int seq = packet.getUnsignedShort(packet.readerIndex() + 2);
                ByteBuf old = history[seq & 1023];
                if (old != null) {
                  old.release();
                }
                history[seq & 1023] = packet.copy();
                client.sendRtp(packet);
              }
            },
            0,
            40,
            TimeUnit.MILLISECONDS);
  }

  void stopSending() {
    if (audioTask != null) {
      audioTask.cancel(false);
      videoTask.cancel(false);
      // A send may be running on the loop right now (cancel does not wait for it): once the loop
      // has run this, none is, and the test may use the media generators itself.
      var loop = client.channel().eventLoop();
      if (!loop.inEventLoop() && !loop.isShuttingDown()) {
        loop.submit(() -> {}).awaitUninterruptibly(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  /** Sees every RTP packet received, decrypted, before this class reads it (client loop). */
  volatile java.util.function.Consumer<ByteBuf> rtpTap;

  private void onRtp(ByteBuf packet) {
    var tap = rtpTap;
    if (tap != null) {
      tap.accept(packet);
    }
    if (!rtp.parse(packet)) {
      return;
    }
    if (rtp.payloadLength() == 0) {
      paddingReceived.incrementAndGet();
      return; // padding only: the SFU probing this participant's downlink
    }
    Received r = received.computeIfAbsent(rtp.ssrc(), k -> new Received());
    r.packets.incrementAndGet();
    if (r.highestSeq < 0 || ((rtp.sequenceNumber() - r.highestSeq) & 0xFFFF) < 0x8000) {
      r.highestSeq = rtp.sequenceNumber();
    }
    int delayAt = rtp.extensionOffset(PLAYOUT_DELAY_ID);
    r.playoutDelay = delayAt < 0 ? -1 : packet.getUnsignedMedium(delayAt);
    if (delayAt >= 0) {
      r.packetsWithPlayoutDelay.incrementAndGet();
      r.packetsSincePlayoutDelay.set(0);
    } else {
      r.packetsSincePlayoutDelay.incrementAndGet();
    }
    if (!r.sequenceNumbers.add(rtp.sequenceNumber())) {
      r.duplicates.incrementAndGet();
    }
    int stamp = rtp.payloadOffset();
    int length = rtp.payloadLength();
    if (rtp.payloadType() == VIDEO_PT) {
      if (!vp8.parse(packet, rtp.payloadOffset(), rtp.payloadLength())) {
        r.corrupt.incrementAndGet();
        return;
      }
      if (vp8.isKeyframe()) {
        r.keyframe = true;
      }
      stamp = SyntheticMedia.videoStampOffset(rtp.payloadOffset());
      length = rtp.payloadLength() - (stamp - rtp.payloadOffset());
    }
    if (!SyntheticMedia.verify(packet, stamp, length)) {
      r.corrupt.incrementAndGet();
    } else {
      r.sourceSsrc = SyntheticMedia.sourceSsrc(packet, stamp);
      r.latencyNanos = System.nanoTime() - SyntheticMedia.sentNanos(packet, stamp);
      r.sourceSequenceNumbers.add(SyntheticMedia.sourceSequence(packet, stamp));
    }
  }

  private void onRtcp(ByteBuf packet) {
    compound.reset(packet);
    while (compound.next()) {
      int type = compound.packetType();
      int fmt = compound.fmt();
      if (type == Rtcp.PT_PSFB && fmt == Rtcp.FMT_PLI) {
        pliNanos.add(System.nanoTime());
        plisReceived.incrementAndGet();
        pliSsrcs.add(Rtcp.mediaSsrc(packet, compound.offset()));
        forceKeyframe = true;
      } else if (type == Rtcp.PT_RTPFB && fmt == Rtcp.FMT_NACK) {
        nacksReceived.incrementAndGet();
        if (RtcpNack.isValid(packet, compound.offset(), compound.contentLength())
            && RtcpNack.mediaSsrc(packet, compound.offset()) == videoSsrc) {
          RtcpNack.forEachLost(packet, compound.offset(), compound.contentLength(), this::resend);
        }
      } else if (type == Rtcp.PT_RTPFB && fmt == Rtcp.FMT_TRANSPORT_CC) {
        transportCcReceived.incrementAndGet();
      } else if (type == Rtcp.PT_SR) {
        senderReportsReceived.incrementAndGet();
        answerSenderReport(packet, compound.offset());
      } else if (type == Rtcp.PT_XR) {
        answerReferenceTime(packet, compound.offset(), compound.contentLength());
      } else if (type == Rtcp.PT_RR) {
        receiverReportsReceived.incrementAndGet();
      }
    }
  }

  private void answerSenderReport(ByteBuf packet, int offset) {
    int hold = reportHoldMillis;
    long ssrc = packet.getUnsignedInt(offset + 4);
    Received r = received.get(ssrc);
    if (hold < 0 || r == null) {
      return;
    }
    long ntpMiddle = (packet.getLong(offset + 8) >>> 16) & 0xFFFFFFFFL;
    client
        .channel()
        .eventLoop()
        .schedule(
            () -> {
              ByteBuf rr = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
              RtcpReceiverReport.write(
                  rr,
                  videoSsrc,
                  new ReportBlock(ssrc, reportedFractionLost, 0, r.highestSeq, 0, ntpMiddle, 0));
              client.sendRtcp(rr);
            },
            hold,
            TimeUnit.MILLISECONDS);
  }

  private void answerReferenceTime(ByteBuf packet, int offset, int length) {
    int hold = reportHoldMillis;
    // One RRTR block right after the XR's header and sender SSRC: BT 4, length 2, NTP time.
    if (hold < 0 || length < 20 || packet.getUnsignedByte(offset + 8) != 4) {
      return;
    }
    long sfuSsrc = packet.getUnsignedInt(offset + 4);
    long ntpMiddle = (packet.getLong(offset + 12) >>> 16) & 0xFFFFFFFFL;
    client
        .channel()
        .eventLoop()
        .schedule(
            () -> {
              ByteBuf xr = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
              RtcpXr.writeDlrr(xr, videoSsrc, sfuSsrc, ntpMiddle, 0);
              client.sendRtcp(xr);
            },
            hold,
            TimeUnit.MILLISECONDS);
  }

  private void resend(int seq) {
    nackNanos.computeIfAbsent(seq, k -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
    var filter = resendFilter;
    if (filter != null && !filter.test(seq)) {
      return;
    }
    ByteBuf packet = history[seq & 1023];
    if (packet != null && packet.getUnsignedShort(packet.readerIndex() + 2) == seq) {
      retransmitted.incrementAndGet();
      client.sendRtp(packet.copy());
    }
  }

  /**
   * Loses its next {@code count} video packets on the way to the SFU, and returns their sequence
   * numbers once they are lost.
   */
  java.util.Set<Integer> loseNextVideoPackets(int count, Duration deadline) {
    AtomicInteger lost = new AtomicInteger();
    java.util.Set<Integer> seqs = ConcurrentHashMap.newKeySet();
    client.setSendFilter(
        packet -> {
          boolean isVideo = (packet.getByte(packet.readerIndex() + 1) & 0x7F) == VIDEO_PT;
          if (isVideo && lost.get() < count) {
            seqs.add(packet.getUnsignedShort(packet.readerIndex() + 2));
            lost.incrementAndGet();
            return false;
          }
          return true;
        });
    Await.until(deadline, () -> lost.get() >= count, count + " packets lost on the uplink");
    client.setSendFilter(null);
    return seqs;
  }

  /** The stream received from {@code other}'s producer of a kind, by the consumer SSRC. */
  Received streamFrom(TestParticipant other, MediaKind kind) {
    for (ConsumerInfo info : consumers.values()) {
      String producer = kind == MediaKind.AUDIO ? other.audioProducerId() : other.videoProducerId();
      if (info.trackId().equals(producer)) {
        return received.get(info.ssrc());
      }
    }
    return null;
  }

  long consumerSsrc(TestParticipant other, MediaKind kind) {
    for (ConsumerInfo info : consumers.values()) {
      String producer = kind == MediaKind.AUDIO ? other.audioProducerId() : other.videoProducerId();
      if (info.trackId().equals(producer)) {
        return info.ssrc();
      }
    }
    throw new IllegalStateException("no consumer of " + other.id);
  }

  @Override
  public void close() {
    stopSending();
    client.close();
    client
        .channel()
        .eventLoop()
        .submit(
            () -> {
              for (int i = 0; i < history.length; i++) {
                if (history[i] != null) {
                  history[i].release();
                  history[i] = null;
                }
              }
            })
        .syncUninterruptibly();
  }
}
