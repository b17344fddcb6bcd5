package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.rtp.rtcp.RtcpNack;
import io.parley.sfu.rtp.rtcp.RtcpPli;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real room over the real UDP port on loopback: three synthetic participants with ICE, DTLS-SRTP
 * and RTP, each publishing audio and video and receiving the other two; and a fourth participant
 * in another room who must receive nothing of the first.
 */
class RoomForwardingTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  static Sfu sfu;
  static EventLoopGroup clients;
  static ExecutorService dtls;
  static DtlsCertificate certificate;
  static final List<TestParticipant> room = new ArrayList<>();
  static TestParticipant outsider;

  @BeforeAll
  static void startRoom() throws Exception {
    sfu = Sfu.start(SfuConfig.loopback());
    clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
    certificate = DtlsCertificate.generate();
    for (int i = 0; i < 3; i++) {
      room.add(TestParticipant.join(sfu, "room-a", "p" + i, clients, certificate, dtls));
    }
    outsider = TestParticipant.join(sfu, "room-b", "q0", clients, certificate, dtls);
    for (TestParticipant p : room) {
      p.publish();
    }
    outsider.publish();
    for (TestParticipant p : room) {
      for (TestParticipant other : room) {
        if (other != p) {
          p.subscribeTo(other);
        }
      }
    }
    for (TestParticipant p : room) {
      p.startSending();
    }
    outsider.startSending();
  }

  @AfterAll
  static void stop() {
    for (TestParticipant p : room) {
      p.close();
    }
    if (outsider != null) {
      outsider.close();
    }
    if (sfu != null) {
      sfu.close();
    }
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtls.shutdownNow();
  }

  @Test
  void everyoneReceivesTheOthersIntactAndContinuous() {
    for (TestParticipant p : room) {
      for (TestParticipant other : room) {
        if (other == p) {
          continue;
        }
        for (MediaKind kind : MediaKind.values()) {
          Await.until(
              DEADLINE,
              () -> {
                var r = p.streamFrom(other, kind);
                return r != null && r.packets.get() >= (kind == MediaKind.AUDIO ? 100 : 150);
              },
              () -> p.id + " receiving " + kind + " of " + other.id + ": " + p.received.keySet());
          var stream = p.streamFrom(other, kind);
          assertThat(stream.corrupt.get()).as("corrupt packets").isZero();
          long expectedSource = kind == MediaKind.AUDIO ? other.audioSsrc : other.videoSsrc;
          assertThat(stream.sourceSsrc).isEqualTo(expectedSource);
          assertContinuous(stream);
        }
      }
    }
  }

  private static void assertContinuous(TestParticipant.Received stream) {
    // Sequence numbers start at a random point and may wrap: the set must be one unbroken range.
    var seqs = new ArrayList<>(stream.sequenceNumbers);
    int gaps = 0;
    for (int seq : seqs) {
      if (!stream.sequenceNumbers.contains((seq + 1) & 0xFFFF)) {
        gaps++;
      }
    }
    // The newest packet has no successor yet; anything else is a hole.
    assertThat(gaps).as("holes in the outgoing sequence numbers").isEqualTo(1);
  }

  @Test
  void aNackedPacketComesBack() {
    TestParticipant p = room.get(0);
    TestParticipant other = room.get(1);
    long consumerSsrc = p.consumerSsrc(other, MediaKind.VIDEO);
    Await.until(DEADLINE, () -> p.streamFrom(other, MediaKind.VIDEO) != null, "video");
    var stream = p.streamFrom(other, MediaKind.VIDEO);
    Await.until(DEADLINE, () -> stream.sequenceNumbers.size() > 10, "some video");
    int seq = stream.sequenceNumbers.iterator().next();
    long before = stream.duplicates.get();
    ByteBuf nack = PooledByteBufAllocator.DEFAULT.heapBuffer(128);
    RtcpNack.write(nack, 0x1234, consumerSsrc, seq);
    p.client.sendRtcp(nack);
    Await.until(DEADLINE, () -> stream.duplicates.get() > before, "the retransmission");
    assertThat(stream.corrupt.get()).isZero();
    assertThat(sfu.stats().retransmissions.sum()).isPositive();
  }

  @Test
  void aPliReachesThePublisher() {
    TestParticipant p = room.get(2);
    TestParticipant publisher = room.get(0);
    long consumerSsrc = p.consumerSsrc(publisher, MediaKind.VIDEO);
    Await.until(DEADLINE, () -> p.streamFrom(publisher, MediaKind.VIDEO) != null, "video");
    int before = publisher.plisReceived.get();
    // Requests are throttled per publisher: keep asking, as a browser would, until one passes.
    Await.until(
        DEADLINE,
        () -> {
          ByteBuf pli = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
          RtcpPli.write(pli, 0x4321, consumerSsrc);
          p.client.sendRtcp(pli);
          return publisher.plisReceived.get() > before;
        },
        "a PLI at the publisher");
    assertThat(publisher.pliSsrcs).contains(publisher.videoSsrc);
  }

  @Test
  void publishersGetTransportCcFeedbackAndReports() {
    for (TestParticipant p : room) {
      Await.until(DEADLINE, () -> p.transportCcReceived.get() > 5, p.id + " transport-cc");
      Await.until(DEADLINE, () -> p.receiverReportsReceived.get() > 0, p.id + " receiver reports");
    }
  }

  @Test
  void anotherRoomReceivesNothing() {
    Await.until(
        DEADLINE,
        () -> room.get(0).received.size() >= 4,
        "the first room's media flowing");
    assertThat(outsider.received).isEmpty();
    assertThat(outsider.client.rtpReceived()).isZero();
    for (TestParticipant p : room) {
      for (var stream : p.received.values()) {
        assertThat(stream.sourceSsrc).isNotIn(outsider.audioSsrc, outsider.videoSsrc);
      }
    }
  }
}
