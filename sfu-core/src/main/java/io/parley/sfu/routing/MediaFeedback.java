package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.rtcp.ReportBlock;
import io.parley.sfu.rtp.rtcp.Rtcp;
import io.parley.sfu.rtp.rtcp.RtcpCompound;
import io.parley.sfu.rtp.rtcp.RtcpFir;
import io.parley.sfu.rtp.rtcp.RtcpNack;
import io.parley.sfu.rtp.rtcp.RtcpPli;
import io.parley.sfu.rtp.rtcp.RtcpReceiverReport;
import io.parley.sfu.rtp.rtcp.RtcpRemb;
import io.parley.sfu.rtp.rtcp.RtcpSdes;
import io.parley.sfu.rtp.rtcp.RtcpSenderReport;
import io.parley.sfu.rtp.rtcp.RtcpXr;
import io.parley.sfu.rtp.rtcp.TransportCcFeedbackBuilder;
import io.parley.sfu.transport.DropReason;
import java.util.ArrayList;
import java.util.List;

/**
 * The RTCP of one endpoint, both ways. From a subscriber: NACKs answered from the consumer's cache,
 * PLI/FIR passed to the publisher (throttled), receiver reports, REMB and transport-cc feedback (as
 * quality samples for the metrics). To a publisher: NACKs for packets lost on its uplink,
 * transport-cc feedback (its encoder's bandwidth estimate depends on it), and receiver reports. To
 * a subscriber: sender reports translated through the consumer's rewrite so the browser keeps audio
 * and video in sync. Confined to the room thread.
 */
final class MediaFeedback {
  private static final long REPORT_INTERVAL_NANOS = 1_000_000_000L;
  private static final long TRANSPORT_CC_INTERVAL_NANOS = 50_000_000L;
  // A NACK is repeated once a resend had time to come back: a round trip and a quarter (a sender
  // ignores a second request for a packet it resent less than its own round-trip estimate ago).
  // Before the first receiver report the round trip is guessed; requests stop after ten tries or
  // once the packet is older than any subscriber's jitter buffer waits (what its cache keeps).
  private static final long NACK_RETRY_UNKNOWN_RTT_NANOS = 100_000_000L;
  private static final long NACK_RETRY_MIN_NANOS = 20_000_000L;
  private static final int NACK_MAX_TRIES = 10;
  private static final long NACK_MAX_AGE_NANOS = Consumer.CACHE_MAX_AGE_NANOS;
  private static final int MAX_MISSING = 256;

  /** Seconds between 1900 (NTP) and 1970 (Unix). */
  private static final long NTP_EPOCH_OFFSET = 2_208_988_800L;

  private final Endpoint endpoint;
  private final RtcpCompound compound = new RtcpCompound();
  private final TransportCcFeedbackBuilder transportCc;
  private long transportCcMediaSsrc;
  private long nextReportNanos = System.nanoTime() + REPORT_INTERVAL_NANOS / 2;
  private long nextTransportCcNanos;

  // Sequence numbers lost on the publisher's uplink, waiting for a retransmission.
  private final long[] missingSsrc = new long[MAX_MISSING];
  private final int[] missingSeq = new int[MAX_MISSING];
  private final long[] missingSentNanos = new long[MAX_MISSING];
  private final long[] missingSinceNanos = new long[MAX_MISSING];
  private final int[] missingTries = new int[MAX_MISSING];
  private int missingCount;
  private final int[] nackScratch = new int[MAX_MISSING];

  private long rttMillis = -1;
  private final RtcpXr.DlrrVisitor dlrrVisitor = this::dlrr;

  MediaFeedback(Endpoint endpoint) {
    this.endpoint = endpoint;
    this.transportCc = new TransportCcFeedbackBuilder(endpoint.rtcpSsrc());
  }

  long rttMillis() {
    return rttMillis;
  }

  // ---- RTCP in ----

  /** Sees every decrypted RTCP packet (capturing fixtures from real browsers); usually null. */
  static volatile java.util.function.Consumer<ByteBuf> rtcpTap;

