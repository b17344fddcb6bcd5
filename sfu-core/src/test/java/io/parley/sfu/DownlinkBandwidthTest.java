package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
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
import io.parley.sfu.rtp.PacketKind;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.rtcp.Rtcp;
import io.parley.sfu.rtp.rtcp.RtcpCompound;
import io.parley.sfu.rtp.rtcp.TransportCcFeedbackBuilder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber behind a narrow downlink, over real UDP on loopback. The publisher sends three
 * simulcast layers (about 0.15, 0.5 and 1.5 Mbit/s). The subscriber's end models a bottleneck link
 * in front of it: a packet leaves the link's queue when the link has sent everything before it at
 * the link's rate, and a packet that would wait over 300 ms is dropped (a full queue); its
 * transport-cc feedback reports the packets as the link delivers them, as a browser's would. With
 * room for everything it gets the top layer; when the link narrows to 0.7 Mbit/s the SFU finds out
 * from the feedback and sends a layer that fits, and the link stops dropping; when the link widens
 * again, padding probes find the room and the top layer comes back.
 */
class DownlinkBandwidthTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final HeaderExtensionIds EXT = new HeaderExtensionIds(1, 4, 5, 3, 2);
  private static final int TRANSPORT_CC_ID = 3;
  private static final String[] RIDS = {"q", "h", "f"};
  private static final int[] FRAME_BYTES = {750, 2_500, 7_500}; // at 25 frames/s

  /** The modelled link in front of the subscriber; its fields belong to the subscriber's loop. */
  static final class Link {
    volatile long bitsPerSecond;
    volatile int lossPercent; // dropped at random whatever the queue (a radio link)
    final java.util.Random random = new java.util.Random(17);
    long freeAtNanos;
    long delivered;
    long dropped;
    final ArrayDeque<long[]> inFlight = new ArrayDeque<>(); // {transport seq, arrival nanos}

    Link(long bitsPerSecond) {
      this.bitsPerSecond = bitsPerSecond;
    }

    /** A datagram reached the link: false if its queue is too long to take it. */
    boolean offer(ByteBuf datagram, long now) {
      if (lossPercent > 0 && random.nextInt(100) < lossPercent) {
        dropped++;
        return false;
      }
      long start = Math.max(freeAtNanos, now);
      long arrival = start + datagram.readableBytes() * 8L * 1_000_000_000L / bitsPerSecond;
      if (arrival - now > 300_000_000L) {
        dropped++;
        return false;
      }
      freeAtNanos = arrival;
      delivered++;
      int seq = transportSequence(datagram, TRANSPORT_CC_ID);
      if (seq >= 0) {
        inFlight.add(new long[] {seq, arrival});
      }
      return true;
    }
  }

  Sfu sfu;
  EventLoopGroup group;
  ExecutorService dtls;
  WebRtcClient publisher;
  DtlsCertificate certificate;
  final List<WebRtcClient> others = new ArrayList<>();
  WebRtcClient subscriber;
  final Link link = new Link(5_000_000);
  final List<Long> seenSources = new ArrayList<>();
  final List<Integer> audioTypes = new java.util.concurrent.CopyOnWriteArrayList<>();
  final SyntheticMedia[] layers = new SyntheticMedia[3];
  final Set<Long> keyframeRequested = ConcurrentHashMap.newKeySet();
  final List<ScheduledFuture<?>> tasks = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    sfu = Sfu.start(SfuConfig.loopback());
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
    certificate = DtlsCertificate.generate();
    TransportInfo pub = sfu.createEndpoint("r", "pub").get(5, TimeUnit.SECONDS);
    TransportInfo sub = sfu.createEndpoint("r", "sub").get(5, TimeUnit.SECONDS);
    publisher = publisher(pub);
    RtpPacket rtp = new RtpPacket();
    subscriber =
        WebRtcClient.start(
            group,
            "127.0.0.1",
            sub,
            certificate,
            dtls,
            new WebRtcClient.MediaListener() {
              @Override
              public void rtp(ByteBuf packet) {
                if (rtp.parse(packet) && rtp.payloadLength() > 0) {
                  if (rtp.payloadType() != 96) {
                    audioTypes.add(rtp.payloadType());
                    return;
                  }
                  int stamp = SyntheticMedia.videoStampOffset(rtp.payloadOffset());
                  synchronized (seenSources) {
                    seenSources.add(SyntheticMedia.sourceSsrc(packet, stamp));
                  }
                }
              }
            });
    subscriber.setReceiveFilter(
        datagram -> PacketKind.isRtcp(datagram) || link.offer(datagram, System.nanoTime()));
    sfu.connectEndpoint("r", "pub", publisher.remoteParams()).get(5, TimeUnit.SECONDS);
    sfu.connectEndpoint("r", "sub", subscriber.remoteParams()).get(5, TimeUnit.SECONDS);
    publisher.awaitConnected(DEADLINE);
    subscriber.awaitConnected(DEADLINE);

    System.arraycopy(camera("pub", "cam", 0x1000), 0, layers, 0, 3);
    sfu.addConsumer("r", "sub", new ConsumerSpec("c", "cam", "0", Codec.vp8(96), EXT))
        .get(5, TimeUnit.SECONDS);

    sendVideo(publisher, layers);
    TransportCcFeedbackBuilder feedback = new TransportCcFeedbackBuilder(0x5AB5C1L);
    long[] nextFeedback = {0};
    tasks.add(
        subscriber
            .channel()
            .eventLoop()
            .scheduleAtFixedRate(
                () -> {
                  // What the link has delivered by now is reported, as the browser would.
                  long now = System.nanoTime();
                  while (!link.inFlight.isEmpty() && link.inFlight.peek()[1] <= now) {
                    long[] arrived = link.inFlight.poll();
                    feedback.onPacket((int) arrived[0], arrived[1] / 1000);
                  }
                  if (now - nextFeedback[0] >= 0 && feedback.pendingPackets() > 0) {
                    nextFeedback[0] = now + 50_000_000L;
                    ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(1500);
                    feedback.build(out, 0x1234L);
                    subscriber.sendRtcp(out);
                  }
                },
                5,
                5,
                TimeUnit.MILLISECONDS));
  }

  /** A simulcast camera of an endpoint: three layers on ssrcs {@code ssrc}, +1, +2. */
  private SyntheticMedia[] camera(String endpointId, String producerId, long ssrc)
      throws Exception {
    SyntheticMedia[] media = new SyntheticMedia[3];
    List<Encoding> encodings = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      media[i] = SyntheticMedia.video(ssrc + i, 96).withMidAndRid(1, "1", 4, RIDS[i]);
      encodings.add(new Encoding(RIDS[i], 0));
    }
    sfu.addProducer(
            "r",
            endpointId,
            new ProducerSpec(
                producerId, MediaKind.VIDEO, "1", "camera", Codec.vp8(96), encodings, EXT))
        .get(5, TimeUnit.SECONDS);
    return media;
  }

  /** A publisher's client, which notes the keyframes the SFU asks for. */
  private WebRtcClient publisher(TransportInfo info) throws Exception {
    return WebRtcClient.start(
        group,
        "127.0.0.1",
        info,
        certificate,
        dtls,
        new WebRtcClient.MediaListener() {
          @Override
          public void rtcp(ByteBuf packet) {
            RtcpCompound compound = new RtcpCompound().reset(packet);
            while (compound.next()) {
              if (compound.packetType() == Rtcp.PT_PSFB && compound.fmt() == Rtcp.FMT_PLI) {
                keyframeRequested.add(Rtcp.mediaSsrc(packet, compound.offset()));
              }
            }
          }
        });
  }

  /** Sends three layers at 25 frames/s, a keyframe every 3 s and when asked for one. */
  private void sendVideo(WebRtcClient client, SyntheticMedia[] media) {
    int[] frame = {0};
    tasks.add(
        client
            .channel()
            .eventLoop()
            .scheduleAtFixedRate(
                () -> {
                  for (int i = 0; i < 3; i++) {
                    boolean key = frame[0] % 75 == 0 || keyframeRequested.remove(media[i].ssrc());
                    for (ByteBuf p :
                        media[i].videoFrame(
                            PooledByteBufAllocator.DEFAULT, FRAME_BYTES[i], 1200, key, 3600, 0)) {
                      client.sendRtp(p);
                    }
                  }
                  frame[0]++;
                },
                0,
                40,
                TimeUnit.MILLISECONDS));
  }

  @AfterEach
  void stop() {
    tasks.forEach(t -> t.cancel(false));
    publisher.close();
    others.forEach(WebRtcClient::close);
    subscriber.close();
    sfu.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtls.shutdownNow();
  }

  /** The transport-wide sequence number in an SRTP packet's clear header, or -1. */
  static int transportSequence(ByteBuf packet, int id) {
    int base = packet.readerIndex();
    int length = packet.readableBytes();
    int first = packet.getUnsignedByte(base);
    if (length < 12 || (first & 0x10) == 0) {
      return -1;
    }
    int at = base + 12 + 4 * (first & 0x0F);
    if (at + 4 > base + length || packet.getUnsignedShort(at) != 0xBEDE) {
      return -1;
    }
    int end = at + 4 + 4 * packet.getUnsignedShort(at + 2);
    int i = at + 4;
    while (i < end && i < base + length) {
      int b = packet.getUnsignedByte(i);
      if (b == 0) {
        i++;
        continue;
      }
      int elementId = b >> 4;
      int size = (b & 0x0F) + 1;
      if (elementId == id && size == 2 && i + 3 <= base + length) {
        return packet.getUnsignedShort(i + 1);
      }
      i += 1 + size;
    }
    return -1;
  }

  /** The source layer of the last {@code n} video packets the subscriber got, all the same? */
  private boolean lastPacketsFrom(int n, long... ssrcs) {
    synchronized (seenSources) {
      if (seenSources.size() < n) {
        return false;
      }
      for (Long source : seenSources.subList(seenSources.size() - n, seenSources.size())) {
        boolean any = false;
        for (long ssrc : ssrcs) {
          any |= source == ssrc;
        }
        if (!any) {
          return false;
        }
      }
      return true;
    }
  }

  private long[] linkCounts() throws Exception {
    return subscriber
        .channel()
        .eventLoop()
        .submit(() -> new long[] {link.delivered, link.dropped})
        .get(5, TimeUnit.SECONDS);
  }

  @Test
  void theLayersFollowWhatTheSubscribersDownlinkCarries() throws Exception {
    long top = layers[2].ssrc();
    Await.until(DEADLINE, () -> lastPacketsFrom(100, top), "the top layer on a wide link");
    long decreasesBefore = sfu.stats().bandwidthDecreases.sum();

    // The downlink narrows to 0.7 Mbit/s: the top layer alone is twice that.
    link.bitsPerSecond = 700_000;
    Await.until(
        DEADLINE,
        () -> lastPacketsFrom(150, layers[0].ssrc(), layers[1].ssrc()),
        () -> "a layer that fits 0.7 Mbit/s; decreases " + sfu.stats().bandwidthDecreases.sum());
    assertThat(sfu.stats().bandwidthDecreases.sum()).isGreaterThan(decreasesBefore);

    // Settled: over the next 3 s the link delivers what it is sent.
    long[] before = linkCounts();
    Await.until(
        DEADLINE,
        () -> {
          try {
            return linkCounts()[0] - before[0] > 200;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        "packets through the narrow link");
    long[] after = linkCounts();
    long delivered = after[0] - before[0];
    long dropped = after[1] - before[1];
    assertThat(dropped)
        .as("dropped by the 0.7 Mbit/s link once the layer fits (%d delivered)", delivered)
        .isLessThanOrEqualTo(delivered / 50);

    // The link widens again: probes find the room, and the top layer comes back.
    link.bitsPerSecond = 5_000_000;
    Await.until(
        DEADLINE,
        () -> lastPacketsFrom(100, top),
        () -> "the top layer again; probes " + sfu.stats().bandwidthProbes.sum());
    assertThat(sfu.stats().bandwidthProbes.sum()).isPositive();
    assertThat(sfu.stats().paddingPackets.sum()).isPositive();
  }

  /**
   * A link that loses a few packets whatever it is sent (4 %: too many for the estimate to grow on
   * its loss, too few to lower it) was narrow once; when it widens the top layer comes back.
   */
  @Test
  void onALinkThatKeepsLosingAFewPacketsTheTopLayerComesBack() throws Exception {
    long top = layers[2].ssrc();
    Await.until(DEADLINE, () -> lastPacketsFrom(100, top), "the top layer on a wide link");
    link.lossPercent = 4;
    link.bitsPerSecond = 700_000;
    Await.until(
        DEADLINE,
        () -> lastPacketsFrom(150, layers[0].ssrc(), layers[1].ssrc()),
        () -> "a layer that fits 0.7 Mbit/s; decreases " + sfu.stats().bandwidthDecreases.sum());

    link.bitsPerSecond = 5_000_000;
    Await.until(
        DEADLINE,
        () -> lastPacketsFrom(100, top),
        () -> "the top layer again on the lossy link; probes " + sfu.stats().bandwidthProbes.sum());
  }

  @Test
  void aVideoWhoseLowestLayerDoesNotFitWaitsAndComesBackWithRoom() throws Exception {
    List<Boolean> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    sfu.addListener(
        new io.parley.sfu.api.SfuListener() {
          @Override
          public void consumerBandwidthPaused(String roomId, String consumerId, boolean paused) {
            if (roomId.equals("r") && consumerId.equals("c")) {
              told.add(paused);
            }
          }
        });
    long top = layers[2].ssrc();
    Await.until(DEADLINE, () -> lastPacketsFrom(100, top), "the top layer on a wide link");

    // 120 kbit/s: not even the lowest layer (~0.15 Mbit/s) fits.
    link.bitsPerSecond = 120_000;
    Await.until(
        DEADLINE,
        () -> sfu.stats().bandwidthPauses.sum() > 0 && told.contains(true),
        "the video paused, and the listener told");
    int seenAtPause;
    synchronized (seenSources) {
      seenAtPause = seenSources.size();
    }
    // What was queued drains; then nothing more comes but padding of the probes.
    long[] before = linkCounts();
    Await.until(
        DEADLINE,
        () -> {
          try {
            return linkCounts()[0] - before[0] > 40 || sfu.stats().bandwidthProbes.sum() > 1;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        "time passing on the narrow link");
    int seenLater;
    synchronized (seenSources) {
      seenLater = seenSources.size();
    }
    assertThat(seenLater - seenAtPause)
        .as("video packets after the pause (what was queued, at most a frame more)")
        .isLessThan(60);

    link.bitsPerSecond = 5_000_000;
    Await.until(
        DEADLINE,
        () -> lastPacketsFrom(100, top),
        () -> "the top layer again; probes " + sfu.stats().bandwidthProbes.sum());
    assertThat(sfu.stats().bandwidthResumes.sum()).isPositive();
    assertThat(told).containsSubsequence(true, false);
  }

  static final int OPUS = 111;
  static final int RED = 63;

  /** A microphone of the publisher sending redundant audio, and the subscriber's consumer of it. */
  private void sendRedAudio() throws Exception {
    int opus = OPUS;
    int red = RED;
    SyntheticMedia mic = SyntheticMedia.audio(0x2000, opus);
    sfu.addProducer(
            "r",
            "pub",
            new ProducerSpec(
                "mic",
                MediaKind.AUDIO,
                "0",
                "mic",
                Codec.opusWithRed(opus, red),
                List.of(new Encoding(null, mic.ssrc())),
                EXT))
        .get(5, TimeUnit.SECONDS);
    sfu.addConsumer(
            "r", "sub", new ConsumerSpec("a", "mic", "1", Codec.opusWithRed(opus, red), EXT))
        .get(5, TimeUnit.SECONDS);
    // 50 packets a second of 200-byte frames: about 0.1 Mbit/s as plain Opus, 0.18 with RED.
    tasks.add(
        publisher
            .channel()
            .eventLoop()
            .scheduleAtFixedRate(
                () ->
                    publisher.sendRtp(
                        mic.redAudioPacket(
                            PooledByteBufAllocator.DEFAULT, 200, 5, 30, TRANSPORT_CC_ID, red)),
                0,
                20,
                TimeUnit.MILLISECONDS));
  }

  /**
   * Redundant audio on a link with room for the audio and the lowest video layer, but not a tenth
   * to spare with the redundancy: the subscriber gets plain Opus, and the picture keeps moving; on
   * a wide link again the redundancy comes back.
   */
  @Test
  void redundantAudioGivesWayToAMovingPictureOnATightLink() throws Exception {
    int opus = OPUS;
    int red = RED;
    sendRedAudio();
    long top = layers[2].ssrc();
    long lowest = layers[0].ssrc();
    Await.until(DEADLINE, () -> lastPacketsFrom(100, top), "the top layer on a wide link");
    assertThat(lastAudio(audioTypes, 20)).as("redundant audio on a wide link").containsOnly(red);

    // Room for the audio and the lowest layer (~0.15 Mbit/s), but not a tenth to spare with the
    // redundancy: once the link has stopped dropping, the audio goes plain and the video moves.
    link.bitsPerSecond = 380_000;
    Await.until(
        DEADLINE,
        () ->
            lastAudio(audioTypes, 20).equals(List.of(opus))
                && lastPacketsFrom(50, lowest)
                && sfu.stats().redHoldBacks.sum() > 0,
        () ->
            "plain Opus and the lowest layer moving: "
                + lastAudio(audioTypes, 20)
                + ", pauses "
                + sfu.stats().bandwidthPauses.sum());

    link.bitsPerSecond = 5_000_000;
    Await.until(
        DEADLINE,
        () -> lastAudio(audioTypes, 20).equals(List.of(red)) && lastPacketsFrom(100, top),
        () -> "redundant audio and the top layer again: " + lastAudio(audioTypes, 20));
  }

  /** The distinct payload types of the last {@code n} audio packets. */
  private static List<Integer> lastAudio(List<Integer> types, int n) {
    List<Integer> all = List.copyOf(types);
    return all.subList(Math.max(0, all.size() - n), all.size()).stream().distinct().toList();
  }

  /**
   * Two cameras in tiles of one size; the link has room for one of them at the middle layer, and it
   * goes to the one whose owner speaks, though that one's consumer came second.
   */
  @Test
  void amongTilesOfOneSizeTheSpeakerIsSeenBest() throws Exception {
    TransportInfo info = sfu.createEndpoint("r", "speaker").get(5, TimeUnit.SECONDS);
    WebRtcClient speaker = publisher(info);
    others.add(speaker);
    sfu.connectEndpoint("r", "speaker", speaker.remoteParams()).get(5, TimeUnit.SECONDS);
    speaker.awaitConnected(DEADLINE);
    SyntheticMedia[] speakerLayers = camera("speaker", "cam2", 0x2000);
    sfu.addProducer("r", "speaker", ProducerSpec.mic("mic2", "0", 111, 0x3000, EXT))
        .get(5, TimeUnit.SECONDS);
    sfu.addConsumer("r", "sub", new ConsumerSpec("c2", "cam2", "1", Codec.vp8(96), EXT))
        .get(5, TimeUnit.SECONDS);
    List<String> speakers = new java.util.concurrent.CopyOnWriteArrayList<>();
    sfu.addListener(
        new io.parley.sfu.api.SfuListener() {
          @Override
          public void dominantSpeakerChanged(String roomId, String endpointId) {
            speakers.add(endpointId);
          }
        });
    sendVideo(speaker, speakerLayers);
    SyntheticMedia mic = SyntheticMedia.audio(0x3000, 111);
    tasks.add(
        speaker
            .channel()
            .eventLoop()
            .scheduleAtFixedRate(
                () ->
                    speaker.sendRtp(mic.audioPacket(PooledByteBufAllocator.DEFAULT, 80, 2, 10, 3)),
                0,
                20,
                TimeUnit.MILLISECONDS));
    Await.until(DEADLINE, () -> speakers.contains("speaker"), "the second publisher speaks");

    // 1 Mbit/s: both lowest layers (0.3) and one middle one (0.65 in all), not two (1.0).
    link.bitsPerSecond = 1_000_000;
    long[] quiet = {layers[0].ssrc(), layers[1].ssrc(), layers[2].ssrc()};
    long[] speaking = {speakerLayers[0].ssrc(), speakerLayers[1].ssrc(), speakerLayers[2].ssrc()};
    Await.until(
        DEADLINE,
        () ->
            lastSourcesOf(quiet, 40).equals(Set.of(quiet[0]))
                && lastSourcesOf(speaking, 40).equals(Set.of(speaking[1])),
        () ->
            "the speaker at the middle layer, the other at the lowest; now "
                + lastSourcesOf(quiet, 40)
                + " and "
                + lastSourcesOf(speaking, 40));
  }

  /** The sources of the last {@code n} packets of one video (any of its layers' ssrcs). */
  private Set<Long> lastSourcesOf(long[] video, int n) {
    Set<Long> out = new java.util.HashSet<>();
    synchronized (seenSources) {
      int found = 0;
      for (int i = seenSources.size() - 1; i >= 0 && found < n; i--) {
        long source = seenSources.get(i);
        for (long ssrc : video) {
          if (source == ssrc) {
            out.add(source);
            found++;
          }
        }
      }
      return found < n ? Set.of() : out;
    }
  }
}
