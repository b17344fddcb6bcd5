package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.rtp.RedPayload;
import io.parley.sfu.rtp.RtpHeaderWriter;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.Vp8Descriptor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One subscriber endpoint's copy of a producer. It picks the encoding to send and rewrites SSRC,
 * sequence number, timestamp and VP8 picture id / TL0PICIDX so that the subscriber sees one
 * continuous stream when the source changes (a layer switch, a publisher reconnecting). Confined to
 * the room thread.
 */
public final class Consumer {
  /** How long sent packets are kept for NACKs (see {@link PacketCache}). */
  static final long CACHE_MAX_AGE_NANOS = 1_000_000_000L;

  private final ConsumerSpec spec;
  private final Producer producer;
  private final Endpoint subscriber;
  private final long ssrc;
  private final int clockRate;
  private final boolean video;
  private final PacketCache cache;
  private boolean paused;
  private boolean closed;

  private int currentEncoding = -1;
  private int targetEncoding;

  /** The highest encoding this subscriber wants (it shows the video small); all by default. */
  private int maxEncoding = Integer.MAX_VALUE;

  /** The highest encoding the subscriber's downlink has room for ({@link DownlinkBandwidth}). */
  private int bandwidthMaxEncoding = Integer.MAX_VALUE;

  /** The last packet sent ended a frame: a padding packet may follow without splitting one. */
  private boolean lastMarker;

  /** Not even the lowest layer fits the subscriber's downlink: the video waits for room. */
  private boolean bandwidthPaused;

  /** Audio: the subscriber's downlink needs the room of its redundancy; it gets the primary. */
  private boolean redHeldBack;

  // Rewriting: out = in + offset, with offsets recomputed at each switch of source.
  private int seqOffset;
  private long timestampOffset;
  private int pictureIdOffset;
  private int tl0Offset;
  private int lastSeq;
  private long lastTimestamp;
  private int lastPictureId;
  private int lastTl0;
  private long lastSentNanos;
  private boolean started;

  // The newest source sequence number sent (or skipped) since the last switch of source.
  private int lastSourceSeq;

  // Where the sequence offset changed since the last switch (a padding packet of ours put in, one
  // of the publisher's left out): the newest source number before the change and the offset until
  // then, newest last in a ring. A packet that comes late from before a change (a resend) gets the
  // number it would have had, not one already used.
  private static final int OFFSET_HISTORY = 64;
  private final int[] changeSource = new int[OFFSET_HISTORY];
  private final int[] changeOldOffset = new int[OFFSET_HISTORY];
  private int changes;
  private boolean sentSinceChange;

  private long packetsSent;
  private long octetsSent;

  // Video: the playout delay asked of the subscriber's browser. Each packet carries it from a
  // change until the subscriber's report shows a packet that carried it arrived.
  private final PlayoutDelay playoutDelay;
  private boolean playoutDelayToSend;
  private int playoutDelayFirstSeq = -1;

  Consumer(ConsumerSpec spec, Producer producer, Endpoint subscriber) {
    this.spec = spec;
    this.producer = producer;
    this.subscriber = subscriber;
    ThreadLocalRandom random = ThreadLocalRandom.current();
    this.ssrc = random.nextLong(1, 0xFFFFFFFFL);
    this.clockRate = producer.spec().codec().clockRate();
    this.video = producer.kind() == MediaKind.VIDEO;
    this.cache = new PacketCache(video ? 512 : 64, CACHE_MAX_AGE_NANOS);
    this.playoutDelay = video && spec.extensions().playoutDelay() != 0 ? new PlayoutDelay() : null;
    this.targetEncoding = producer.encodings().length - 1;
    this.lastSeq = random.nextInt(0x10000);
    this.lastTimestamp = random.nextLong(0x100000000L);
    this.lastPictureId = random.nextInt(0x8000);
    this.lastTl0 = random.nextInt(0x100);
  }

  public String id() {
    return spec.consumerId();
  }

  public long ssrc() {
    return ssrc;
  }

  public ConsumerSpec spec() {
    return spec;
  }

  Producer producer() {
    return producer;
  }

  Endpoint subscriber() {
    return subscriber;
  }

  int targetEncoding() {
    return targetEncoding;
  }

  int currentEncoding() {
    return currentEncoding;
  }

  long packetsSent() {
    return packetsSent;
  }

  long octetsSent() {
    return octetsSent;
  }

  boolean started() {
    return started;
  }

