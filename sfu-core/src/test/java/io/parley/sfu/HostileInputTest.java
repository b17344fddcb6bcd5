package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.ice.IceCredentials;
import io.parley.sfu.ice.StunCodec;
import io.parley.sfu.transport.DropReason;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile datagrams at the live port while a room's media flows: each is dropped and counted, the
 * room keeps forwarding, no stack trace per packet, no leaked buffer.
 */
class HostileInputTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  Sfu sfu;
  EventLoopGroup clients;
  ExecutorService dtls;
  TestParticipant alice;
  TestParticipant bob;
  DatagramSocket attacker;
  InetSocketAddress port;

  @BeforeEach
  void start() throws Exception {
    sfu = Sfu.start(SfuConfig.loopback());
    port = new InetSocketAddress("127.0.0.1", sfu.udpPort());
    clients = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
    DtlsCertificate certificate = DtlsCertificate.generate();
    alice = TestParticipant.join(sfu, "r", "alice", clients, certificate, dtls);
    bob = TestParticipant.join(sfu, "r", "bob", clients, certificate, dtls);
    alice.publish();
    bob.subscribeTo(alice);
    alice.startSending();
    attacker = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterEach
  void stop() {
    attacker.close();
    alice.close();
    bob.close();
    sfu.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtls.shutdownNow();
  }

  private void send(byte[] bytes) throws Exception {
    attacker.send(new DatagramPacket(bytes, bytes.length, port));
  }

  private long dropped(DropReason reason) {
    return sfu.drops().get(reason);
  }

  private void awaitDropped(DropReason reason, long atLeast) {
    Await.until(
        DEADLINE,
        () -> dropped(reason) >= atLeast,
        () -> reason + " drops: " + dropped(reason) + " < " + atLeast);
  }

  @Test
  void everyKindOfGarbageIsDroppedAndCountedWhileMediaFlows() throws Exception {
    try (LogCapture log = LogCapture.capture()) {
      Await.until(
          DEADLINE,
          () -> {
            var s = bob.streamFrom(alice, MediaKind.VIDEO);
            return s != null && s.packets.get() > 20;
          },
          "media before the attack");
      Random random = new Random(42);

      // Random datagrams whose first byte is outside every RFC 7983 range.
      for (int i = 0; i < 500; i++) {
        byte[] bytes = new byte[1 + random.nextInt(1400)];
        random.nextBytes(bytes);
        bytes[0] = (byte) (64 + random.nextInt(64));
        send(bytes);
      }
      awaitDropped(DropReason.UNKNOWN_PROTOCOL, 500);

      // STUN-looking garbage, truncated and oversized STUN.
      TransportInfo bobInfo = sfu.createEndpoint("r", "carol").get(5, TimeUnit.SECONDS);
      byte[] valid =
          StunCodec.encodeBindingRequest(
              StunCodec.newTransactionId(),
              bobInfo.iceUfrag() + ":" + IceCredentials.newUfrag(),
              bobInfo.icePwd(),
              1234,
              true,
              1,
              true);
      long badStun = dropped(DropReason.BAD_STUN);
      for (int cut = 1; cut < valid.length; cut++) {
        send(Arrays.copyOf(valid, cut));
      }
      byte[] oversized = Arrays.copyOf(valid, 1480);
      send(oversized);
      for (int i = 0; i < 300; i++) {
        byte[] bytes = new byte[20 + random.nextInt(600)];
        random.nextBytes(bytes);
        bytes[0] = 0;
        bytes[1] = 1;
        send(bytes);
      }
      awaitDropped(DropReason.BAD_STUN, badStun + valid.length - 1 + 300);

      // A well-formed check for a live endpoint, with the wrong password.
      byte[] wrongPassword =
          StunCodec.encodeBindingRequest(
              StunCodec.newTransactionId(),
              bobInfo.iceUfrag() + ":" + IceCredentials.newUfrag(),
              IceCredentials.newPassword(),
              1234,
              true,
              1,
              true);
      long badIntegrity = dropped(DropReason.STUN_BAD_INTEGRITY);
      for (int i = 0; i < 20; i++) {
        send(wrongPassword);
      }
      awaitDropped(DropReason.STUN_BAD_INTEGRITY, badIntegrity + 20);

      // DTLS and SRTP from an address no ICE check has bound.
      long unbound = dropped(DropReason.UNBOUND_ADDRESS);
      for (int i = 0; i < 100; i++) {
        byte[] bytes = new byte[100 + random.nextInt(1000)];
        random.nextBytes(bytes);
        bytes[0] = (byte) (i % 2 == 0 ? 22 : 0x80);
        send(bytes);
      }
      awaitDropped(DropReason.UNBOUND_ADDRESS, unbound + 100);

      // RTP under wrong keys from a bound address (alice's own socket).
      long authFail = dropped(DropReason.SRTP_AUTH_FAIL);
      for (int i = 0; i < 100; i++) {
        byte[] bytes = new byte[200];
        random.nextBytes(bytes);
        bytes[0] = (byte) 0x80;
        bytes[1] = (byte) 96;
        alice.client.sendRaw(Unpooled.wrappedBuffer(bytes));
      }
      awaitDropped(DropReason.SRTP_AUTH_FAIL, authFail + 100);

      // RTCP with lying length fields, properly protected: it decrypts, then fails to parse.
      long parse = dropped(DropReason.PARSE_ERROR);
      for (int i = 0; i < 50; i++) {
        ByteBuf rtcp = PooledByteBufAllocator.DEFAULT.heapBuffer(128);
        rtcp.writeByte(0x81).writeByte(201).writeShort(200); // says 804 bytes
        rtcp.writeInt(0x11223344);
        rtcp.writeZero(24);
        alice.client.sendRtcp(rtcp);
      }
      awaitDropped(DropReason.PARSE_ERROR, parse + 50);

      // The room still forwards.
      var stream = bob.streamFrom(alice, MediaKind.VIDEO);
      long now = stream.packets.get();
      Await.until(DEADLINE, () -> stream.packets.get() > now + 50, "media after the attack");
      assertThat(stream.corrupt.get()).isZero();

      System.gc();
      assertThat(log.withStackTraces()).as("stack traces logged").isZero();
      assertThat(log.leaks()).as("buffer leaks").isZero();
    }
  }
}
