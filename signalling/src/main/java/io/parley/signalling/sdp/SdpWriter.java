package io.parley.signalling.sdp;

/** Writes a {@link SessionDescription} as SDP text in the order browsers expect. */
final class SdpWriter {
  private SdpWriter() {}

  static String write(SessionDescription s) {
    StringBuilder b = new StringBuilder(2048);
    line(b, "v=0");
    line(b, "o=- " + s.sessionId() + " " + s.sessionVersion() + " IN IP4 0.0.0.0");
    line(b, "s=-");
    line(b, "t=0 0");
    if (s.iceLite()) {
      line(b, "a=ice-lite");
    }
    if (!s.bundle().isEmpty()) {
      line(b, "a=group:BUNDLE " + String.join(" ", s.bundle()));
    }
    if (s.extmapAllowMixed()) {
      line(b, "a=extmap-allow-mixed");
    }
    if (s.msidSemantic() != null) {
      line(b, "a=msid-semantic:" + s.msidSemantic());
    }
    attr(b, "ice-ufrag", s.iceUfrag());
    attr(b, "ice-pwd", s.icePwd());
    if (s.fingerprint() != null) {
      line(b, "a=fingerprint:" + s.fingerprint().sdp());
    }
    if (s.setup() != null) {
      line(b, "a=setup:" + s.setup().sdp());
    }
    for (MediaSection m : s.media()) {
      writeMedia(b, m);
    }
    return b.toString();
  }

  private static void writeMedia(StringBuilder b, MediaSection m) {
    StringBuilder mline = new StringBuilder("m=").append(m.kind()).append(' ').append(m.port());
    mline.append(' ').append(m.proto());
    m.formats().forEach(f -> mline.append(' ').append(f));
    line(b, mline.toString());
    line(b, "c=IN IP4 0.0.0.0");
    attr(b, "mid", m.mid());
    if (m.bundleOnly()) {
      line(b, "a=bundle-only");
    }
    attr(b, "ice-ufrag", m.iceUfrag());
    attr(b, "ice-pwd", m.icePwd());
    if (m.fingerprint() != null) {
      line(b, "a=fingerprint:" + m.fingerprint().sdp());
    }
    if (m.setup() != null) {
      line(b, "a=setup:" + m.setup().sdp());
    }
    if (m.direction() != null) {
      line(b, "a=" + m.direction().sdp());
    }
    if (m.msid() != null) {
      line(b, "a=msid:" + m.msid().sdp());
    }
    if (m.rtcpMux()) {
      line(b, "a=rtcp-mux");
    }
    if (m.rtcpRsize()) {
      line(b, "a=rtcp-rsize");
    }
    for (Extmap e : m.extmaps()) {
      line(b, "a=extmap:" + e.sdp());
    }
    for (RtpCodec c : m.codecs()) {
      line(b, "a=rtpmap:" + c.rtpmapValue());
      for (String fb : c.feedback()) {
        line(b, "a=rtcp-fb:" + c.payloadType() + " " + fb);
      }
      if (c.fmtp() != null && !c.fmtp().isEmpty()) {
        line(b, "a=fmtp:" + c.payloadType() + " " + c.fmtp());
      }
    }
    for (Rid r : m.rids()) {
      line(b, "a=rid:" + r.sdp());
    }
    if (m.simulcast() != null) {
      line(b, "a=simulcast:" + m.simulcast().sdp());
    }
    for (SsrcGroup g : m.ssrcGroups()) {
      line(b, "a=ssrc-group:" + g.sdp());
    }
    for (Ssrc s : m.ssrcs()) {
      line(b, "a=ssrc:" + s.sdp());
    }
    for (String c : m.candidates()) {
      line(b, "a=candidate:" + c);
    }
    if (m.endOfCandidates()) {
      line(b, "a=end-of-candidates");
    }
  }

  private static void attr(StringBuilder b, String name, String value) {
    if (value != null) {
      line(b, "a=" + name + ":" + value);
    }
  }

  private static void line(StringBuilder b, String l) {
    b.append(l).append("\r\n");
  }
}