  void receiveRtcp(ByteBuf packet) {
    var tap = rtcpTap;
    if (tap != null) {
      tap.accept(packet.duplicate());
    }
    compound.reset(packet);
    while (compound.next()) {
      int offset = compound.offset();
      int length = compound.contentLength();
      switch (compound.packetType()) {
        case Rtcp.PT_SR -> senderReport(packet, offset, length);
        case Rtcp.PT_RR -> {
          if (RtcpReceiverReport.isValid(packet, offset, length)) {
            reportBlocks(
                packet,
                RtcpReceiverReport.reportCount(packet, offset),
                RtcpReceiverReport.reportBlockOffset(offset, 0));
          }
        }
        case Rtcp.PT_RTPFB -> {
          if (compound.fmt() == Rtcp.FMT_NACK && RtcpNack.isValid(packet, offset, length)) {
            nack(packet, offset, length);
          } else if (compound.fmt() == Rtcp.FMT_TRANSPORT_CC && endpoint.downlink() != null) {
            long bps = endpoint.downlink().onFeedback(packet, offset, length, System.nanoTime());
            if (bps >= 0) {
              endpoint.room().context().metrics().subscriberDeliveryRate(bps);
            }
          }
        }
        case Rtcp.PT_PSFB -> {
          if (compound.fmt() == Rtcp.FMT_PLI && RtcpPli.isValid(packet, offset, length)) {
            keyframeRequest(RtcpPli.mediaSsrc(packet, offset));
          } else if (compound.fmt() == Rtcp.FMT_FIR && RtcpFir.isValid(packet, offset, length)) {
            for (int i = 0; i < RtcpFir.entryCount(length); i++) {
              keyframeRequest(RtcpFir.entrySsrc(packet, offset, i));
            }
          } else if (compound.fmt() == Rtcp.FMT_AFB
              && RtcpRemb.isValid(packet, offset, length)
              && !endpoint.consumers().isEmpty()) {
            endpoint
                .room()
                .context()
                .metrics()
                .subscriberBandwidth(RtcpRemb.bitrate(packet, offset));
          }
        }
        case Rtcp.PT_XR -> {
          if (RtcpXr.isValid(packet, offset, length)) {
            RtcpXr.forEachDlrr(packet, offset, length, dlrrVisitor);
          }
        }
        default -> {
          // SDES, BYE, APP: nothing to act on.
        }
      }
    }
    if (compound.isMalformed()) {
      endpoint.room().context().drop(DropReason.PARSE_ERROR);
    }
  }

  private void senderReport(ByteBuf packet, int offset, int length) {
    if (!RtcpSenderReport.isValid(packet, offset, length)) {
      return;
    }
    long ssrc = RtcpSenderReport.senderSsrc(packet, offset);
    long now = System.nanoTime();
    for (Producer producer : endpoint.producers()) {
      producer.senderReport(
          ssrc,
          RtcpSenderReport.ntpTimestamp(packet, offset),
          RtcpSenderReport.rtpTimestamp(packet, offset),
          now);
    }
    reportBlocks(
        packet,
        RtcpSenderReport.reportCount(packet, offset),
        RtcpSenderReport.reportBlockOffset(offset, 0));
  }

  /** Report blocks about what we send: the round-trip time from LSR and DLSR (RFC 3550 §6.4.1). */
  private void reportBlocks(ByteBuf packet, int count, int firstOffset) {
    for (int i = 0; i < count; i++) {
      int at = firstOffset + i * ReportBlock.LENGTH;
      if (at + ReportBlock.LENGTH > packet.writerIndex()) {
        return;
      }
      double rttSeconds =
          roundTrip(
              ReportBlock.lastSenderReport(packet, at),
              ReportBlock.delaySinceLastSenderReport(packet, at));
      recordReportBlock(packet, at, rttSeconds);
    }
  }

