package io.parley.sfu.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pooled envelopes over a real socket on loopback: several written before one flush all arrive,
 * each at its own recipient (epoll sends them with one sendmmsg), every direct buffer is freed, and
 * the envelopes are reused.
 */
class PooledDatagramTest {

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void datagramsWrittenTogetherArriveAndTheirEnvelopesAreReused(boolean epoll) throws Exception {
    if (epoll && !Epoll.isAvailable()) {
      return;
    }
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends DatagramChannel> type =
        epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io);
    BlockingQueue<String> first = new LinkedBlockingQueue<>();
    BlockingQueue<String> second = new LinkedBlockingQueue<>();
    try {
      Channel receiverA = bind(group, type, collect(first));
      Channel receiverB = bind(group, type, collect(second));
      Channel sender = bind(group, type, collect(new LinkedBlockingQueue<>()));
      InetSocketAddress a = (InetSocketAddress) receiverA.localAddress();
      InetSocketAddress b = (InetSocketAddress) receiverB.localAddress();

      List<ByteBuf> sent = Collections.synchronizedList(new ArrayList<>());
      List<PooledDatagram> envelopes = Collections.synchronizedList(new ArrayList<>());
      sender
          .eventLoop()
          .submit(
              () -> {
                for (int i = 0; i < 6; i++) {
                  // Unpooled: a pooled buffer object may be handed out again once freed, and
                  // then its reference count is its next owner's.
                  ByteBuf payload = Unpooled.directBuffer(16);
                  payload.writeCharSequence("packet " + i, StandardCharsets.US_ASCII);
                  sent.add(payload);
                  PooledDatagram datagram = PooledDatagram.of(payload, i % 2 == 0 ? a : b);
                  envelopes.add(datagram);
                  sender.write(datagram, sender.voidPromise());
                }
                sender.flush();
              })
          .get(5, TimeUnit.SECONDS);

      for (int i = 0; i < 6; i += 2) {
        assertThat(first.poll(5, TimeUnit.SECONDS)).isEqualTo("packet " + i);
        assertThat(second.poll(5, TimeUnit.SECONDS)).isEqualTo("packet " + (i + 1));
      }
      assertThat(sent).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());

      // The same thread gets an envelope back from the pool for its next datagram.
      List<PooledDatagram> reused = new ArrayList<>();
      sender
          .eventLoop()
          .submit(
              () -> {
                ByteBuf payload = sender.alloc().directBuffer(16);
                payload.writeCharSequence("again", StandardCharsets.US_ASCII);
                PooledDatagram datagram = PooledDatagram.of(payload, a);
                reused.add(datagram);
                sender.writeAndFlush(datagram, sender.voidPromise());
              })
          .get(5, TimeUnit.SECONDS);
      assertThat(first.poll(5, TimeUnit.SECONDS)).isEqualTo("again");
      assertThat(envelopes).containsAnyElementsOf(reused);
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void aHeapBufferIsRefused() {
    ByteBuf heap = Unpooled.buffer(4);
    try {
      assertThatThrownBy(() -> PooledDatagram.of(heap, new InetSocketAddress("127.0.0.1", 9)))
          .isInstanceOf(IllegalArgumentException.class);
    } finally {
      heap.release();
    }
  }

  private static Channel bind(
      EventLoopGroup group, Class<? extends DatagramChannel> type, ChannelHandler handler)
      throws InterruptedException {
    return new Bootstrap()
        .group(group)
        .channel(type)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(handler);
              }
            })
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .sync()
        .channel();
  }

  private static ChannelHandler collect(BlockingQueue<String> into) {
    return new SimpleChannelInboundHandler<DatagramPacket>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        into.add(packet.content().toString(StandardCharsets.US_ASCII));
      }
    };
  }
}
