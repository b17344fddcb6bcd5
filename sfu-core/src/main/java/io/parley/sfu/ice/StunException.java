package io.parley.sfu.ice;

/**
 * A STUN message the codec refused. Thrown for every kind of bad input from the network, so it is
 * cheap: no stack trace (there is nothing to debug in a hostile datagram, and nothing to log).
 */
public final class StunException extends Exception {

  /** Why a message was refused; a caller counts drops by this. */
  public enum Kind {
    /** Not a well-formed STUN message: header, lengths or an attribute's size are wrong. */
    MALFORMED,
    /** Well-formed STUN, but not a Binding request (where one was expected). */
    NOT_A_BINDING_REQUEST,
    /** Well-formed STUN, but not a Binding success or error response (where one was expected). */
    NOT_A_BINDING_RESPONSE,
    /** FINGERPRINT present but its CRC does not match. */
    BAD_FINGERPRINT,
    /** MESSAGE-INTEGRITY present but does not match the password. */
    BAD_INTEGRITY,
    /** A required attribute (FINGERPRINT, MESSAGE-INTEGRITY, USERNAME, …) is absent. */
    MISSING_ATTRIBUTE
  }

  private final Kind kind;

  public StunException(Kind kind, String reason) {
    super(reason, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public String toString() {
    return "StunException[" + kind + ": " + getMessage() + "]";
  }
}
