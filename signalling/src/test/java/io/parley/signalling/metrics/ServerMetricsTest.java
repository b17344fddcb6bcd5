package io.parley.signalling.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ServerMetricsTest {

  /**
   * The signalling counters read suppliers that only the registry holds (method references made at
   * the call): they must still be read after a garbage collection, not stay at an old value.
   */
  @Test
  void countersReadTheirSuppliersAfterAGarbageCollection() {
    AtomicLong throttled = new AtomicLong();
    AtomicLong more = new AtomicLong();
    AtomicLong fewer = new AtomicLong();
    try (ServerMetrics metrics = new ServerMetrics()) {
      metrics.bindThrottled(throttled::get);
      metrics.bindPublishLayers(more::get, fewer::get);
      assertThat(metrics.scrape())
          .contains("parley_publish_layer_changes_total{change=\"fewer\"} 0.0");
      // Collect until a probe object with no other holder is gone: the suppliers above have none.
      WeakReference<Object> probe = new WeakReference<>(new Object());
      for (int i = 0; i < 50 && probe.get() != null; i++) {
        System.gc();
      }
      throttled.set(3);
      more.set(2);
      fewer.set(5);
      String text = metrics.scrape();
      assertThat(text).contains("parley_signalling_throttled_total 3.0");
      assertThat(text).contains("parley_publish_layer_changes_total{change=\"more\"} 2.0");
      assertThat(text).contains("parley_publish_layer_changes_total{change=\"fewer\"} 5.0");
    }
  }
}
