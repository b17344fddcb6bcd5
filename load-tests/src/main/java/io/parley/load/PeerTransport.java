package io.parley.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.dtls.DtlsRole;
import io.parley.sfu.dtls.DtlsSession;
import io.parley.sfu.ice.BindingRequest;
import io.parley.sfu.ice.BindingResponse;
import io.parley.sfu.ice.IceCredentials;
import io.parley.sfu.ice.StunCodec;
import io.parley.sfu.ice.StunException;
import io.parley.sfu.rtp.PacketKind;
import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpSession;
import io.parley.sfu.srtp.SrtpStatus;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One WebRTC transport of a synthetic participant, as a browser's RTCPeerConnection would run it: a
 * UDP socket, full ICE in either role (checks to every remote candidate, answers to the peer's
 * checks), DTLS as client or server, and SRTP. Works against ICE-lite servers (Parley) and full-ICE
 * ones (Janus). Everything but the DTLS handshake runs on the socket's event loop.
 */
final class PeerTransport implements AutoCloseable {

  /** Decrypted media; called on the transport's event loop, the buffer released afterwards. */
  interface Listener {
    void rtp(ByteBuf packet, long arrivalNanos);

    void rtcp(ByteBuf packet);
  }

  /** The other side's transport, from its SDP. */
  record Remote(
      String ufrag,
      String pwd,
      String fingerprintAlgorithm,
      String fingerprint,
      List<InetSocketAddress> candidates) {}

  private static final long CHECK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long CONSENT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Channel channel;
  private final String ufrag = IceCredentials.newUfrag();
  private final String pwd = IceCredentials.newPassword();
  private final DtlsCertificate certificate;
  private final Executor dtlsExecutor;
  private final Listener listener;
  private final Impairment impairment;
  private final Counters counters;
  private final long tieBreaker = ThreadLocalRandom.current().nextLong();
  private final CompletableFuture<Void> connected = new CompletableFuture<>();

  // Event-loop confined.
  private Remote remote;
  private boolean controlling;
  private DtlsRole dtlsRole;
  private DtlsSession dtls;
  private InetSocketAddress selected;
  private InetSocketAddress dtlsPeer;
  private SrtpSession srtp;
  private ScheduledFuture<?> checks;
  private long lastCheckNanos;
  private boolean closed;

