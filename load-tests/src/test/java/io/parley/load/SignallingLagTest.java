package io.parley.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.dtls.DtlsCertificate;
import io.socket.thread.EventThread;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignallingLagTest {
  @Test
  void measuresHowLongTheSocketIoThreadWasBusy() throws Exception {
    SignallingLag lag = new SignallingLag();
    assertThat(lag.maxMs()).isNaN();
    CountDownLatch busy = new CountDownLatch(1);
    EventThread.exec(
        () -> {
          busy.countDown();
          sleep(300);
        });
    assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
    lag.probe();
    CountDownLatch after = new CountDownLatch(1);
    EventThread.exec(after::countDown);
    assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(lag.maxMs()).isGreaterThanOrEqualTo(200);
  }

  @Test
  void warmupCoversStunIntegrity() throws Exception {
    ExecutorService executor = Executors.newCachedThreadPool();
    try {
      Warmup.run(DtlsCertificate.generate(), executor);
    } finally {
      executor.shutdownNow();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