  /**
   * A DLRR sub-block: a publisher's answer to our RRTR, the round trip on a transport where we send
   * nothing (so no report block about our SRs comes back).
   */
  private void dlrr(long ssrc, long lastRr, long delaySinceLastRr) {
    if (ssrc == endpoint.rtcpSsrc()) {
      double rttSeconds = roundTrip(lastRr, delaySinceLastRr);
      if (!Double.isNaN(rttSeconds)) {
        endpoint.room().context().metrics().publisherRoundTrip(rttSeconds);
      }
    }
  }

  /**
   * The round trip from our NTP time's middle 32 bits echoed back and how long the other end held
   * it (1/65536 s), kept in {@link #rttMillis}; NaN when the echo is empty or implausible.
   */
  private double roundTrip(long echoedNtpMiddle, long held) {
    if (echoedNtpMiddle == 0) {
      return Double.NaN;
    }
    long nowMiddle = (ntpNow() >>> 16) & 0xFFFFFFFFL;
    long rtt = (nowMiddle - echoedNtpMiddle - held) & 0xFFFFFFFFL;
    if (rtt >= 0x10000L * 10) {
      return Double.NaN;
    }
    rttMillis = rtt * 1000 / 0x10000L;
    return rtt / 65536.0;
  }

  /** A subscriber's report on one of our consumers: quality samples for the metrics. */
  private void recordReportBlock(ByteBuf packet, int at, double rttSeconds) {
    Consumer consumer = consumerBySsrc(ReportBlock.ssrc(packet, at));
    if (consumer == null || consumer.clockRate() <= 0) {
      return;
    }
    consumer.report(
        ReportBlock.fractionLost(packet, at),
        ReportBlock.extendedHighestSequence(packet, at),
        System.nanoTime());
    endpoint
        .room()
        .context()
        .metrics()
        .receiverReport(
            consumer.producer().kind(),
            rttSeconds,
            ReportBlock.jitter(packet, at) / (double) consumer.clockRate(),
            ReportBlock.fractionLost(packet, at) / 256.0);
  }

  private void nack(ByteBuf packet, int offset, int length) {
    endpoint.room().context().stats().nacksIn.increment();
    Consumer consumer = consumerBySsrc(RtcpNack.mediaSsrc(packet, offset));
    if (consumer != null) {
      RtcpNack.forEachLost(packet, offset, length, consumer::retransmit);
    }
  }

  private void keyframeRequest(long mediaSsrc) {
    endpoint.room().context().stats().pliIn.increment();
    Consumer consumer = consumerBySsrc(mediaSsrc);
    if (consumer != null) {
      consumer.requestKeyframe();
    }
  }

  private Consumer consumerBySsrc(long ssrc) {
    List<Consumer> consumers = endpoint.consumers();
    for (int i = 0; i < consumers.size(); i++) {
      if (consumers.get(i).ssrc() == ssrc) {
        return consumers.get(i);
      }
    }
    return null;
  }

  // ---- toward the publisher ----

  void recordArrival(RtpPacket packet, Producer producer) {
    int id = producer.spec().extensions().transportCc();
    if (id != 0) {
      int seq = packet.transportCcSequence(id);
      if (seq >= 0) {
        transportCc.onPacket(seq, System.nanoTime() / 1000);
        transportCcMediaSsrc = packet.ssrc();
      }
    }
  }

  /** Sequence numbers before {@code seq} were skipped: NACK them now, and retry later. */
  void missing(long ssrc, int seq, int skipped) {
    if (skipped > MAX_MISSING / 2) {
      return; // a jump this large is a restart, not loss
    }
    long now = System.nanoTime();
    for (int i = skipped; i >= 1; i--) {
      if (missingCount == MAX_MISSING) {
        endpoint.room().context().stats().uplinkUnrecovered.add(i);
        break;
      }
      missingSsrc[missingCount] = ssrc;
      missingSeq[missingCount] = (seq - i) & 0xFFFF;
      missingSentNanos[missingCount] = Long.MIN_VALUE / 2;
      missingSinceNanos[missingCount] = now;
      missingTries[missingCount] = 0;
      missingCount++;
    }
    sendNacks(now);
  }

