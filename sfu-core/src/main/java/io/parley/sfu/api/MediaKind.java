package io.parley.sfu.api;

/** The kind of a track. */
public enum MediaKind {
  AUDIO,
  VIDEO
}
