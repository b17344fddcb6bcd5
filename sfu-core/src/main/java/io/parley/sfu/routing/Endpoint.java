package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.dtls.DtlsRole;
import io.parley.sfu.dtls.DtlsSession;
import io.parley.sfu.ice.IceCredentials;
import io.parley.sfu.rtp.PacketKind;
import io.parley.sfu.rtp.RtpHeaderWriter;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpSession;
import io.parley.sfu.srtp.SrtpStatus;
import io.parley.sfu.transport.DropReason;
import io.parley.sfu.transport.MediaPath;
import io.parley.sfu.util.RateLimitedLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebRTC transport: ICE-lite state (which remote paths, UDP addresses or ICE-TCP connections,
 * passed a check, which one media goes to, consent), the DTLS session, the SRTP session, and the
 * producers and consumers carried on it. Confined to its room's thread, except for the fields
 * marked volatile that the I/O and DTLS threads read.
 */
public final class Endpoint {
  private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);
  private static final int MAX_EARLY_DTLS = 16;
  private static final RateLimitedLog RTCP_FAILURE_LOG = new RateLimitedLog(LOG, 5_000);

  private final String id;
  private final Room room;
  private final String localUfrag = IceCredentials.newUfrag();
  private final String localPassword = IceCredentials.newPassword();
  private final DtlsSession dtls;
  private final long rtcpSsrc = ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);

  private volatile RemoteTransportParams remote;

  /** Where DTLS records go: the path the last DTLS record came from. */
  private volatile MediaPath dtlsPeer;

  private final Map<MediaPath, Long> lastCheckNanos = new HashMap<>();
  private MediaPath selected;
  private SrtpSession srtp;
  private boolean connected;
  private boolean closed;
  private final ArrayDeque<byte[]> earlyDtls = new ArrayDeque<>();

  private final List<Producer> producers = new ArrayList<>();
  private final List<Consumer> consumers = new ArrayList<>();
  private final RtpPacket rtp = new RtpPacket();
  private final RtpHeaderWriter headerWriter = new RtpHeaderWriter();
  private final MediaFeedback feedback;
  private int transportSequence = ThreadLocalRandom.current().nextInt(0x10000);
  private DownlinkBandwidth downlink;

  Endpoint(String id, Room room) {
    this.id = id;
    this.room = room;
    this.dtls =
        new DtlsSession(
            DtlsRole.SERVER,
            room.context().certificate(),
            room.context().handshakeExecutor(),
            this::sendDtls,
            new DtlsSession.Listener() {
              @Override
              public void connected(SrtpKeys keys) {
                room.execute(() -> onDtlsConnected(keys));
              }

              @Override
              public void failed(String reason, Throwable cause) {
                room.execute(() -> onTransportFailed("DTLS: " + reason));
              }
            });
    this.feedback = new MediaFeedback(this);
    dtls.start();
  }

  public String id() {
    return id;
  }

  public Room room() {
    return room;
  }

  public String localUfrag() {
    return localUfrag;
  }

  public String localPassword() {
    return localPassword;
  }

  /** The remote ufrag, or null before the browser's SDP is known. Read by the I/O threads. */
  public String remoteUfrag() {
    RemoteTransportParams params = remote;
    return params == null ? null : params.iceUfrag();
  }

  long rtcpSsrc() {
    return rtcpSsrc;
  }

  List<Producer> producers() {
    return producers;
  }

  List<Consumer> consumers() {
    return consumers;
  }

  RtpHeaderWriter headerWriter() {
    return headerWriter;
  }

  MediaFeedback feedback() {
    return feedback;
  }

  public boolean isConnected() {
    return connected;
  }

  // ---- control, room thread ----

  public void connect(RemoteTransportParams params) {
    boolean first = remote == null;
    remote = params;
    if (first) {
      dtls.setRemoteFingerprint(params.fingerprintAlgorithm(), params.fingerprint());
      while (!earlyDtls.isEmpty()) {
        byte[] record = earlyDtls.poll();
        dtls.receive(record, 0, record.length);
      }
    }
  }

  void addProducer(Producer producer) {
    producers.add(producer);
  }

  void removeProducer(Producer producer) {
    producers.remove(producer);
    producer.close();
  }

  void addConsumer(Consumer consumer) {
    consumers.add(consumer);
  }

  void removeConsumer(Consumer consumer) {
    consumers.remove(consumer);
  }

  void close() {
    if (closed) {
      return;
    }
    closed = true;
    connected = false;
    dtls.close();
    if (srtp != null) {
      srtp.close();
      srtp = null;
    }
    room.context().unregister(this);
    lastCheckNanos.clear();
  }

  // ---- ICE, room thread ----

  /** A Binding request that came over {@code address} passed every check. */
  public void onValidCheck(MediaPath address, boolean useCandidate) {
    if (closed) {
      return;
    }
    room.context().stats().iceChecks.increment();
    boolean known = lastCheckNanos.containsKey(address);
    lastCheckNanos.put(address, System.nanoTime());
    if (!known) {
      room.context().bindPath(address, this);
    }
    // The browser (the controlling agent) nominates with USE-CANDIDATE; a new nomination is the
    // browser moving to another network path, and media follows it.
    if (selected == null || (useCandidate && !address.equals(selected))) {
      if (selected != null) {
        LOG.info("endpoint {} moves media from {} to {}", id, selected, address);
      }
      selected = address;
    }
  }

  private void checkConsent(long now) {
    long timeout = room.context().consentTimeout().toNanos();
    var it = lastCheckNanos.entrySet().iterator();
    while (it.hasNext()) {
      var entry = it.next();
      if (now - entry.getValue() > timeout) {
        it.remove();
        room.context().unbindPath(entry.getKey(), this);
        if (entry.getKey().equals(selected)) {
          selected = null;
        }
      }
    }
    selectAnother("ICE consent expired");
  }

  /** An ICE-TCP connection closed: media can no longer go that way. */
  public void pathClosed(MediaPath path) {
    room.context().unbindPath(path, this);
    if (closed || lastCheckNanos.remove(path) == null) {
      return;
    }
    if (path.equals(selected)) {
      LOG.info("endpoint {} lost its media path: {} closed", id, path);
      selected = null;
    }
    selectAnother("ICE-TCP connection closed");
  }

  /** With no selected path, another one with fresh checks takes over, or the transport is gone. */
  private void selectAnother(String reason) {
    if (selected == null && connected) {
      MediaPath freshest = null;
      long best = Long.MIN_VALUE;
      for (var entry : lastCheckNanos.entrySet()) {
        if (entry.getValue() > best) {
          best = entry.getValue();
          freshest = entry.getKey();
        }
      }
      if (freshest != null) {
        selected = freshest;
      } else {
        onTransportFailed(reason);
      }
    }
  }

  // ---- DTLS ----

  /** A DTLS record from a bound path; any thread. */
  public void receiveDtls(ByteBuf record, MediaPath from) {
    byte[] copy = new byte[record.readableBytes()];
    record.getBytes(record.readerIndex(), copy);
    dtlsPeer = from;
    if (remote == null) {
      // The browser may start DTLS before its SDP answer reaches us: keep the first records.
      room.execute(
          () -> {
            if (remote == null) {
              if (earlyDtls.size() < MAX_EARLY_DTLS) {
                earlyDtls.add(copy);
              }
            } else {
              dtls.receive(copy, 0, copy.length);
            }
          });
      return;
    }
    dtls.receive(copy, 0, copy.length);
  }

  private void sendDtls(byte[] data, int offset, int length) {
    MediaPath to = dtlsPeer;
    if (to == null || closed) {
      return;
    }
    ByteBuf buf = Unpooled.copiedBuffer(data, offset, length);
    room.execute(
        () -> {
          room.write(buf, to);
          room.flush();
        });
  }

  private void onDtlsConnected(SrtpKeys keys) {
    if (closed) {
      return;
    }
    srtp = new SrtpSession(keys);
    connected = true;
    LOG.info("endpoint {} in room {} connected ({})", id, room.id(), keys.profile());
    if (selected == null) {
      // Sfu hands each valid check to this thread before answering it, so the handshake that the
      // answer lets start cannot finish first; if it ever does, the next consent check ends the
      // transport. Said, to find out why.
      LOG.warn(
          "endpoint {} in room {} connected over {} with no ICE check recorded on this thread",
          id,
          room.id(),
          dtlsPeer);
    }
    room.context().events().endpointConnected(room.id(), id);
    for (Consumer consumer : consumers) {
      consumer.requestKeyframeToStart();
    }
  }

  private void onTransportFailed(String reason) {
    if (closed || (!connected && reason.startsWith("ICE"))) {
      return;
    }
    boolean wasConnected = connected;
    connected = false;
    if (reason.startsWith("DTLS")) {
      room.context().stats().dtlsFailures.increment();
    }
    LOG.info("endpoint {} in room {} disconnected: {}", id, room.id(), reason);
    if (wasConnected || reason.startsWith("DTLS")) {
      room.context().events().endpointDisconnected(room.id(), id, reason);
    }
  }

  // ---- SRTP and SRTCP in, room thread ----

  /** An SRTP or SRTCP packet from a bound address; takes ownership of {@code packet}. */
  public void receiveSrtp(ByteBuf packet) {
    receiveSrtp(packet, System.nanoTime(), true);
  }

  /**
   * An SRTP or SRTCP packet from a bound address, read from the socket at {@code arrivedNanos}
   * ({@link System#nanoTime}); takes ownership of {@code packet}. With {@code flush} the room sends
   * what it wrote and records the forwarding delay; a {@link RoomBatch} does both once for all its
   * packets instead.
   */
  void receiveSrtp(ByteBuf packet, long arrivedNanos, boolean flush) {
    try {
      if (srtp == null) {
        room.context().drop(DropReason.SRTP_NOT_READY);
        return;
      }
      if (PacketKind.isRtcp(packet)) {
        int length = packet.readableBytes();
        long senderSsrc = packet.getUnsignedInt(packet.readerIndex() + 4);
        int type = packet.getUnsignedByte(packet.readerIndex() + 1);
        SrtpStatus status = srtp.unprotectRtcp(packet);
        if (status != SrtpStatus.OK) {
          room.context()
              .drop(
                  status == SrtpStatus.AUTH_FAIL ? DropReason.SRTCP_AUTH_FAIL : dropReason(status));
          RTCP_FAILURE_LOG.warn(
              "SRTCP refused ({}): " + id + " type " + type + " length " + length + " ssrc {}",
              status,
              senderSsrc);
          return;
        }
        room.context().stats().rtcpIn.increment();
        feedback.receiveRtcp(packet);
      } else {
        SrtpStatus status = srtp.unprotectRtp(packet);
        if (status != SrtpStatus.OK) {
          room.context().drop(dropReason(status));
          return;
        }
        if (!rtp.parse(packet)) {
          room.context().drop(DropReason.PARSE_ERROR);
          return;
        }
        room.context().stats().rtpIn.increment();
        room.context().stats().rtpBytesIn.add(packet.readableBytes());
        receiveRtp(rtp);
      }
    } finally {
      packet.release();
      if (flush) {
        room.flush();
        int forwarded = room.takeForwarded();
        if (forwarded > 0) {
          room.recordForwardingDelay(System.nanoTime() - arrivedNanos, forwarded);
        }
      }
    }
  }

  private static DropReason dropReason(SrtpStatus status) {
    return status == SrtpStatus.REPLAY_FAIL ? DropReason.SRTP_REPLAY : DropReason.SRTP_AUTH_FAIL;
  }

  private void receiveRtp(RtpPacket packet) {
    long ssrc = packet.ssrc();
    for (int i = 0; i < producers.size(); i++) {
      Producer producer = producers.get(i);
      int encoding = producer.encodingOf(ssrc);
      if (encoding >= 0) {
        feedback.recordArrival(packet, producer);
        room.context().stats().received(producer.kind(), packet.length());
        producer.receive(packet, encoding);
        return;
      }
    }
    // An SSRC the SDP did not announce (simulcast by rid): match it by mid and rid.
    for (int i = 0; i < producers.size(); i++) {
      Producer producer = producers.get(i);
      int encoding = producer.learnSsrc(packet);
      if (encoding >= 0) {
        feedback.recordArrival(packet, producer);
        room.context().stats().received(producer.kind(), packet.length());
        producer.receive(packet, encoding);
        return;
      }
    }
    room.context().drop(DropReason.UNKNOWN_SSRC);
  }

  // ---- out, room thread ----

  /** Next transport-wide sequence number for packets sent on this transport. */
  int nextTransportSequence() {
    transportSequence = (transportSequence + 1) & 0xFFFF;
    return transportSequence;
  }

  /**
   * Remembers a sent packet's size and time for what its transport-cc feedback will show: the
   * delivered rate, and the downlink's bandwidth estimate.
   */
  void sentWithTransportSequence(int transportSequence, int bytes, long now) {
    if (downlink == null) {
      downlink = new DownlinkBandwidth(this);
    }
    downlink.sent(transportSequence, bytes, now);
  }

  /**
   * The subscriber's downlink as its transport-cc feedback shows it, or null if nothing was sent
   * with transport-wide sequence numbers.
   */
  DownlinkBandwidth downlink() {
    return downlink;
  }

  /** Protects and sends an RTP packet of {@code kind} this endpoint receives; takes ownership. */
  boolean sendRtp(ByteBuf packet, MediaKind kind) {
    if (!connected || selected == null || srtp == null) {
      packet.release();
      return false;
    }
    if (srtp.protectRtp(packet) != SrtpStatus.OK) {
      packet.release();
      return false;
    }
    room.context().stats().rtpOut.increment();
    room.context().stats().rtpBytesOut.add(packet.readableBytes());
    room.context().stats().sent(kind, packet.readableBytes());
    room.write(packet, selected);
    room.countForwarded();
    return true;
  }

  /** Sends an already protected packet again (a retransmission); takes ownership. */
  void resendProtected(ByteBuf packet) {
    if (!connected || selected == null) {
      packet.release();
      return;
    }
    room.context().stats().retransmissions.increment();
    room.write(packet, selected);
  }

  /** Protects and sends an RTCP packet; takes ownership. */
  void sendRtcp(ByteBuf packet) {
    if (!connected || selected == null || srtp == null) {
      packet.release();
      return;
    }
    if (srtp.protectRtcp(packet) != SrtpStatus.OK) {
      packet.release();
      return;
    }
    room.context().stats().rtcpOut.increment();
    room.write(packet, selected);
  }

  ByteBuf allocate(int capacity) {
    return room.context().allocator().heapBuffer(capacity + SrtpSession.MAX_OVERHEAD + 64);
  }

  void tick(long now) {
    if (closed) {
      return;
    }
    checkConsent(now);
    if (connected) {
      feedback.tick(now);
      if (downlink != null) {
        downlink.tick(now);
      }
    }
  }
}
