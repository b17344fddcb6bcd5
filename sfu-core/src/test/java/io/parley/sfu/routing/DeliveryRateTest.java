package io.parley.sfu.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.sfu.rtp.rtcp.TransportCcFeedbackBuilder;
import org.junit.jupiter.api.Test;

/** The delivered rate from transport-cc feedback, on feedback built by the SFU's own builder. */
class DeliveryRateTest {
  private final DeliveryRate rate = new DeliveryRate();
  private final TransportCcFeedbackBuilder subscriber = new TransportCcFeedbackBuilder(1);

  /** Sends {@code count} packets of {@code bytes}, received 10 ms apart from {@code fromMicros}. */
  private void deliver(int firstSeq, int count, int bytes, long fromMicros, int lostEvery) {
    for (int i = 0; i < count; i++) {
      int seq = (firstSeq + i) & 0xFFFF;
      rate.sent(seq, bytes);
      if (lostEvery == 0 || i % lostEvery != lostEvery - 1) {
        subscriber.onPacket(seq, fromMicros + i * 10_000L);
      }
    }
  }

  private long feedback() {
    ByteBuf out = Unpooled.buffer(4096);
    try {
      subscriber.build(out, 2);
      return rate.onFeedback(out, 0, out.readableBytes());
    } finally {
      out.release();
    }
  }

  @Test
  void ratesTheAcknowledgedBytesOverTheirReceiveTimes() {
    // 1250 bytes every 10 ms (across the sequence number wrap): 1 Mbit/s, over 1 s of receive time.
    deliver(65_500, 50, 1250, 1_000_000, 0);
    assertThat(feedback()).as("the window is still open").isEqualTo(-1);
    deliver(65_550, 51, 1250, 1_500_000, 0);
    assertThat(feedback()).isEqualTo(1_000_000);
    assertThat(feedback()).as("a new window").isEqualTo(-1);
  }

  @Test
  void lostPacketsAreNotCounted() {
    // Every fourth packet lost: three quarters of 1 Mbit/s delivered.
    deliver(7, 101, 1250, 0, 4);
    assertThat(feedback()).isBetween(740_000L, 760_000L);
  }

  @Test
  void feedbackOnPacketsItDidNotSendIsIgnored() {
    for (int i = 0; i < 100; i++) {
      subscriber.onPacket(i, i * 10_000L);
    }
    assertThat(feedback()).isEqualTo(-1);
  }
}
