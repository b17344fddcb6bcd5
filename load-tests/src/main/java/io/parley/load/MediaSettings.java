package io.parley.load;

/**
 * What each publisher sends.
 *
 * @param audio Opus-shaped audio at 50 packets/s
 * @param video VP8-shaped video
 * @param simulcast three video layers (q, h, f) by rid instead of one
 * @param videoBitrate bits/s of the (top) video layer; lower layers get 1/4 and 1/16 of it
 * @param fps video frames per second
 * @param keyframeIntervalMillis time between keyframes (2–3 s in browsers)
 */
record MediaSettings(
    boolean audio,
    boolean video,
    boolean simulcast,
    int videoBitrate,
    int fps,
    int keyframeIntervalMillis) {

  static final String[] RIDS = {"q", "h", "f"};

  MediaSettings {
    if (!audio && !video) {
      throw new IllegalArgumentException("publishers must send audio, video or both");
    }
    if (videoBitrate < 10_000 || fps < 1 || fps > 120 || keyframeIntervalMillis < 100) {
      throw new IllegalArgumentException("bad video settings");
    }
  }

  int layers() {
    return simulcast ? 3 : 1;
  }

  /** Bits/s of a layer, 0 = lowest. */
  int layerBitrate(int layer) {
    return simulcast ? videoBitrate >> (2 * (2 - layer)) : videoBitrate;
  }
}
