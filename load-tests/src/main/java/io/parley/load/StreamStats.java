package io.parley.load;

import io.netty.buffer.ByteBuf;
import io.parley.sfu.client.SyntheticMedia;
import io.parley.sfu.rtp.RtpPacket;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one received stream (one SSRC the server sends a subscriber) looked like. Updated on the
 * subscriber's event loop; read by the sampler through volatile snapshots and at the end of the
 * run.
 */
final class StreamStats {
  static final long FREEZE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  final String receiver;
  final long ssrc;
  final long subscriberJoinNanos;

  /** Latency in microseconds, for the whole run. */
  final Histogram latencyMicros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);

  private final RunStats run;
  volatile String publisher;
  volatile boolean video;
  volatile long packets;
  volatile long corrupt;
  volatile long bytes;
  private int baseSeq = -1;
  private long highestExtSeq;
  private long lastTransitNanos = Long.MIN_VALUE;
  private double jitterNanos;
  volatile double jitterMillis;
  volatile long firstFrameNanos;
  volatile long joinMillis = -1;
  private long lastTimestamp = -1;
  volatile long lastFrameNanos;
  volatile long frames;
  volatile long freezes;
  volatile long freezeMillis;
  volatile long layerSwitches;
  private long sourceSsrc = -1;

  StreamStats(String receiver, long ssrc, long subscriberJoinNanos, RunStats run) {
    this.receiver = receiver;
    this.ssrc = ssrc;
    this.subscriberJoinNanos = subscriberJoinNanos;
    this.run = run;
  }

  /** Packets the server sent on this stream so far (from the sequence numbers seen). */
  long expected() {
    return baseSeq < 0 ? 0 : highestExtSeq - baseSeq + 1;
  }

  /** The highest sequence number seen, extended with its wrap count (RFC 3550 A.1). */
  long highestExtendedSequence() {
    return highestExtSeq;
  }

  long lost() {
    return Math.max(0, expected() - packets);
  }

  void onPacket(RtpPacket rtp, long arrival, SourceRegistry registry) {
    packets++;
    bytes += rtp.length();
    int seq = rtp.sequenceNumber();
    if (baseSeq < 0) {
      baseSeq = seq;
      highestExtSeq = seq;
    } else {
      long cycle = highestExtSeq & ~0xFFFFL;
      long ext = cycle | seq;
      if (ext - highestExtSeq > 0x8000) {
        ext -= 0x10000;
      } else if (highestExtSeq - ext > 0x8000) {
        ext += 0x10000;
      }
      if (ext > highestExtSeq) {
        highestExtSeq = ext;
      }
    }
    if (rtp.payloadLength() == 0) {
      // Padding only (the SFU probing this receiver's downlink): a number in the stream, no media.
      return;
    }
    ByteBuf buf = rtp.buffer();
    int payload = rtp.payloadOffset();
    int payloadEnd = payload + rtp.payloadLength();
    // Video or audio: the source's registry entry says which, from the stamped SSRC.
    int stamp = payload;
    long stampedSsrc = payloadEnd - payload >= 16 ? SyntheticMedia.sourceSsrc(buf, payload) : -1;
    SourceRegistry.Source source = registry.get(stampedSsrc);
    if (source == null && payloadEnd - payload >= 16 + SyntheticStream.VP8_HEADERS) {
      stamp = payload + SyntheticStream.VP8_HEADERS;
      stampedSsrc = SyntheticMedia.sourceSsrc(buf, stamp);
      source = registry.get(stampedSsrc);
    }
    if (source == null || !SyntheticMedia.verify(buf, stamp, payloadEnd - stamp)) {
      corrupt++;
      run.corrupt.increment();
      return;
    }
    if (publisher == null) {
      publisher = source.participant();
      video = source.video();
    }
    if (sourceSsrc != stampedSsrc) {
      if (sourceSsrc >= 0) {
        layerSwitches++;
      }
      sourceSsrc = stampedSsrc;
    }
    long sent = SyntheticMedia.sentNanos(buf, stamp);
    long transit = arrival - sent;
    if (run.packetLog != null) {
      run.packetLog.record(arrival, sent, receiver, publisher, video, rtp.ssrc(), seq);
    }
    long micros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(transit));
    latencyMicros.recordValue(Math.min(micros, latencyMicros.getHighestTrackableValue()));
    run.latency.recordValue(Math.min(micros, latencyMicros.getHighestTrackableValue()));
    if (lastTransitNanos != Long.MIN_VALUE) {
      // RFC 3550 §6.4.1 interarrival jitter, on the stamped send times.
      double d = Math.abs(transit - lastTransitNanos);
      jitterNanos += (d - jitterNanos) / 16;
      jitterMillis = jitterNanos / 1e6;
    }
    lastTransitNanos = transit;
    if (source.video()) {
      long ts = rtp.timestamp();
      if (ts != lastTimestamp) {
        lastTimestamp = ts;
        frame(arrival, source);
      }
    } else if (firstFrameNanos == 0) {
      firstFrameNanos = arrival;
    }
  }

  private void frame(long arrival, SourceRegistry.Source source) {
    frames++;
    if (firstFrameNanos == 0) {
      firstFrameNanos = arrival;
      long since = Math.max(subscriberJoinNanos, source.joinNanos());
      joinMillis = TimeUnit.NANOSECONDS.toMillis(arrival - since);
      run.joinMillis.recordValue(Math.max(0, Math.min(joinMillis, 3_600_000)));
    } else {
      long gap = arrival - lastFrameNanos;
      if (gap > FREEZE_NANOS) {
        freezes++;
        freezeMillis += TimeUnit.NANOSECONDS.toMillis(gap);
        run.freezes.increment();
      }
    }
    lastFrameNanos = arrival;
  }

  /** A video stream that has not had a frame for over 500 ms at {@code now} is frozen now. */
  boolean frozenAt(long now) {
    return video && lastFrameNanos != 0 && now - lastFrameNanos > FREEZE_NANOS;
  }

  static Recorder newRecorder() {
    return new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
  }
}
