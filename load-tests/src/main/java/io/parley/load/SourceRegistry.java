package io.parley.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every SSRC the run's publishers send, so a receiver knows what arrived: whose stream, which kind,
 * which simulcast layer, and when its publisher asked to join (for join → first frame).
 */
final class SourceRegistry {
  record Source(String participant, boolean video, int layer, long joinNanos) {}

  private final Map<Long, Source> sources = new ConcurrentHashMap<>();

  void register(long ssrc, Source source) {
    sources.put(ssrc, source);
  }

  Source get(long ssrc) {
    return sources.get(ssrc);
  }
}
