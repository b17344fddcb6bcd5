package io.parley.signalling.protocol;

/** A request that breaks the protocol; the message goes back to that client as is. */
public final class ProtocolException extends RuntimeException {
  public ProtocolException(String message) {
    super(message, null, false, false);
  }
}
