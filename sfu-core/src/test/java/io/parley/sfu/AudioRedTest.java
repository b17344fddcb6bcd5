package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.parley.sfu.api.Codec;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.Encoding;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.client.SyntheticMedia;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.rtp.RedPayload;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.transport.DropReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redundant audio (RFC 2198) over the real UDP port: a publisher sends Opus wrapped in RED, as
 * Chromium does once the answer prefers it; a subscriber that negotiated RED receives it whole,
 * under its own payload type numbers, and one that did not receives the primary block alone as
 * plain Opus. Malformed RED is dropped and counted before it reaches anyone.
 */
class AudioRedTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final int PUB_OPUS = 111;
  private static final int PUB_RED = 63;

  private Sfu sfu;
  private EventLoopGroup clients;
  private ExecutorService dtls;
  private final List<TestParticipant> people = new java.util.ArrayList<>();
  private ScheduledFuture<?> sending;

  @BeforeEach
  void start() {
    sfu = Sfu.start(SfuConfig.loopback());
    clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    if (sending != null) {
      sending.cancel(false);
    }
    people.forEach(TestParticipant::close);
    sfu.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtls.shutdownNow();
  }

  private TestParticipant join(String id, DtlsCertificate certificate) throws Exception {
    TestParticipant p = TestParticipant.join(sfu, "red", id, clients, certificate, dtls);
    people.add(p);
    return p;
  }

  /** A packet's payload checked as the receiver would read it. */
  private record Seen(int payloadType, int[] blockTypes, boolean primaryIntact, int blocksIntact) {}

  @Test
  void redGoesWholeToSubscribersThatTakeItAndAsPlainOpusToTheOthers() throws Exception {
    DtlsCertificate certificate = DtlsCertificate.generate();
    TestParticipant pub = join("pub", certificate);
    TestParticipant withRed = join("with-red", certificate);
    TestParticipant withoutRed = join("without-red", certificate);
    sfu.addProducer(
            "red",
            "pub",
            new ProducerSpec(
                "pub-mic",
                MediaKind.AUDIO,
                "0",
                "mic",
                Codec.opusWithRed(PUB_OPUS, PUB_RED),
                List.of(new Encoding(null, pub.audioSsrc)),
                TestParticipant.EXTENSIONS))
        .get(5, TimeUnit.SECONDS);
    // Other numbers than the publisher's, as a browser's answer may have.
    sfu.addConsumer(
            "red",
            "with-red",
            new ConsumerSpec(
                "r", "pub-mic", "a", Codec.opusWithRed(109, 120), TestParticipant.EXTENSIONS))
        .get(5, TimeUnit.SECONDS);
    sfu.addConsumer(
            "red",
            "without-red",
            new ConsumerSpec("o", "pub-mic", "a", Codec.opus(101), TestParticipant.EXTENSIONS))
        .get(5, TimeUnit.SECONDS);
    ConcurrentLinkedQueue<Seen> red = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Seen> plain = new ConcurrentLinkedQueue<>();
    withRed.rtpTap = p -> red.add(read(p));
    withoutRed.rtpTap = p -> plain.add(read(p));

    AtomicInteger sent = new AtomicInteger();
    var loop = pub.client.channel().eventLoop();
    RtpPacket rtp = new RtpPacket();
    sending =
        loop.scheduleAtFixedRate(
            () -> {
              pub.client.sendRtp(
                  pub.audio.redAudioPacket(PooledByteBufAllocator.DEFAULT, 80, 2, 30, 3, PUB_RED));
              if (sent.incrementAndGet() % 10 == 0) {
                // Every tenth packet also one whose block length runs past its end.
                ByteBuf bad = pub.audio.audioPacket(PooledByteBufAllocator.DEFAULT, 80, 2, 30, 3);
                rtp.parse(bad);
                bad.setByte(1, PUB_RED);
                bad.setByte(rtp.payloadOffset(), 0x80 | PUB_OPUS);
                bad.setByte(rtp.payloadOffset() + 3, 0xFF);
                pub.client.sendRtp(bad);
              }
            },
            0,
            20,
            TimeUnit.MILLISECONDS);

    Await.until(
        DEADLINE,
        () -> red.size() >= 60 && plain.size() >= 60,
        () -> "received " + red.size() + " with RED, " + plain.size() + " without");
    for (Seen s : red) {
      assertThat(s.payloadType).as("the subscriber's RED payload type").isEqualTo(120);
      assertThat(s.blockTypes)
          .as("each block under the subscriber's Opus number")
          .containsOnly(109);
      assertThat(s.primaryIntact).as("the primary block intact").isTrue();
      assertThat(s.blocksIntact).as("every block intact").isEqualTo(s.blockTypes.length);
    }
    assertThat(red.stream().filter(s -> s.blockTypes.length == 2).count())
        .as("packets carrying the previous frame too")
        .isGreaterThanOrEqualTo(59);
    for (Seen s : plain) {
      assertThat(s.payloadType).as("the subscriber's Opus payload type").isEqualTo(101);
      assertThat(s.primaryIntact).as("the primary alone, as plain Opus").isTrue();
    }
    assertThat(sfu.stats().redIn.sum()).as("RED received").isGreaterThanOrEqualTo(60);
    assertThat(sfu.stats().redForwarded.sum()).as("RED passed on").isGreaterThanOrEqualTo(60);
    assertThat(sfu.stats().redStripped.sum()).as("RED stripped").isGreaterThanOrEqualTo(60);
    assertThat(sfu.drops().get(DropReason.PARSE_ERROR))
        .as("malformed RED dropped and counted")
        .isGreaterThanOrEqualTo(5);
    assertThat(red.size() + plain.size())
        .as("nothing of the malformed packets reached anyone")
        .isEqualTo(red.stream().filter(s -> s.primaryIntact).count() + plain.size());
  }

  private static Seen read(ByteBuf packet) {
    RtpPacket rtp = new RtpPacket();
    if (!rtp.parse(packet)) {
      return new Seen(-1, new int[0], false, 0);
    }
    int offset = rtp.payloadOffset();
    int length = rtp.payloadLength();
    if (rtp.payloadType() != 120) {
      return new Seen(
          rtp.payloadType(), new int[0], SyntheticMedia.verify(packet, offset, length), 0);
    }
    int primary = RedPayload.primaryOffset(packet, offset, length);
    if (primary < 0) {
      return new Seen(120, new int[0], false, 0);
    }
    List<Integer> types = new java.util.ArrayList<>();
    int intact = 0;
    int p = offset;
    List<Integer> lengths = new java.util.ArrayList<>();
    while ((packet.getUnsignedByte(p) & 0x80) != 0) {
      types.add(packet.getUnsignedByte(p) & 0x7F);
      lengths.add(packet.getUnsignedShort(p + 2) & 0x3FF);
      p += 4;
    }
    types.add(packet.getUnsignedByte(p) & 0x7F);
    int redundant = lengths.stream().mapToInt(Integer::intValue).sum();
    int blockStart = primary - redundant;
    for (int l : lengths) {
      intact += SyntheticMedia.verify(packet, blockStart, l) ? 1 : 0;
      blockStart += l;
    }
    boolean primaryIntact = SyntheticMedia.verify(packet, primary, offset + length - primary);
    intact += primaryIntact ? 1 : 0;
    return new Seen(
        120, types.stream().mapToInt(Integer::intValue).toArray(), primaryIntact, intact);
  }
}
