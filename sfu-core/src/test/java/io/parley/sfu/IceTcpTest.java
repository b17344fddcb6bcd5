package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.SfuListener;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.transport.DropReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ICE-TCP (RFC 6544 passive, RFC 4571 framing) on real loopback sockets: a participant whose only
 * path is a TCP connection checks, shakes hands and exchanges SRTP with a UDP participant in the
 * same room; the connection closing takes the path away; a subscriber that stops reading has its
 * packets dropped and counted, not buffered.
 */
class IceTcpTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  Sfu sfu;
  EventLoopGroup clients;
  ExecutorService dtls;
  DtlsCertificate certificate;
  final List<String> disconnected = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    sfu = Sfu.start(SfuConfig.loopback().withAdvertisedAddresses(List.of("127.0.0.1", "10.0.0.7")));
    sfu.addListener(
        new SfuListener() {
          @Override
          public void endpointDisconnected(String roomId, String endpointId, String reason) {
            disconnected.add(endpointId + ": " + reason);
          }
        });
    clients = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
    certificate = DtlsCertificate.generate();
  }

  @AfterEach
  void stop() {
    sfu.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtls.shutdownNow();
  }

  @Test
  void endpointsOfferPassiveTcpCandidatesBelowTheUdpOnes() throws Exception {
    assertThat(sfu.tcpPort()).isEqualTo(sfu.udpPort());
    TransportInfo info = sfu.createEndpoint("r", "a").get(5, TimeUnit.SECONDS);
    List<IceCandidate> udp =
        info.candidates().stream().filter(c -> c.protocol().equals("udp")).toList();
    List<IceCandidate> tcp =
        info.candidates().stream().filter(c -> c.protocol().equals("tcp")).toList();
    assertThat(udp).hasSize(2);
    assertThat(tcp).hasSize(2);
    long lowestUdp = udp.stream().mapToLong(IceCandidate::priority).min().orElseThrow();
    assertThat(tcp).allSatisfy(c -> assertThat(c.priority()).isLessThan(lowestUdp));
    // Unique priorities and foundations, preference by list order.
    assertThat(tcp.get(0).priority()).isGreaterThan(tcp.get(1).priority());
    assertThat(info.candidates().stream().map(IceCandidate::foundation).distinct()).hasSize(4);
    // type preference 90, local preference 2^13 * 4 (passive) + 8191, component 1.
    assertThat(tcp.get(0).priority()).isEqualTo((90L << 24) | (((4L << 13) | 8191) << 8) | 255);
    assertThat(tcp.get(0).toSdpValue())
        .isEqualTo(
            "tcp1 1 tcp "
                + tcp.get(0).priority()
                + " 127.0.0.1 "
                + sfu.tcpPort()
                + " typ host tcptype passive");
  }

  @Test
  void aTcpOnlyParticipantAndAUdpParticipantExchangeMedia() throws Exception {
    try (TestParticipant alice =
            TestParticipant.join(sfu, "r", "alice", clients, certificate, dtls, "tcp");
        TestParticipant bob =
            TestParticipant.join(sfu, "r", "bob", clients, certificate, dtls, "udp")) {
      assertThat(alice.client.channel().remoteAddress().toString()).endsWith(":" + sfu.tcpPort());
      alice.publish();
      bob.publish();
      alice.subscribeTo(bob);
      bob.subscribeTo(alice);
      alice.startSending();
      bob.startSending();
      for (MediaKind kind : MediaKind.values()) {
        Await.until(DEADLINE, () -> packets(bob, alice, kind) > 40, "bob receives alice over TCP");
        Await.until(DEADLINE, () -> packets(alice, bob, kind) > 40, "alice receives bob over TCP");
        assertThat(alice.streamFrom(bob, kind).corrupt.get()).isZero();
        assertThat(bob.streamFrom(alice, kind).corrupt.get()).isZero();
      }
      // RTCP flows over TCP too: transport-cc feedback for alice's publishing.
      Await.until(
          DEADLINE, () -> alice.transportCcReceived.get() > 0, "transport-cc feedback over TCP");
      assertThat(sfu.tcpConnections(false)).isEqualTo(1);
      assertThat(sfu.tcpConnections(true)).isZero();
      assertThat(alice.client.srtpFailures()).isZero();
    }
  }

  @Test
  void aClosedConnectionTakesThePathAwayAndANewOneTakesOver() throws Exception {
    try (TestParticipant alice =
            TestParticipant.join(sfu, "r", "alice", clients, certificate, dtls, "udp");
        TestParticipant bob =
            TestParticipant.join(sfu, "r", "bob", clients, certificate, dtls, "tcp")) {
      alice.publish();
      bob.subscribeTo(alice);
      alice.startSending();
      Await.until(DEADLINE, () -> bob.client.rtpReceived() > 50, "media to bob over TCP");

      // A new connection (as after a network change) is checked and nominated: media moves.
      bob.client.rebind();
      long atRebind = bob.client.rtpReceived();
      Await.until(
          DEADLINE,
          () -> bob.client.rtpReceived() > atRebind + 50,
          "media on bob's new connection");
      assertThat(disconnected).isEmpty();

      // The connection closes and no other path is left: the endpoint is disconnected at once,
      // without waiting for consent to expire.
      bob.client.pauseChecks(true);
      bob.client.channel().close().sync();
      Await.until(
          DEADLINE,
          () -> disconnected.contains("bob: ICE-TCP connection closed"),
          () -> "bob disconnected: " + disconnected);
      Await.until(DEADLINE, () -> sfu.tcpConnections(false) == 0, "no TCP connection left");
    }
  }

  @Test
  void aSubscriberThatStopsReadingHasPacketsDroppedNotBuffered() throws Exception {
    try (TestParticipant alice =
            TestParticipant.join(sfu, "r", "alice", clients, certificate, dtls, "udp");
        TestParticipant bob =
            TestParticipant.join(sfu, "r", "bob", clients, certificate, dtls, "tcp");
        TestParticipant carol =
            TestParticipant.join(sfu, "r", "carol", clients, certificate, dtls, "udp")) {
      alice.publish();
      bob.subscribeTo(alice);
      carol.subscribeTo(alice);
      alice.startSending();
      Await.until(DEADLINE, () -> bob.client.rtpReceived() > 20, "media to bob over TCP");

      // Bob's application stops reading; alice sends bursts of big frames (megabytes) until the
      // kernel buffers and the connection's queue are full.
      bob.client.channel().config().setAutoRead(false);
      alice.stopSending();
      long carolBefore = carol.client.rtpReceived();
      Await.until(
          DEADLINE,
          () -> {
            for (int frame = 0; frame < 10; frame++) {
              for (ByteBuf packet :
                  alice.video.videoFrame(
                      PooledByteBufAllocator.DEFAULT, 60_000, 1200, false, 3600, 3)) {
                alice.client.sendRtp(packet);
              }
            }
            return sfu.drops().get(DropReason.TCP_BACKPRESSURE) > 20;
          },
          () -> "backpressure drops: " + sfu.drops().get(DropReason.TCP_BACKPRESSURE));
      Await.until(
          DEADLINE, () -> carol.client.rtpReceived() > carolBefore + 500, "carol is still served");
      assertThat(bob.client.srtpFailures()).isZero();

      // Reading again, bob gets fresh media.
      bob.client.channel().config().setAutoRead(true);
      long bobNow = bob.client.rtpReceived();
      alice.startSending();
      Await.until(DEADLINE, () -> bob.client.rtpReceived() > bobNow + 200, "bob reads again");
    }
  }

  @Test
  void tcpCanBeTurnedOffOrBeTheOnlyCandidate() throws Exception {
    try (Sfu off = Sfu.start(SfuConfig.loopback().withIceTcp(SfuConfig.IceTcp.DISABLED));
        Sfu only =
            Sfu.start(SfuConfig.loopback().withIceTcp(SfuConfig.IceTcp.DEFAULTS.withOnly(true)))) {
      assertThat(off.tcpPort()).isEqualTo(-1);
      assertThat(off.createEndpoint("r", "a").get(5, TimeUnit.SECONDS).candidates())
          .extracting(IceCandidate::protocol)
          .containsOnly("udp");
      assertThat(only.createEndpoint("r", "a").get(5, TimeUnit.SECONDS).candidates())
          .extracting(IceCandidate::protocol)
          .containsOnly("tcp");
    }
  }

  private static long packets(TestParticipant receiver, TestParticipant sender, MediaKind kind) {
    var stream = receiver.streamFrom(sender, kind);
    return stream == null ? 0 : stream.packets.get();
  }
}
