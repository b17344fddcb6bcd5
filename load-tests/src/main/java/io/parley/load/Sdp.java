package io.parley.load;

import io.parley.sfu.dtls.DtlsRole;
import io.parley.signalling.sdp.Direction;
import io.parley.signalling.sdp.Extmap;
import io.parley.signalling.sdp.MediaSection;
import io.parley.signalling.sdp.RtpCodec;
import io.parley.signalling.sdp.SessionDescription;
import io.parley.signalling.sdp.Setup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The SDP a browser would write for a synthetic participant: the publish offer (audio and camera,
 * optionally three simulcast rids) and answers to a server's subscribe offers. Parsing uses
 * Parley's own SDP model ({@link SessionDescription}), which reads Janus's SDP too.
 */
final class Sdp {
  private static final Set<String> ANSWERED_EXTENSIONS =
      Set.of(Extmap.MID, Extmap.AUDIO_LEVEL, Extmap.TRANSPORT_CC);

  private Sdp() {}

  /** The id of the transport-cc header extension an offer's sections carry, or 0. */
  static int transportCcId(SessionDescription offer) {
    for (MediaSection m : offer.media()) {
      for (Extmap e : m.extmaps()) {
        if (e.uri().equals(Extmap.TRANSPORT_CC)) {
          return e.id();
        }
      }
    }
    return 0;
  }

  /** One published track: its mid and its SSRCs (one, or one per simulcast rid). */
  record Track(String mid, boolean video, List<Long> ssrcs) {}

  static String publishOffer(
      PeerTransport t, MediaSettings media, List<Track> tracks, String cname, String streamId) {
    StringBuilder b = new StringBuilder(2048);
    session(b, tracks.stream().map(Track::mid).toList());
    b.append("a=msid-semantic: WMS ").append(streamId).append("\r\n");
    for (Track track : tracks) {
      if (track.video()) {
        mline(b, "video", SyntheticStream.VP8_PT, t, "actpass", track.mid());
        b.append("a=extmap:")
            .append(SyntheticStream.EXT_TRANSPORT_CC)
            .append(' ')
            .append(Extmap.TRANSPORT_CC)
            .append("\r\n");
        b.append("a=extmap:").append(SyntheticStream.EXT_MID).append(' ').append(Extmap.MID);
        b.append("\r\n");
        b.append("a=extmap:").append(SyntheticStream.EXT_RID).append(' ').append(Extmap.RID);
        b.append("\r\n");
        b.append("a=extmap:")
            .append(SyntheticStream.EXT_REPAIRED_RID)
            .append(' ')
            .append(Extmap.REPAIRED_RID)
            .append("\r\n");
        b.append("a=sendonly\r\n");
        b.append("a=msid:").append(streamId).append(" video-").append(streamId).append("\r\n");
        b.append("a=rtcp-mux\r\na=rtcp-rsize\r\n");
        int pt = SyntheticStream.VP8_PT;
        b.append("a=rtpmap:").append(pt).append(" VP8/90000\r\n");
        for (String fb : List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli")) {
          b.append("a=rtcp-fb:").append(pt).append(' ').append(fb).append("\r\n");
        }
        if (media.simulcast()) {
          for (String rid : MediaSettings.RIDS) {
            b.append("a=rid:").append(rid).append(" send\r\n");
          }
          b.append("a=simulcast:send ").append(String.join(";", MediaSettings.RIDS));
          b.append("\r\n");
        } else {
          ssrcLines(b, track.ssrcs().get(0), cname, streamId, "video-" + streamId);
        }
      } else {
        mline(b, "audio", SyntheticStream.OPUS_PT, t, "actpass", track.mid());
        b.append("a=extmap:")
            .append(SyntheticStream.EXT_AUDIO_LEVEL)
            .append(' ')
            .append(Extmap.AUDIO_LEVEL)
            .append("\r\n");
        b.append("a=extmap:")
            .append(SyntheticStream.EXT_TRANSPORT_CC)
            .append(' ')
            .append(Extmap.TRANSPORT_CC)
            .append("\r\n");
        b.append("a=extmap:").append(SyntheticStream.EXT_MID).append(' ').append(Extmap.MID);
        b.append("\r\n");
        b.append("a=sendonly\r\n");
        b.append("a=msid:").append(streamId).append(" audio-").append(streamId).append("\r\n");
        b.append("a=rtcp-mux\r\n");
        int pt = SyntheticStream.OPUS_PT;
        b.append("a=rtpmap:").append(pt).append(" opus/48000/2\r\n");
        b.append("a=rtcp-fb:").append(pt).append(" transport-cc\r\n");
        b.append("a=fmtp:").append(pt).append(" minptime=10;useinbandfec=1\r\n");
        ssrcLines(b, track.ssrcs().get(0), cname, streamId, "audio-" + streamId);
      }
    }
    return b.toString();
  }

