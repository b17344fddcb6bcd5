package io.parley.sfu.routing;

import io.parley.sfu.api.MediaKind;
import java.util.concurrent.atomic.LongAdder;

/** Packet and byte counters of the media plane, safe to read from any thread. */
public final class MediaStats {
  public final LongAdder rtpIn = new LongAdder();
  public final LongAdder rtpBytesIn = new LongAdder();
  public final LongAdder rtpOut = new LongAdder();
  public final LongAdder rtpBytesOut = new LongAdder();
  public final LongAdder rtcpIn = new LongAdder();
  public final LongAdder rtcpOut = new LongAdder();
  public final LongAdder nacksIn = new LongAdder();
  public final LongAdder nacksOut = new LongAdder();
  public final LongAdder retransmissions = new LongAdder();

  /** Packets a subscriber asked for again that had left the consumer's cache (or never came). */
  public final LongAdder retransmissionMisses = new LongAdder();

  /** Packets lost on a publisher's uplink that a resend brought after the SFU's NACK. */
  public final LongAdder uplinkRecovered = new LongAdder();

  /** Packets lost on a publisher's uplink that the SFU stopped asking for (tries or age spent). */
  public final LongAdder uplinkUnrecovered = new LongAdder();

  /**
   * Packets lost on a publisher's uplink that turned out to be padding (between two consecutive
   * frames): not asked for again, and closed over for subscribers.
   */
  public final LongAdder uplinkPaddingLost = new LongAdder();

  /** Packets lost on a publisher's uplink in a layer no subscriber received: not asked for. */
  public final LongAdder uplinkUnwatchedLost = new LongAdder();

  /**
   * Times a subscriber's browser was asked for a new video playout delay ({@link PlayoutDelay}).
   */
  public final LongAdder playoutDelayChanges = new LongAdder();

  public final LongAdder pliIn = new LongAdder();
  public final LongAdder pliOut = new LongAdder();
  public final LongAdder transportCcFeedbackOut = new LongAdder();
  public final LongAdder iceChecks = new LongAdder();

  /** Endpoints whose ICE failed: consent expired, or closed without one valid check. */
  public final LongAdder iceFailures = new LongAdder();

  public final LongAdder dtlsFailures = new LongAdder();
  public final LongAdder layerSwitches = new LongAdder();

  /** Redundant-audio (RFC 2198) packets received from publishers. */
  public final LongAdder redIn = new LongAdder();

  /** Redundant-audio packets sent on as they came, to subscribers that take them. */
  public final LongAdder redForwarded = new LongAdder();

  /**
   * Redundant-audio packets sent as plain Opus (the newest frame alone) to the other subscribers.
   */
  public final LongAdder redStripped = new LongAdder();

  /**
   * Times a subscriber's downlink was found too narrow for redundant audio (it gets plain Opus), or
   * wide enough for it again.
   */
  public final LongAdder redHoldBacks = new LongAdder();

  /** Times a subscriber's downlink showed congestion and its bandwidth estimate was lowered. */
  public final LongAdder bandwidthDecreases = new LongAdder();

  /** Padding probes sent to find out whether a subscriber's downlink carries more. */
  public final LongAdder bandwidthProbes = new LongAdder();

  /** Padding-only RTP packets those probes sent. */
  public final LongAdder paddingPackets = new LongAdder();

  /** Videos stopped because not even their lowest layer fit a subscriber's downlink. */
  public final LongAdder bandwidthPauses = new LongAdder();

  /** Videos started again when the downlink had room for them. */
  public final LongAdder bandwidthResumes = new LongAdder();

  /** Video layers lowered (or raised again) to fit a subscriber's downlink. */
  public final LongAdder bandwidthLayerChanges = new LongAdder();

  /**
   * SRTP packets read on an event loop other than their room's, and handed over to it (a wake-up of
   * that loop). Near zero with connected sockets, once the browsers' addresses are checked.
   */
  public final LongAdder handedOver = new LongAdder();

  // By media kind (indexed by MediaKind.ordinal()): RTP matched to a producer, and RTP forwarded.
  private final LongAdder[] packetsInByKind = adders();
  private final LongAdder[] bytesInByKind = adders();
  private final LongAdder[] packetsOutByKind = adders();
  private final LongAdder[] bytesOutByKind = adders();

  private static LongAdder[] adders() {
    LongAdder[] out = new LongAdder[MediaKind.values().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = new LongAdder();
    }
    return out;
  }

  /** An RTP packet of a producer of this kind arrived (after SRTP). */
  public void received(MediaKind kind, int bytes) {
    packetsInByKind[kind.ordinal()].increment();
    bytesInByKind[kind.ordinal()].add(bytes);
  }

  /** An RTP packet of a consumer of this kind was sent (SRTP-protected size). */
  public void sent(MediaKind kind, int bytes) {
    packetsOutByKind[kind.ordinal()].increment();
    bytesOutByKind[kind.ordinal()].add(bytes);
  }

  public long packetsIn(MediaKind kind) {
    return packetsInByKind[kind.ordinal()].sum();
  }

  public long bytesIn(MediaKind kind) {
    return bytesInByKind[kind.ordinal()].sum();
  }

  public long packetsOut(MediaKind kind) {
    return packetsOutByKind[kind.ordinal()].sum();
  }

  public long bytesOut(MediaKind kind) {
    return bytesOutByKind[kind.ordinal()].sum();
  }
}
