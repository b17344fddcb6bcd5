package io.parley.signalling.sdp;

/** An SDP that cannot be parsed or negotiated; the message is fit to show the client. */
public final class SdpException extends IllegalArgumentException {
  public SdpException(String message) {
    super(message);
  }
}
