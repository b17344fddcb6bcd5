package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.MediaMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Over real UDP, with round trips made long by holding RTCP answers: while nothing is lost the SFU
 * asks nothing of the subscriber's browser; once packets are lost on a leg whose round trip is
 * long, the video packets carry a playout delay of that round trip and a quarter (so a resend still
 * makes its frame), until the subscriber's report shows one arrived.
 */
class PlayoutDelayOnALongPathTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private SfuFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aLossOnALongUplinkAsksTheSubscriberForADelayUntilItHasIt() throws Exception {
    fixture = new SfuFixture();
    AtomicBoolean longRoundTrip = new AtomicBoolean();
    fixture.sfu.setMediaMetrics(
        new MediaMetrics() {
          @Override
          public void publisherRoundTrip(double rttSeconds) {
            longRoundTrip.set(rttSeconds > 0.15);
          }
        });
    TestParticipant publisher = fixture.join("room-delay", "pub");
    TestParticipant subscriber = fixture.join("room-delay", "sub");
    publisher.reportHoldMillis = 160; // the uplink: a 160 ms round trip
    subscriber.reportHoldMillis = 0; // the downlink: loopback
    publisher.sendSenderReports = true;
    publisher.publish();
    subscriber.subscribeTo(publisher);
    publisher.startSending();
    Await.until(DEADLINE, longRoundTrip::get, "the SFU measuring the uplink's round trip");
    Await.until(DEADLINE, () -> subscriber.streamFrom(publisher, MediaKind.VIDEO) != null, "video");
    var stream = subscriber.streamFrom(publisher, MediaKind.VIDEO);
    nothingAskedWhileNothingIsLost(subscriber, stream);

    publisher.loseNextVideoPackets(3, DEADLINE);
    Await.until(DEADLINE, () -> stream.playoutDelay >= 0, "video packets carrying a delay");
    int wire = stream.playoutDelay;
    assertThat((wire >> 12) * 10)
        .as("the minimum: 160 ms and a quarter and 20 ms, in 10 ms steps")
        .isBetween(220, 260);
    assertThat((wire & 0xFFF) * 10).as("the maximum").isEqualTo(10_000);

    // The subscriber's next report covers a packet that carried it: the packets stop carrying it
    // (a round trip that moves by 30 ms or more under load may change the delay once more, and
    // that is carried until reported in turn).
    Await.until(
        DEADLINE,
        () -> stream.packetsSincePlayoutDelay.get() > 100,
        () ->
            "a hundred packets in a row without it once the subscriber has it; changes "
                + fixture.sfu.stats().playoutDelayChanges.sum());
  }

  /** The subscriber reports on what it receives a few times; no packet carries a delay. */
  private static void nothingAskedWhileNothingIsLost(
      TestParticipant subscriber, TestParticipant.Received stream) {
    int reports = subscriber.senderReportsReceived.get();
    Await.until(
        DEADLINE,
        () -> subscriber.senderReportsReceived.get() > reports + 2,
        "the subscriber reporting on what it receives");
    assertThat(stream.packetsWithPlayoutDelay.get()).as("a delay asked with nothing lost").isZero();
  }

  @Test
  void aLossOnALongDownlinkAsksForItsRoundTrip() throws Exception {
    fixture = new SfuFixture();
    TestParticipant publisher = fixture.join("room-delay", "pub");
    TestParticipant subscriber = fixture.join("room-delay", "sub");
    subscriber.reportHoldMillis = 120; // the downlink: a 120 ms round trip; the uplink unknown
    publisher.sendSenderReports = true;
    publisher.publish();
    subscriber.subscribeTo(publisher);
    publisher.startSending();
    Await.until(DEADLINE, () -> subscriber.streamFrom(publisher, MediaKind.VIDEO) != null, "video");
    var stream = subscriber.streamFrom(publisher, MediaKind.VIDEO);
    nothingAskedWhileNothingIsLost(subscriber, stream);

    subscriber.reportedFractionLost = 13; // 5 %
    Await.until(DEADLINE, () -> stream.playoutDelay >= 0, "video packets carrying a delay");
    assertThat((stream.playoutDelay >> 12) * 10)
        .as("the minimum: 120 ms and a quarter and 20 ms")
        .isBetween(170, 200);
  }
}
