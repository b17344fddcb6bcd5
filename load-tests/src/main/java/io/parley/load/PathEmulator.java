package io.parley.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A network path between browsers and the SFU, in user space: a UDP relay that delays, jitters,
 * drops and rate-limits datagrams, each way on its own, where the kernel has no {@code netem}.
 *
 * <p>Browsers send to the relay's port (the server advertises it: {@code PARLEY_ADVERTISED_PORT});
 * for each browser address the relay opens a socket of its own towards the SFU, so the SFU sees one
 * distinct address per browser and its answers find their way back. Each datagram is dropped at
 * random with the direction's loss, then queued behind the ones before it at the direction's rate
 * (dropped when the queue would hold more than its limit: a bottleneck's tail drop), then held for
 * the delay plus a random jitter. A path keeps its order (as most real paths do): jitter spreads
 * the arrivals, it does not reorder them.
 *
 * <pre>
 *   java -cp load-tests/target/parley-load.jar io.parley.load.PathEmulator \
 *       --listen 127.0.0.1:20000 --to 127.0.0.1:20001 --delay 50 --jitter 5 --loss 5
 * </pre>
 */
public final class PathEmulator implements AutoCloseable {

  /** What one direction of the path does to the datagrams that take it. */
  public record Direction(
      int delayMillis, int jitterMillis, double loss, long rateBitsPerSecond, int queueMillis) {
    public static final Direction CLEAR = new Direction(0, 0, 0, 0, 0);

    public Direction {
      if (delayMillis < 0 || jitterMillis < 0 || queueMillis < 0 || rateBitsPerSecond < 0) {
        throw new IllegalArgumentException("delay, jitter, rate and queue must not be negative");
      }
      if (loss < 0 || loss > 1) {
        throw new IllegalArgumentException("loss must be between 0 and 1");
      }
    }

    public Direction withDelay(int millis, int jitter) {
      return new Direction(millis, jitter, loss, rateBitsPerSecond, queueMillis);
    }

    public Direction withLoss(double fraction) {
      return new Direction(delayMillis, jitterMillis, fraction, rateBitsPerSecond, queueMillis);
    }

    public Direction withRate(long bitsPerSecond, int queueLimitMillis) {
      return new Direction(delayMillis, jitterMillis, loss, bitsPerSecond, queueLimitMillis);
    }
  }

  /** Datagrams of one direction: received, dropped at random, dropped by the queue, delivered. */
  public static final class Counts {
    public final AtomicLong received = new AtomicLong();
    public final AtomicLong lost = new AtomicLong();
    public final AtomicLong queueDropped = new AtomicLong();
    public final AtomicLong delivered = new AtomicLong();

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "received %d, lost %d, dropped by the queue %d, delivered %d",
          received.get(),
          lost.get(),
          queueDropped.get(),
          delivered.get());
    }
  }

  /** One datagram on its way. */
  private record Pending(long dueNanos, long order, Flow flow, boolean up, ByteBuffer bytes) {}

  /** One browser address: its own socket towards the SFU, and each direction's timeline. */
  private static final class Flow {
    final SocketAddress browser;
    final DatagramChannel toServer;
    final long[] lastDueNanos = new long[2];
    final long[] queueFreeNanos = new long[2];

    Flow(SocketAddress browser, DatagramChannel toServer) {
      this.browser = browser;
      this.toServer = toServer;
    }
  }

  private final DatagramChannel listen;
  private final InetSocketAddress server;
  private final Selector selector;
  private final Direction up;
  private final Direction down;
  private final Counts upCounts = new Counts();
  private final Counts downCounts = new Counts();
  private final Map<SocketAddress, Flow> flows = new HashMap<>();
  private final PriorityQueue<Pending> queue =
      new PriorityQueue<>(
          (a, b) ->
              a.dueNanos != b.dueNanos
                  ? Long.compare(a.dueNanos, b.dueNanos)
                  : Long.compare(a.order, b.order));
  private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean running = true;
  private long order;

  /**
   * Starts relaying: datagrams to {@code listen} go to {@code server} through {@code up}; the
   * server's answers come back through {@code down}.
   */
  public static PathEmulator start(
      InetSocketAddress listen, InetSocketAddress server, Direction up, Direction down)
      throws IOException {
    return new PathEmulator(listen, server, up, down);
  }

  private PathEmulator(
      InetSocketAddress listenAddress, InetSocketAddress server, Direction up, Direction down)
      throws IOException {
    this.server = server;
    this.up = up;
    this.down = down;
    this.selector = Selector.open();
    this.listen = DatagramChannel.open().bind(listenAddress);
    listen.configureBlocking(false);
    listen.register(selector, SelectionKey.OP_READ);
    thread = new Thread(this::run, "path-emulator");
    thread.setDaemon(true);
    thread.start();
  }

  /** The address browsers send to. */
  public InetSocketAddress address() {
    try {
      return (InetSocketAddress) listen.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Browser to server. */
  public Counts upCounts() {
    return upCounts;
  }

  /** Server to browser. */
  public Counts downCounts() {
    return downCounts;
  }

  private void run() {
    try {
      while (running) {
        long now = System.nanoTime();
        Pending next = queue.peek();
        if (next == null) {
          selector.select(100);
        } else if (next.dueNanos > now) {
          long waitNanos = next.dueNanos - now;
          if (waitNanos >= 1_000_000) {
            selector.select(waitNanos / 1_000_000);
          } else {
            selector.selectNow();
          }
        } else {
          selector.selectNow();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          if (key.isValid() && key.isReadable()) {
            receive(key);
          }
        }
        selector.selectedKeys().clear();
        deliverDue(System.nanoTime());
      }
    } catch (IOException e) {
      if (running) {
        System.err.println("path emulator stopped: " + e);
      }
    }
  }

  private void receive(SelectionKey key) throws IOException {
    DatagramChannel channel = (DatagramChannel) key.channel();
    while (true) {
      ByteBuffer buffer = spare.isEmpty() ? ByteBuffer.allocate(2048) : spare.pop();
      buffer.clear();
      SocketAddress from = channel.receive(buffer);
      if (from == null) {
        spare.push(buffer);
        return;
      }
      buffer.flip();
      if (channel == listen) {
        Flow flow = flows.get(from);
        if (flow == null) {
          flow = open(from);
        }
        enqueue(flow, true, buffer);
      } else {
        enqueue((Flow) key.attachment(), false, buffer);
      }
    }
  }

  private Flow open(SocketAddress browser) throws IOException {
    DatagramChannel toServer = DatagramChannel.open();
    toServer.bind(
        new InetSocketAddress(((InetSocketAddress) listen.getLocalAddress()).getAddress(), 0));
    toServer.connect(server);
    toServer.configureBlocking(false);
    Flow flow = new Flow(browser, toServer);
    toServer.register(selector, SelectionKey.OP_READ, flow);
    flows.put(browser, flow);
    return flow;
  }

  private void enqueue(Flow flow, boolean isUp, ByteBuffer bytes) {
    Direction direction = isUp ? up : down;
    Counts counts = isUp ? upCounts : downCounts;
    int side = isUp ? 0 : 1;
    counts.received.incrementAndGet();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (direction.loss > 0 && random.nextDouble() < direction.loss) {
      counts.lost.incrementAndGet();
      spare.push(bytes);
      return;
    }
    long now = System.nanoTime();
    long sent = now;
    if (direction.rateBitsPerSecond > 0) {
      long start = Math.max(now, flow.queueFreeNanos[side]);
      if (start - now > direction.queueMillis * 1_000_000L) {
        counts.queueDropped.incrementAndGet();
        spare.push(bytes);
        return;
      }
      long serialization = bytes.remaining() * 8L * 1_000_000_000L / direction.rateBitsPerSecond;
      flow.queueFreeNanos[side] = start + serialization;
      sent = start + serialization;
    }
    long delay = direction.delayMillis * 1_000_000L;
    if (direction.jitterMillis > 0) {
      delay += random.nextLong(direction.jitterMillis * 1_000_000L + 1);
    }
    long due = Math.max(sent + delay, flow.lastDueNanos[side]);
    flow.lastDueNanos[side] = due;
    queue.add(new Pending(due, order++, flow, isUp, bytes));
  }

  private void deliverDue(long now) {
    while (!queue.isEmpty() && queue.peek().dueNanos <= now) {
      Pending p = queue.poll();
      Counts counts = p.up ? upCounts : downCounts;
      // Counted before it goes: whoever reads the count after receiving the datagram sees it.
      counts.delivered.incrementAndGet();
      try {
        if (p.up) {
          p.flow.toServer.write(p.bytes);
        } else {
          listen.send(p.bytes, p.flow.browser);
        }
      } catch (IOException e) {
        // The other end is gone (an ICMP unreachable on a connected socket): like a lost datagram.
        counts.delivered.decrementAndGet();
        counts.lost.incrementAndGet();
      }
      spare.push(p.bytes);
    }
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      for (Flow flow : flows.values()) {
        flow.toServer.close();
      }
      listen.close();
      selector.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  // ---- command line ----

  @Command(
      name = "path-emulator",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "A UDP relay between browsers and Parley's media port that delays, jitters, drops and"
            + " rate-limits datagrams, each way on its own. Start Parley with"
            + " PARLEY_ADVERTISED_PORT set to the --listen port (and PARLEY_TCP_PORT=0), so"
            + " browsers send their media here. Prints what it did when stopped.",
        ""
      })
  static final class Cli implements Callable<Integer> {
    @Option(names = "--listen", required = true, description = "host:port browsers send to")
    String listen;

    @Option(names = "--to", required = true, description = "host:port of Parley's media port")
    String to;

    @Option(names = "--delay", description = "one-way delay, ms, each way (default 0)")
    int delay;

    @Option(names = "--jitter", description = "extra random delay 0..N ms, each way (default 0)")
    int jitter;

    @Option(names = "--loss", description = "percent of datagrams dropped at random, each way")
    double loss;

    @Option(names = "--up-loss", description = "percent dropped from browsers (overrides --loss)")
    Double upLoss;

    @Option(
        names = "--down-loss",
        description = "percent dropped towards browsers (overrides --loss)")
    Double downLoss;

    @Option(names = "--down-rate", description = "kbit/s towards each browser (default: no limit)")
    long downRate;

    @Option(names = "--down-queue", description = "queue limit of --down-rate, ms (default 300)")
    int downQueue = 300;

    @Override
    public Integer call() throws Exception {
      Direction base = Direction.CLEAR.withDelay(delay, jitter);
      Direction upDirection = base.withLoss((upLoss != null ? upLoss : loss) / 100);
      Direction downDirection =
          base.withLoss((downLoss != null ? downLoss : loss) / 100)
              .withRate(downRate * 1000, downQueue);
      PathEmulator path = PathEmulator.start(parse(listen), parse(to), upDirection, downDirection);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    System.out.println("up: " + path.upCounts() + "; down: " + path.downCounts());
                    path.close();
                  }));
      System.out.println("relaying " + path.address() + " -> " + to);
      System.out.flush();
      Thread.currentThread().join();
      return 0;
    }

    private static InetSocketAddress parse(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("expected host:port, got " + hostPort);
      }
      return new InetSocketAddress(
          hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Cli()).execute(args));
  }
}