  /** A packet arrived: if it was missing, it is recovered. */
  void arrived(long ssrc, int seq) {
    for (int i = 0; i < missingCount; i++) {
      if (missingSeq[i] == seq && missingSsrc[i] == ssrc) {
        removeMissing(i);
        endpoint.room().context().stats().uplinkRecovered.increment();
        return;
      }
    }
  }

  /**
   * The numbers strictly between {@code after} and {@code before} carried no media (see {@link
   * Producer}): the ones still missing are not asked for again, and {@code skippedNow} more were
   * found missing just now (right before {@code before}).
   */
  void notMedia(long ssrc, int after, int before, int skippedNow) {
    int span = (before - after) & 0xFFFF;
    for (int i = missingCount - 1; i >= 0; i--) {
      int distance = (missingSeq[i] - after) & 0xFFFF;
      if (missingSsrc[i] == ssrc && distance > 0 && distance < span) {
        removeMissing(i);
        endpoint.room().context().stats().uplinkPaddingLost.increment();
      }
    }
    if (skippedNow > 0) {
      endpoint.room().context().stats().uplinkPaddingLost.add(skippedNow);
    }
  }

  private void removeMissing(int i) {
    missingCount--;
    missingSsrc[i] = missingSsrc[missingCount];
    missingSeq[i] = missingSeq[missingCount];
    missingSentNanos[i] = missingSentNanos[missingCount];
    missingSinceNanos[i] = missingSinceNanos[missingCount];
    missingTries[i] = missingTries[missingCount];
  }

  /** How long after a NACK the same packet is asked for again. */
  long nackRetryNanos() {
    if (rttMillis < 0) {
      return NACK_RETRY_UNKNOWN_RTT_NANOS;
    }
    return Math.max(NACK_RETRY_MIN_NANOS, (rttMillis * 5 / 4 + 5) * 1_000_000L);
  }

  private void sendNacks(long now) {
    for (int i = missingCount - 1; i >= 0; i--) {
      if (now - missingSinceNanos[i] > NACK_MAX_AGE_NANOS) {
        removeMissing(i);
        endpoint.room().context().stats().uplinkUnrecovered.increment();
      }
    }
    long retry = nackRetryNanos();
    // Group the due sequence numbers by SSRC: one NACK block per SSRC.
    while (true) {
      long ssrc = -1;
      int count = 0;
      for (int i = 0; i < missingCount; i++) {
        if (now - missingSentNanos[i] < retry) {
          continue;
        }
        if (ssrc == -1) {
          ssrc = missingSsrc[i];
        }
        if (missingSsrc[i] == ssrc) {
          nackScratch[count++] = missingSeq[i];
          missingSentNanos[i] = now;
          missingTries[i]++;
        }
      }
      if (count == 0) {
        break;
      }
      java.util.Arrays.sort(nackScratch, 0, count);
      ByteBuf out = endpoint.allocate(16 + 4 * count);
      RtcpNack.write(out, endpoint.rtcpSsrc(), ssrc, nackScratch, 0, count);
      endpoint.room().context().stats().nacksOut.increment();
      endpoint.sendRtcp(out);
    }
    for (int i = missingCount - 1; i >= 0; i--) {
      if (missingTries[i] >= NACK_MAX_TRIES) {
        removeMissing(i);
        endpoint.room().context().stats().uplinkUnrecovered.increment();
      }
    }
  }

  void sendPli(long mediaSsrc) {
    ByteBuf out = endpoint.allocate(RtcpPli.LENGTH);
    RtcpPli.write(out, endpoint.rtcpSsrc(), mediaSsrc);
    endpoint.room().context().stats().pliOut.increment();
    endpoint.sendRtcp(out);
    endpoint.room().flush();
  }

  // ---- timers ----

