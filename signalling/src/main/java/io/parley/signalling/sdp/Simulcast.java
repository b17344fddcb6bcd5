package io.parley.signalling.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@code a=simulcast:<send|recv> <streams>} line (RFC 8853), one direction only (browsers use
 * one). Alternatives ({@code a,b}) keep their first rid; a paused stream ({@code ~a}) keeps its
 * rid.
 *
 * @param direction {@code send} or {@code recv}
 * @param rids the streams in the order written
 */
public record Simulcast(String direction, List<String> rids) {
  public Simulcast {
    rids = List.copyOf(rids);
  }

  static Simulcast parse(String v) {
    String[] p = SdpText.fields(v);
    if (p.length != 2 || !(p[0].equals("send") || p[0].equals("recv"))) {
      throw new SdpException("unsupported a=simulcast: " + v);
    }
    List<String> rids = new ArrayList<>();
    for (String stream : p[1].split(";")) {
      String first = stream.split(",")[0];
      rids.add(first.startsWith("~") ? first.substring(1) : first);
    }
    return new Simulcast(p[0], rids);
  }

  String sdp() {
    return direction + " " + String.join(";", rids);
  }
}