  private PeerTransport(
      EventLoopGroup group,
      String bindAddress,
      DtlsCertificate certificate,
      Executor dtlsExecutor,
      Listener listener,
      Impairment impairment,
      Counters counters) {
    this.certificate = certificate;
    this.dtlsExecutor = dtlsExecutor;
    this.listener = listener;
    this.impairment = impairment;
    this.counters = counters;
    this.channel =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.SO_RCVBUF, 1024 * 1024)
            .option(ChannelOption.SO_SNDBUF, 1024 * 1024)
            .handler(new Handler())
            .bind(bindAddress, 0)
            .syncUninterruptibly()
            .channel();
  }

  /** Opens the socket; the transport is idle until {@link #start}. */
  static PeerTransport open(
      EventLoopGroup group,
      String bindAddress,
      DtlsCertificate certificate,
      Executor dtlsExecutor,
      Listener listener,
      Impairment impairment,
      Counters counters) {
    return new PeerTransport(
        group, bindAddress, certificate, dtlsExecutor, listener, impairment, counters);
  }

  String ufrag() {
    return ufrag;
  }

  String pwd() {
    return pwd;
  }

  DtlsCertificate certificate() {
    return certificate;
  }

  InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  Channel channel() {
    return channel;
  }

  /** Completes once DTLS is up and SRTP keys are in place. */
  CompletableFuture<Void> connected() {
    return connected;
  }

  /**
   * Starts ICE towards {@code remote} and DTLS in {@code dtlsRole}. The offerer of a session is the
   * controlling ICE agent, unless the peer is ICE-lite.
   */
  void start(Remote remote, boolean controlling, DtlsRole dtlsRole) {
    channel
        .eventLoop()
        .execute(
            () -> {
              if (closed || this.remote != null) {
                return;
              }
              if (remote.candidates().isEmpty()) {
                connected.completeExceptionally(
                    new IllegalStateException("the remote SDP has no usable UDP candidate"));
                return;
              }
              this.remote = remote;
              this.controlling = controlling;
              this.dtlsRole = dtlsRole;
              this.dtls =
                  new DtlsSession(
                      dtlsRole,
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
              dtls.setRemoteFingerprint(remote.fingerprintAlgorithm(), remote.fingerprint());
              if (dtlsRole == DtlsRole.SERVER) {
                dtls.start(); // waits for the peer's ClientHello
              }
              sendChecks();
              checks =
                  channel
                      .eventLoop()
                      .scheduleAtFixedRate(this::sendChecks, 50, 50, TimeUnit.MILLISECONDS);
            });
  }

  /** Protects and sends an RTP packet (heap buffer with room after it); takes ownership. */
  void sendRtp(ByteBuf packet) {
    if (channel.eventLoop().inEventLoop()) {
      send(packet, false);
    } else {
      channel.eventLoop().execute(() -> send(packet, false));
    }
  }

  /** Protects and sends an RTCP compound packet; takes ownership. */
  void sendRtcp(ByteBuf packet) {
    if (channel.eventLoop().inEventLoop()) {
      send(packet, true);
    } else {
      channel.eventLoop().execute(() -> send(packet, true));
    }
  }

  private void send(ByteBuf packet, boolean rtcp) {
    if (srtp == null || closed || selected == null || (!rtcp && impairment.dropOutgoing())) {
      packet.release();
      return;
    }
    SrtpStatus status = rtcp ? srtp.protectRtcp(packet) : srtp.protectRtp(packet);
    if (status != SrtpStatus.OK) {
      packet.release();
      return;
    }
    counters.sent(packet.readableBytes());
    DatagramPacket datagram = new DatagramPacket(packet, selected);
    long delay = impairment.nextDelayMillis();
    if (delay > 0) {
      channel
          .eventLoop()
          .schedule(
              () -> channel.writeAndFlush(datagram, channel.voidPromise()),
              delay,
              TimeUnit.MILLISECONDS);
    } else {
      channel.writeAndFlush(datagram, channel.voidPromise());
    }
  }

  private void sendChecks() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    long interval = selected == null ? CHECK_INTERVAL_NANOS : CONSENT_INTERVAL_NANOS;
    if (now - lastCheckNanos < interval - CHECK_INTERVAL_NANOS / 2) {
      return;
    }
    lastCheckNanos = now;
    // Host candidate priority of a local UDP candidate (RFC 8445 §5.1.2.1), as browsers compute.
    long priority = (110L << 24) | (65535L << 8) | 255;
    List<InetSocketAddress> targets = selected == null ? remote.candidates() : List.of(selected);
    for (InetSocketAddress target : targets) {
      byte[] request =
          StunCodec.encodeBindingRequest(
              StunCodec.newTransactionId(),
              remote.ufrag() + ":" + ufrag,
              remote.pwd(),
              priority,
              controlling,
              tieBreaker,
              controlling);
      channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(request), target));
    }
  }

  private void select(InetSocketAddress address) {
    if (selected != null) {
      return;
    }
    selected = address;
    if (dtlsRole == DtlsRole.CLIENT) {
      dtls.start();
    }
  }

  private void sendDtls(byte[] data, int offset, int length) {
    channel
        .eventLoop()
        .execute(
            () -> {
              InetSocketAddress to = selected != null ? selected : dtlsPeer;
              if (!closed && to != null) {
                channel.writeAndFlush(
                    new DatagramPacket(Unpooled.copiedBuffer(data, offset, length), to));
              }
            });
  }

  private void onConnected(SrtpKeys keys) {
    if (closed) {
      return;
    }
    srtp = new SrtpSession(keys);
    connected.complete(null);
  }

  private void receive(ByteBuf content, InetSocketAddress sender) {
    if (remote == null) {
      return;
    }
    int first = content.getUnsignedByte(content.readerIndex());
    if (PacketKind.isStun(first)) {
      receiveStun(content, sender);
    } else if (PacketKind.isDtls(first)) {
      if (dtlsPeer == null) {
        dtlsPeer = sender;
      }
      byte[] copy = new byte[content.readableBytes()];
      content.getBytes(content.readerIndex(), copy);
      dtls.receive(copy, 0, copy.length);
    } else if (PacketKind.isRtpOrRtcp(first) && srtp != null) {
      if (impairment.dropIncoming()) {
        return;
      }
      long arrival = System.nanoTime();
      counters.received(content.readableBytes());
      ByteBuf packet = content.alloc().heapBuffer(content.readableBytes() + 64);
      try {
        packet.writeBytes(content, content.readerIndex(), content.readableBytes());
        if (PacketKind.isRtcp(packet)) {
          if (srtp.unprotectRtcp(packet) == SrtpStatus.OK) {
            listener.rtcp(packet);
          }
        } else if (srtp.unprotectRtp(packet) == SrtpStatus.OK) {
          listener.rtp(packet, arrival);
        } else {
          counters.srtpFailure();
        }
      } finally {
        packet.release();
      }
    }
  }

  private void receiveStun(ByteBuf content, InetSocketAddress sender) {
    int type = content.getUnsignedShort(content.readerIndex());
    if (type == 0x0001) {
      // The peer's connectivity check (full ICE peers such as Janus send them).
      BindingRequest request;
      try {
        request = StunCodec.decodeBindingRequest(content);
      } catch (StunException e) {
        return;
      }
      if (!request.localUfrag().equals(ufrag) || !StunCodec.verifyIntegrity(content, pwd)) {
        return;
      }
      byte[] response = StunCodec.encodeBindingSuccess(request.transactionId(), sender, pwd);
      channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(response), sender));
      if (!controlling && request.useCandidate()) {
        select(sender);
      }
      return;
    }
    try {
      BindingResponse response = StunCodec.decodeBindingResponse(content, remote.pwd());
      // A controlled agent waits for the controlling peer to nominate a pair (USE-CANDIDATE).
      if (response.success() && controlling) {
        select(sender);
      }
    } catch (StunException e) {
      // Not for us.
    }
  }

  @Override
  public void close() {
    channel
        .eventLoop()
        .execute(
            () -> {
              closed = true;
              if (checks != null) {
                checks.cancel(false);
              }
              if (srtp != null) {
                srtp.close();
                srtp = null;
              }
              if (dtls != null) {
                dtls.close();
              }
            });
    channel.close().syncUninterruptibly();
    connected.completeExceptionally(new IllegalStateException("closed"));
  }

  private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      if (packet.content().isReadable()) {
        receive(packet.content(), packet.sender());
      }
    }
  }
}
