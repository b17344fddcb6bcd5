package io.parley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.parley.sfu.api.Codec;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.Encoding;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.api.SfuListener;
import io.parley.sfu.client.SyntheticMedia;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.dtls.DtlsRole;
import io.parley.sfu.dtls.DtlsSession;
import io.parley.sfu.ice.IceCredentials;
import io.parley.sfu.routing.Endpoint;
import io.parley.sfu.routing.MediaContext;
import io.parley.sfu.routing.MediaStats;
import io.parley.sfu.routing.Room;
import io.parley.sfu.routing.Routing;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpProfile;
import io.parley.sfu.srtp.SrtpSession;
import io.parley.sfu.srtp.SrtpStatus;
import io.parley.sfu.transport.DropCounters;
import io.parley.sfu.transport.MediaPath;
import io.parley.sfu.transport.UdpPath;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * sfu-core's real Room, Endpoints, Producer and Consumers without sockets: the room runs on an
 * {@link EmbeddedChannel}'s loop (the caller's thread), every endpoint gets its SRTP keys from a
 * real DTLS handshake done in memory, and what the room sends is counted and released by a sink at
 * the head of the channel's pipeline. One publisher sends VP8 video; every other endpoint consumes
 * it. Confined to the thread that created it once {@link #create} returns.
 */
public final class InMemoryRoom implements AutoCloseable {
  static final int VIDEO_PT = 96;
  static final HeaderExtensionIds EXTENSIONS = new HeaderExtensionIds(1, 0, 0, 3, 2);

  /** A whole RTP packet of this many bytes: header, transport-cc extension, VP8 payload. */
  public static final int PACKET_SIZE = 1200;

  private static final int HEADER_LENGTH = 12 + 8; // fixed header + one-byte extension block
  private static final int TRANSPORT_CC_OFFSET = 12 + 4 + 1;
  private static final int PICTURE_ID_OFFSET = HEADER_LENGTH + 2;

  private final ExecutorService dtlsThreads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "bench-dtls");
            t.setDaemon(true);
            return t;
          });
  private final Sink sink = new Sink();
  private final EmbeddedChannel channel = new EmbeddedChannel(sink);
  private final Context context = new Context();
  private final Room room;
  private final SrtpProfile profile;
  private final DtlsCertificate clientCertificate = DtlsCertificate.generate();
  private final List<Peer> peers = new ArrayList<>();
  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private final long videoSsrc = 0x1234_5678L;
  private byte[] template;
  private int sequenceNumber = 1000;
  private long timestamp = 90_000;
  private int pictureId = 100;
  private int transportSequence;

  /** The client side of one endpoint: its keys, as a browser would hold them. */
  private static final class Peer {
    final Endpoint endpoint;
    final InetSocketAddress address;
    final SrtpSession srtp;

    Peer(Endpoint endpoint, InetSocketAddress address, SrtpSession srtp) {
      this.endpoint = endpoint;
      this.address = address;
      this.srtp = srtp;
    }
  }

  private InMemoryRoom(SrtpProfile profile) {
    this.profile = profile;
    this.room = new Room("bench", channel.eventLoop(), channel, context);
  }

  /** A room with one publisher and {@code subscribers} consumers of its video, all connected. */
  public static InMemoryRoom create(SrtpProfile profile, int subscribers) throws Exception {
    InMemoryRoom r = new InMemoryRoom(profile);
    r.setUp(subscribers);
    return r;
  }

  private void setUp(int subscribers) throws Exception {
    for (int i = 0; i <= subscribers; i++) {
      peers.add(connect("e" + i, i));
    }
    Peer publisher = peers.get(0);
    Routing.addProducer(
        room,
        publisher.endpoint.id(),
        new ProducerSpec(
            "video",
            MediaKind.VIDEO,
            "1",
            "camera",
            Codec.vp8(VIDEO_PT),
            List.of(new Encoding(null, videoSsrc)),
            EXTENSIONS));
    for (int i = 1; i <= subscribers; i++) {
      Routing.addConsumer(
          room,
          peers.get(i).endpoint.id(),
          new ConsumerSpec("c" + i, "video", "v", Codec.vp8(VIDEO_PT), EXTENSIONS));
    }
    SyntheticMedia media = SyntheticMedia.video(videoSsrc, VIDEO_PT);
    int payload = PACKET_SIZE - HEADER_LENGTH;
    ByteBuf[] frame = media.videoFrame(alloc, payload - 6, payload, true, 3000, 3);
    if (frame.length != 1 || frame[0].readableBytes() != PACKET_SIZE) {
      throw new IllegalStateException("template is " + frame[0].readableBytes() + " bytes");
    }
    template = new byte[PACKET_SIZE];
    frame[0].readBytes(template);
    frame[0].release();
    selfCheck(subscribers);
  }

  /** Creates an endpoint, passes ICE for it and runs a real DTLS handshake with a client. */
  private Peer connect(String id, int index) throws Exception {
    Endpoint endpoint = room.createEndpoint(id);
    InetSocketAddress address =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 20_000 + index);
    UdpPath path = new UdpPath(address);
    CompletableFuture<SrtpKeys> keys = new CompletableFuture<>();
    DtlsSession client =
        new DtlsSession(
            DtlsRole.CLIENT,
            clientCertificate,
            dtlsThreads,
            (data, offset, length) ->
                endpoint.receiveDtls(Unpooled.wrappedBuffer(data, offset, length), path),
            DtlsSession.Listener.completing(keys));
    offerOnly(client, profile);
    client.setRemoteFingerprint(
        context.certificate.fingerprintAlgorithm(), context.certificate.fingerprint());
    sink.dtlsPeers.put(address, client);
    CompletableFuture<Void> serverUp = new CompletableFuture<>();
    context.connected.put(id, serverUp);
    endpoint.connect(
        new RemoteTransportParams(
            IceCredentials.newUfrag(),
            IceCredentials.newPassword(),
            clientCertificate.fingerprintAlgorithm(),
            clientCertificate.fingerprint()));
    endpoint.onValidCheck(path, true);
    client.start();
    SrtpKeys clientKeys = keys.get(20, TimeUnit.SECONDS);
    // The endpoint's state is set on the DTLS thread before this event: waiting for it orders
    // those writes before the benchmark thread's reads.
    serverUp.get(20, TimeUnit.SECONDS);
    if (clientKeys.profile() != profile) {
      throw new IllegalStateException("negotiated " + clientKeys.profile());
    }
    return new Peer(endpoint, address, new SrtpSession(clientKeys));
  }

  /** Makes a client offer one SRTP profile (the server takes its own preference otherwise). */
  private static void offerOnly(DtlsSession client, SrtpProfile profile) throws Exception {
    Method set = DtlsSession.class.getDeclaredMethod("setSrtpProfiles", List.class);
    set.setAccessible(true);
    set.invoke(client, List.of(profile));
  }

  /** Sends a few packets and checks each subscriber decrypts a rewritten, intact copy. */
  private void selfCheck(int subscribers) {
    sink.keepLast = true;
    for (int i = 0; i < 4; i++) {
      forwardOne();
    }
    long expected = 4L * subscribers;
    if (sink.rtp != expected) {
      throw new IllegalStateException("forwarded " + sink.rtp + " packets, expected " + expected);
    }
    for (int i = 1; i <= subscribers; i++) {
      Peer peer = peers.get(i);
      ByteBuf last = sink.last.remove(peer.address);
      try {
        if (last == null || peer.srtp.unprotectRtp(last) != SrtpStatus.OK) {
          throw new IllegalStateException("subscriber " + i + " cannot decrypt what it got");
        }
        RtpPacket rtp = new RtpPacket();
        if (!rtp.parse(last) || rtp.ssrc() == videoSsrc) {
          throw new IllegalStateException("subscriber " + i + " got no rewritten RTP");
        }
        int stamp = SyntheticMedia.videoStampOffset(rtp.payloadOffset());
        if (!SyntheticMedia.verify(last, stamp, last.writerIndex() - stamp)) {
          throw new IllegalStateException("subscriber " + i + " got a damaged payload");
        }
      } finally {
        if (last != null) {
          last.release();
        }
      }
    }
    sink.keepLast = false;
    sink.last.values().forEach(ByteBuf::release);
    sink.last.clear();
  }

  /**
   * The publisher's next packet, SRTP-protected as the browser would send it, in a buffer laid out
   * as the SFU's receive path makes it (a pooled heap buffer with room for the tag).
   */
  public ByteBuf nextIncoming() {
    ByteBuf packet = alloc.heapBuffer(PACKET_SIZE + 96);
    packet.writeBytes(template);
    packet.setShort(2, sequenceNumber);
    packet.setInt(4, (int) timestamp);
    packet.setShort(TRANSPORT_CC_OFFSET, transportSequence);
    packet.setShort(PICTURE_ID_OFFSET, 0x8000 | pictureId);
    sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    transportSequence = (transportSequence + 1) & 0xFFFF;
    timestamp = (timestamp + 3000) & 0xFFFFFFFFL;
    pictureId = (pictureId + 1) & 0x7FFF;
    if (peers.get(0).srtp.protectRtp(packet) != SrtpStatus.OK) {
      packet.release();
      throw new IllegalStateException("publisher could not protect");
    }
    return packet;
  }

  /** The SFU's part: unprotect, parse, route, rewrite and protect per consumer, write, flush. */
  public void receive(ByteBuf incoming) {
    peers.get(0).endpoint.receiveSrtp(incoming);
  }

  /** One publisher packet through the room; returns the RTP packets sent so far. */
  public long forwardOne() {
    receive(nextIncoming());
    return sink.rtp;
  }

  /** Runs the room's timers that are due (receiver reports, transport-cc feedback). */
  public void runTimers() {
    channel.runScheduledPendingTasks();
  }

  public long sent() {
    return sink.rtp;
  }

  /** The SRTP session the publisher's browser would use, for baselines. */
  public SrtpSession publisherSrtp() {
    return peers.get(0).srtp;
  }

  @Override
  public void close() {
    room.close();
    channel.finishAndReleaseAll();
    dtlsThreads.shutdownNow();
    for (Peer peer : peers) {
      peer.srtp.close();
    }
  }

  /**
   * The wire: DTLS goes to the matching client session, RTP and RTCP are counted and released. It
   * swallows flushes, so the figures leave out the socket.
   */
  private static final class Sink extends ChannelOutboundHandlerAdapter {
    final Map<InetSocketAddress, DtlsSession> dtlsPeers = new ConcurrentHashMap<>();
    final Map<InetSocketAddress, ByteBuf> last = new ConcurrentHashMap<>();
    volatile boolean keepLast;
    long rtp;
    long rtcp;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      DatagramPacket datagram = (DatagramPacket) msg;
      ByteBuf content = datagram.content();
      int first = content.getUnsignedByte(content.readerIndex());
      if (first >= 20 && first <= 63) {
        DtlsSession peer = dtlsPeers.get(datagram.recipient());
        if (peer != null) {
          byte[] bytes = new byte[content.readableBytes()];
          content.getBytes(content.readerIndex(), bytes);
          peer.receive(bytes, 0, bytes.length);
        }
      } else {
        int type = content.getUnsignedByte(content.readerIndex() + 1);
        if (type >= 192 && type <= 223) {
          rtcp++;
        } else {
          rtp++;
          if (keepLast) {
            // A heap copy: the SFU hands the socket direct memory, SRTP works on arrays.
            ByteBuf old = last.put(datagram.recipient(), Unpooled.copiedBuffer(content));
            if (old != null) {
              old.release();
            }
          }
        }
      }
      datagram.release();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {}
  }

  /** What the room needs from the SFU around it: counters, events, the certificate. */
  private final class Context implements MediaContext {
    final DtlsCertificate certificate = DtlsCertificate.generate();
    final DropCounters drops = new DropCounters();
    final MediaStats stats = new MediaStats();
    final Map<String, CompletableFuture<Void>> connected = new ConcurrentHashMap<>();
    final SfuListener events =
        new SfuListener() {
          @Override
          public void endpointConnected(String roomId, String endpointId) {
            connected.get(endpointId).complete(null);
          }
        };

    @Override
    public DropCounters drops() {
      return drops;
    }

    @Override
    public MediaStats stats() {
      return stats;
    }

    @Override
    public SfuListener events() {
      return events;
    }

    @Override
    public DtlsCertificate certificate() {
      return certificate;
    }

    @Override
    public java.util.concurrent.Executor handshakeExecutor() {
      return dtlsThreads;
    }

    @Override
    public ByteBufAllocator allocator() {
      return alloc;
    }

    @Override
    public Duration consentTimeout() {
      return Duration.ofHours(1);
    }

    @Override
    public void bindPath(MediaPath path, Endpoint endpoint) {}

    @Override
    public void unbindPath(MediaPath path, Endpoint endpoint) {}

    @Override
    public void unregister(Endpoint endpoint) {}
  }
}
