package io.parley.sfu.routing;

import io.parley.sfu.api.Encoding;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.rtp.RedPayload;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.Vp8Descriptor;
import io.parley.sfu.transport.DropReason;
import java.util.ArrayList;
import java.util.List;

/**
 * A track published by an endpoint: one or several encodings (simulcast layers, low to high), and
 * the consumers it fans out to. Confined to the room thread.
 */
public final class Producer {
  /** A publisher is asked for a keyframe at most this often per encoding. */
  public static final long KEYFRAME_REQUEST_INTERVAL_NANOS = 300_000_000L;

  /** An encoding with no packet for this long is not chosen for a subscriber. */
  static final long ENCODING_ACTIVE_NANOS = 1_500_000_000L;

  private static final long BITRATE_WINDOW_NANOS = 500_000_000L;

  /** One encoding's receive state. */
  static final class EncodingState {
    final int index;
    final String rid;
    long ssrc;
    final ReceiveStats stats;
    long lastPacketNanos;
    long lastKeyframeRequestNanos = Long.MIN_VALUE / 2;
    // A keyframe arrived since the last request: that request is answered.
    boolean keyframeSinceRequest = true;
    // The publisher's last sender report, to translate into subscribers' sender reports.
    long srNtp;
    long srRtpTimestamp;
    long srArrivalNanos;
    boolean hasSr;
    // The encoding's bitrate as received (its RTP packets' sizes), over windows of half a second.
    long windowBytes;
    long windowStartNanos = Long.MIN_VALUE;
    long bitrateBps;
    // The newest media packet (not padding): its number, whether it ended a frame, its VP8 picture
    // id (-1 if none), to tell what a gap after it held.
    int mediaSeq = -1;
    boolean mediaEndedFrame;
    int mediaPictureId = -1;

    EncodingState(int index, Encoding encoding, int clockRate) {
      this.index = index;
      this.rid = encoding.rid();
      this.ssrc = encoding.ssrc();
      this.stats = new ReceiveStats(clockRate);
    }
  }

  private final ProducerSpec spec;
  private final Endpoint endpoint;
  private final EncodingState[] encodings;
  private final List<Consumer> consumers = new ArrayList<>();
  private final Vp8Descriptor vp8 = new Vp8Descriptor();
  private final boolean video;

  /** The publisher's payload type for redundant audio, or 0 if it sends none. */
  private final int redPayloadType;

  private boolean active;
  private boolean closed;

  /** When a packet of this (video) producer was last found lost on the publisher's uplink. */
  private long lastUplinkLossNanos = Long.MIN_VALUE / 2;

  // Audio: the share of its packets' bytes that is redundancy (RFC 2198 blocks before the primary).
  private double redundantShare;

  Producer(ProducerSpec spec, Endpoint endpoint) {
    this.spec = spec;
    this.endpoint = endpoint;
    this.video = spec.kind() == MediaKind.VIDEO;
    this.redPayloadType = spec.codec().redPayloadType();
    this.encodings = new EncodingState[spec.encodings().size()];
    for (int i = 0; i < encodings.length; i++) {
      encodings[i] = new EncodingState(i, spec.encodings().get(i), spec.codec().clockRate());
    }
  }

  public String id() {
    return spec.producerId();
  }

  public ProducerSpec spec() {
    return spec;
  }

  public MediaKind kind() {
    return spec.kind();
  }

  Endpoint endpoint() {
    return endpoint;
  }

  List<Consumer> consumers() {
    return consumers;
  }

  EncodingState[] encodings() {
    return encodings;
  }

  void addConsumer(Consumer consumer) {
    consumers.add(consumer);
    requestKeyframeToStart(consumer.targetEncoding());
  }

  void removeConsumer(Consumer consumer) {
    consumers.remove(consumer);
  }

  void close() {
    closed = true;
  }

  /** The encoding an SSRC belongs to, or -1. */
  int encodingOf(long ssrc) {
    for (EncodingState encoding : encodings) {
      if (encoding.ssrc == ssrc) {
        return encoding.index;
      }
    }
    return -1;
  }

  /**
   * Matches a packet with an unannounced SSRC by its mid and rid header extensions and remembers
   * the SSRC; returns the encoding or -1.
   */
  int learnSsrc(RtpPacket packet) {
    int midId = spec.extensions().mid();
    if (midId == 0) {
      return -1;
    }
    String mid = packet.extensionString(midId);
    if (mid == null || !mid.equals(spec.mid())) {
      return -1;
    }
    int ridId = spec.extensions().rid();
    String rid = ridId == 0 ? null : packet.extensionString(ridId);
    for (EncodingState encoding : encodings) {
      boolean matches = rid == null ? encoding.rid == null : rid.equals(encoding.rid);
      if (matches && encoding.ssrc == 0) {
        encoding.ssrc = packet.ssrc();
        return encoding.index;
      }
    }
    if (rid == null && encodings.length == 1 && encodings[0].ssrc == 0) {
      encodings[0].ssrc = packet.ssrc();
      return 0;
    }
    return -1;
  }

