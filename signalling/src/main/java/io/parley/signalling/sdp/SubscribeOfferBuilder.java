package io.parley.signalling.sdp;

import io.parley.sfu.api.Codec;
import io.parley.sfu.api.ConsumerInfo;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.api.TransportInfo;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SFU's side of one subscribe transport: which media section carries which consumer, and the
 * offers that announce them. Mids are stable: a section whose consumer went away is offered
 * inactive and later reused by a new consumer of the same kind, so the browser never has to grow
 * its transceiver list without bound. Not thread-safe: one owner (the participant's session).
 */
public final class SubscribeOfferBuilder {
  public static final int OPUS_PT = 111;
  public static final int VP8_PT = 96;

  /** Redundant audio over Opus ({@code red/48000/2}), offered to subscribers that take it. */
  public static final int RED_PT = 63;

  /**
   * The header extensions Parley writes to subscribers: mid 1, audio level 2, transport-cc 3, and
   * on video the playout delay 4 (a browser that does not know it leaves it out of its answer and
   * ignores it, RFC 8285).
   */
  public static final HeaderExtensionIds AUDIO_EXTENSIONS = new HeaderExtensionIds(1, 0, 0, 3, 2);

  public static final HeaderExtensionIds VIDEO_EXTENSIONS =
      new HeaderExtensionIds(1, 0, 0, 3, 0, 4);

  private static final HeaderExtensionIds VIDEO_EXTENSIONS_WITHOUT_PLAYOUT_DELAY =
      new HeaderExtensionIds(1, 0, 0, 3, 0);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final boolean red;
  private final boolean playoutDelay;
  private final String sessionId = newSessionId();
  private final List<Slot> slots = new ArrayList<>();
  private long version;

  /** A media section: its consumer, or none (then it is offered inactive). */
  private static final class Slot {
    final String mid;
    final MediaKind kind;
    ConsumerInfo consumer;
    boolean reserved;
    boolean offeredInactive;
    boolean everOffered;

    Slot(String mid, MediaKind kind) {
      this.mid = mid;
      this.kind = kind;
    }
  }

  /**
   * @param red whether the subscriber's browser takes redundant audio: its audio sections then
   *     offer {@code red/48000/2} first, and the SFU passes on a publisher's redundant audio as it
   *     comes (else it sends the newest frame of each packet alone, as plain Opus)
   * @param playoutDelay whether to offer the playout-delay header extension on video, so the SFU
   *     may ask the browser to hold frames long enough for a resend on a long, lossy path
   */
  public SubscribeOfferBuilder(boolean red, boolean playoutDelay) {
    this.red = red;
    this.playoutDelay = playoutDelay;
  }

  /** A subscriber without redundant audio, with playout delay. */
  public SubscribeOfferBuilder() {
    this(false, true);
  }

  /** The codec the SFU sends a consumer of {@code kind} on this transport. */
  public Codec codecFor(MediaKind kind) {
    if (kind == MediaKind.VIDEO) {
      return Codec.vp8(VP8_PT);
    }
    return red ? Codec.opusWithRed(OPUS_PT, RED_PT) : Codec.opus(OPUS_PT);
  }

  /** The header extensions the SFU writes to a consumer of {@code kind} on this transport. */
  public HeaderExtensionIds extensionsFor(MediaKind kind) {
    if (kind == MediaKind.AUDIO) {
      return AUDIO_EXTENSIONS;
    }
    return playoutDelay ? VIDEO_EXTENSIONS : VIDEO_EXTENSIONS_WITHOUT_PLAYOUT_DELAY;
  }

  /**
   * Reserves a media section for a new consumer of {@code kind}: an inactive one of that kind whose
   * emptiness the browser has already seen, or a new one.
   *
   * @return its mid
   */
  public String reserve(MediaKind kind) {
    for (Slot s : slots) {
      if (s.kind == kind && s.consumer == null && !s.reserved && s.offeredInactive) {
        s.reserved = true;
        return s.mid;
      }
    }
    Slot s = new Slot(String.valueOf(slots.size()), kind);
    s.reserved = true;
    slots.add(s);
    return s.mid;
  }

  /** Puts a consumer the SFU created into the section reserved for it. */
  public void attach(String mid, ConsumerInfo consumer) {
    Slot s = slot(mid);
    s.consumer = consumer;
    s.reserved = false;
    s.offeredInactive = false;
  }

  /** Frees a section (its consumer is gone, or reserving it failed); offered inactive next. */
  public void release(String mid) {
    Slot s = slot(mid);
    s.consumer = null;
    s.reserved = false;
    s.offeredInactive = false;
    if (!s.everOffered && slots.get(slots.size() - 1) == s) {
      // The browser never saw it: forget it rather than offer an empty section.
      slots.remove(slots.size() - 1);
    }
  }

  /** The mid of a consumer, if it has a section. */
  public Optional<String> midOf(String consumerId) {
    return slots.stream()
        .filter(s -> s.consumer != null && s.consumer.consumerId().equals(consumerId))
        .map(s -> s.mid)
        .findFirst();
  }

  /** True if there is at least one section to offer. */
  public boolean hasSections() {
    return slots.stream().anyMatch(s -> s.consumer != null || s.everOffered);
  }

  /**
   * The next offer: every section in mid order, a new session version each time. Reserved sections
   * not yet attached are left out at the end and offered inactive in the middle, so sections never
   * change order between offers.
   */
  public SessionDescription offer(TransportInfo transport) {
    version++;
    int last = -1;
    for (int i = 0; i < slots.size(); i++) {
      if (slots.get(i).consumer != null || slots.get(i).everOffered) {
        last = i;
      }
    }
    List<MediaSection> media = new ArrayList<>();
    List<String> bundle = new ArrayList<>();
    for (Slot s : slots.subList(0, last + 1)) {
      media.add(section(s, transport));
      bundle.add(s.mid);
      s.everOffered = true;
      if (s.consumer == null && !s.reserved) {
        s.offeredInactive = true;
      }
    }
    return new SessionDescription(
        sessionId, version, bundle, "WMS *", true, false, null, null, null, null, media);
  }

  private MediaSection section(Slot s, TransportInfo t) {
    boolean audio = s.kind == MediaKind.AUDIO;
    int pt = audio ? OPUS_PT : VP8_PT;
    RtpCodec codec =
        audio
            ? new RtpCodec(
                // NACK: a subscriber asks again for audio lost on its way in, answered from the
                // consumer's cache when the resend can still be played (browsers judge that).
                pt, "opus", 48000, 2, "minptime=10;useinbandfec=1", List.of("transport-cc", "nack"))
            : new RtpCodec(
                pt, "VP8", 90000, 1, null, List.of("transport-cc", "ccm fir", "nack", "nack pli"));
    List<String> formats = List.of(String.valueOf(pt));
    List<RtpCodec> codecs = List.of(codec);
    if (audio && red) {
      formats = List.of(String.valueOf(RED_PT), formats.get(0));
      codecs =
          List.of(new RtpCodec(RED_PT, "red", 48000, 2, OPUS_PT + "/" + OPUS_PT, List.of()), codec);
    }
    HeaderExtensionIds ids = extensionsFor(s.kind);
    List<Extmap> extmaps = new ArrayList<>();
    extmaps.add(new Extmap(ids.mid(), null, Extmap.MID));
    if (ids.audioLevel() != 0) {
      extmaps.add(new Extmap(ids.audioLevel(), null, Extmap.AUDIO_LEVEL));
    }
    extmaps.add(new Extmap(ids.transportCc(), null, Extmap.TRANSPORT_CC));
    if (ids.playoutDelay() != 0) {
      extmaps.add(new Extmap(ids.playoutDelay(), null, Extmap.PLAYOUT_DELAY));
    }
    ConsumerInfo c = s.consumer;
    List<Ssrc> ssrcs =
        c == null
            ? List.of()
            : List.of(
                new Ssrc(c.ssrc(), "cname", c.cname()),
                new Ssrc(c.ssrc(), "msid", c.streamId() + " " + c.trackId()));
    return new MediaSection(
        audio ? "audio" : "video",
        9,
        "UDP/TLS/RTP/SAVPF",
        formats,
        s.mid,
        c == null ? Direction.INACTIVE : Direction.SENDONLY,
        t.iceUfrag(),
        t.icePwd(),
        new Fingerprint(t.fingerprintAlgorithm(), t.fingerprint()),
        // The SFU is always the DTLS server, so even its offers say passive.
        Setup.PASSIVE,
        true,
        true,
        codecs,
        extmaps,
        ssrcs,
        List.of(),
        c == null ? null : new Msid(c.streamId(), c.trackId()),
        List.of(),
        null,
        t.candidates().stream().map(IceCandidate::toSdpValue).toList(),
        true,
        false);
  }

  /**
   * Reads the browser's answer to {@code offer}: its ICE credentials and DTLS fingerprint.
   *
   * @throws SdpException if the answer does not match the offer or rejects a section
   */
  public static RemoteTransportParams readAnswer(
      SessionDescription offer, SessionDescription answer) {
    if (answer.media().size() != offer.media().size()) {
      throw new SdpException(
          "the answer has "
              + answer.media().size()
              + " media sections, the offer "
              + offer.media().size());
    }
    MediaSection first = null;
    for (int i = 0; i < offer.media().size(); i++) {
      MediaSection o = offer.media().get(i);
      MediaSection a = answer.media().get(i);
      if (a.mid() != null && !a.mid().equals(o.mid())) {
        throw new SdpException("answer section " + i + " has mid " + a.mid() + ", not " + o.mid());
      }
      if (a.rejected() && o.direction() == Direction.SENDONLY) {
        throw new SdpException("the answer rejected media section " + o.mid());
      }
      if (!a.rejected()
          && o.direction() == Direction.SENDONLY
          && o.formats().size() > 1
          && !a.formats().containsAll(o.formats())) {
        // The SFU sends either payload type (redundant audio, or plain Opus) on this section.
        throw new SdpException(
            "the answer to media section " + o.mid() + " left out a payload type the SFU sends");
      }
      if (first == null && !a.rejected()) {
        first = a;
      }
    }
    if (first == null) {
      throw new SdpException("the answer rejected every media section");
    }
    String ufrag = answer.iceUfragOf(first);
    String pwd = answer.icePwdOf(first);
    Fingerprint fp = answer.fingerprintOf(first);
    if (ufrag == null || pwd == null || fp == null) {
      throw new SdpException("the answer lacks ICE credentials or a DTLS fingerprint");
    }
    Setup setup = answer.setupOf(first);
    if (setup != null && setup != Setup.ACTIVE) {
      throw new SdpException("the answer must be a=setup:active (Parley is passive)");
    }
    return new RemoteTransportParams(ufrag, pwd, fp.algorithm(), fp.value());
  }

  private Slot slot(String mid) {
    return slots.stream()
        .filter(s -> s.mid.equals(mid))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no media section " + mid));
  }

  /** A random o= session id: positive, at most 62 bits as JSEP asks. */
  static String newSessionId() {
    return String.valueOf(RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL);
  }
}
