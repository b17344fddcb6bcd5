package io.parley.signalling.sdp;

import io.parley.sfu.api.Codec;
import io.parley.sfu.api.Encoding;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.api.TransportInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Answers a browser's publish offer: the SFU is ICE-lite and DTLS passive, bundles everything on
 * one transport, receives Opus and VP8 only, and keeps only the header extensions its packet path
 * reads, with the offer's ids. Everything else is declined, never echoed.
 *
 * <p>Where the offer has redundant audio ({@code red/48000/2} over its Opus, as Chromium and Safari
 * offer), the answer puts it first, so the browser sends each Opus frame again in the next packet:
 * a lost packet's audio arrives with the one after it, at about twice the audio bitrate (~30 more
 * kbit/s), which a meeting can afford for its most important stream.
 */
public final class PublishNegotiator {

  /** What Parley's packet path reads; any other offered extension is left out of the answer. */
  static final Set<String> SUPPORTED_EXTENSIONS =
      Set.of(Extmap.MID, Extmap.RID, Extmap.REPAIRED_RID, Extmap.TRANSPORT_CC, Extmap.AUDIO_LEVEL);

  private static final List<String> VIDEO_FEEDBACK =
      List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli");

  /**
   * The answer and what the SFU must be told.
   *
   * @param producers one per accepted section the browser sends on
   * @param rejectedMids sections answered with port 0 (nothing Parley supports)
   */
  public record Result(
      SessionDescription answer,
      List<ProducerSpec> producers,
      RemoteTransportParams remote,
      List<String> rejectedMids) {}

  private final boolean remb;
  private final boolean red;

  /**
   * @param remb whether to accept {@code goog-remb} feedback (only useful if the SFU sends REMB;
   *     Parley's SFU gives publishers transport-cc feedback)
   * @param red whether to ask for redundant audio where the offer has it
   */
  public PublishNegotiator(boolean remb, boolean red) {
    this.remb = remb;
    this.red = red;
  }

  /** No REMB; redundant audio where offered. */
  public PublishNegotiator() {
    this(false, true);
  }

  /**
   * Builds the answer to {@code offer}.
   *
   * @param local the SFU's publish endpoint
   * @param producerId gives each published section a producer id, from its mid and kind
   * @param sourceOf the UI label of a section's track from its mid and kind (e.g. camera)
   * @throws SdpException if the offer cannot be answered; the message says why
   */
  public Result answer(
      SessionDescription offer,
      TransportInfo local,
      BiFunction<String, MediaKind, String> producerId,
      BiFunction<String, MediaKind, String> sourceOf) {
    if (offer.media().isEmpty()) {
      throw new SdpException("the offer has no media sections");
    }
    List<MediaSection> answered = new ArrayList<>();
    List<ProducerSpec> producers = new ArrayList<>();
    List<String> bundle = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    RemoteTransportParams remote = null;
    for (MediaSection m : offer.media()) {
      if (m.mid() == null) {
        throw new SdpException("every media section needs an a=mid");
      }
      MediaKind kind = kindOf(m.kind());
      RtpCodec codec = m.rejected() || kind == null ? null : pickCodec(m, kind);
      if (codec == null) {
        answered.add(reject(m));
        rejected.add(m.mid());
        continue;
      }
      if (!m.rtcpMux()) {
        throw new SdpException("media section " + m.mid() + " must use rtcp-mux");
      }
      if (remote == null) {
        remote = remoteParams(offer, m);
      }
      RtpCodec redundant = kind == MediaKind.AUDIO && red ? pickRed(m, codec) : null;
      MediaSection a = accept(m, kind, codec, redundant, local);
      answered.add(a);
      bundle.add(m.mid());
      if (sends(m)) {
        producers.add(
            new ProducerSpec(
                producerId.apply(m.mid(), kind),
                kind,
                m.mid(),
                sourceOf.apply(m.mid(), kind),
                kind == MediaKind.VIDEO
                    ? Codec.vp8(codec.payloadType())
                    : redundant != null
                        ? Codec.opusWithRed(codec.payloadType(), redundant.payloadType())
                        : Codec.opus(codec.payloadType()),
                encodings(m),
                extensionIds(a)));
      }
    }
    if (bundle.isEmpty()) {
      throw new SdpException("the offer has no media Parley supports (Opus audio, VP8 video)");
    }
    if (!offer.bundle().isEmpty() && !offer.bundle().containsAll(bundle)) {
      throw new SdpException("every accepted media section must be in the offer's BUNDLE group");
    }
    SessionDescription answer =
        new SessionDescription(
            SubscribeOfferBuilder.newSessionId(),
            1,
            bundle,
            null,
            true,
            offer.extmapAllowMixed(),
            null,
            null,
            null,
            null,
            answered);
    return new Result(answer, producers, remote, rejected);
  }