  /**
   * The answer to a server's subscribe offer: every section it sends is received with its first
   * Opus or VP8 payload type; everything else is inactive or rejected. The DTLS role is active
   * (client), as browsers answer.
   */
  static String subscribeAnswer(SessionDescription offer, PeerTransport t) {
    StringBuilder b = new StringBuilder(2048);
    List<String> bundle = new ArrayList<>();
    for (MediaSection m : offer.media()) {
      if (!m.rejected() && m.mid() != null && codecOf(m) != null) {
        bundle.add(m.mid());
      }
    }
    session(b, bundle);
    for (MediaSection m : offer.media()) {
      RtpCodec codec = codecOf(m);
      if (m.rejected() || m.mid() == null || codec == null) {
        b.append("m=")
            .append(m.kind())
            .append(" 0 ")
            .append(m.proto())
            .append(' ')
            .append(m.formats().isEmpty() ? "0" : String.join(" ", m.formats()))
            .append("\r\n");
        b.append("c=IN IP4 0.0.0.0\r\n");
        if (m.mid() != null) {
          b.append("a=mid:").append(m.mid()).append("\r\n");
        }
        b.append("a=inactive\r\n");
        continue;
      }
      mline(b, m.kind(), codec.payloadType(), t, "active", m.mid());
      for (Extmap e : m.extmaps()) {
        if (ANSWERED_EXTENSIONS.contains(e.uri())) {
          b.append("a=extmap:").append(e.id()).append(' ').append(e.uri()).append("\r\n");
        }
      }
      Direction d = m.effectiveDirection();
      boolean sends = d == Direction.SENDONLY || d == Direction.SENDRECV;
      b.append(sends ? "a=recvonly\r\n" : "a=inactive\r\n");
      b.append("a=rtcp-mux\r\n");
      if (m.rtcpRsize()) {
        b.append("a=rtcp-rsize\r\n");
      }
      b.append("a=rtpmap:")
          .append(codec.payloadType())
          .append(' ')
          .append(codec.name())
          .append('/')
          .append(codec.clockRate());
      if (codec.channels() > 1) {
        b.append('/').append(codec.channels());
      }
      b.append("\r\n");
      for (String fb : codec.feedback()) {
        b.append("a=rtcp-fb:").append(codec.payloadType()).append(' ').append(fb).append("\r\n");
      }
      if (codec.fmtp() != null && !codec.fmtp().isEmpty()) {
        b.append("a=fmtp:").append(codec.payloadType()).append(' ').append(codec.fmtp());
        b.append("\r\n");
      }
      long ssrc = ThreadLocalRandom.current().nextLong(1, 0xFFFFFFFFL);
      b.append("a=ssrc:").append(ssrc).append(" cname:").append(t.ufrag()).append("\r\n");
    }
    return b.toString();
  }

  private static RtpCodec codecOf(MediaSection m) {
    if (m.kind().equals("audio")) {
      return m.codecs().stream()
          .filter(c -> c.is("opus") && c.clockRate() == 48000)
          .findFirst()
          .orElse(null);
    }
    if (m.kind().equals("video")) {
      return m.codecs().stream().filter(c -> c.is("VP8")).findFirst().orElse(null);
    }
    return null;
  }

