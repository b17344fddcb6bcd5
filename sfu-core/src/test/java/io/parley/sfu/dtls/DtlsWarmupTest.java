package io.parley.sfu.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DtlsWarmupTest {
  @Test
  void everyWarmUpHandshakeConnectsAndCarriesSrtp() throws Exception {
    ExecutorService handshakes = Executors.newFixedThreadPool(2);
    try {
      int connected =
          DtlsWarmup.start(DtlsCertificate.generate(), handshakes, 2).get(60, TimeUnit.SECONDS);
      assertThat(connected).isEqualTo(2);
    } finally {
      handshakes.shutdownNow();
    }
  }
}
