package io.parley.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.load.PathEmulator.Direction;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The user-space path over real UDP on loopback: a browser's socket, the relay, an echo server. */
class PathEmulatorTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** A server that answers each datagram with {@code answers} copies of it. */
  private InetSocketAddress echo(int answers) throws Exception {
    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    open.add(socket);
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[2048];
              while (!socket.isClosed()) {
                try {
                  DatagramPacket p = new DatagramPacket(buf, buf.length);
                  socket.receive(p);
                  for (int i = 0; i < answers; i++) {
                    socket.send(
                        new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                  }
                } catch (Exception e) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  private PathEmulator path(InetSocketAddress server, Direction up, Direction down)
      throws Exception {
    PathEmulator path = PathEmulator.start(new InetSocketAddress(LOOPBACK, 0), server, up, down);
    open.add(path);
    return path;
  }

  private DatagramSocket browser() throws Exception {
    DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    socket.setSoTimeout(5000);
    open.add(socket);
    return socket;
  }

  private static void send(DatagramSocket from, InetSocketAddress to, int seq, int size)
      throws Exception {
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(seq).putLong(System.nanoTime());
    from.send(new DatagramPacket(b.array(), size, to));
  }

  /** Receives until {@code count} datagrams came or nothing more comes for a second. */
  private static List<long[]> receive(DatagramSocket socket, int count) throws Exception {
    socket.setSoTimeout(1000);
    List<long[]> got = new ArrayList<>(); // {seq, sent nanos, received nanos}
    byte[] buf = new byte[2048];
    while (got.size() < count) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        break;
      }
      ByteBuffer b = ByteBuffer.wrap(p.getData(), 0, p.getLength());
      got.add(new long[] {b.getInt(), b.getLong(), System.nanoTime()});
    }
    return got;
  }

  @Test
  void eachDirectionHoldsDatagramsForItsDelayAndKeepsTheirOrder() throws Exception {
    InetSocketAddress server = echo(1);
    PathEmulator path =
        path(server, Direction.CLEAR.withDelay(40, 30), Direction.CLEAR.withDelay(40, 30));
    DatagramSocket browser = browser();
    for (int i = 0; i < 200; i++) {
      send(browser, path.address(), i, 100);
    }
    List<long[]> got = receive(browser, 200);
    assertThat(got).hasSize(200);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i)[0]).as("order").isEqualTo(i);
      assertThat((got.get(i)[2] - got.get(i)[1]) / 1_000_000)
          .as("round trip of datagram %d, ms", i)
          .isGreaterThanOrEqualTo(80);
    }
    assertThat(path.upCounts().delivered.get()).isEqualTo(200);
    assertThat(path.downCounts().delivered.get()).isEqualTo(200);
  }

  @Test
  void lossDropsItsShareOfDatagramsInItsDirectionOnly() throws Exception {
    InetSocketAddress server = echo(1);
    PathEmulator path = path(server, Direction.CLEAR.withLoss(0.3), Direction.CLEAR);
    DatagramSocket browser = browser();
    int n = 1000;
    int got = 0;
    // In bursts of 100, each read before the next: a socket's buffer holds a few hundred datagrams.
    for (int burst = 0; burst < n / 100; burst++) {
      for (int i = 0; i < 100; i++) {
        send(browser, path.address(), burst * 100 + i, 100);
      }
      int sent = (burst + 1) * 100;
      // Every datagram of the burst handled (dropped, or gone on to the server), not only read:
      // otherwise the answers compared below could be those of part of the burst, and the rest
      // come after the last read.
      awaitCount(
          () -> path.upCounts().delivered.get() + path.upCounts().lost.get() == sent,
          "the relay passing on burst " + burst);
      awaitCount(
          () -> path.downCounts().delivered.get() == path.upCounts().delivered.get(),
          "the answers to burst " + burst);
      got += receive(browser, (int) path.downCounts().delivered.get() - got).size();
    }
    long lost = path.upCounts().lost.get();
    // 30 % of 1000: the binomial's standard deviation is 14.5; four of them either way.
    assertThat(lost).isBetween(242L, 358L);
    assertThat(got).isEqualTo(n - lost);
    assertThat(path.downCounts().lost.get()).isZero();
    assertThat(path.upCounts().received.get()).isEqualTo(n);
  }

  private static void awaitCount(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void aRateLimitSpacesABurstAndDropsWhatOverflowsItsQueue() throws Exception {
    // Each datagram from the browser comes back as a burst of 40 of 1000 bytes; at 800 kbit/s one
    // takes 10 ms on the wire, and a 100 ms queue holds about 10 of them.
    InetSocketAddress server = echo(40);
    PathEmulator path = path(server, Direction.CLEAR, Direction.CLEAR.withRate(800_000, 100));
    DatagramSocket browser = browser();
    send(browser, path.address(), 7, 1000);
    List<long[]> got = receive(browser, 40);
    long dropped = path.downCounts().queueDropped.get();
    assertThat(got.size() + dropped).isEqualTo(40);
    assertThat(got.size()).isBetween(9, 13);
    // Delivered one by one, 10 ms apart (a burst let through would arrive within a millisecond or
    // two); half that spread allows for the relay's and the receiver's threads waking late on a
    // busy machine.
    long spreadMillis = (got.get(got.size() - 1)[2] - got.get(0)[2]) / 1_000_000;
    assertThat(spreadMillis)
        .as("the burst spread by the rate")
        .isGreaterThanOrEqualTo((got.size() - 1) * 10L / 2);
  }

  @Test
  void eachBrowserAddressGetsItsOwnWayToTheServer() throws Exception {
    InetSocketAddress server = echo(1);
    PathEmulator path = path(server, Direction.CLEAR, Direction.CLEAR);
    DatagramSocket a = browser();
    DatagramSocket b = browser();
    send(a, path.address(), 1, 100);
    send(b, path.address(), 2, 100);
    assertThat(receive(a, 1)).extracting(r -> r[0]).containsExactly(1L);
    assertThat(receive(b, 1)).extracting(r -> r[0]).containsExactly(2L);
  }
}
