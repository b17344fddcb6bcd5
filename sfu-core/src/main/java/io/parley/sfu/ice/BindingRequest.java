package io.parley.sfu.ice;

import java.util.HexFormat;

/**
 * A STUN Binding request as an ICE-lite agent sees it (RFC 8445).
 *
 * @param transactionId the 12-byte transaction id (owned by this record; do not modify)
 * @param username USERNAME, "localUfrag:remoteUfrag" from the SFU's point of view
 * @param priority PRIORITY, or 0 if the request carried none
 * @param useCandidate USE-CANDIDATE present (the controlling agent nominates this pair)
 * @param iceControlling ICE-CONTROLLING present
 * @param iceControlled ICE-CONTROLLED present
 * @param tieBreaker the tie-breaker of ICE-CONTROLLING, else of ICE-CONTROLLED, else 0
 */
public record BindingRequest(
    byte[] transactionId,
    String username,
    long priority,
    boolean useCandidate,
    boolean iceControlling,
    boolean iceControlled,
    long tieBreaker) {

  /** The local (SFU's) ufrag: the part of USERNAME before the colon. */
  public String localUfrag() {
    int colon = username.indexOf(':');
    return colon < 0 ? username : username.substring(0, colon);
  }

  /** The remote (browser's) ufrag: the part of USERNAME after the colon. */
  public String remoteUfrag() {
    int colon = username.indexOf(':');
    return colon < 0 ? "" : username.substring(colon + 1);
  }

  @Override
  public String toString() {
    return "BindingRequest[tx="
        + HexFormat.of().formatHex(transactionId)
        + ", username="
        + username
        + ", priority="
        + priority
        + (useCandidate ? ", use-candidate" : "")
        + (iceControlling ? ", controlling" : "")
        + (iceControlled ? ", controlled" : "")
        + "]";
  }
}
