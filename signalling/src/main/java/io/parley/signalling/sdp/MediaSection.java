package io.parley.signalling.sdp;

import java.util.List;
import java.util.Optional;

/**
 * One {@code m=} section: a transceiver's media with the attributes Parley reads or writes. Lines
 * Parley does not model are dropped on parse.
 *
 * @param kind {@code audio}, {@code video} or {@code application}
 * @param port 0 when the section is rejected, or when it is bundle-only
 * @param formats the m-line's format list (payload types for RTP)
 * @param mid null if absent
 * @param direction null if absent (SDP's default is sendrecv)
 * @param iceUfrag null when only the session level has it
 * @param fingerprint null when only the session level has it
 * @param setup null when only the session level has it
 * @param codecs the payload types that have an rtpmap, in m-line order
 * @param candidates the values of the {@code a=candidate:} lines
 * @param bundleOnly {@code a=bundle-only} (RFC 8843 §6): an offered section with port 0 that is to
 *     be bundled, not rejected (Firefox offers every section after the first this way)
 */
public record MediaSection(
    String kind,
    int port,
    String proto,
    List<String> formats,
    String mid,
    Direction direction,
    String iceUfrag,
    String icePwd,
    Fingerprint fingerprint,
    Setup setup,
    boolean rtcpMux,
    boolean rtcpRsize,
    List<RtpCodec> codecs,
    List<Extmap> extmaps,
    List<Ssrc> ssrcs,
    List<SsrcGroup> ssrcGroups,
    Msid msid,
    List<Rid> rids,
    Simulcast simulcast,
    List<String> candidates,
    boolean endOfCandidates,
    boolean bundleOnly) {

  public MediaSection {
    formats = List.copyOf(formats);
    codecs = List.copyOf(codecs);
    extmaps = List.copyOf(extmaps);
    ssrcs = List.copyOf(ssrcs);
    ssrcGroups = List.copyOf(ssrcGroups);
    rids = List.copyOf(rids);
    candidates = List.copyOf(candidates);
  }

  /** Port 0 without {@code a=bundle-only}. */
  public boolean rejected() {
    return port == 0 && !bundleOnly;
  }

  /** The direction, with SDP's default. */
  public Direction effectiveDirection() {
    return direction == null ? Direction.SENDRECV : direction;
  }

  public Optional<RtpCodec> codec(int payloadType) {
    return codecs.stream().filter(c -> c.payloadType() == payloadType).findFirst();
  }

  /** The id the section maps {@code uri} to, or 0. */
  public int extmapId(String uri) {
    return extmaps.stream()
        .filter(e -> e.uri().equals(uri))
        .mapToInt(Extmap::id)
        .findFirst()
        .orElse(0);
  }

  /** The SSRC lines' distinct SSRCs, in order of appearance. */
  public List<Long> ssrcIds() {
    return ssrcs.stream().map(Ssrc::ssrc).distinct().toList();
  }
}
