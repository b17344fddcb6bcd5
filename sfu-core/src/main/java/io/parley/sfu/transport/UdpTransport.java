package io.parley.sfu.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFU's one UDP port. With native epoll there is one socket per event loop, all bound to the
 * same port with SO_REUSEPORT, so the kernel spreads the remote 5-tuples over the loops; with NIO
 * there is a single socket. Every datagram goes to one {@link DatagramReceiver}.
 */
public final class UdpTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);

  /** Receives each datagram on the I/O thread of the socket it arrived on. */
  public interface DatagramReceiver {
    /**
     * Handles one datagram. The receiver owns {@code content} and must release it.
     *
     * @param socket the socket it arrived on (any socket may also send)
     */
    void receive(Channel socket, ByteBuf content, InetSocketAddress sender);

    /**
     * The socket's current read batch is over (Netty's channelReadComplete), on its I/O thread:
     * work collected from the batch's datagrams can be handed on now.
     */
    default void readComplete(Channel socket) {}

    /**
     * The socket reported an error, on its I/O thread: on a connected socket, an ICMP error for
     * what was sent to its address ({@link java.net.PortUnreachableException} when nothing listens
     * there any more).
     */
    default void socketError(Channel socket, Throwable cause) {}
  }

  private final EventLoopGroup group;
  private final List<Channel> channels = new ArrayList<>();
  private final boolean epoll;
  private final String bindAddress;
  private final int port;
  private final DatagramReceiver receiver;

  private UdpTransport(
      EventLoopGroup group,
      boolean epoll,
      String bindAddress,
      int port,
      DatagramReceiver receiver) {
    this.group = group;
    this.epoll = epoll;
    this.bindAddress = bindAddress;
    this.port = port;
    this.receiver = receiver;
  }

  /** Binds the port; returns once every socket is bound. */
  public static UdpTransport bind(
      String bindAddress, int port, int threads, boolean preferNative, DatagramReceiver receiver)
      throws InterruptedException {
    boolean epoll = preferNative && Epoll.isAvailable();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            threads,
            new DefaultThreadFactory("sfu-io", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    UdpTransport transport = null;
    try {
      int sockets = epoll ? threads : 1;
      int boundPort = port;
      List<Channel> bound = new ArrayList<>();
      for (int i = 0; i < sockets; i++) {
        Channel channel =
            bootstrap(group, epoll, receiver, 4 * 1024 * 1024)
                .bind(bindAddress, boundPort)
                .sync()
                .channel();
        boundPort = ((InetSocketAddress) channel.localAddress()).getPort();
        bound.add(channel);
      }
      transport = new UdpTransport(group, epoll, bindAddress, boundPort, receiver);
      transport.channels.addAll(bound);
      LOG.info(
          "UDP media port {}:{} open ({} socket(s), {})",
          bindAddress,
          boundPort,
          sockets,
          epoll ? "epoll" : "nio");
      return transport;
    } finally {
      if (transport == null) {
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }
  }

  private static Bootstrap bootstrap(
      EventLoopGroup group, boolean epoll, DatagramReceiver receiver, int bufferBytes) {
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.SO_RCVBUF, bufferBytes)
            .option(ChannelOption.SO_SNDBUF, bufferBytes)
            .handler(new Handler(receiver));
    if (epoll) {
      bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
    }
    return bootstrap;
  }

  /**
   * Opens a socket on the media port connected to {@code remote}, run by {@code loop} (epoll only;
   * null with NIO). The kernel gives a connected socket of a SO_REUSEPORT group every datagram from
   * its remote address (Linux 5.3 and later choose the best match before the group's hash), so that
   * address's datagrams are read on {@code loop}. Replies may still leave by any socket. Close the
   * returned channel when the address is no longer used; until then it holds a file descriptor.
   */
  public Channel connect(InetSocketAddress remote, EventLoop loop) {
    if (!epoll) {
      return null;
    }
    // One browser's share of the port: a few hundred packets in flight at most.
    ChannelFuture bound = bootstrap(loop, true, receiver, 256 * 1024).bind(bindAddress, port);
    Channel channel = bound.channel();
    bound.addListener(
        f -> {
          if (!f.isSuccess()) {
            LOG.debug("no connected socket for {}: {}", remote, f.cause().toString());
            return;
          }
          channel
              .connect(remote)
              .addListener(
                  c -> {
                    if (!c.isSuccess()) {
                      LOG.debug(
                          "could not connect a socket to {}: {}", remote, c.cause().toString());
                      channel.close();
                    }
                  });
        });
    return channel;
  }

  public int port() {
    return port;
  }

  public boolean isNative() {
    return epoll;
  }

  public EventLoopGroup group() {
    return group;
  }

  /** The socket whose I/O runs on the given loop, so a room on that loop sends without hops. */
  public Channel channelFor(EventLoop loop) {
    for (Channel channel : channels) {
      if (channel.eventLoop() == loop) {
        return channel;
      }
    }
    return channels.get(0);
  }

  @Override
  public void close() {
    for (Channel channel : channels) {
      channel.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final DatagramReceiver receiver;

    Handler(DatagramReceiver receiver) {
      super(false);
      this.receiver = receiver;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      receiver.receive(ctx.channel(), packet.content(), packet.sender());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      receiver.readComplete(ctx.channel());
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      receiver.socketError(ctx.channel(), cause);
    }
  }
}
