package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ResourceLeakDetector;
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
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.Vp8Descriptor;
import io.parley.sfu.rtp.rtcp.Rtcp;
import io.parley.sfu.rtp.rtcp.RtcpCompound;
import java.time.Duration;
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
 * A publisher sends three simulcast layers identified only by mid and rid (no SSRCs in its SDP, as
 * browsers do). The subscriber gets the highest layer; when it stops, the SFU switches to the next
 * one at a keyframe, and the subscriber still sees one continuous stream: no hole in sequence
 * numbers, increasing timestamps, picture ids that go on by one.
 */
class SimulcastSwitchTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final HeaderExtensionIds EXT = new HeaderExtensionIds(1, 4, 5, 3, 2);
  private static final String[] RIDS = {"q", "h", "f"};

  /** One received packet, as the subscriber saw it. */
  record Seen(int seq, long timestamp, int pictureId, long sourceSsrc, boolean keyframe) {}

  Sfu sfu;
  EventLoopGroup group;
  ExecutorService dtls;
  WebRtcClient publisher;
  WebRtcClient subscriber;
  final List<Seen> seen = new ArrayList<>();
  final SyntheticMedia[] layers = new SyntheticMedia[3];
  final boolean[] sending = {true, true, true};
  final Set<Long> keyframeRequested = ConcurrentHashMap.newKeySet();
  ScheduledFuture<?> task;
  ResourceLeakDetector.Level leakLevel;

  @BeforeEach
  void start() throws Exception {
    leakLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    sfu = Sfu.start(SfuConfig.loopback());
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
    DtlsCertificate certificate = DtlsCertificate.generate();
    TransportInfo pub = sfu.createEndpoint("r", "pub").get(5, TimeUnit.SECONDS);
    TransportInfo sub = sfu.createEndpoint("r", "sub").get(5, TimeUnit.SECONDS);
    publisher =
        WebRtcClient.start(
            group,
            "127.0.0.1",
            pub,
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
    RtpPacket rtp = new RtpPacket();
    Vp8Descriptor vp8 = new Vp8Descriptor();
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
                if (rtp.parse(packet)
                    && vp8.parse(packet, rtp.payloadOffset(), rtp.payloadLength())) {
                  int stamp = SyntheticMedia.videoStampOffset(rtp.payloadOffset());
                  synchronized (seen) {
                    seen.add(
                        new Seen(
                            rtp.sequenceNumber(),
                            rtp.timestamp(),
                            vp8.pictureId(),
                            SyntheticMedia.sourceSsrc(packet, stamp),
                            vp8.isKeyframe()));
                  }
                }
              }
            });
    sfu.connectEndpoint("r", "pub", publisher.remoteParams()).get(5, TimeUnit.SECONDS);
    sfu.connectEndpoint("r", "sub", subscriber.remoteParams()).get(5, TimeUnit.SECONDS);
    publisher.awaitConnected(DEADLINE);
    subscriber.awaitConnected(DEADLINE);

    List<Encoding> encodings = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      layers[i] = SyntheticMedia.video(0x1000 + i, 96).withMidAndRid(1, "1", 4, RIDS[i]);
      encodings.add(new Encoding(RIDS[i], 0));
    }
    sfu.addProducer(
            "r",
            "pub",
            new ProducerSpec("cam", MediaKind.VIDEO, "1", "camera", Codec.vp8(96), encodings, EXT))
        .get(5, TimeUnit.SECONDS);
    sfu.addConsumer("r", "sub", new ConsumerSpec("c", "cam", "0", Codec.vp8(96), EXT))
        .get(5, TimeUnit.SECONDS);

    int[] frame = {0};
    task =
        publisher
            .channel()
            .eventLoop()
            .scheduleAtFixedRate(
                () -> {
                  for (int i = 0; i < 3; i++) {
                    if (!sending[i]) {
                      continue;
                    }
                    boolean key = frame[0] % 50 == 0 || keyframeRequested.remove(layers[i].ssrc());
                    for (ByteBuf p :
                        layers[i].videoFrame(
                            PooledByteBufAllocator.DEFAULT, 1500 * (i + 1), 1200, key, 3600, 3)) {
                      publisher.sendRtp(p);
                    }
                  }
                  frame[0]++;
                },
                0,
                40,
                TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void stop() {
    task.cancel(false);
    publisher.close();
    subscriber.close();
    sfu.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtls.shutdownNow();
    ResourceLeakDetector.setLevel(leakLevel);
  }

  private List<Seen> snapshot() {
    synchronized (seen) {
      return new ArrayList<>(seen);
    }
  }

  private long countFrom(long ssrc) {
    return snapshot().stream().filter(s -> s.sourceSsrc() == ssrc).count();
  }

  @Test
  void theHighestLayerIsSentAndALostLayerIsReplacedSeamlessly() {
    Await.until(DEADLINE, () -> countFrom(layers[2].ssrc()) > 50, "the high layer");
    // The consumer may start on a lower layer while the others' SSRCs are being learnt, then it
    // moves up; once there it stays on the high layer.
    List<Seen> settled = snapshot();
    assertThat(settled.subList(settled.size() - 50, settled.size()))
        .allMatch(s -> s.sourceSsrc() == layers[2].ssrc());
    long switchesBefore = sfu.stats().layerSwitches.sum();

    // The high layer stops (the publisher's bandwidth dropped): the middle one takes over.
    publisher.channel().eventLoop().execute(() -> sending[2] = false);
    Await.until(DEADLINE, () -> countFrom(layers[1].ssrc()) > 50, "the middle layer");

    List<Seen> all = snapshot();
    int switchAt = -1;
    for (int i = 1; i < all.size(); i++) {
      Seen previous = all.get(i - 1);
      Seen current = all.get(i);
      assertThat(current.seq())
          .as("sequence after " + previous)
          .isEqualTo((previous.seq() + 1) & 0xFFFF);
      assertThat((current.timestamp() - previous.timestamp()) & 0xFFFFFFFFL)
          .as("timestamps never go back")
          .isLessThan(0x80000000L);
      if (current.sourceSsrc() != previous.sourceSsrc()) {
        switchAt = i;
        assertThat(current.keyframe()).as("a switch starts on a keyframe").isTrue();
        assertThat(current.pictureId()).isEqualTo((previous.pictureId() + 1) & 0x7FFF);
        assertThat(current.timestamp()).isNotEqualTo(previous.timestamp());
      }
    }
    assertThat(switchAt).as("a switch happened").isPositive();
    assertThat(all.get(all.size() - 1).sourceSsrc()).isEqualTo(layers[1].ssrc());
    assertThat(sfu.stats().layerSwitches.sum()).isEqualTo(switchesBefore + 1);
  }

  @Test
  void aSubscriberShowingTheVideoSmallGetsALowerLayerAndMovesUpWhenItGrows() throws Exception {
    Await.until(DEADLINE, () -> countFrom(layers[2].ssrc()) > 20, "the high layer first");
    sfu.setConsumerMaxLayer("r", "c", 0).get(5, TimeUnit.SECONDS);
    Await.until(DEADLINE, () -> countFrom(layers[0].ssrc()) > 50, "the low layer");
    List<Seen> low = snapshot();
    assertThat(low.subList(low.size() - 30, low.size()))
        .allMatch(s -> s.sourceSsrc() == layers[0].ssrc());

    // The low layer stops: better the middle one than nothing.
    publisher.channel().eventLoop().execute(() -> sending[0] = false);
    Await.until(DEADLINE, () -> countFrom(layers[1].ssrc()) > 30, "the middle layer as a fallback");
    publisher.channel().eventLoop().execute(() -> sending[0] = true);

    long highBefore = countFrom(layers[2].ssrc());
    sfu.setConsumerMaxLayer("r", "c", 2).get(5, TimeUnit.SECONDS);
    Await.until(
        DEADLINE, () -> countFrom(layers[2].ssrc()) > highBefore + 30, "the high layer again");
    List<Seen> all = snapshot();
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).seq()).isEqualTo((all.get(i - 1).seq() + 1) & 0xFFFF);
      if (all.get(i).sourceSsrc() != all.get(i - 1).sourceSsrc()) {
        assertThat(all.get(i).keyframe()).as("a switch starts on a keyframe").isTrue();
      }
    }
  }
}
