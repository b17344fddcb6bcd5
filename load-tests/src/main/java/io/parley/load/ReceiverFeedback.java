package io.parley.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.rtcp.ReportBlock;
import io.parley.sfu.rtp.rtcp.Rtcp;
import io.parley.sfu.rtp.rtcp.RtcpCompound;
import io.parley.sfu.rtp.rtcp.RtcpReceiverReport;
import io.parley.sfu.rtp.rtcp.RtcpSenderReport;
import io.parley.sfu.rtp.rtcp.TransportCcFeedbackBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The RTCP a browser's receiving peer connection sends, for a synthetic subscriber: transport-cc
 * feedback for every packet that carried a transport-wide sequence number (every 100 ms), and a
 * receiver report per second with a block per received stream (fraction and cumulative loss,
 * jitter, and LSR/DLSR from the server's last sender report, from which the server computes the
 * round-trip time). Confined to the subscribe transport's event loop.
 */
final class ReceiverFeedback {
  private static final int TICKS_PER_REPORT = 10;

  private final long ssrc = ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
  private final TransportCcFeedbackBuilder transportCc = new TransportCcFeedbackBuilder(ssrc);
  private final RtcpCompound compound = new RtcpCompound();
  private final Map<Long, Report> reports = new HashMap<>();
  private long lastMediaSsrc;
  private int ticks;

  /** What the last receiver report said about one stream, and the server's last SR on it. */
  private static final class Report {
    long expectedAtLastReport;
    long receivedAtLastReport;
    long srMiddleNtp;
    long srArrivalNanos;
  }

  /** A packet arrived; {@code transportCcId} 0 when the transport-cc extension is not in use. */
  void onRtp(RtpPacket rtp, long arrivalNanos, int transportCcId) {
    lastMediaSsrc = rtp.ssrc();
    if (transportCcId != 0) {
      int seq = rtp.transportCcSequence(transportCcId);
      if (seq >= 0) {
        transportCc.onPacket(seq, arrivalNanos / 1000);
      }
    }
  }

  /** Remembers the server's sender reports (their NTP time and when they arrived). */
  void onRtcp(ByteBuf packet, long arrivalNanos) {
    compound.reset(packet);
    while (compound.next()) {
      int offset = compound.offset();
      if (compound.packetType() == Rtcp.PT_SR
          && RtcpSenderReport.isValid(packet, offset, compound.contentLength())) {
        Report r =
            reports.computeIfAbsent(RtcpSenderReport.senderSsrc(packet, offset), s -> new Report());
        r.srMiddleNtp = (RtcpSenderReport.ntpTimestamp(packet, offset) >>> 16) & 0xFFFFFFFFL;
        r.srArrivalNanos = arrivalNanos;
      }
    }
  }

  /** Every 100 ms: the feedback due now, or null. {@code streams} are the received streams. */
  ByteBuf tick(long now, Iterable<StreamStats> streams) {
    ByteBuf out = null;
    if (transportCc.pendingPackets() > 0) {
      out = PooledByteBufAllocator.DEFAULT.heapBuffer(1500);
      transportCc.build(out, lastMediaSsrc);
    }
    if (++ticks % TICKS_PER_REPORT == 0) {
      List<ReportBlock> blocks = new ArrayList<>();
      for (StreamStats s : streams) {
        if (blocks.size() < 31 && s.expected() > 0) {
          blocks.add(block(s, now));
        }
      }
      if (!blocks.isEmpty()) {
        if (out == null) {
          out = PooledByteBufAllocator.DEFAULT.heapBuffer(64 + 24 * blocks.size());
        }
        RtcpReceiverReport.write(out, ssrc, blocks.toArray(new ReportBlock[0]));
      }
    }
    return out;
  }

  private ReportBlock block(StreamStats s, long now) {
    Report r = reports.computeIfAbsent(s.ssrc, k -> new Report());
    long expected = s.expected();
    long received = s.packets;
    long expectedInterval = expected - r.expectedAtLastReport;
    long lostInterval = expectedInterval - (received - r.receivedAtLastReport);
    int fraction =
        expectedInterval <= 0 || lostInterval <= 0
            ? 0
            : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
    r.expectedAtLastReport = expected;
    r.receivedAtLastReport = received;
    long dlsr = r.srMiddleNtp == 0 ? 0 : (now - r.srArrivalNanos) * 65536 / 1_000_000_000L;
    int clockRate = s.video ? 90_000 : 48_000;
    return new ReportBlock(
        s.ssrc,
        fraction,
        (int) Math.min(0x7FFFFF, s.lost()),
        s.highestExtendedSequence(),
        (long) (s.jitterMillis / 1000 * clockRate),
        r.srMiddleNtp,
        dlsr);
  }
}
