package io.parley.signalling.sdp;

import java.util.ArrayList;
import java.util.List;

/** An {@code a=ssrc-group:<semantics> <ssrc>...} line, e.g. FID (RTX) or SIM. */
public record SsrcGroup(String semantics, List<Long> ssrcs) {
  public SsrcGroup {
    ssrcs = List.copyOf(ssrcs);
  }

  static SsrcGroup parse(String v) {
    String[] p = SdpText.fields(v);
    if (p.length < 2) {
      throw new SdpException("malformed a=ssrc-group: " + v);
    }
    List<Long> ssrcs = new ArrayList<>();
    for (int i = 1; i < p.length; i++) {
      ssrcs.add(SdpParser.parseSsrc(p[i]));
    }
    return new SsrcGroup(p[0], ssrcs);
  }

  String sdp() {
    StringBuilder b = new StringBuilder(semantics);
    ssrcs.forEach(s -> b.append(' ').append(s));
    return b.toString();
  }
}
