package io.parley.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The signalling warm-up runs a real publish exchange end to end: the shipped Chromium offer
 * decodes from Socket.IO text, is answered, and the replies encode (any step failing throws).
 */
class SignallingWarmupTest {

  @Test
  void aPublishExchangeGoesThroughEveryStep() {
    SignallingWarmup.Result result = SignallingWarmup.run(3);
    assertThat(result.rounds()).isEqualTo(3);
    // The offer (5 KB) and its answer, three times.
    assertThat(result.sdpChars()).isGreaterThan(3 * 5_000L);
  }
}