  long lastTimestamp() {
    return lastTimestamp;
  }

  long timestampOffset() {
    return timestampOffset;
  }

  int clockRate() {
    return clockRate;
  }

  public void setPaused(boolean paused) {
    boolean resumed = this.paused && !paused;
    this.paused = paused;
    if (resumed) {
      // The subscriber's decoder needs a keyframe after the gap.
      currentEncoding = -1;
      requestKeyframeToStart();
    }
  }

  /** Caps the encoding sent (a smaller tile needs a lower layer); takes effect at a keyframe. */
  public void setMaxEncoding(int max) {
    maxEncoding = Math.max(0, max);
    if (targetEncoding > maxEncoding) {
      setTargetEncoding(maxEncoding);
    }
  }

  /**
   * Caps the encoding sent to what the subscriber's downlink has room for; {@link
   * Integer#MAX_VALUE} for no cap. Takes effect at a keyframe, like {@link #setMaxEncoding}.
   */
  void setBandwidthMaxEncoding(int max) {
    bandwidthMaxEncoding = Math.max(0, max);
  }

  int bandwidthMaxEncoding() {
    return bandwidthMaxEncoding;
  }

  /**
   * Stops the video (at the end of the frame being sent) because not even its lowest layer fits the
   * subscriber's downlink, or lets it go on, from a keyframe.
   *
   * @return true if that changed anything
   */
  boolean setBandwidthPaused(boolean pause) {
    if (pause == bandwidthPaused) {
      return false;
    }
    bandwidthPaused = pause;
    if (!pause) {
      currentEncoding = -1;
      requestKeyframeToStart();
    }
    return true;
  }

  boolean bandwidthPaused() {
    return bandwidthPaused;
  }

  /**
   * Audio to a subscriber that takes redundant audio: whether its downlink needs the redundancy's
   * room, so that it gets the primary block alone (plain Opus, under Opus's payload type).
   */
  void holdBackRed(boolean holdBack) {
    redHeldBack = holdBack;
  }

  /** The encoding this subscriber would get with bandwidth to spare: its tile's cap, if sending. */
  int wantedEncoding(long now) {
    return producer.bestActiveEncoding(now, maxEncoding);
  }

  boolean isVideo() {
    return video;
  }

  /** Paused by the subscriber (the video is not on its screen) or closed: sends nothing. */
  boolean isIdle() {
    return paused || closed;
  }

  /** Chooses the encoding to send from now on (a switch waits for its keyframe). */
  public void setTargetEncoding(int encoding) {
    int clamped = Math.max(0, Math.min(encoding, producer.encodings().length - 1));
    if (clamped != targetEncoding) {
      targetEncoding = clamped;
      producer.requestKeyframeToStart(clamped);
    }
  }

  /** The subscriber asked for a keyframe (PLI, FIR). */
  void requestKeyframe() {
    producer.requestKeyframe(currentEncoding >= 0 ? currentEncoding : targetEncoding);
  }

  /**
   * This consumer cannot send until a keyframe comes (see {@link Producer#requestKeyframeToStart}).
   */
  void requestKeyframeToStart() {
    producer.requestKeyframeToStart(currentEncoding >= 0 ? currentEncoding : targetEncoding);
  }

  void close() {
    closed = true;
    cache.clear();
  }

  /**
   * Sends one packet of the producer to the subscriber if it belongs to the chosen encoding.
   *
   * @param redPrimary for redundant audio, where its primary block's data starts (checked by the
   *     producer); -1 for any other packet
   */
  void forward(
      RtpPacket packet,
      int encoding,
      Vp8Descriptor vp8,
      boolean keyframe,
      int redPrimary,
      long now) {
    if (paused || closed) {
      return;
    }
    if (bandwidthPaused && (lastMarker || !started)) {
      return; // stopped between two frames, so the browser holds a whole last picture
    }
    if (currentEncoding < 0 && !subscriber.isConnected()) {
      // Nothing reaches the subscriber before its transport is up: starting on a keyframe now
      // would spend it, and the subscriber would wait for the next one (seconds). It starts on
      // the keyframe it asks for when it connects, or on the next one asked for below.
      return;
    }
    if (video) {
      int best = producer.bestActiveEncoding(now, Math.min(maxEncoding, bandwidthMaxEncoding));
      if (best != targetEncoding && producer.encodings().length > 1) {
        setTargetEncoding(best);
      }
    }
    if (encoding != currentEncoding) {
      boolean canSwitch = !video || (keyframe && encoding == targetEncoding);
      if (!canSwitch) {
        if (encoding == targetEncoding) {
          // Waiting for a keyframe of the chosen layer: keep asking (the producer throttles), since
          // the first request may have gone out before the layer's SSRC was known, and the
          // subscriber, receiving nothing, will not ask itself.
          producer.requestKeyframeToStart(targetEncoding);
        }
        return;
      }
      switchSource(packet, vp8, now);
      if (currentEncoding >= 0) {
        subscriber.room().context().stats().layerSwitches.increment();
      }
      currentEncoding = encoding;
    }
    send(packet, vp8, redPrimary, now);
  }

