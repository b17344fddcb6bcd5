package io.parley.signalling.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Splitting without regular expressions gives what the regex splits it replaces gave. */
class SdpTextTest {
  private static final String ALPHABET = "ab1/;: \t\r\n\u000B\f";

  @Test
  void fieldsAreTheRegexSplitOfTheTrimmedValue() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      String value = randomText(random, 12);
      String trimmed = value.replaceAll("^\\s+|\\s+$", "");
      assertThat(SdpText.fields(value)).as("'%s'", value).containsExactly(trimmed.split("\\s+"));
      for (int limit = 1; limit <= 3; limit++) {
        assertThat(SdpText.fields(value, limit))
            .as("'%s' limit %d", value, limit)
            .containsExactly(trimmed.split("\\s+", limit));
      }
    }
  }

  @Test
  void linesAreTheRegexSplitAtLfWithOptionalCr() {
    Random random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      String text = randomText(random, 16);
      assertThat(SdpText.lines(text)).as("'%s'", text).containsExactly(text.split("\r?\n"));
    }
    assertThat(SdpText.lines("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n"))
        .containsExactly("v=0", "o=- 1 2 IN IP4 0.0.0.0");
  }

  private static String randomText(Random random, int maxLength) {
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(maxLength + 1);
    for (int k = 0; k < n; k++) {
      b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}
