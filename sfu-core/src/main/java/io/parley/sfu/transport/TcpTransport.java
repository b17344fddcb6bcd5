package io.parley.sfu.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldPrepender;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFU's ICE-TCP port (RFC 6544, passive candidates only): every connection carries RFC 4571
 * framed packets, each handed to one {@link FrameReceiver} like a UDP datagram. It runs on the UDP
 * port's event loops. Connections that have not carried a valid ICE check are bounded in number and
 * in time.
 */
public final class TcpTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);

  /**
   * The longest frame accepted. Browsers size STUN, DTLS and RTP for UDP paths (about 1200 bytes),
   * over TCP too; the rest of the 16-bit length range is only a way to make the SFU buffer.
   */
  public static final int MAX_FRAME_BYTES = 4096;

  /**
   * A connection stops taking packets at 256 KiB queued (about a second of HD video) and takes them
   * again under 64 KiB: media that late is useless, and the memory stays bounded.
   */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

  static final int SEND_BUFFER_BYTES = 128 * 1024;

  /** Receives the frames of every connection, on the connection's I/O thread. */
  public interface FrameReceiver {
    /** One frame (one packet); the receiver owns {@code frame} and must release it. */
    void receive(TcpConnection connection, ByteBuf frame);

    /** The connection closed (either side). */
    void closed(TcpConnection connection);
  }

  private final Channel server;
  private final int port;
  private final AtomicInteger pending;
  private final AtomicInteger open;

  private TcpTransport(Channel server, AtomicInteger pending, AtomicInteger open) {
    this.server = server;
    this.port = ((InetSocketAddress) server.localAddress()).getPort();
    this.pending = pending;
    this.open = open;
  }

  /**
   * Listens on {@code bindAddress:port} with the given loops ({@code epoll} must match their I/O
   * handler); returns once bound.
   *
   * @param maxPending connections without a valid check yet; more are closed as they open
   * @param checkTimeout a connection without a valid check this long after it opened is closed
   */
  public static TcpTransport bind(
      EventLoopGroup group,
      boolean epoll,
      String bindAddress,
      int port,
      int maxPending,
      Duration checkTimeout,
      DropCounters drops,
      FrameReceiver receiver)
      throws InterruptedException {
    AtomicInteger pending = new AtomicInteger();
    AtomicInteger open = new AtomicInteger();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 512)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // A fixed send buffer instead of the kernel's autotuning (up to 4 MiB, half a minute of
            // video nobody wants any more): 128 KiB (doubled by the kernel) carries 20 Mbit/s at
            // 100 ms round trip, and a stalled browser shows up as backpressure within seconds.
            .childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (pending.incrementAndGet() > maxPending) {
                      pending.decrementAndGet();
                      drops.increment(DropReason.TCP_CONNECTION_LIMIT);
                      ch.close();
                      return;
                    }
                    open.incrementAndGet();
                    TcpConnection connection = new TcpConnection(ch, drops, pending);
                    connection.setCheckTimer(
                        ch.eventLoop()
                            .schedule(
                                connection::refuse,
                                checkTimeout.toMillis(),
                                TimeUnit.MILLISECONDS));
                    ch.closeFuture()
                        .addListener(
                            f -> {
                              open.decrementAndGet();
                              connection.closed();
                              receiver.closed(connection);
                            });
                    ch.pipeline()
                        .addLast("frames-in", new Rfc4571FrameDecoder(MAX_FRAME_BYTES, drops))
                        .addLast("frames-out", new LengthFieldPrepender(2))
                        .addLast("connection", new ConnectionHandler(connection, receiver));
                  }
                });
    Channel server = bootstrap.bind(bindAddress, port).sync().channel();
    TcpTransport transport = new TcpTransport(server, pending, open);
    LOG.info("ICE-TCP port {}:{} open ({})", bindAddress, transport.port, epoll ? "epoll" : "nio");
    return transport;
  }

  public int port() {
    return port;
  }

  /** Open connections that have not carried a valid ICE check yet. */
  public int pendingConnections() {
    return pending.get();
  }

  /** Open connections, checked or not. */
  public int openConnections() {
    return open.get();
  }

  /** Stops listening; open connections close with the event loops. */
  @Override
  public void close() {
    server.close().syncUninterruptibly();
  }

  private static final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final TcpConnection connection;
    private final FrameReceiver receiver;

    ConnectionHandler(TcpConnection connection, FrameReceiver receiver) {
      this.connection = connection;
      this.receiver = receiver;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      receiver.receive(connection, (ByteBuf) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A reset by the browser, mostly: the connection is gone either way.
      LOG.debug("ICE-TCP connection {} failed", connection, cause);
      ctx.close();
    }
  }
}
