package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.api.MediaKind;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A packet lost on a publisher's uplink is asked for again only if some subscriber receives (or
 * waits to switch to) the stream it belongs to: a simulcast layer nobody's downlink takes needs no
 * resend, and asking for one only costs the publisher's uplink more.
 */
class UnwatchedLossTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private SfuFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void lossesNobodyNeedsAreNotAskedForAndTheOthersAre() throws Exception {
    fixture = new SfuFixture();
    TestParticipant publisher = fixture.join("room-unwatched", "pub");
    publisher.publish();
    publisher.startSending();
    Await.until(DEADLINE, () -> fixture.sfu.stats().rtpIn.sum() > 50, "the publisher sending");

    // Nobody receives the video yet.
    publisher.loseNextVideoPackets(3, DEADLINE);
    Await.until(
        DEADLINE,
        () -> fixture.sfu.stats().uplinkUnwatchedLost.sum() >= 3,
        "the losses counted as nobody's");
    assertThat(publisher.nacksReceived.get()).isZero();

    TestParticipant subscriber = fixture.join("room-unwatched", "sub");
    subscriber.subscribeTo(publisher);
    Await.until(DEADLINE, () -> subscriber.streamFrom(publisher, MediaKind.VIDEO) != null, "video");
    var stream = subscriber.streamFrom(publisher, MediaKind.VIDEO);
    Await.until(DEADLINE, () -> stream.packets.get() > 50, "video flowing");
    var lost = publisher.loseNextVideoPackets(3, DEADLINE);
    Await.until(
        DEADLINE,
        () -> stream.sourceSequenceNumbers.containsAll(lost),
        "the lost packets asked for, resent and forwarded");
    assertThat(publisher.nacksReceived.get()).isPositive();
  }
}