  /** Forwards one packet of an encoding to every consumer. */
  void receive(RtpPacket packet, int encodingIndex) {
    if (closed) {
      return;
    }
    EncodingState encoding = encodings[encodingIndex];
    long now = System.nanoTime();
    int seq = packet.sequenceNumber();
    Vp8Descriptor descriptor = null;
    if (video
        && packet.payloadLength() > 0
        && vp8.parse(packet.buffer(), packet.payloadOffset(), packet.payloadLength())) {
      descriptor = vp8;
    }
    boolean afterPadding = descriptor != null && onlyPaddingBefore(encoding, seq, descriptor);
    int skipped = encoding.stats.update(seq, packet.timestamp(), now);
    if (afterPadding) {
      // Whatever is missing since the last frame was padding: nothing to ask for again.
      endpoint.feedback().notMedia(encoding.ssrc, encoding.mediaSeq, seq, skipped);
      for (int i = 0; i < consumers.size(); i++) {
        consumers.get(i).closeUpBefore(seq, encodingIndex);
      }
    } else if (skipped > 0 && !sentOn(encodingIndex)) {
      // A layer no subscriber receives or waits for (the others' downlinks take a lower one):
      // nobody needs what it lost, and a switch to it starts at a keyframe anyway.
      endpoint.room().context().stats().uplinkUnwatchedLost.add(skipped);
    } else if (skipped > 0) {
      // Audio too: Chromium keeps its sent audio and resends it on a NACK (measured: without the
      // SFU's NACKs, audio lost on a 5 % uplink stays lost for every subscriber), though the
      // publish answer offers no nack for Opus.
      lastUplinkLossNanos = now;
      endpoint.feedback().missing(encoding.ssrc, seq, skipped);
    } else {
      endpoint.feedback().arrived(encoding.ssrc, seq);
    }
    if (packet.payloadLength() > 0
        && (encoding.mediaSeq < 0 || !Consumer.newer(encoding.mediaSeq, seq))) {
      encoding.mediaSeq = seq;
      encoding.mediaEndedFrame = packet.marker();
      encoding.mediaPictureId =
          descriptor != null && descriptor.hasPictureId() ? descriptor.pictureId() : -1;
    }
    if (packet.payloadLength() == 0) {
      // Padding only: the browser probing its uplink (without RTX it pads the media stream
      // itself). It counted for the sequence numbers above; it is not media: not a sign the
      // layer sends, not part of its bitrate, and not sent on to anyone.
      for (int i = 0; i < consumers.size(); i++) {
        consumers.get(i).skipPadding(packet.sequenceNumber(), encodingIndex);
      }
      return;
    }
    encoding.lastPacketNanos = now;
    measure(encoding, packet.length(), now);
    if (!active) {
      active = true;
      endpoint.room().context().events().producerActive(endpoint.room().id(), id());
    }
    if (!video && spec.extensions().audioLevel() != 0) {
      int offset = packet.extensionOffset(spec.extensions().audioLevel());
      if (offset >= 0) {
        endpoint.room().audioLevel(endpoint.id(), packet.buffer().getUnsignedByte(offset));
      }
    }
    int redPrimary = -1;
    if (redPayloadType > 0 && packet.payloadType() == redPayloadType) {
      // Redundant audio: checked once here, so each consumer may strip it or pass it on as is.
      int offset = packet.payloadOffset();
      int length = packet.payloadLength();
      redPrimary = RedPayload.primaryOffset(packet.buffer(), offset, length);
      if (redPrimary < 0
          || RedPayload.primaryPayloadType(packet.buffer(), offset, length)
              != spec.codec().payloadType()) {
        endpoint.room().context().drop(DropReason.PARSE_ERROR);
        return;
      }
      endpoint.room().context().stats().redIn.increment();
    }
    if (!video && packet.payloadLength() > 0) {
      // What share of the audio is redundancy: what a subscriber saves when it gets the primary
      // block alone (half the new packet, half the past, like the bitrate).
      double share =
          redPrimary < 0 ? 0 : (double) (redPrimary - packet.payloadOffset()) / packet.length();
      redundantShare = (redundantShare + share) / 2;
    }
    boolean keyframe = false;
    if (descriptor != null) {
      keyframe = descriptor.isKeyframe();
      encoding.keyframeSinceRequest |= keyframe;
    }
    for (int i = 0; i < consumers.size(); i++) {
      consumers.get(i).forward(packet, encodingIndex, descriptor, keyframe, redPrimary, now);
    }
  }

  /**
   * Whether the numbers between the newest media packet and {@code seq} (none, or some never seen)
   * can only have been padding: that packet ended frame P, this one starts frame P + 1, so no frame
   * lies between. Chromium without RTX pads its video stream only between frames, and cannot resend
   * padding; asking for it again is wasted, and a subscriber would be left with a hole.
   */
  private static boolean onlyPaddingBefore(EncodingState encoding, int seq, Vp8Descriptor vp8) {
    if (encoding.mediaSeq < 0
        || !encoding.mediaEndedFrame
        || encoding.mediaPictureId < 0
        || !vp8.hasPictureId()
        || !vp8.startOfPartition()
        || vp8.partitionIndex() != 0) {
      return false;
    }
    int gap = (seq - encoding.mediaSeq) & 0xFFFF;
    int mask = vp8.pictureIdIs16Bit() ? 0x7FFF : 0x7F;
    return gap > 1 && gap < 0x8000 && vp8.pictureId() == ((encoding.mediaPictureId + 1) & mask);
  }