  private void switchSource(RtpPacket packet, Vp8Descriptor vp8, long now) {
    seqOffset = (lastSeq + 1 - packet.sequenceNumber()) & 0xFFFF;
    lastSourceSeq = (packet.sequenceNumber() - 1) & 0xFFFF;
    changes = 0;
    long elapsedTicks =
        started ? Math.max(1, (now - lastSentNanos) / 1000 * clockRate / 1_000_000) : 1;
    timestampOffset = (lastTimestamp + elapsedTicks - packet.timestamp()) & 0xFFFFFFFFL;
    if (vp8 != null) {
      if (vp8.hasPictureId()) {
        pictureIdOffset = (lastPictureId + 1 - vp8.pictureId()) & 0x7FFF;
      }
      if (vp8.hasTl0PicIdx()) {
        tl0Offset = (lastTl0 + 1 - vp8.tl0PicIdx()) & 0xFF;
      }
    }
    started = true;
  }

  private void send(RtpPacket packet, Vp8Descriptor vp8, int redPrimary, long now) {
    int seq = outSequence(packet.sequenceNumber());
    if (seq < 0) {
      return; // from before every offset change remembered: no number of ours is sure to fit
    }
    if (newer(packet.sequenceNumber(), lastSourceSeq)) {
      lastSourceSeq = packet.sequenceNumber();
      sentSinceChange = true;
    }
    long timestamp = (packet.timestamp() + timestampOffset) & 0xFFFFFFFFL;
    HeaderExtensionIds ids = spec.extensions();
    int payloadOffset = packet.payloadOffset();
    int payloadLength = packet.payloadLength();
    int payloadType = spec.codec().payloadType();
    boolean passRed = false;
    if (redPrimary >= 0) {
      if (spec.codec().hasRed() && !redHeldBack) {
        // Redundant audio to a subscriber that takes it: as it came, under the subscriber's
        // numbers.
        payloadType = spec.codec().redPayloadType();
        passRed = true;
      } else {
        // A subscriber without it gets the primary block alone: plain Opus.
        payloadLength -= redPrimary - payloadOffset;
        payloadOffset = redPrimary;
      }
    }
    ByteBuf out = subscriber.allocate(12 + 32 + payloadLength);
    RtpHeaderWriter header =
        subscriber.headerWriter().begin(out, packet.marker(), payloadType, seq, timestamp, ssrc);
    addMid(header);
    int transportSequence = -1;
    if (ids.transportCc() != 0) {
      transportSequence = subscriber.nextTransportSequence();
      header.addExtension16(ids.transportCc(), transportSequence);
    }
    int level = audioLevelByte(packet);
    if (level >= 0) {
      header.addExtension8(ids.audioLevel(), level);
    }
    if (playoutDelayToSend) {
      header.addExtension24(
          ids.playoutDelay(), PlayoutDelay.wire(playoutDelay.millis(), PlayoutDelay.MAX_SENT_MS));
      if (playoutDelayFirstSeq < 0
          && vp8 != null
          && vp8.startOfPartition()
          && vp8.partitionIndex() == 0) {
        // The browser takes the delay from a frame's first packet: once the subscriber reports
        // one of those, it has it.
        playoutDelayFirstSeq = seq;
      }
    }
    header.finish();
    int payloadStart = out.writerIndex();
    out.writeBytes(packet.buffer(), payloadOffset, payloadLength);
    if (passRed) {
      RedPayload.rewriteBlockTypes(
          out, payloadStart, producer.spec().codec().payloadType(), spec.codec().payloadType());
    }
    if (vp8 != null) {
      if (vp8.hasPictureId()) {
        int pictureId = (vp8.pictureId() + pictureIdOffset) & 0x7FFF;
        Vp8Descriptor.writePictureId(out, payloadStart, pictureId);
        lastPictureId = pictureId;
      }
      if (vp8.hasTl0PicIdx()) {
        int tl0 = (vp8.tl0PicIdx() + tl0Offset) & 0xFF;
        Vp8Descriptor.writeTl0PicIdx(out, payloadStart, tl0);
        lastTl0 = tl0;
      }
    }
    if (((seq - lastSeq) & 0xFFFF) < 0x8000) {
      lastSeq = seq;
      lastTimestamp = timestamp;
      lastSentNanos = now;
      lastMarker = packet.marker();
    }
    packetsSent++;
    octetsSent += payloadLength;
    if (redPrimary >= 0) {
      MediaStats stats = subscriber.room().context().stats();
      (passRed ? stats.redForwarded : stats.redStripped).increment();
    }
    out.retain();
    if (subscriber.sendRtp(out, producer.kind())) {
      if (transportSequence >= 0) {
        subscriber.sentWithTransportSequence(transportSequence, out.readableBytes(), now);
      }
      cache.put(seq, out, now);
    }
    out.release();
  }