  private static MediaKind kindOf(String kind) {
    return switch (kind) {
      case "audio" -> MediaKind.AUDIO;
      case "video" -> MediaKind.VIDEO;
      default -> null;
    };
  }

  private static boolean sends(MediaSection m) {
    Direction d = m.effectiveDirection();
    return d == Direction.SENDONLY || d == Direction.SENDRECV;
  }

  private static RtpCodec pickCodec(MediaSection m, MediaKind kind) {
    for (RtpCodec c : m.codecs()) {
      if (kind == MediaKind.AUDIO && c.is("opus") && c.clockRate() == 48000 && c.channels() == 2) {
        return c;
      }
      if (kind == MediaKind.VIDEO && c.is("VP8") && c.clockRate() == 90000) {
        return c;
      }
    }
    return null;
  }

  /**
   * The offer's {@code red/48000/2} whose every block is {@code opus} (its fmtp lists only Opus's
   * payload type, e.g. {@code 111/111}), or null.
   */
  private static RtpCodec pickRed(MediaSection m, RtpCodec opus) {
    String only = String.valueOf(opus.payloadType());
    for (RtpCodec c : m.codecs()) {
      if (c.is("red") && c.clockRate() == 48000 && c.channels() == 2 && c.fmtp() != null) {
        String[] blocks = c.fmtp().trim().split("/");
        if (blocks.length >= 1
            && blocks.length <= 4
            && java.util.Arrays.stream(blocks).allMatch(only::equals)) {
          return c;
        }
      }
    }
    return null;
  }

  private static RemoteTransportParams remoteParams(SessionDescription offer, MediaSection m) {
    String ufrag = offer.iceUfragOf(m);
    String pwd = offer.icePwdOf(m);
    Fingerprint fp = offer.fingerprintOf(m);
    if (ufrag == null || pwd == null) {
      throw new SdpException("the offer has no a=ice-ufrag/a=ice-pwd");
    }
    if (fp == null) {
      throw new SdpException("the offer has no a=fingerprint");
    }
    Setup setup = offer.setupOf(m);
    if (setup == Setup.PASSIVE || setup == Setup.HOLDCONN) {
      throw new SdpException("the offer must be a=setup:actpass or active (Parley is passive)");
    }
    return new RemoteTransportParams(ufrag, pwd, fp.algorithm(), fp.value());
  }

  private static MediaSection reject(MediaSection m) {
    return new MediaSection(
        m.kind(),
        0,
        m.proto(),
        m.formats(),
        m.mid(),
        Direction.INACTIVE,
        null,
        null,
        null,
        null,
        false,
        false,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        null,
        List.of(),
        null,
        List.of(),
        false,
        false);
  }