  /** Whether some consumer sends this encoding on, or waits for its keyframe to switch to it. */
  private boolean sentOn(int encoding) {
    for (int i = 0; i < consumers.size(); i++) {
      Consumer c = consumers.get(i);
      if (!c.isIdle() && (c.currentEncoding() == encoding || c.targetEncoding() == encoding)) {
        return true;
      }
    }
    return false;
  }

  /**
   * What the audio costs a subscriber that gets the primary block of each redundant-audio packet
   * alone, in bits per second.
   */
  long plainAudioBitrate(long now) {
    return (long) (bitrate(0, now) * (1 - redundantShare));
  }

  long lastUplinkLossNanos() {
    return lastUplinkLossNanos;
  }

  private static void measure(EncodingState encoding, int bytes, long now) {
    if (encoding.windowStartNanos == Long.MIN_VALUE) {
      encoding.windowStartNanos = now;
    }
    encoding.windowBytes += bytes;
    long span = now - encoding.windowStartNanos;
    if (span >= BITRATE_WINDOW_NANOS) {
      long rate = encoding.windowBytes * 8 * 1_000_000_000L / span;
      // Half the new window, half the past: a keyframe's burst moves it, but not all the way.
      encoding.bitrateBps = encoding.bitrateBps == 0 ? rate : (encoding.bitrateBps + rate) / 2;
      encoding.windowBytes = 0;
      encoding.windowStartNanos = now;
    }
  }

  /**
   * What an encoding costs a subscriber in bits per second: its rate as received lately, or 0 if it
   * is not sending (or not measured yet).
   */
  long bitrate(int encoding, long now) {
    if (encoding < 0 || encoding >= encodings.length || !isActive(encoding, now)) {
      return 0;
    }
    return encodings[encoding].bitrateBps;
  }

  /**
   * The highest encoding up to {@code max} that is sending now; if none up to it is, the lowest
   * sending one above it (better too sharp than nothing); if none sends, {@code max}.
   */
  int bestActiveEncoding(long now, int max) {
    int cap = Math.min(max, encodings.length - 1);
    for (int i = cap; i >= 0; i--) {
      if (isActive(i, now)) {
        return i;
      }
    }
    for (int i = cap + 1; i < encodings.length; i++) {
      if (isActive(i, now)) {
        return i;
      }
    }
    return cap;
  }

  boolean isActive(int i, long now) {
    return encodings[i].ssrc != 0 && now - encodings[i].lastPacketNanos < ENCODING_ACTIVE_NANOS;
  }

  /**
   * Passes a subscriber's keyframe request (PLI, FIR) on to the publisher: at most one per {@link
   * #KEYFRAME_REQUEST_INTERVAL_NANOS} per encoding, whatever subscribers send.
   */
  void requestKeyframe(int encodingIndex) {
    requestKeyframe(encodingIndex, false);
  }

  /**
   * Asks for the keyframe a consumer needs before it can send anything (it was just added, its
   * subscriber just connected or resumed, or it waits to switch layers): at once if the last
   * request was answered (a keyframe arrived since), else throttled as above. With the throttle
   * alone, the second person to subscribe within 300 ms of the first (everyone joining a meeting at
   * its start) missed the first one's keyframe and waited out the rest of the interval for another:
   * a quarter of the video streams in a four-person room started ~200 ms later than the others.
   */
  void requestKeyframeToStart(int encodingIndex) {
    requestKeyframe(encodingIndex, true);
  }

  private void requestKeyframe(int encodingIndex, boolean toStart) {
    if (!video || encodingIndex < 0 || encodingIndex >= encodings.length) {
      return;
    }
    EncodingState encoding = encodings[encodingIndex];
    long now = System.nanoTime();
    boolean throttled =
        now - encoding.lastKeyframeRequestNanos < KEYFRAME_REQUEST_INTERVAL_NANOS
            && !(toStart && encoding.keyframeSinceRequest);
    if (encoding.ssrc == 0 || throttled) {
      return;
    }
    encoding.lastKeyframeRequestNanos = now;
    encoding.keyframeSinceRequest = false;
    endpoint.feedback().sendPli(encoding.ssrc);
  }

  /** Remembers a sender report of one of this producer's SSRCs. */
  void senderReport(long ssrc, long ntp, long rtpTimestamp, long now) {
    int index = encodingOf(ssrc);
    if (index < 0) {
      return;
    }
    EncodingState encoding = encodings[index];
    encoding.srNtp = ntp;
    encoding.srRtpTimestamp = rtpTimestamp;
    encoding.srArrivalNanos = now;
    encoding.hasSr = true;
  }
}
