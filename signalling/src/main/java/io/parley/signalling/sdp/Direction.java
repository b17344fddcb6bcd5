package io.parley.signalling.sdp;

/** The direction attribute of a media section (or an extmap), from the writer's point of view. */
public enum Direction {
  SENDRECV,
  SENDONLY,
  RECVONLY,
  INACTIVE;

  /** The attribute name as SDP writes it, e.g. {@code sendonly}. */
  public String sdp() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The direction the other side answers with: send becomes receive. */
  public Direction reverse() {
    return switch (this) {
      case SENDONLY -> RECVONLY;
      case RECVONLY -> SENDONLY;
      default -> this;
    };
  }

  /** Parses an SDP direction, or returns null if {@code s} is not one. */
  static Direction parse(String s) {
    return switch (s) {
      case "sendrecv" -> SENDRECV;
      case "sendonly" -> SENDONLY;
      case "recvonly" -> RECVONLY;
      case "inactive" -> INACTIVE;
      default -> null;
    };
  }
}
