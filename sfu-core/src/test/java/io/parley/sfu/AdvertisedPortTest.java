package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.TransportInfo;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The advertised port: browsers reach a node through an edge port (a Kubernetes node port, a NAT
 * forward) that differs from the one it binds, and the candidates must name the edge port.
 */
class AdvertisedPortTest {

  private static TransportInfo endpoint(Sfu sfu) throws Exception {
    return sfu.createEndpoint("room", "e1").get(5, TimeUnit.SECONDS);
  }

  @Test
  void candidatesCarryTheAdvertisedPortForUdpAndIceTcpOnTheSameNumber() throws Exception {
    try (Sfu sfu = Sfu.start(SfuConfig.loopback().withAdvertisedPort(31007))) {
      TransportInfo info = endpoint(sfu);
      assertThat(info.candidates())
          .extracting(IceCandidate::protocol)
          .containsExactly("udp", "tcp");
      assertThat(info.candidates()).extracting(IceCandidate::port).containsOnly(31007);
      assertThat(info.candidates().get(0).toSdpValue()).contains(" 127.0.0.1 31007 typ host");
      assertThat(info.candidates().get(1).toSdpValue())
          .endsWith(" 127.0.0.1 31007 typ host tcptype passive");
      // It still binds where it was told to: the advertised port is only what others are told.
      assertThat(sfu.udpPort()).isNotEqualTo(31007);
      assertThat(sfu.advertisedUdpPort()).isEqualTo(31007);
      assertThat(sfu.advertisedTcpPort()).isEqualTo(31007);
    }
  }

  @Test
  void withoutAnAdvertisedPortTheBoundOnesAreAdvertised() throws Exception {
    try (Sfu sfu = Sfu.start(SfuConfig.loopback())) {
      TransportInfo info = endpoint(sfu);
      assertThat(info.candidates().get(0).port()).isEqualTo(sfu.udpPort());
      assertThat(info.candidates().get(1).port()).isEqualTo(sfu.tcpPort());
    }
  }

  @Test
  void anIceTcpPortOfItsOwnIsAdvertisedAsBound() throws Exception {
    int tcpPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      tcpPort = free.getLocalPort();
    }
    SfuConfig config =
        SfuConfig.loopback()
            .withIceTcp(SfuConfig.IceTcp.DEFAULTS.withPort(tcpPort))
            .withAdvertisedPort(31007);
    try (Sfu sfu = Sfu.start(config)) {
      TransportInfo info = endpoint(sfu);
      assertThat(info.candidates().get(0).port()).isEqualTo(31007);
      assertThat(info.candidates().get(1).port()).isEqualTo(tcpPort);
    }
  }

  @Test
  void anAdvertisedPortOutOfRangeIsRefused() {
    assertThatThrownBy(() -> SfuConfig.loopback().withAdvertisedPort(70000))
        .hasMessageContaining("advertisedPort");
  }
}