  /**
   * The server's transport from its SDP: ICE credentials, fingerprint and UDP host candidates,
   * those on {@code preferredHost} first.
   */
  static PeerTransport.Remote remoteOf(SessionDescription sdp, String preferredHost) {
    MediaSection first =
        sdp.media().stream()
            .filter(m -> !m.rejected())
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("the SDP has no active section"));
    var fp = sdp.fingerprintOf(first);
    if (sdp.iceUfragOf(first) == null || sdp.icePwdOf(first) == null || fp == null) {
      throw new IllegalArgumentException("the SDP lacks ICE credentials or a fingerprint");
    }
    List<InetSocketAddress> candidates = new ArrayList<>();
    for (MediaSection m : sdp.media()) {
      for (String c : m.candidates()) {
        String[] p = c.trim().split("\\s+");
        if (p.length < 8 || !p[1].equals("1") || !p[2].equalsIgnoreCase("udp")) {
          continue;
        }
        try {
          InetSocketAddress a =
              new InetSocketAddress(InetAddress.getByName(p[4]), Integer.parseInt(p[5]));
          if (!candidates.contains(a) && a.getAddress() instanceof java.net.Inet4Address) {
            candidates.add(a);
          }
        } catch (UnknownHostException | NumberFormatException e) {
          // mDNS or garbage: skip
        }
      }
    }
    String preferred = resolve(preferredHost);
    candidates.sort(
        Comparator.comparing(
            (InetSocketAddress a) -> !a.getAddress().getHostAddress().equals(preferred)));
    return new PeerTransport.Remote(
        sdp.iceUfragOf(first), sdp.icePwdOf(first), fp.algorithm(), fp.value(), candidates);
  }

  /** Our DTLS role given the server's a=setup in its answer to our actpass offer. */
  static DtlsRole roleFromAnswer(SessionDescription answer) {
    MediaSection first = answer.media().stream().filter(m -> !m.rejected()).findFirst().get();
    Setup setup = answer.setupOf(first);
    return setup == Setup.ACTIVE ? DtlsRole.SERVER : DtlsRole.CLIENT;
  }

  private static String resolve(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      return host;
    }
  }

  private static void session(StringBuilder b, List<String> mids) {
    b.append("v=0\r\n");
    b.append("o=- ")
        .append(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE >> 1))
        .append(" 2 IN IP4 127.0.0.1\r\n");
    b.append("s=-\r\nt=0 0\r\n");
    if (!mids.isEmpty()) {
      b.append("a=group:BUNDLE ").append(String.join(" ", mids)).append("\r\n");
    }
    b.append("a=extmap-allow-mixed\r\n");
  }

  private static void mline(
      StringBuilder b, String kind, int pt, PeerTransport t, String setup, String mid) {
    InetSocketAddress local = t.localAddress();
    String ip = local.getAddress().getHostAddress();
    b.append("m=")
        .append(kind)
        .append(' ')
        .append(local.getPort())
        .append(" UDP/TLS/RTP/SAVPF ")
        .append(pt)
        .append("\r\n");
    b.append("c=IN IP4 ").append(ip).append("\r\n");
    b.append("a=candidate:1 1 udp 2122260223 ")
        .append(ip)
        .append(' ')
        .append(local.getPort())
        .append(" typ host\r\n");
    b.append("a=end-of-candidates\r\n");
    b.append("a=ice-ufrag:").append(t.ufrag()).append("\r\n");
    b.append("a=ice-pwd:").append(t.pwd()).append("\r\n");
    b.append("a=fingerprint:")
        .append(t.certificate().fingerprintAlgorithm())
        .append(' ')
        .append(t.certificate().fingerprint())
        .append("\r\n");
    b.append("a=setup:").append(setup).append("\r\n");
    b.append("a=mid:").append(mid).append("\r\n");
  }

  private static void ssrcLines(
      StringBuilder b, long ssrc, String cname, String streamId, String trackId) {
    b.append("a=ssrc:").append(ssrc).append(" cname:").append(cname).append("\r\n");
    b.append("a=ssrc:")
        .append(ssrc)
        .append(" msid:")
        .append(streamId)
        .append(' ')
        .append(trackId)
        .append("\r\n");
  }
}
