package io.parley.signalling.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.signalling.config.ParleyConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {
  @Test
  void theUsernameCarriesTheExpiryAndThePasswordIsTheHmacOfIt() {
    var turn = new ParleyConfig.Turn(List.of("turn:127.0.0.1:3478?transport=udp"), "s3cret", 3600);
    var server = TurnCredentials.mint(turn, "alice", 1_764_196_400L);
    assertThat(server.urls()).containsExactly("turn:127.0.0.1:3478?transport=udp");
    assertThat(server.username()).isEqualTo("1764200000:alice");
    // Computed independently: echo -n "1764200000:alice" | openssl dgst -sha1 -hmac s3cret -binary
    // | base64
    assertThat(server.credential()).isEqualTo("PPgPQ1c/OK8q16RgomnEcSwk8L4=");
  }

  @Test
  void configuredFromTheEnvironmentAndRefusedWhenHalfSet() {
    var config =
        ParleyConfig.fromEnvironment(
            Map.of(
                "PARLEY_TURN_URIS", "turn:a.example:3478, turns:a.example:5349",
                "PARLEY_TURN_SECRET", "x"));
    assertThat(config.turn().enabled()).isTrue();
    assertThat(config.turn().uris()).containsExactly("turn:a.example:3478", "turns:a.example:5349");
    assertThat(config.turn().ttlSeconds()).isEqualTo(86400);
    assertThat(ParleyConfig.fromEnvironment(Map.of()).turn().enabled()).isFalse();
    assertThatThrownBy(() -> ParleyConfig.fromEnvironment(Map.of("PARLEY_TURN_URIS", "turn:a:1")))
        .hasMessageContaining("PARLEY_TURN_SECRET");
  }
}
