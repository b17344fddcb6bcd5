package io.parley.signalling.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses SDP text into a {@link SessionDescription}; throws {@link SdpException} if malformed. */
final class SdpParser {
  private SdpParser() {}

  static SessionDescription parse(String text) {
    if (text == null || text.isBlank()) {
      throw new SdpException("empty SDP");
    }
    String[] lines = SdpText.lines(text);
    if (!lines[0].trim().equals("v=0")) {
      throw new SdpException("SDP must start with v=0");
    }
    Session session = new Session();
    Media current = null;
    List<Media> media = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.length() < 2 || line.charAt(1) != '=') {
        throw new SdpException("malformed SDP line " + (i + 1) + ": " + abbreviate(line));
      }
      char type = line.charAt(0);
      String value = line.substring(2);
      if (type == 'm') {
        current = Media.parseMLine(value);
        media.add(current);
      } else if (type == 'o' && current == null) {
        session.origin(value);
      } else if (type == 'a') {
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        String attr = colon < 0 ? null : value.substring(colon + 1);
        if (current == null) {
          session.attribute(name, attr);
        } else {
          current.attribute(name, attr);
        }
      }
    }
    return session.build(media.stream().map(Media::build).toList());
  }

  static int parseInt(String s, String what) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new SdpException("malformed " + what + ": " + abbreviate(s));
    }
  }

  static long parseSsrc(String s) {
    try {
      long v = Long.parseLong(s.trim());
      if (v < 0 || v > 0xFFFFFFFFL) {
        throw new SdpException("SSRC out of range: " + s);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new SdpException("malformed SSRC: " + abbreviate(s));
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static String require(String attr, String name) {
    if (attr == null || attr.isBlank()) {
      throw new SdpException("a=" + name + " needs a value");
    }
    return attr.trim();
  }

  /** Session-level state while parsing. */
  private static final class Session {
    String sessionId = "0";
    long version;
    List<String> bundle = List.of();
    String msidSemantic;
    boolean iceLite;
    boolean extmapAllowMixed;
    String iceUfrag;
    String icePwd;
    Fingerprint fingerprint;
    Setup setup;

    void origin(String value) {
      String[] p = SdpText.fields(value);
      if (p.length < 6) {
        throw new SdpException("malformed o= line: " + abbreviate(value));
      }
      sessionId = p[1];
      try {
        version = Long.parseLong(p[2]);
      } catch (NumberFormatException e) {
        throw new SdpException("malformed o= session version: " + p[2]);
      }
    }

    void attribute(String name, String attr) {
      switch (name) {
        case "group" -> {
          String[] p = SdpText.fields(require(attr, name));
          if (p[0].equals("BUNDLE")) {
            bundle = List.of(p).subList(1, p.length);
          }
        }
        case "msid-semantic" -> msidSemantic = require(attr, name);
        case "ice-lite" -> iceLite = true;
        case "extmap-allow-mixed" -> extmapAllowMixed = true;
        case "ice-ufrag" -> iceUfrag = require(attr, name);
        case "ice-pwd" -> icePwd = require(attr, name);
        case "fingerprint" -> fingerprint = Fingerprint.parse(require(attr, name));
        case "setup" -> setup = Setup.parse(require(attr, name));
        default -> {}
      }
    }

    SessionDescription build(List<MediaSection> media) {
      return new SessionDescription(
          sessionId,
          version,
          bundle,
          msidSemantic,
          iceLite,
          extmapAllowMixed,
          iceUfrag,
          icePwd,
          fingerprint,
          setup,
          media);
    }
  }

  /** Media-level state while parsing one section. */
  private static final class Media {
    String kind;
    int port;
    String proto;
    List<String> formats;
    String mid;
    Direction direction;
    String iceUfrag;
    String icePwd;
    Fingerprint fingerprint;
    Setup setup;
    boolean rtcpMux;
    boolean rtcpRsize;
    final Map<Integer, String[]> rtpmaps = new LinkedHashMap<>();
    final Map<Integer, String> fmtps = new LinkedHashMap<>();
    final Map<Integer, List<String>> feedback = new LinkedHashMap<>();
    final List<Extmap> extmaps = new ArrayList<>();
    final List<Ssrc> ssrcs = new ArrayList<>();
    final List<SsrcGroup> ssrcGroups = new ArrayList<>();
    Msid msid;
    final List<Rid> rids = new ArrayList<>();
    Simulcast simulcast;
    final List<String> candidates = new ArrayList<>();
    boolean endOfCandidates;
    boolean bundleOnly;

    static Media parseMLine(String value) {
      String[] p = SdpText.fields(value);
      if (p.length < 3) {
        throw new SdpException("malformed m= line: " + abbreviate(value));
      }
      Media m = new Media();
      m.kind = p[0];
      String port = p[1];
      int slash = port.indexOf('/');
      m.port = parseInt(slash < 0 ? port : port.substring(0, slash), "m= port");
      if (m.port < 0 || m.port > 65535) {
        throw new SdpException("m= port out of range: " + port);
      }
      m.proto = p[2];
      m.formats = List.of(p).subList(3, p.length);
      if (m.proto.contains("RTP")) {
        for (String f : m.formats) {
          int pt = parseInt(f, "payload type");
          if (pt < 0 || pt > 127) {
            throw new SdpException("payload type out of range: " + f);
          }
        }
      }
      return m;
    }

    void attribute(String name, String attr) {
      Direction d = Direction.parse(name);
      if (d != null) {
        direction = d;
        return;
      }
      switch (name) {
        case "mid" -> mid = require(attr, name);
        case "ice-ufrag" -> iceUfrag = require(attr, name);
        case "ice-pwd" -> icePwd = require(attr, name);
        case "fingerprint" -> fingerprint = Fingerprint.parse(require(attr, name));
        case "setup" -> setup = Setup.parse(require(attr, name));
        case "rtcp-mux" -> rtcpMux = true;
        case "rtcp-rsize" -> rtcpRsize = true;
        case "rtpmap" -> rtpmap(require(attr, name));
        case "fmtp" -> {
          String v = require(attr, name);
          int sp = v.indexOf(' ');
          int pt = parseInt(sp < 0 ? v : v.substring(0, sp), "a=fmtp payload type");
          fmtps.put(pt, sp < 0 ? "" : v.substring(sp + 1).trim());
        }
        case "rtcp-fb" -> {
          String v = require(attr, name);
          int sp = v.indexOf(' ');
          if (sp < 0) {
            throw new SdpException("malformed a=rtcp-fb: " + v);
          }
          String ptText = v.substring(0, sp);
          // "*" applies to every payload type; store it under -1.
          int pt = ptText.equals("*") ? -1 : parseInt(ptText, "a=rtcp-fb payload type");
          feedback.computeIfAbsent(pt, k -> new ArrayList<>()).add(v.substring(sp + 1).trim());
        }
        case "extmap" -> extmaps.add(Extmap.parse(require(attr, name)));
        case "ssrc" -> ssrcs.add(Ssrc.parse(require(attr, name)));
        case "ssrc-group" -> ssrcGroups.add(SsrcGroup.parse(require(attr, name)));
        case "msid" -> msid = Msid.parse(require(attr, name));
        case "rid" -> rids.add(Rid.parse(require(attr, name)));
        case "simulcast" -> simulcast = Simulcast.parse(require(attr, name));
        case "candidate" -> candidates.add(require(attr, name));
        case "end-of-candidates" -> endOfCandidates = true;
        case "bundle-only" -> bundleOnly = true;
        default -> {}
      }
    }

    private void rtpmap(String v) {
      String[] p = SdpText.fields(v);
      if (p.length != 2) {
        throw new SdpException("malformed a=rtpmap: " + abbreviate(v));
      }
      int pt = parseInt(p[0], "a=rtpmap payload type");
      String[] enc = p[1].split("/");
      if (enc.length < 2) {
        throw new SdpException("malformed a=rtpmap: " + abbreviate(v));
      }
      rtpmaps.put(pt, enc);
    }

    MediaSection build() {
      List<RtpCodec> codecs = new ArrayList<>();
      List<String> all = feedback.getOrDefault(-1, List.of());
      for (String f : formats) {
        if (!proto.contains("RTP")) {
          break;
        }
        int pt = Integer.parseInt(f);
        String[] enc = rtpmaps.get(pt);
        if (enc == null) {
          continue;
        }
        List<String> fb = new ArrayList<>(all);
        fb.addAll(feedback.getOrDefault(pt, List.of()));
        codecs.add(
            new RtpCodec(
                pt,
                enc[0],
                parseInt(enc[1], "a=rtpmap clock rate"),
                enc.length > 2 ? parseInt(enc[2], "a=rtpmap channels") : 1,
                fmtps.get(pt),
                fb));
      }
      return new MediaSection(
          kind,
          port,
          proto,
          formats,
          mid,
          direction,
          iceUfrag,
          icePwd,
          fingerprint,
          setup,
          rtcpMux,
          rtcpRsize,
          codecs,
          extmaps,
          ssrcs,
          ssrcGroups,
          msid,
          rids,
          simulcast,
          candidates,
          endOfCandidates,
          bundleOnly);
    }
  }
}
