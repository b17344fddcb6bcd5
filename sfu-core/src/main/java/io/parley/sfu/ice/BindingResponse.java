package io.parley.sfu.ice;

import java.net.InetSocketAddress;
import java.util.HexFormat;

/**
 * A STUN Binding response as the checking (client) side sees it.
 *
 * @param transactionId the 12-byte transaction id, to match against the request sent
 * @param success true for a success response, false for an error response
 * @param mappedAddress XOR-MAPPED-ADDRESS of a success response, null for an error
 * @param errorCode ERROR-CODE (300–699) of an error response, 0 for a success
 */
public record BindingResponse(
    byte[] transactionId, boolean success, InetSocketAddress mappedAddress, int errorCode) {

  @Override
  public String toString() {
    return "BindingResponse[tx="
        + HexFormat.of().formatHex(transactionId)
        + (success ? ", success, mapped=" + mappedAddress : ", error=" + errorCode)
        + "]";
  }
}
