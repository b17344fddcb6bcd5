package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.ice.IceCredentials;
import io.parley.sfu.ice.StunCodec;
import io.parley.sfu.transport.DropReason;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile connections at the live ICE-TCP port while a room's media flows over TCP: garbage before
 * a check, a huge frame length, a wrong password, half frames that never complete, a flood of
 * connections that say nothing. Each is closed and counted; the room keeps forwarding and a new
 * participant still gets in; no stack trace, no leaked buffer.
 */
class TcpHostileInputTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final int MAX_PENDING = 8;

  Sfu sfu;
  EventLoopGroup clients;
  ExecutorService dtls;
  DtlsCertificate certificate;
  TestParticipant alice;
  TestParticipant bob;
  InetSocketAddress port;
  final List<Socket> attackers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    // The first STUN message of the JVM loads ice4j's configuration (seconds on a busy machine):
    // done here, so the check timeout measures the server, not class loading.
    StunCodec.encodeBindingSuccess(
        StunCodec.newTransactionId(),
        new InetSocketAddress("127.0.0.1", 9),
        IceCredentials.newPassword());
    sfu =
        Sfu.start(
            SfuConfig.loopback()
                .withIceTcp(
                    SfuConfig.IceTcp.DEFAULTS.withLimits(MAX_PENDING, Duration.ofSeconds(5))));
    port = new InetSocketAddress("127.0.0.1", sfu.tcpPort());
    clients = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
    certificate = DtlsCertificate.generate();
    alice = TestParticipant.join(sfu, "r", "alice", clients, certificate, dtls, "tcp");
    bob = TestParticipant.join(sfu, "r", "bob", clients, certificate, dtls, "tcp");
    alice.publish();
    bob.subscribeTo(alice);
    alice.startSending();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : attackers) {
      s.close();
    }
    if (alice != null) {
      alice.close();
    }
    if (bob != null) {
      bob.close();
    }
    sfu.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtls.shutdownNow();
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    attackers.add(socket);
    socket.connect(port, 5000);
    socket.setSoTimeout((int) DEADLINE.toMillis());
    return socket;
  }

  private static byte[] frame(byte[] packet) {
    return ByteBuffer.allocate(2 + packet.length)
        .putShort((short) packet.length)
        .put(packet)
        .array();
  }

  /** Reads until the server closes the connection (end of stream or reset), within the deadline. */
  private static void assertClosedByServer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      while (in.read() >= 0) {
        // Nothing is expected before the close; anything read is skipped.
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the connection open for " + DEADLINE, e);
    } catch (SocketException e) {
      // Reset by the server: closed too.
    }
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
  void hostileConnectionsAreClosedAndCountedWhileMediaFlows() throws Exception {
    try (LogCapture log = LogCapture.capture()) {
      Await.until(DEADLINE, () -> bob.client.rtpReceived() > 20, "media before the attack");
      Random random = new Random(7);

      // An HTTP request: its first two bytes read as a 18245-byte frame.
      long tooLong = dropped(DropReason.TCP_FRAME_TOO_LONG);
      Socket http = connect();
      http.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: parley\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertClosedByServer(http);

      // The largest length RFC 4571 allows, then the start of its bytes.
      Socket huge = connect();
      huge.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFF, 0, 1, 2, 3});
      assertClosedByServer(huge);
      awaitDropped(DropReason.TCP_FRAME_TOO_LONG, tooLong + 2);

      // Well-framed garbage, DTLS and SRTP before any check: closed at the first frame.
      long noCheck = dropped(DropReason.TCP_NO_CHECK);
      long unknown = dropped(DropReason.UNKNOWN_PROTOCOL);
      long unbound = dropped(DropReason.UNBOUND_ADDRESS);
      for (int first : new int[] {0x47, 22, 0x80}) {
        byte[] packet = new byte[100 + random.nextInt(1000)];
        random.nextBytes(packet);
        packet[0] = (byte) first;
        Socket s = connect();
        s.getOutputStream().write(frame(packet));
        assertClosedByServer(s);
      }
      awaitDropped(DropReason.UNKNOWN_PROTOCOL, unknown + 1);
      awaitDropped(DropReason.UNBOUND_ADDRESS, unbound + 2);

      // A check for a live endpoint with the wrong password; and random STUN-looking bytes.
      TransportInfo carol = sfu.createEndpoint("r", "carol").get(5, TimeUnit.SECONDS);
      long badIntegrity = dropped(DropReason.STUN_BAD_INTEGRITY);
      long badStun = dropped(DropReason.BAD_STUN);
      Socket wrongPassword = connect();
      wrongPassword
          .getOutputStream()
          .write(
              frame(
                  StunCodec.encodeBindingRequest(
                      StunCodec.newTransactionId(),
                      carol.iceUfrag() + ":" + IceCredentials.newUfrag(),
                      IceCredentials.newPassword(),
                      1234,
                      true,
                      1,
                      true)));
      assertClosedByServer(wrongPassword);
      byte[] stunGarbage = new byte[300];
      random.nextBytes(stunGarbage);
      stunGarbage[0] = 0;
      stunGarbage[1] = 1;
      Socket garbage = connect();
      garbage.getOutputStream().write(frame(stunGarbage));
      assertClosedByServer(garbage);
      awaitDropped(DropReason.STUN_BAD_INTEGRITY, badIntegrity + 1);
      awaitDropped(DropReason.BAD_STUN, badStun + 1);
      awaitDropped(DropReason.TCP_NO_CHECK, noCheck + 5);

      // Slowloris: half a frame, then silence; it is closed when its time for a check runs out.
      Socket half = connect();
      half.getOutputStream().write(new byte[] {0x03, (byte) 0xE8, 0, 1, 0, 0x58});
      assertClosedByServer(half);
      awaitDropped(DropReason.TCP_NO_CHECK, noCheck + 6);

      // A flood of connections that say nothing: beyond the pending limit they are closed at once,
      // the rest when their time runs out.
      long refused = dropped(DropReason.TCP_CONNECTION_LIMIT);
      List<Socket> flood = new ArrayList<>();
      for (int i = 0; i < 4 * MAX_PENDING; i++) {
        flood.add(connect());
      }
      awaitDropped(DropReason.TCP_CONNECTION_LIMIT, refused + 3 * MAX_PENDING);
      assertThat(sfu.tcpConnections(true)).isLessThanOrEqualTo(MAX_PENDING);
      for (Socket s : flood) {
        assertClosedByServer(s);
      }
      Await.until(DEADLINE, () -> sfu.tcpConnections(true) == 0, "no pending connection left");
      assertThat(sfu.tcpConnections(false)).as("alice's and bob's connections").isEqualTo(2);

      // The room still forwards over TCP, and a new participant gets in over TCP.
      long now = bob.client.rtpReceived();
      Await.until(DEADLINE, () -> bob.client.rtpReceived() > now + 50, "media after the attack");
      try (TestParticipant dave =
          TestParticipant.join(sfu, "r", "dave", clients, certificate, dtls, "tcp")) {
        dave.subscribeTo(alice);
        Await.until(DEADLINE, () -> dave.client.rtpReceived() > 20, "media to a newcomer");
      }
      assertThat(bob.client.srtpFailures()).isZero();

      System.gc();
      assertThat(log.withStackTraces()).as("stack traces logged").isZero();
      assertThat(log.leaks()).as("buffer leaks").isZero();
    }
  }
}
