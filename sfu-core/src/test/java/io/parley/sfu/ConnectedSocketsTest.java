package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ResourceLeakDetector;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.dtls.DtlsCertificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With epoll, each checked browser address gets a socket connected to it on its room's loop: the
 * kernel delivers that address's datagrams there, so no packet is read on one loop and handed over
 * to another. Eight two-person rooms over two loops, real ICE, DTLS-SRTP and RTP on loopback; with
 * the shared sockets only, 16 addresses spread by the kernel's hash all landing on their room's
 * loop has a chance of 2^-16.
 */
class ConnectedSocketsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final int ROOMS = 8;

  private Sfu sfu;
  private EventLoopGroup clients;
  private ExecutorService dtls;
  private final List<TestParticipant> participants = new ArrayList<>();
  private ResourceLeakDetector.Level leakLevel;

  @BeforeEach
  void setUp() {
    assumeThat(Epoll.isAvailable()).as("connected sockets need epoll").isTrue();
    // Paranoid leak tracking at these packet rates saturates the cores (see RoomForwardingTest).
    leakLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() {
    participants.forEach(TestParticipant::close);
    participants.clear();
    if (sfu != null) {
      sfu.close();
    }
    if (clients != null) {
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      dtls.shutdownNow();
      ResourceLeakDetector.setLevel(leakLevel);
    }
  }

  /** Starts the rooms and waits until everyone receives the other's audio and video. */
  private void meet(boolean connectedSockets) throws Exception {
    sfu = Sfu.start(SfuConfig.loopback().withConnectedSockets(connectedSockets));
    DtlsCertificate certificate = DtlsCertificate.generate();
    for (int r = 0; r < ROOMS; r++) {
      TestParticipant a =
          TestParticipant.join(sfu, "room-" + r, "a" + r, clients, certificate, dtls);
      TestParticipant b =
          TestParticipant.join(sfu, "room-" + r, "b" + r, clients, certificate, dtls);
      a.publish();
      b.publish();
      a.subscribeTo(b);
      b.subscribeTo(a);
      participants.add(a);
      participants.add(b);
    }
    participants.forEach(TestParticipant::startSending);
    for (int i = 0; i < participants.size(); i++) {
      TestParticipant p = participants.get(i);
      TestParticipant other = participants.get(i ^ 1);
      for (MediaKind kind : MediaKind.values()) {
        Await.until(
            DEADLINE,
            () -> {
              var s = p.streamFrom(other, kind);
              return s != null && s.packets.get() >= 20;
            },
            () -> p.id + " receiving " + kind + " of " + other.id);
      }
    }
  }

  /** Packets handed between loops while the SFU forwards {@code forwarded} more RTP packets. */
  private long handedOverWhileForwarding(long forwarded) {
    long handedBefore = sfu.stats().handedOver.sum();
    long outBefore = sfu.stats().rtpOut.sum();
    Await.until(
        DEADLINE,
        () -> sfu.stats().rtpOut.sum() - outBefore >= forwarded,
        () -> "forwarding " + forwarded + " packets");
    return sfu.stats().handedOver.sum() - handedBefore;
  }

  @Test
  void everyPacketIsReadOnItsRoomsLoop() throws Exception {
    meet(true);

    assertThat(sfu.connectedSocketCount()).isEqualTo(participants.size());
    assertThat(handedOverWhileForwarding(3000)).as("packets handed over between loops").isZero();
    for (TestParticipant p : participants) {
      p.received.values().forEach(s -> assertThat(s.corrupt.get()).as("corrupt").isZero());
    }

    // Leaving closes the address's socket; the others keep theirs.
    participants.remove(0).close();
    sfu.closeEndpoint("room-0", "a0").get(5, TimeUnit.SECONDS);
    Await.until(
        DEADLINE,
        () -> sfu.connectedSocketCount() == participants.size(),
        () -> "a0's socket closed: " + sfu.connectedSocketCount() + " open");
  }

  @Test
  void anEndpointHoldsAFewConnectedSocketsAtMost() throws Exception {
    sfu = Sfu.start(SfuConfig.loopback());
    DtlsCertificate certificate = DtlsCertificate.generate();
    TestParticipant a = TestParticipant.join(sfu, "room-r", "a", clients, certificate, dtls);
    TestParticipant b = TestParticipant.join(sfu, "room-r", "b", clients, certificate, dtls);
    participants.add(a);
    participants.add(b);
    a.publish();
    b.subscribeTo(a);
    a.startSending();

    // Each move to a new port is a new checked address; the old ones keep their consent (30 s).
    int moves = Sfu.MAX_CONNECTED_SOCKETS_PER_ENDPOINT + 2;
    for (int i = 0; i < moves; i++) {
      long before = b.streamFrom(a, MediaKind.VIDEO) == null ? 0 : countOf(b, a);
      a.client.rebind();
      // Media from the new address reaches b before the next move.
      Await.until(DEADLINE, () -> countOf(b, a) > before + 20, () -> "b receiving a after a move");
    }
    // One socket per address up to the limit for a, and b's own: the rest use the shared sockets.
    assertThat(sfu.connectedSocketCount()).isEqualTo(Sfu.MAX_CONNECTED_SOCKETS_PER_ENDPOINT + 1);
  }

  private static long countOf(TestParticipant receiver, TestParticipant sender) {
    var s = receiver.streamFrom(sender, MediaKind.VIDEO);
    return s == null ? 0 : s.packets.get();
  }

  @Test
  void theSharedSocketsAloneHandPacketsOver() throws Exception {
    meet(false);

    assertThat(sfu.connectedSocketCount()).isZero();
    assertThat(handedOverWhileForwarding(3000)).isPositive();
  }
}
