package io.parley.sfu.rtp.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real RTCP from Chromium 156 (see resources/rtcp/chromium-156/README.md): every block parses with
 * the typed readers; SR, RR, SDES and PLI written back from what was read are byte for byte what
 * Chromium sent; transport-cc feedback decodes, and our builder re-encodes the same arrivals.
 */
class ChromiumRtcpFixturesTest {
  private static final String DIR = "/rtcp/chromium-156/";

  static Stream<String> fixtures() {
    List<String> names = new ArrayList<>();
    for (String kind : new String[] {"pli", "rr", "rr-pli", "sr-sdes", "transport-cc"}) {
      for (int i = 1; i <= 6; i++) {
        if (ChromiumRtcpFixturesTest.class.getResource(DIR + kind + "-" + i + ".bin") != null) {
          names.add(kind + "-" + i + ".bin");
        }
      }
    }
    assertThat(names).hasSizeGreaterThanOrEqualTo(15);
    return names.stream();
  }

  private static ByteBuf load(String name) throws IOException {
    try (InputStream in = ChromiumRtcpFixturesTest.class.getResourceAsStream(DIR + name)) {
      return Unpooled.wrappedBuffer(in.readAllBytes());
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void everyBlockParsesAndWritesBackTheSameBytes(String name) throws IOException {
    ByteBuf packet = load(name);
    try {
      RtcpCompound compound = new RtcpCompound().reset(packet);
      int blocks = 0;
      while (compound.next()) {
        blocks++;
        int offset = compound.offset();
        int length = compound.contentLength();
        ByteBuf original = packet.slice(offset, compound.length());
        ByteBuf rewritten = Unpooled.buffer();
        try {
          switch (compound.packetType()) {
            case Rtcp.PT_SR -> {
              assertThat(RtcpSenderReport.isValid(packet, offset, length)).isTrue();
              ReportBlock[] reports =
                  readBlocks(
                      packet,
                      RtcpSenderReport.reportCount(packet, offset),
                      RtcpSenderReport.reportBlockOffset(offset, 0));
              RtcpSenderReport.write(
                  rewritten,
                  RtcpSenderReport.senderSsrc(packet, offset),
                  RtcpSenderReport.ntpTimestamp(packet, offset),
                  RtcpSenderReport.rtpTimestamp(packet, offset),
                  RtcpSenderReport.packetCount(packet, offset),
                  RtcpSenderReport.octetCount(packet, offset),
                  reports);
              assertThat(RtcpSenderReport.packetCount(packet, offset)).isPositive();
            }
            case Rtcp.PT_RR -> {
              assertThat(RtcpReceiverReport.isValid(packet, offset, length)).isTrue();
              ReportBlock[] reports =
                  readBlocks(
                      packet,
                      RtcpReceiverReport.reportCount(packet, offset),
                      RtcpReceiverReport.reportBlockOffset(offset, 0));
              assertThat(reports).isNotEmpty();
              RtcpReceiverReport.write(
                  rewritten, RtcpReceiverReport.senderSsrc(packet, offset), reports);
            }
            case Rtcp.PT_SDES -> {
              assertThat(RtcpSdes.isValid(packet, offset, length)).isTrue();
              List<String> cnames = new ArrayList<>();
              List<Long> ssrcs = new ArrayList<>();
              RtcpSdes.readCnames(
                  packet,
                  offset,
                  length,
                  (ssrc, cname) -> {
                    ssrcs.add(ssrc);
                    cnames.add(cname);
                  });
              assertThat(cnames).hasSize(1);
              RtcpSdes.writeCname(rewritten, ssrcs.get(0), cnames.get(0));
            }
            case Rtcp.PT_PSFB -> {
              assertThat(compound.fmt()).isEqualTo(Rtcp.FMT_PLI);
              assertThat(RtcpPli.isValid(packet, offset, length)).isTrue();
              RtcpPli.write(
                  rewritten, RtcpPli.senderSsrc(packet, offset), RtcpPli.mediaSsrc(packet, offset));
            }
            case Rtcp.PT_RTPFB -> {
              assertThat(compound.fmt()).isEqualTo(Rtcp.FMT_TRANSPORT_CC);
              checkTransportCc(packet, offset, length);
              rewritten.writeBytes(original.duplicate());
            }
            default -> throw new AssertionError("unexpected packet type " + compound.packetType());
          }
          assertThat(ByteBufUtil.hexDump(rewritten))
              .as("block %d of %s written back", blocks, name)
              .isEqualTo(ByteBufUtil.hexDump(original));
        } finally {
          rewritten.release();
        }
      }
      assertThat(compound.isMalformed()).isFalse();
      assertThat(blocks).isPositive();
    } finally {
      packet.release();
    }
  }

  private static ReportBlock[] readBlocks(ByteBuf packet, int count, int first) {
    ReportBlock[] blocks = new ReportBlock[count];
    for (int i = 0; i < count; i++) {
      blocks[i] = ReportBlock.read(packet, first + i * ReportBlock.LENGTH);
    }
    return blocks;
  }

  /** Decodes Chromium's feedback, re-encodes the same arrivals with our builder, decodes again. */
  private static void checkTransportCc(ByteBuf packet, int offset, int length) {
    TransportCcFeedback chromium = new TransportCcFeedback();
    assertThat(chromium.parse(packet, offset, length)).isTrue();
    int count = chromium.packetStatusCount();
    assertThat(count).isPositive();
    TransportCcFeedbackBuilder builder = new TransportCcFeedbackBuilder(chromium.senderSsrc());
    List<Integer> received = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (chromium.isReceived(i)) {
        received.add(chromium.sequenceNumber(i));
        times.add(chromium.receiveTimeMicros(i));
        builder.onPacket(chromium.sequenceNumber(i), chromium.receiveTimeMicros(i));
      }
    }
    assertThat(received).isNotEmpty();
    ByteBuf ours = Unpooled.buffer();
    try {
      assertThat(builder.build(ours, chromium.mediaSsrc())).isEqualTo(1);
      TransportCcFeedback again = new TransportCcFeedback();
      assertThat(again.parse(ours, 0, ours.readableBytes())).isTrue();
      List<Integer> receivedAgain = new ArrayList<>();
      List<Long> timesAgain = new ArrayList<>();
      for (int i = 0; i < again.packetStatusCount(); i++) {
        if (again.isReceived(i)) {
          receivedAgain.add(again.sequenceNumber(i));
          timesAgain.add(again.receiveTimeMicros(i));
        }
      }
      assertThat(receivedAgain).isEqualTo(received);
      // Both encodings carry times in 250 µs steps from a 64 ms reference: equal up to one step.
      for (int i = 0; i < times.size(); i++) {
        assertThat(Math.abs(timesAgain.get(i) - times.get(i))).isLessThanOrEqualTo(250);
      }
    } finally {
      ours.release();
    }
  }
}
