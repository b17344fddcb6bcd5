package io.parley.sfu.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.dtls.DtlsRole;
import io.parley.sfu.dtls.DtlsSession;
import io.parley.sfu.ice.BindingResponse;
import io.parley.sfu.ice.IceCredentials;
import io.parley.sfu.ice.StunCodec;
import io.parley.sfu.ice.StunException;
import io.parley.sfu.rtp.PacketKind;
import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpSession;
import io.parley.sfu.srtp.SrtpStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The browser's side of one WebRTC transport, for tests and synthetic participants: a UDP socket,
 * or an ICE-TCP connection (the active side of RFC 6544, RFC 4571 framing) to the server's TCP
 * candidate; ICE as the controlling agent (checks with USE-CANDIDATE, repeated for consent), a DTLS
 * client with its own certificate, and SRTP. Everything runs on the socket's event loop.
 */
public final class WebRtcClient implements AutoCloseable {

  /** Decrypted media arriving from the server; called on the client's event loop. */
  public interface MediaListener {
    /** An RTP packet, decrypted; the buffer is released after the call. */
    default void rtp(ByteBuf packet) {}

    /** An RTCP compound packet, decrypted; the buffer is released after the call. */
    default void rtcp(ByteBuf packet) {}
  }

  private final String bindAddress;
  private final boolean tcp;

  /**
   * The current socket (or TCP connection); replaced by {@link #rebind()}, always on the same event
   * loop.
   */
  private volatile Channel channel;

  private volatile boolean checksPaused;
  private final InetSocketAddress server;
  private final TransportInfo serverInfo;
  private final String ufrag = IceCredentials.newUfrag();
  private final String password = IceCredentials.newPassword();
  private final DtlsCertificate certificate;
  private final DtlsSession dtls;
  private final MediaListener listener;
  private final long tieBreaker = ThreadLocalRandom.current().nextLong();
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final CompletableFuture<Void> iceConnected = new CompletableFuture<>();

  /** Completed by the next successful check response (after a {@link #rebind()}). */
  private volatile CompletableFuture<Void> pathChecked = new CompletableFuture<>();

  private final AtomicLong rtpReceived = new AtomicLong();
  private final AtomicLong srtpFailures = new AtomicLong();
  private volatile java.util.function.Predicate<ByteBuf> sendFilter;
  private volatile java.util.function.Predicate<ByteBuf> receiveFilter;
  private ScheduledFuture<?> checks;
  private SrtpSession srtp;
  private boolean dtlsStarted;
  private long lastCheckNanos;
  private volatile SrtpStatus lastFailure;
  public volatile long lastFailureNanos;
  private volatile boolean closed;

  private WebRtcClient(
      EventLoopGroup group,
      String bindAddress,
      InetSocketAddress server,
      TransportInfo serverInfo,
      DtlsCertificate certificate,
      Executor dtlsExecutor,
      MediaListener listener,
      boolean tcp)
      throws InterruptedException {
    this.tcp = tcp;
    this.server = server;
    this.serverInfo = serverInfo;
    this.certificate = certificate;
    this.listener = listener;
    this.bindAddress = bindAddress;
    this.channel = bind(group);
    this.dtls =
        new DtlsSession(
            DtlsRole.CLIENT,
            certificate,
            dtlsExecutor,
            this::sendDtls,
            new DtlsSession.Listener() {
              @Override
              public void connected(SrtpKeys keys) {
                channel.eventLoop().execute(() -> onConnected(keys));
              }

              @Override
              public void failed(String reason, Throwable cause) {
                connected.completeExceptionally(
                    new IllegalStateException("DTLS failed: " + reason, cause));
              }
            });
    dtls.setRemoteFingerprint(serverInfo.fingerprintAlgorithm(), serverInfo.fingerprint());
  }