  /** Whether sequence number {@code a} comes after {@code b} (numbers wrap at 2^16). */
  static boolean newer(int a, int b) {
    return a != b && ((a - b) & 0xFFFF) < 0x8000;
  }

  /** The subscriber's sequence number for source number {@code source}, or -1. */
  private int outSequence(int source) {
    if (changes == 0 || newer(source, lastSourceSeq)) {
      return (source + seqOffset) & 0xFFFF;
    }
    int offset = seqOffset;
    int kept = Math.min(changes, OFFSET_HISTORY);
    for (int k = 1; k <= kept; k++) {
      int i = (changes - k) & (OFFSET_HISTORY - 1);
      if (newer(source, changeSource[i])) {
        return (source + offset) & 0xFFFF;
      }
      offset = changeOldOffset[i];
    }
    return changes > OFFSET_HISTORY ? -1 : (source + offset) & 0xFFFF;
  }

  /**
   * The offset changes for what comes after source number {@code source}. Changes with no media
   * sent between them (a burst of padding) make one entry: what came before the first keeps the
   * offset before it, and nothing came between.
   */
  private void changeOffset(int source, int newOffset) {
    int last = (changes - 1) & (OFFSET_HISTORY - 1);
    if (changes > 0 && !sentSinceChange && ((source - changeSource[last]) & 0xFFFF) <= 1) {
      changeSource[last] = source;
    } else {
      int i = changes & (OFFSET_HISTORY - 1);
      changeSource[i] = source;
      changeOldOffset[i] = seqOffset;
      changes++;
    }
    sentSinceChange = false;
    seqOffset = newOffset & 0xFFFF;
  }

  /**
   * Everything the publisher numbered between the last media packet and {@code sourceSeq} (the
   * first packet of the next frame) carried no media: padding, some of it lost on the uplink (it
   * cannot be resent). The numbers close up over it, so the subscriber sees no hole that nothing
   * will ever fill.
   */
  void closeUpBefore(int sourceSeq, int encoding) {
    if (paused
        || closed
        || !started
        || encoding != currentEncoding
        || !lastMarker
        || !newer(sourceSeq, lastSourceSeq)) {
      return;
    }
    int offset = (lastSeq + 1 - sourceSeq) & 0xFFFF;
    if (offset != seqOffset) {
      changeOffset((sourceSeq - 1) & 0xFFFF, offset);
      lastSourceSeq = (sourceSeq - 1) & 0xFFFF;
    }
  }

  /**
   * A padding-only packet of the publisher's (its browser probing its uplink): not sent on, and the
   * numbers after it close up, so the subscriber sees no gap and no bytes that carry nothing.
   */
  void skipPadding(int sourceSeq, int encoding) {
    if (paused
        || closed
        || !started
        || encoding != currentEncoding
        || (bandwidthPaused && lastMarker)
        || !newer(sourceSeq, lastSourceSeq)) {
      return; // a late one keeps its place: the media around it already has its numbers
    }
    changeOffset(sourceSeq, seqOffset - 1);
    lastSourceSeq = sourceSeq;
  }