  private MediaSection accept(
      MediaSection m, MediaKind kind, RtpCodec codec, RtpCodec redundant, TransportInfo local) {
    RtpCodec answered =
        kind == MediaKind.AUDIO
            ? new RtpCodec(
                codec.payloadType(),
                codec.name(),
                codec.clockRate(),
                codec.channels(),
                opusFmtp(codec.fmtp()),
                codec.feedback().stream().filter("transport-cc"::equals).toList())
            : new RtpCodec(
                codec.payloadType(),
                codec.name(),
                codec.clockRate(),
                1,
                null,
                codec.feedback().stream()
                    .filter(VIDEO_FEEDBACK::contains)
                    .filter(f -> remb || !f.equals("goog-remb"))
                    .toList());
    List<Extmap> extmaps =
        m.extmaps().stream()
            .filter(e -> SUPPORTED_EXTENSIONS.contains(e.uri()))
            .filter(e -> kind == MediaKind.AUDIO || !e.uri().equals(Extmap.AUDIO_LEVEL))
            .filter(e -> e.direction() != Direction.RECVONLY && e.direction() != Direction.INACTIVE)
            .map(
                e -> new Extmap(e.id(), e.direction() == null ? null : Direction.RECVONLY, e.uri()))
            .toList();
    List<Rid> rids = new ArrayList<>();
    Simulcast simulcast = null;
    if (m.simulcast() != null && m.simulcast().direction().equals("send")) {
      for (String rid : m.simulcast().rids()) {
        rids.add(new Rid(rid, "recv", null));
      }
      simulcast = new Simulcast("recv", m.simulcast().rids());
    }
    Direction direction = sends(m) ? Direction.RECVONLY : Direction.INACTIVE;
    List<String> formats = List.of(String.valueOf(codec.payloadType()));
    List<RtpCodec> codecs = List.of(answered);
    if (redundant != null) {
      // First: the browser sends the first codec of the answer it can.
      formats = List.of(String.valueOf(redundant.payloadType()), formats.get(0));
      codecs =
          List.of(
              new RtpCodec(
                  redundant.payloadType(),
                  redundant.name(),
                  48000,
                  2,
                  redundant.fmtp().trim(),
                  List.of()),
              answered);
    }
    return new MediaSection(
        m.kind(),
        9,
        m.proto(),
        formats,
        m.mid(),
        direction,
        local.iceUfrag(),
        local.icePwd(),
        new Fingerprint(local.fingerprintAlgorithm(), local.fingerprint()),
        Setup.PASSIVE,
        true,
        m.rtcpRsize(),
        codecs,
        extmaps,
        List.of(),
        List.of(),
        null,
        rids,
        simulcast,
        local.candidates().stream().map(IceCandidate::toSdpValue).toList(),
        true,
        false);
  }

  /** The offer's Opus parameters plus in-band FEC and DTX, which Parley wants from publishers. */
  static String opusFmtp(String offered) {
    Map<String, String> params = new LinkedHashMap<>();
    if (offered != null) {
      for (String p : offered.split(";")) {
        String t = p.trim();
        if (t.isEmpty()) {
          continue;
        }
        int eq = t.indexOf('=');
        params.put(eq < 0 ? t : t.substring(0, eq), eq < 0 ? "" : t.substring(eq + 1));
      }
    }
    params.put("useinbandfec", "1");
    params.put("usedtx", "1");
    StringBuilder b = new StringBuilder();
    params.forEach(
        (k, v) -> {
          if (b.length() > 0) {
            b.append(';');
          }
          b.append(k);
          if (!v.isEmpty()) {
            b.append('=').append(v);
          }
        });
    return b.toString();
  }

  /** Simulcast rids (low to high, as browsers list them), else the primary SSRC, else unknown. */
  private static List<Encoding> encodings(MediaSection m) {
    if (m.simulcast() != null && !m.simulcast().rids().isEmpty()) {
      return m.simulcast().rids().stream().map(r -> new Encoding(r, 0)).toList();
    }
    List<Long> repair = new ArrayList<>();
    for (SsrcGroup g : m.ssrcGroups()) {
      if (g.semantics().equals("FID") && g.ssrcs().size() > 1) {
        repair.addAll(g.ssrcs().subList(1, g.ssrcs().size()));
      }
    }
    return m.ssrcIds().stream()
        .filter(s -> !repair.contains(s))
        .findFirst()
        .map(s -> List.of(new Encoding(null, s)))
        .orElse(List.of(new Encoding(null, 0)));
  }

  static HeaderExtensionIds extensionIds(MediaSection m) {
    return new HeaderExtensionIds(
        m.extmapId(Extmap.MID),
        m.extmapId(Extmap.RID),
        m.extmapId(Extmap.REPAIRED_RID),
        m.extmapId(Extmap.TRANSPORT_CC),
        m.extmapId(Extmap.AUDIO_LEVEL));
  }
}
