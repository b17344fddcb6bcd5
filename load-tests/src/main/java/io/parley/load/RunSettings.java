package io.parley.load;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything one run needs.
 *
 * @param target which server's signalling to speak
 * @param server Parley's base URL (http://host:port) or Janus's HTTP API (http://host:port/janus)
 * @param rooms rooms at the start (capacity search adds more)
 * @param publishers publishers per room (they also subscribe to the others)
 * @param subscribers participants per room that only watch
 * @param serverPid the server's process id, for its CPU and memory from /proc; 0 if unknown
 * @param metricsUrl the server's Prometheus endpoint, or null
 * @param packetLog where to write every received packet at the end ({@link PacketLog}), or null
 */
record RunSettings(
    Target target,
    URI server,
    int rooms,
    int publishers,
    int subscribers,
    MediaSettings media,
    Impairment impairment,
    Duration duration,
    Duration rampUp,
    int ioThreads,
    String bindAddress,
    long serverPid,
    URI metricsUrl,
    String label,
    Path packetLog) {

  enum Target {
    PARLEY,
    JANUS
  }

  RunSettings {
    if (rooms < 1 || publishers < 0 || subscribers < 0 || publishers + subscribers < 1) {
      throw new IllegalArgumentException("need at least one room and one participant per room");
    }
    if (publishers == 0) {
      throw new IllegalArgumentException("a room without publishers has nothing to measure");
    }
  }

  int perRoom() {
    return publishers + subscribers;
  }

  /** Video and audio streams each participant receives, on average, in one room. */
  int streamsPerRoom() {
    int tracks = (media.audio() ? 1 : 0) + (media.video() ? 1 : 0);
    return tracks * (publishers * (publishers - 1) + subscribers * publishers);
  }
}