  private Channel bind(EventLoopGroup group) throws InterruptedException {
    if (tcp) {
      return new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
          .option(ChannelOption.TCP_NODELAY, true)
          // A fixed receive buffer (no autotuning): a few Mbit/s of media fit, and a client that
          // stops reading stalls the server's side within a second or two.
          .option(ChannelOption.SO_RCVBUF, 128 * 1024)
          .handler(
              new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                  ch.pipeline()
                      .addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2))
                      .addLast(new LengthFieldPrepender(2))
                      .addLast(new Handler());
                }
              })
          .connect(server, new InetSocketAddress(bindAddress, 0))
          .sync()
          .channel();
    }
    return new Bootstrap()
        .group(group)
        .channel(NioDatagramChannel.class)
        .option(io.netty.channel.ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(io.netty.channel.ChannelOption.SO_RCVBUF, 2 * 1024 * 1024)
        .handler(new Handler())
        .bind(bindAddress, 0)
        .sync()
        .channel();
  }

  /**
   * Moves to a new local port (over TCP: a new connection), keeping ICE credentials, DTLS and SRTP:
   * what a browser does when its network changes. The new address is checked (and nominated) at
   * once.
   */
  public void rebind() throws InterruptedException {
    Channel old = channel;
    CompletableFuture<Void> checked = new CompletableFuture<>();
    pathChecked = checked;
    channel = bind(old.eventLoop());
    if (!tcp) {
      old.close().sync();
    }
    channel
        .eventLoop()
        .execute(
            () -> {
              lastCheckNanos = System.nanoTime() - 2_000_000_000L;
              sendCheck();
            });
    if (tcp) {
      // Like a browser, close the old connection only once the new one has passed a check: the
      // server drops an endpoint whose last connection closes.
      try {
        checked.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("the new connection was not checked", e);
      } finally {
        old.close().sync();
      }
    }
  }

  /** Stops (or resumes) ICE checks, so the server's consent for this address runs out. */
  public void pauseChecks(boolean paused) {
    this.checksPaused = paused;
  }

  /**
   * Opens a socket on {@code bindAddress} and starts ICE towards the server's first UDP candidate;
   * call {@link #remoteParams()} and pass them to the server before awaiting {@link #connected()}.
   */
  public static WebRtcClient start(
      EventLoopGroup group,
      String bindAddress,
      TransportInfo serverInfo,
      DtlsCertificate certificate,
      Executor dtlsExecutor,
      MediaListener listener) {
    return start(group, bindAddress, serverInfo, certificate, dtlsExecutor, listener, "udp");
  }

  /**
   * Like {@link #start(EventLoopGroup, String, TransportInfo, DtlsCertificate, Executor,
   * MediaListener)}, towards the server's first candidate of {@code protocol}: {@code udp}, or
   * {@code tcp} to connect to its passive ICE-TCP candidate (as a browser whose network blocks UDP
   * does).
   */
  public static WebRtcClient start(
      EventLoopGroup group,
      String bindAddress,
      TransportInfo serverInfo,
      DtlsCertificate certificate,
      Executor dtlsExecutor,
      MediaListener listener,
      String protocol) {
    IceCandidate candidate =
        serverInfo.candidates().stream()
            .filter(c -> c.protocol().equals(protocol))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "the server offers no " + protocol + " candidate"));
    InetSocketAddress server = new InetSocketAddress(candidate.address(), candidate.port());
    try {
      WebRtcClient client =
          new WebRtcClient(
              group,
              bindAddress,
              server,
              serverInfo,
              certificate,
              dtlsExecutor,
              listener,
              protocol.equals("tcp"));
      client.channel.eventLoop().execute(client::startChecks);
      return client;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What the server must be told about this client (as the SDP would). */
  public RemoteTransportParams remoteParams() {
    return new RemoteTransportParams(
        ufrag, password, certificate.fingerprintAlgorithm(), certificate.fingerprint());
  }

  /** Completes when DTLS is up and SRTP keys are in place. */
  public CompletableFuture<Void> connected() {
    return connected;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  public long rtpReceived() {
    return rtpReceived.get();
  }

  /** The status of the last packet that failed SRTP, or null. */
  public SrtpStatus lastSrtpFailure() {
    return lastFailure;
  }

  public long srtpFailures() {
    return srtpFailures.get();
  }

  public Channel channel() {
    return channel;
  }

  /** Protects and sends an RTP packet (a heap buffer with room after it); takes ownership. */
  public void sendRtp(ByteBuf packet) {
    channel.eventLoop().execute(() -> protectAndSend(packet, false));
  }

  /** Protects and sends an RTCP compound packet; takes ownership. */
  public void sendRtcp(ByteBuf packet) {
    channel.eventLoop().execute(() -> protectAndSend(packet, true));
  }

  /**
   * Decides which plain RTP/RTCP packets go out (false drops one): simulated uplink loss for tests
   * and load runs.
   */
  public void setSendFilter(java.util.function.Predicate<ByteBuf> keep) {
    this.sendFilter = keep;
  }

  /**
   * Decides which SRTP/SRTCP datagrams from the server are processed (false drops one, before
   * decryption, so a dropped packet can still be recovered): simulated downlink loss.
   */
  public void setReceiveFilter(java.util.function.Predicate<ByteBuf> keep) {
    this.receiveFilter = keep;
  }

  /**
   * Sends raw bytes to the server, bypassing ICE, DTLS and SRTP (hostile-input tests); over TCP as
   * one frame.
   */
  public void sendRaw(ByteBuf datagram) {
    send(datagram);
  }

  /** Sends one packet: a datagram, or one RFC 4571 frame on the TCP connection. */
  private void send(ByteBuf packet) {
    if (tcp) {
      channel.writeAndFlush(packet, channel.voidPromise());
    } else {
      channel.writeAndFlush(new DatagramPacket(packet, server), channel.voidPromise());
    }
  }

  private void protectAndSend(ByteBuf packet, boolean rtcp) {
    var filter = sendFilter;
    if (srtp == null || closed || (filter != null && !filter.test(packet))) {
      packet.release();
      return;
    }
    SrtpStatus status = rtcp ? srtp.protectRtcp(packet) : srtp.protectRtp(packet);
    if (status != SrtpStatus.OK) {
      packet.release();
      return;
    }
    send(packet);
  }

  private void startChecks() {
    sendCheck();
    checks =
        channel.eventLoop().scheduleAtFixedRate(() -> sendCheck(), 50, 50, TimeUnit.MILLISECONDS);
  }

  private void sendCheck() {
    if (closed || checksPaused) {
      return;
    }
    // Checks every 50 ms until ICE is up, then every second for consent (RFC 7675).
    long now = System.nanoTime();
    if (iceConnected.isDone() && now - lastCheckNanos < 1_000_000_000L) {
      return;
    }
    lastCheckNanos = now;
    long priority = (110L << 24) | (65535L << 8) | 255;
    byte[] request =
        StunCodec.encodeBindingRequest(
            StunCodec.newTransactionId(),
            serverInfo.iceUfrag() + ":" + ufrag,
            serverInfo.icePwd(),
            priority,
            true,
            tieBreaker,
            true);
    send(Unpooled.wrappedBuffer(request));
  }

  private void sendDtls(byte[] data, int offset, int length) {
    if (!closed) {
      send(Unpooled.copiedBuffer(data, offset, length));
    }
  }

  private void onConnected(SrtpKeys keys) {
    srtp = new SrtpSession(keys);
    connected.complete(null);
  }

  private void receive(ByteBuf content) {
    int first = content.getUnsignedByte(content.readerIndex());
    if (PacketKind.isStun(first)) {
      try {
        BindingResponse response = StunCodec.decodeBindingResponse(content, serverInfo.icePwd());
        if (response.success()) {
          pathChecked.complete(null);
        }
        if (response.success() && !dtlsStarted) {
          dtlsStarted = true;
          iceConnected.complete(null);
          dtls.start();
        }
      } catch (StunException e) {
        // Not for us; ignore.
      }
    } else if (PacketKind.isDtls(first)) {
      byte[] copy = new byte[content.readableBytes()];
      content.getBytes(content.readerIndex(), copy);
      dtls.receive(copy, 0, copy.length);
    } else if (PacketKind.isRtpOrRtcp(first) && srtp != null) {
      var filter = receiveFilter;
      if (filter != null && !filter.test(content)) {
        return;
      }
      ByteBuf packet = content.alloc().heapBuffer(content.readableBytes() + 64);
      try {
        packet.writeBytes(content, content.readerIndex(), content.readableBytes());
        if (PacketKind.isRtcp(packet)) {
          if (srtp.unprotectRtcp(packet) == SrtpStatus.OK) {
            listener.rtcp(packet);
          } else {
            srtpFailures.incrementAndGet();
          }
        } else {
          SrtpStatus status = srtp.unprotectRtp(packet);
          if (status == SrtpStatus.OK) {
            rtpReceived.incrementAndGet();
            listener.rtp(packet);
          } else {
            lastFailure = status;
            lastFailureNanos = System.nanoTime();
            srtpFailures.incrementAndGet();
          }
        }
      } finally {
        packet.release();
      }
    }
  }

  /** Waits for the connection, failing after the timeout. */
  public void awaitConnected(Duration timeout) throws Exception {
    connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    closed = true;
    channel
        .eventLoop()
        .execute(
            () -> {
              if (checks != null) {
                checks.cancel(false);
              }
              if (srtp != null) {
                srtp.close();
                srtp = null;
              }
            });
    dtls.close();
    channel.close().syncUninterruptibly();
  }

  /** Takes datagrams (UDP) or frames (TCP), and releases them. */
  private final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf content = msg instanceof DatagramPacket d ? d.content() : (ByteBuf) msg;
      try {
        if (content.isReadable()) {
          receive(content);
        }
      } finally {
        content.release();
      }
    }
  }
}
