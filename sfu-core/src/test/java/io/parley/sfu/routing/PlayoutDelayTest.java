package io.parley.sfu.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The playout delay asked of a subscriber's browser, from losses and round trips on each leg. */
class PlayoutDelayTest {
  private static final long S = 1_000_000_000L;
  private static final long NEVER = Long.MIN_VALUE / 2;

  private final PlayoutDelay delay = new PlayoutDelay();

  @Test
  void nothingLostOrAShortPathAsksForNothing() {
    assertThat(delay.update(100 * S, 200, 200, NEVER)).isFalse();
    assertThat(delay.millis()).isZero();
    // Lost on both legs, but resends come within the browser's own margin.
    delay.downlinkLoss(101 * S);
    assertThat(delay.update(101 * S, 20, 25, 101 * S)).isFalse();
    assertThat(delay.millis()).isZero();
    // A long path whose round trip is not known yet.
    assertThat(delay.update(102 * S, -1, -1, 102 * S)).isFalse();
  }

  @Test
  void aLossAsksAtOnceForTheRoundTripOfItsLeg() {
    // Lost on the uplink (200 ms round trip); the downlink's 80 ms does not count.
    assertThat(delay.update(100 * S, 80, 200, 100 * S)).isTrue();
    assertThat(delay.millis()).isEqualTo(270); // 200 * 1.25 + 20
    // Then lost on the downlink too, now the longer one.
    delay.downlinkLoss(101 * S);
    assertThat(delay.update(101 * S, 300, 200, 100 * S)).isTrue();
    assertThat(delay.millis()).isEqualTo(400); // 395, in 10 ms steps, at most 400
  }

  @Test
  void aRoundTripThatWobblesDoesNotChangeIt() {
    delay.downlinkLoss(100 * S);
    assertThat(delay.update(100 * S, 160, -1, NEVER)).isTrue();
    assertThat(delay.millis()).isEqualTo(220);
    assertThat(delay.update(101 * S, 175, -1, NEVER)).isFalse(); // 240 wanted
    assertThat(delay.update(102 * S, 190, -1, NEVER)).isTrue(); // 260 wanted
    assertThat(delay.millis()).isEqualTo(260);
    assertThat(delay.update(104 * S, 175, -1, NEVER)).isFalse(); // 240 wanted
    assertThat(delay.update(106 * S, 160, -1, NEVER)).isTrue(); // 220 wanted
    assertThat(delay.millis()).isEqualTo(220);
  }

  @Test
  void itHoldsTenSecondsAfterTheLastLossThenComesDownStepByStep() {
    delay.downlinkLoss(100 * S);
    delay.update(100 * S, 160, -1, NEVER);
    assertThat(delay.millis()).isEqualTo(220);
    assertThat(delay.update(109 * S, 160, -1, NEVER)).isFalse();
    assertThat(delay.millis()).isEqualTo(220);
    int[] expected = {180, 140, 100, 60, 20, 0};
    for (int i = 0; i < expected.length; i++) {
      assertThat(delay.update((111 + i) * S, 160, -1, NEVER)).isTrue();
      assertThat(delay.millis()).isEqualTo(expected[i]);
    }
    // Not more often than once a second.
    delay.downlinkLoss(200 * S);
    delay.update(200 * S, 160, -1, NEVER);
    assertThat(delay.update(211 * S, 160, -1, NEVER)).isTrue();
    assertThat(delay.update(211 * S + S / 2, 160, -1, NEVER)).isFalse();
    assertThat(delay.millis()).isEqualTo(180);
  }

  @Test
  void theWireFormatIsTwelveBitsOfMinimumThenTwelveOfMaximumInTensOfMilliseconds() {
    assertThat(PlayoutDelay.wire(270, 10_000)).isEqualTo((27 << 12) | 1000);
    assertThat(PlayoutDelay.wire(0, 10_000)).isEqualTo(1000);
    assertThat(PlayoutDelay.wire(100_000, 100_000)).isEqualTo(0xFFFFFF);
  }
}
