package io.parley.sfu.api;

/** A control command the media plane refused, with a message fit for a log or a client. */
public final class SfuException extends RuntimeException {
  public SfuException(String message) {
    super(message);
  }
}
