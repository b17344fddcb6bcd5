package io.parley.signalling.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParleyConfigTest {

  @Test
  void defaults() {
    ParleyConfig c = ParleyConfig.fromEnvironment(Map.of());
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.media().udpPort()).isEqualTo(10000);
    assertThat(c.media().advertisedAddresses()).endsWith("127.0.0.1");
    assertThat(c.media().advertisedAddresses())
        .noneMatch(a -> a.startsWith("127.") && !a.equals("127.0.0.1"));
    assertThat(c.iceServers()).isEmpty();
    assertThat(c.signalling().maxMessageBytes()).isEqualTo(65536);
  }

  @Test
  void environmentOverrides() {
    ParleyConfig c =
        ParleyConfig.fromEnvironment(
            Map.of(
                "PARLEY_HTTP_PORT", "9090",
                "PARLEY_UDP_PORT", "40000",
                "PARLEY_ADVERTISED_ADDRESSES", "203.0.113.7, 192.168.1.10",
                "PARLEY_ICE_SERVERS", "stun:stun.example.org:3478, stun:other.example.org"));
    assertThat(c.http().port()).isEqualTo(9090);
    assertThat(c.media().udpPort()).isEqualTo(40000);
    assertThat(c.media().advertisedAddresses()).containsExactly("203.0.113.7", "192.168.1.10");
    assertThat(c.iceServers())
        .extracting(ParleyConfig.IceServer::urls)
        .containsExactly(List.of("stun:stun.example.org:3478"), List.of("stun:other.example.org"));
  }

  @Test
  void theAdvertisedPortIsTheBoundOneUnlessSet() {
    assertThat(ParleyConfig.fromEnvironment(Map.of()).media().advertisedPort())
        .isEqualTo(ParleyConfig.Media.ADVERTISE_BOUND_PORT);
    ParleyConfig set =
        ParleyConfig.fromEnvironment(
            Map.of("PARLEY_UDP_PORT", "10000", "PARLEY_ADVERTISED_PORT", "31002"));
    assertThat(set.media().udpPort()).isEqualTo(10000);
    assertThat(set.media().advertisedPort()).isEqualTo(31002);
    assertThat(set.withPorts(0, 0).media().advertisedPort()).isEqualTo(31002);
    assertThatThrownBy(
            () -> ParleyConfig.fromEnvironment(Map.of("PARLEY_ADVERTISED_PORT", "70000")))
        .hasMessageContaining("PARLEY_ADVERTISED_PORT");
    assertThatThrownBy(
            () -> ParleyConfig.fromEnvironment(Map.of("PARLEY_ADVERTISED_PORT", "nodeport")))
        .hasMessageContaining("PARLEY_ADVERTISED_PORT");
  }

  @Test
  void redundantAudioIsAskedForUnlessTurnedOff() {
    assertThat(ParleyConfig.fromEnvironment(Map.of()).signalling().audioRed()).isTrue();
    assertThat(
            ParleyConfig.fromEnvironment(Map.of("PARLEY_AUDIO_RED", "false"))
                .signalling()
                .audioRed())
        .isFalse();
    assertThatThrownBy(() -> ParleyConfig.fromEnvironment(Map.of("PARLEY_AUDIO_RED", "maybe")))
        .hasMessageContaining("PARLEY_AUDIO_RED");
  }

  @Test
  void unwatchedLayersArePausedUnlessTurnedOff() {
    assertThat(ParleyConfig.fromEnvironment(Map.of()).signalling().pauseUnwatchedLayers()).isTrue();
    assertThat(
            ParleyConfig.fromEnvironment(Map.of("PARLEY_PAUSE_UNWATCHED_LAYERS", "false"))
                .signalling()
                .pauseUnwatchedLayers())
        .isFalse();
    assertThatThrownBy(
            () -> ParleyConfig.fromEnvironment(Map.of("PARLEY_PAUSE_UNWATCHED_LAYERS", "no way")))
        .hasMessageContaining("PARLEY_PAUSE_UNWATCHED_LAYERS");
  }

  @Test
  void playoutDelayIsOnUnlessTurnedOff() {
    assertThat(ParleyConfig.fromEnvironment(Map.of()).signalling().playoutDelay()).isTrue();
    assertThat(
            ParleyConfig.fromEnvironment(Map.of("PARLEY_PLAYOUT_DELAY", "false"))
                .signalling()
                .playoutDelay())
        .isFalse();
  }

  @Test
  void connectedSocketsAreOnUnlessTurnedOff() {
    assertThat(ParleyConfig.fromEnvironment(Map.of()).media().connectedSockets()).isTrue();
    ParleyConfig off =
        ParleyConfig.fromEnvironment(Map.of("PARLEY_UDP_CONNECTED_SOCKETS", "false"));
    assertThat(off.media().connectedSockets()).isFalse();
    assertThat(off.withPorts(0, 0).media().connectedSockets()).isFalse();
  }

  @Test
  void iceTcpFollowsTheUdpPortUnlessSetOrTurnedOff() {
    ParleyConfig.Media byDefault = ParleyConfig.fromEnvironment(Map.of()).media();
    assertThat(byDefault.tcpPort()).isEqualTo(ParleyConfig.Media.TCP_SAME_AS_UDP);
    assertThat(byDefault.tcpOnly()).isFalse();
    ParleyConfig.Media set =
        ParleyConfig.fromEnvironment(
                Map.of("PARLEY_TCP_PORT", "10443", "PARLEY_ICE_TCP_ONLY", "true"))
            .media();
    assertThat(set.tcpPort()).isEqualTo(10443);
    assertThat(set.tcpOnly()).isTrue();
    for (String off : new String[] {"0", "-1"}) {
      assertThat(ParleyConfig.fromEnvironment(Map.of("PARLEY_TCP_PORT", off)).media().tcpPort())
          .isEqualTo(ParleyConfig.Media.TCP_OFF);
    }
    assertThatThrownBy(
            () ->
                ParleyConfig.fromEnvironment(
                    Map.of("PARLEY_TCP_PORT", "0", "PARLEY_ICE_TCP_ONLY", "true")))
        .hasMessageContaining("PARLEY_ICE_TCP_ONLY");
    assertThatThrownBy(() -> ParleyConfig.fromEnvironment(Map.of("PARLEY_ICE_TCP_ONLY", "maybe")))
        .hasMessageContaining("true or false");
    assertThatThrownBy(() -> ParleyConfig.fromEnvironment(Map.of("PARLEY_TCP_PORT", "70000")))
        .hasMessageContaining("PARLEY_TCP_PORT");
  }

  @Test
  void turnServersWithCredentialsAsJson() {
    ParleyConfig c =
        ParleyConfig.fromEnvironment(
            Map.of(
                "PARLEY_ICE_SERVERS",
                "[{\"urls\":[\"turn:turn.example.org:3478\"],\"username\":\"u\",\"credential\":\"p\"}]"));
    assertThat(c.iceServers())
        .containsExactly(
            new ParleyConfig.IceServer(List.of("turn:turn.example.org:3478"), "u", "p"));
  }

  @Test
  void badValuesAreExplained() {
    assertThatThrownBy(() -> ParleyConfig.fromEnvironment(Map.of("PARLEY_HTTP_PORT", "http")))
        .hasMessageContaining("PARLEY_HTTP_PORT must be a number");
    assertThatThrownBy(() -> ParleyConfig.fromEnvironment(Map.of("PARLEY_UDP_PORT", "70000")))
        .hasMessageContaining("0..65535");
    assertThatThrownBy(() -> ParleyConfig.fromEnvironment(Map.of("PARLEY_ICE_SERVERS", "[oops")))
        .hasMessageContaining("PARLEY_ICE_SERVERS");
  }
}