  /**
   * Sends one padding-only packet (RFC 3550 §5.1: no payload, {@code size} bytes of padding) in
   * this video stream, to probe the subscriber's downlink: the next sequence number, the last
   * timestamp, so the browser counts it in the stream and drops it before the decoder. Only between
   * frames ({@link #canPad}), where it splits none.
   *
   * @param size padding bytes, 1..255
   * @return the packet's size on the wire, or 0 if it was not sent
   */
  int sendPadding(int size, long now) {
    if (!canPad()) {
      return 0;
    }
    int seq = (lastSeq + 1) & 0xFFFF;
    HeaderExtensionIds ids = spec.extensions();
    ByteBuf out = subscriber.allocate(12 + 32 + size);
    int start = out.writerIndex();
    RtpHeaderWriter header =
        subscriber
            .headerWriter()
            .begin(out, false, spec.codec().payloadType(), seq, lastTimestamp, ssrc);
    addMid(header);
    int transportSequence = subscriber.nextTransportSequence();
    header.addExtension16(ids.transportCc(), transportSequence);
    header.finish();
    out.setByte(start, out.getByte(start) | 0x20); // P: the payload is all padding
    out.writeZero(size - 1);
    out.writeByte(size);
    // Media after it moves one number on, so the stream stays continuous.
    changeOffset(lastSourceSeq, seqOffset + 1);
    lastSeq = seq;
    int bytes = 0;
    out.retain();
    if (subscriber.sendRtp(out, producer.kind())) {
      bytes = out.readableBytes();
      subscriber.sentWithTransportSequence(transportSequence, bytes, now);
      subscriber.room().context().stats().paddingPackets.increment();
      // Not kept for resends: a probe lost on a congested downlink would only be sent again into
      // the congestion (the browser asks for the hole a few times, and counts it as lost).
    }
    out.release();
    return bytes;
  }

  /** A padding packet may go now: video, started, between frames, with transport-cc numbers. */
  boolean canPad() {
    return video
        && started
        && lastMarker
        && !paused
        && !closed
        && spec.extensions().transportCc() != 0
        && subscriber.isConnected();
  }

  /** The subscriber's mid for this stream, when negotiated (a mid longer than 16 bytes is not). */
  private void addMid(RtpHeaderWriter header) {
    int id = spec.extensions().mid();
    String mid = spec.mid();
    if (id != 0 && mid != null && !mid.isEmpty() && mid.length() <= 16) {
      header.addExtensionAscii(id, mid);
    }
  }

  /** The audio level byte to copy (V bit and level), or -1. */
  private int audioLevelByte(RtpPacket packet) {
    int outId = spec.extensions().audioLevel();
    int inId = producer.spec().extensions().audioLevel();
    if (video || outId == 0 || inId == 0) {
      return -1;
    }
    int offset = packet.extensionOffset(inId);
    if (offset < 0) {
      return -1;
    }
    return packet.buffer().getUnsignedByte(offset);
  }

  /**
   * The subscriber's receiver report on this stream: a loss it reports, whether a packet that
   * carried the playout delay has arrived, and the delay recomputed from both legs' round trips.
   */
  void report(int fractionLost, long extendedHighestSeq, long now) {
    if (playoutDelay == null) {
      return;
    }
    if (fractionLost > 0) {
      playoutDelay.downlinkLoss(now);
    }
    if (playoutDelayToSend
        && playoutDelayFirstSeq >= 0
        && !newer(playoutDelayFirstSeq, (int) (extendedHighestSeq & 0xFFFF))) {
      playoutDelayToSend = false;
    }
    if (playoutDelay.update(
        now,
        subscriber.feedback().rttMillis(),
        producer.endpoint().feedback().rttMillis(),
        producer.lastUplinkLossNanos())) {
      playoutDelayToSend = true;
      playoutDelayFirstSeq = -1;
      subscriber.room().context().stats().playoutDelayChanges.increment();
    }
  }

  /** The playout delay asked of the subscriber now, in ms; 0 for none. */
  int playoutDelayMillis() {
    return playoutDelay == null ? 0 : playoutDelay.millis();
  }

  /** Answers a NACK from the subscriber: resends what the cache still has. */
  void retransmit(int sequenceNumber) {
    long now = System.nanoTime();
    if (playoutDelay != null) {
      playoutDelay.downlinkLoss(now);
    }
    ByteBuf cached = cache.get(sequenceNumber, now);
    if (cached != null) {
      subscriber.resendProtected(cached);
    } else {
      subscriber.room().context().stats().retransmissionMisses.increment();
    }
  }
}
