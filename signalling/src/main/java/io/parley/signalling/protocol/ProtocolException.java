package io.parley.signalling.protocol;

/**
 * A request that breaks the protocol or is not allowed; the message goes back to that client as is.
 * A {@link #code()} names the refusals the client shows a screen for (a password prompt, "the
 * meeting is full"), so it need not parse the message.
 */
public final class ProtocolException extends RuntimeException {
  private final String code;

  public ProtocolException(String message) {
    this(null, message);
  }

  public ProtocolException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** A stable machine-readable reason, or null. */
  public String code() {
    return code;
  }
}
