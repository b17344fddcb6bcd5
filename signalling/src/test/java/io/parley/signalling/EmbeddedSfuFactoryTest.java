package io.parley.signalling;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.Sfu;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.TransportInfo;
import io.parley.signalling.config.ParleyConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The environment's media settings reach the embedded SFU's candidates. */
class EmbeddedSfuFactoryTest {

  @Test
  void theAdvertisedPortFromTheEnvironmentIsInEveryCandidate() throws Exception {
    ParleyConfig config =
        ParleyConfig.fromEnvironment(
            Map.of(
                "PARLEY_UDP_BIND", "127.0.0.1",
                "PARLEY_UDP_PORT", "0",
                "PARLEY_ADVERTISED_ADDRESSES", "198.51.100.20",
                "PARLEY_ADVERTISED_PORT", "31001"));
    try (Sfu sfu = (Sfu) new EmbeddedSfuFactory().start(config.media())) {
      TransportInfo info = sfu.createEndpoint("room", "e").get(5, TimeUnit.SECONDS);
      assertThat(info.candidates())
          .extracting(IceCandidate::toSdpValue)
          .containsExactly(
              "1 1 udp " + info.candidates().get(0).priority() + " 198.51.100.20 31001 typ host",
              "tcp1 1 tcp "
                  + info.candidates().get(1).priority()
                  + " 198.51.100.20 31001 typ host tcptype passive");
    }
  }
}
