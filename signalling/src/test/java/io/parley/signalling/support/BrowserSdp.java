package io.parley.signalling.support;

/** Makes the answer a browser would give to a subscribe offer, good enough for signalling tests. */
public final class BrowserSdp {
  private BrowserSdp() {}

  public static String answer(String offer) {
    StringBuilder b = new StringBuilder();
    for (String line : offer.split("\r\n")) {
      if (line.startsWith("a=ice-lite")
          || line.startsWith("a=candidate")
          || line.startsWith("a=end-of-candidates")
          || line.startsWith("a=ssrc")
          || line.startsWith("a=msid")) {
        continue;
      }
      if (line.startsWith("a=ice-ufrag:")) {
        line = "a=ice-ufrag:brws";
      } else if (line.startsWith("a=ice-pwd:")) {
        line = "a=ice-pwd:browserpassword0123456789";
      } else if (line.startsWith("a=fingerprint:")) {
        line = "a=fingerprint:sha-256 01:02:03";
      } else if (line.equals("a=setup:passive")) {
        line = "a=setup:active";
      } else if (line.equals("a=sendonly")) {
        line = "a=recvonly";
      }
      b.append(line).append("\r\n");
    }
    return b.toString();
  }
}