  void tick(long now) {
    if (missingCount > 0) {
      sendNacks(now);
    }
    if (now - nextTransportCcNanos >= 0) {
      nextTransportCcNanos = now + TRANSPORT_CC_INTERVAL_NANOS;
      sendTransportCc();
    }
    if (now - nextReportNanos >= 0) {
      nextReportNanos = now + REPORT_INTERVAL_NANOS;
      sendReports(now);
    }
  }

  private void sendTransportCc() {
    if (transportCc.pendingPackets() == 0) {
      return;
    }
    ByteBuf out = endpoint.allocate(1200);
    int packets = transportCc.build(out, transportCcMediaSsrc);
    if (packets > 0) {
      endpoint.room().context().stats().transportCcFeedbackOut.add(packets);
      endpoint.sendRtcp(out);
    } else {
      out.release();
    }
  }

  /** Receiver reports for what we receive, sender reports for what we send. */
  private void sendReports(long now) {
    List<ReportBlock> blocks = new ArrayList<>();
    for (Producer producer : endpoint.producers()) {
      for (Producer.EncodingState encoding : producer.encodings()) {
        if (encoding.ssrc == 0 || !encoding.stats.started()) {
          continue;
        }
        long lsr = 0;
        long dlsr = 0;
        if (encoding.hasSr) {
          lsr = (encoding.srNtp >>> 16) & 0xFFFFFFFFL;
          dlsr = (now - encoding.srArrivalNanos) * 65536 / 1_000_000_000L;
        }
        blocks.add(
            new ReportBlock(
                encoding.ssrc,
                encoding.stats.fractionLostSinceLastReport(),
                (int) Math.min(0x7FFFFF, encoding.stats.cumulativeLost()),
                encoding.stats.extendedHighestSequence(),
                encoding.stats.jitter(),
                lsr,
                dlsr));
      }
    }
    ByteBuf out = endpoint.allocate(84 + 24 * blocks.size() + 40 * endpoint.consumers().size());
    int written = 0;
    for (int from = 0; from < blocks.size(); from += 31) {
      List<ReportBlock> part = blocks.subList(from, Math.min(blocks.size(), from + 31));
      RtcpReceiverReport.write(out, endpoint.rtcpSsrc(), part.toArray(new ReportBlock[0]));
      written++;
    }
    if (!blocks.isEmpty()) {
      // Our time, for a publisher to echo in a DLRR: its round trip even where we send nothing.
      RtcpXr.writeReceiverReferenceTime(out, endpoint.rtcpSsrc(), ntpNow());
    }
    for (Consumer consumer : endpoint.consumers()) {
      if (writeSenderReport(out, consumer, now)) {
        written++;
      }
    }
    if (written == 0) {
      out.release();
      return;
    }
    RtcpSdes.writeCname(out, endpoint.rtcpSsrc(), "parley");
    endpoint.sendRtcp(out);
  }

  private boolean writeSenderReport(ByteBuf out, Consumer consumer, long now) {
    int current = consumer.currentEncoding();
    if (!consumer.started() || current < 0) {
      return false;
    }
    Producer.EncodingState encoding = consumer.producer().encodings()[current];
    if (!encoding.hasSr) {
      return false;
    }
    // Our wall clock as NTP time (so the subscriber's LSR/DLSR give us the round-trip time), and
    // the RTP timestamp that the publisher's last report maps to it, through the consumer's offset.
    // Audio and video of one publisher are mapped alike, so the browser keeps them in sync.
    long elapsed = now - encoding.srArrivalNanos;
    long ntp = ntpNow();
    long rtp =
        (encoding.srRtpTimestamp
                + consumer.timestampOffset()
                + elapsed / 1000 * consumer.clockRate() / 1_000_000)
            & 0xFFFFFFFFL;
    RtcpSenderReport.write(
        out, consumer.ssrc(), ntp, rtp, consumer.packetsSent(), consumer.octetsSent());
    return true;
  }

  private static long ntpNow() {
    long millis = System.currentTimeMillis();
    long seconds = millis / 1000 + NTP_EPOCH_OFFSET;
    long fraction = (millis % 1000) * 0x100000000L / 1000;
    return (seconds << 32) | fraction;
  }
}
