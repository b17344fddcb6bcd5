package io.parley.sfu.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
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
 * ICE as the controlling agent (checks with USE-CANDIDATE, repeated for consent), a DTLS client
 * with its own certificate, and SRTP. Everything runs on the socket's event loop.
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

  /** The current socket; replaced by {@link #rebind()}, always on the same event loop. */
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
      MediaListener listener)
      throws InterruptedException {
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
   * Moves to a new local port, keeping ICE credentials, DTLS and SRTP: what a browser does when its
   * network changes. The new address is checked (and nominated) at once.
   */
  public void rebind() throws InterruptedException {
    Channel old = channel;
    channel = bind(old.eventLoop());
    old.close().sync();
    channel
        .eventLoop()
        .execute(
            () -> {
              lastCheckNanos = System.nanoTime() - 2_000_000_000L;
              sendCheck();
            });
  }

  /** Stops (or resumes) ICE checks, so the server's consent for this address runs out. */
  public void pauseChecks(boolean paused) {
    this.checksPaused = paused;
  }

  /**
   * Opens a socket on {@code bindAddress} and starts ICE towards the server's first candidate; call
   * {@link #remoteParams()} and pass them to the server before awaiting {@link #connected()}.
   */
  public static WebRtcClient start(
      EventLoopGroup group,
      String bindAddress,
      TransportInfo serverInfo,
      DtlsCertificate certificate,
      Executor dtlsExecutor,
      MediaListener listener) {
    var candidate = serverInfo.candidates().get(0);
    InetSocketAddress server = new InetSocketAddress(candidate.address(), candidate.port());
    try {
      WebRtcClient client =
          new WebRtcClient(
              group, bindAddress, server, serverInfo, certificate, dtlsExecutor, listener);
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

  /** Sends raw bytes to the server, bypassing ICE, DTLS and SRTP (hostile-input tests). */
  public void sendRaw(ByteBuf datagram) {
    channel.writeAndFlush(new DatagramPacket(datagram, server));
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
    channel.writeAndFlush(new DatagramPacket(packet, server), channel.voidPromise());
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
    channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(request), server));
  }

  private void sendDtls(byte[] data, int offset, int length) {
    if (!closed) {
      channel.writeAndFlush(
          new DatagramPacket(Unpooled.copiedBuffer(data, offset, length), server));
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

  private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      if (packet.content().isReadable()) {
        receive(packet.content());
      }
    }
  }
}
