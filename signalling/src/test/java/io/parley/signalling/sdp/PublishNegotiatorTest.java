package io.parley.signalling.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.sfu.api.Codec;
import io.parley.sfu.api.Encoding;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.ProducerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishNegotiatorTest {
  private final PublishNegotiator negotiator = new PublishNegotiator();

  private PublishNegotiator.Result answer(SessionDescription offer) {
    return negotiator.answer(
        offer,
        Fixtures.SFU_TRANSPORT,
        (mid, kind) -> "p-" + mid,
        (mid, kind) -> kind == MediaKind.AUDIO ? "mic" : "camera");
  }

  @Test
  void answersWithPassiveTcpCandidatesAsBrowsersWriteThem() {
    // What Sfu.createEndpoint returns with ICE-TCP on: a UDP host candidate, then a passive TCP
    // one (type preference 90, local preference 2^13 * 4 + 8191).
    var transport =
        new io.parley.sfu.api.TransportInfo(
            Fixtures.SFU_TRANSPORT.iceUfrag(),
            Fixtures.SFU_TRANSPORT.icePwd(),
            List.of(
                new io.parley.sfu.api.IceCandidate("1", 1, "udp", 2130706431L, "192.0.2.10", 10000),
                new io.parley.sfu.api.IceCandidate(
                    "tcp1", 1, "tcp", 1520435199L, "192.0.2.10", 10000)),
            Fixtures.SFU_TRANSPORT.fingerprintAlgorithm(),
            Fixtures.SFU_TRANSPORT.fingerprint());
    String text =
        negotiator
            .answer(
                Fixtures.parse(Fixtures.FIREFOX_SIMULCAST),
                transport,
                (mid, kind) -> "p-" + mid,
                (mid, kind) -> "camera")
            .answer()
            .write();
    assertThat(text)
        .contains("a=candidate:1 1 udp 2130706431 192.0.2.10 10000 typ host\r\n")
        .contains(
            "a=candidate:tcp1 1 tcp 1520435199 192.0.2.10 10000 typ host tcptype passive\r\n");
    // The order RFC 5245 §15.1 gives: host type, then the tcptype extension (RFC 6544 §4.5).
    SessionDescription parsed = SessionDescription.parse(text);
    assertThat(parsed.media().get(0).candidates())
        .containsExactly(
            "1 1 udp 2130706431 192.0.2.10 10000 typ host",
            "tcp1 1 tcp 1520435199 192.0.2.10 10000 typ host tcptype passive");
  }

  @Test
  void answersChromiumSimulcastOffer() {
    SessionDescription offer = Fixtures.parse(Fixtures.CHROMIUM_SIMULCAST);
    PublishNegotiator.Result r = answer(offer);
    // The answer must survive our own parser, as the browser's would parse it.
    SessionDescription a = SessionDescription.parse(r.answer().write());
    assertThat(a.iceLite()).isTrue();
    assertThat(a.bundle()).containsExactly("0", "1");
    assertThat(a.extmapAllowMixed()).isTrue();

    MediaSection video = a.media().get(0);
    assertThat(video.mid()).isEqualTo("0");
    assertThat(video.direction()).isEqualTo(Direction.RECVONLY);
    assertThat(video.setup()).isEqualTo(Setup.PASSIVE);
    assertThat(video.iceUfrag()).isEqualTo("sfuufrag");
    assertThat(video.rtcpMux()).isTrue();
    assertThat(video.formats()).containsExactly("96");
    assertThat(video.codecs()).hasSize(1);
    assertThat(video.codecs().get(0).name()).isEqualTo("VP8");
    assertThat(video.codecs().get(0).feedback())
        .containsExactly("transport-cc", "ccm fir", "nack", "nack pli");
    // Offer ids reused; only what the SFU reads.
    assertThat(video.extmaps())
        .containsExactly(
            new Extmap(4, null, Extmap.TRANSPORT_CC),
            new Extmap(9, null, Extmap.MID),
            new Extmap(10, null, Extmap.RID),
            new Extmap(11, null, Extmap.REPAIRED_RID));
    assertThat(video.rids())
        .containsExactly(
            new Rid("q", "recv", null), new Rid("h", "recv", null), new Rid("f", "recv", null));
    assertThat(video.simulcast()).isEqualTo(new Simulcast("recv", List.of("q", "h", "f")));
    assertThat(video.candidates()).containsExactly("1 1 udp 2130706431 127.0.0.1 10000 typ host");

    MediaSection audio = a.media().get(1);
    // Redundant audio first (asksChromiumForRedundantAudioFirstAndTellsTheSfu), then Opus.
    assertThat(audio.formats()).containsExactly("63", "111");
    assertThat(audio.codecs().get(1).fmtp()).isEqualTo("minptime=10;useinbandfec=1;usedtx=1");
    assertThat(audio.extmaps())
        .containsExactly(
            new Extmap(12, null, Extmap.AUDIO_LEVEL),
            new Extmap(4, null, Extmap.TRANSPORT_CC),
            new Extmap(9, null, Extmap.MID));

    String text = r.answer().write();
    for (String absent :
        new String[] {
          " rtx/",
          " H264/",
          " VP9/",
          " AV1/",
          " red/90000",
          " ulpfec/",
          " G722/",
          " PCMU/",
          "telephone-event",
          "abs-send-time",
          "toffset",
          "playout-delay",
          "dependency-descriptor",
          "goog-remb"
        }) {
      assertThat(text).as(absent).doesNotContain(absent);
    }

    assertThat(r.producers())
        .containsExactly(
            new ProducerSpec(
                "p-0",
                MediaKind.VIDEO,
                "0",
                "camera",
                Codec.vp8(96),
                List.of(new Encoding("q", 0), new Encoding("h", 0), new Encoding("f", 0)),
                new HeaderExtensionIds(9, 10, 11, 4, 0)),
            new ProducerSpec(
                "p-1",
                MediaKind.AUDIO,
                "1",
                "mic",
                Codec.opusWithRed(111, 63),
                List.of(new Encoding(null, 1671611733L)),
                new HeaderExtensionIds(9, 0, 0, 4, 12)));
    assertThat(r.remote().iceUfrag()).isEqualTo("Zb+l");
    assertThat(r.remote().icePwd()).isEqualTo("bLeTg1cD1XaGVV5oBD3DBHbT");
    assertThat(r.remote().fingerprint()).startsWith("92:9B");
    assertThat(r.rejectedMids()).isEmpty();
  }

  @Test
  void acceptsFirefoxBundleOnlySectionsInsteadOfRejectingThem() {
    SessionDescription offer = Fixtures.parse(Fixtures.FIREFOX_BUNDLE_ONLY);
    assertThat(offer.media().get(1).port()).isZero();
    assertThat(offer.media().get(1).rejected()).isFalse();
    PublishNegotiator.Result r = answer(offer);
    assertThat(r.rejectedMids()).isEmpty();
    assertThat(r.producers())
        .extracting(p -> p.kind())
        .containsExactly(MediaKind.AUDIO, MediaKind.VIDEO);
    assertThat(r.producers().get(1).encodings())
        .extracting(e -> e.rid())
        .containsExactly("q", "h", "f");
    SessionDescription a = SessionDescription.parse(r.answer().write());
    assertThat(a.bundle()).containsExactly("0", "1");
    MediaSection video = a.media().get(1);
    assertThat(video.port()).isNotZero();
    assertThat(video.bundleOnly()).isFalse();
    assertThat(video.direction()).isEqualTo(Direction.RECVONLY);
    assertThat(video.simulcast().rids()).containsExactly("q", "h", "f");
  }

  @Test
  void stillRejectsAPortZeroSectionWithoutBundleOnly() {
    String sdp = Fixtures.text(Fixtures.FIREFOX_BUNDLE_ONLY).replace("a=bundle-only\r\n", "");
    PublishNegotiator.Result r = answer(SessionDescription.parse(sdp));
    assertThat(r.rejectedMids()).containsExactly("1");
    assertThat(r.producers()).hasSize(1);
  }

  @Test
  void answersFirefoxSimulcastOfferWithItsExtmapIdsAndDirections() {
    SessionDescription offer = Fixtures.parse(Fixtures.FIREFOX_SIMULCAST);
    PublishNegotiator.Result r = answer(offer);
    SessionDescription a = SessionDescription.parse(r.answer().write());
    MediaSection video = a.media().get(0);
    assertThat(video.formats()).containsExactly("120");
    assertThat(video.extmaps())
        .containsExactly(
            new Extmap(3, null, Extmap.MID),
            new Extmap(7, null, Extmap.TRANSPORT_CC),
            new Extmap(9, Direction.RECVONLY, Extmap.RID),
            new Extmap(10, Direction.RECVONLY, Extmap.REPAIRED_RID));
    assertThat(video.rids()).extracting(Rid::id).containsExactly("q", "h", "f");
    assertThat(video.simulcast().direction()).isEqualTo("recv");
    MediaSection audio = a.media().get(1);
    assertThat(audio.formats()).containsExactly("109");
    assertThat(audio.codecs().get(0).fmtp())
        .isEqualTo("maxplaybackrate=48000;stereo=1;useinbandfec=1;usedtx=1");
    assertThat(audio.extmaps())
        .containsExactly(
            new Extmap(1, null, Extmap.AUDIO_LEVEL),
            new Extmap(3, null, Extmap.MID),
            new Extmap(7, null, Extmap.TRANSPORT_CC));
    assertThat(r.remote().fingerprint()).startsWith("35:21:04");
    assertThat(r.remote().iceUfrag()).isEqualTo("3e56f52b");
    assertThat(r.producers().get(0).encodings())
        .extracting(Encoding::rid)
        .containsExactly("q", "h", "f");
    assertThat(r.producers().get(1).encodings()).containsExactly(new Encoding(null, 2281474901L));
    assertThat(r.producers().get(1).codec()).isEqualTo(Codec.opus(109));
  }

  @Test
  void rejectsASectionWithNoSupportedCodecWithPortZero() {
    String h264Only =
        Fixtures.text(Fixtures.CHROMIUM_SIMULCAST)
            .replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97 ", "m=video 9 UDP/TLS/RTP/SAVPF ")
            .replace("a=rtpmap:96 VP8/90000\r\n", "");
    PublishNegotiator.Result r = answer(SessionDescription.parse(h264Only));
    MediaSection video = r.answer().media().get(0);
    assertThat(video.port()).isZero();
    assertThat(video.mid()).isEqualTo("0");
    assertThat(r.answer().bundle()).containsExactly("1");
    assertThat(r.rejectedMids()).containsExactly("0");
    assertThat(r.producers()).extracting(ProducerSpec::kind).containsExactly(MediaKind.AUDIO);
  }

  @Test
  void refusesAnOfferWithNothingSupported() {
    String text =
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
            + "a=ice-ufrag:u\r\na=ice-pwd:p\r\na=fingerprint:sha-256 AA\r\na=setup:actpass\r\n"
            + "a=rtpmap:102 H264/90000\r\n";
    assertThatThrownBy(() -> answer(SessionDescription.parse(text)))
        .isInstanceOf(SdpException.class)
        .hasMessageContaining("no media Parley supports");
  }

  @Test
  void refusesAnOfferWithoutTransportParameters() {
    String text =
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
            + "a=rtpmap:111 opus/48000/2\r\n";
    assertThatThrownBy(() -> answer(SessionDescription.parse(text)))
        .isInstanceOf(SdpException.class)
        .hasMessageContaining("ice-ufrag");
  }

  @Test
  void opusFmtpAddsFecAndDtxOnce() {
    assertThat(PublishNegotiator.opusFmtp(null)).isEqualTo("useinbandfec=1;usedtx=1");
    assertThat(PublishNegotiator.opusFmtp("minptime=10;useinbandfec=0"))
        .isEqualTo("minptime=10;useinbandfec=1;usedtx=1");
  }

  @Test
  void asksChromiumForRedundantAudioFirstAndTellsTheSfu() {
    var result = answer(Fixtures.parse(Fixtures.CHROMIUM_SIMULCAST));
    MediaSection audio =
        result.answer().media().stream().filter(m -> m.kind().equals("audio")).findFirst().get();
    // The browser sends the first codec of the answer: RED over its Opus, then Opus itself.
    assertThat(audio.formats()).containsExactly("63", "111");
    assertThat(result.answer().write())
        .contains("a=rtpmap:63 red/48000/2\r\n")
        .contains("a=fmtp:63 111/111\r\n")
        .contains("a=rtpmap:111 opus/48000/2\r\n");
    ProducerSpec mic =
        result.producers().stream().filter(p -> p.kind() == MediaKind.AUDIO).findFirst().get();
    assertThat(mic.codec()).isEqualTo(Codec.opusWithRed(111, 63));
    // Video untouched: Chromium's red/90000 (video RED) is not answered.
    assertThat(result.answer().write()).doesNotContain("red/90000");
  }

  @Test
  void noRedundantAudioWhereNotOfferedOrTurnedOffOrNotOverOpus() {
    var firefox = answer(Fixtures.parse(Fixtures.FIREFOX_SIMULCAST));
    assertThat(firefox.producers().stream().filter(p -> p.kind() == MediaKind.AUDIO))
        .allMatch(p -> p.codec().equals(Codec.opus(109)));
    assertThat(firefox.answer().write()).doesNotContain("red/");

    var off =
        new PublishNegotiator(false, false)
            .answer(
                Fixtures.parse(Fixtures.CHROMIUM_SIMULCAST),
                Fixtures.SFU_TRANSPORT,
                (mid, kind) -> "p-" + mid,
                (mid, kind) -> "mic");
    assertThat(off.answer().write()).doesNotContain("red/");
    assertThat(off.producers().stream().filter(p -> p.kind() == MediaKind.AUDIO))
        .allMatch(p -> !p.codec().hasRed());

    // RED whose blocks would be another codec (here PCMU) is not Opus's: not asked for.
    String text =
        Fixtures.text(Fixtures.CHROMIUM_SIMULCAST).replace("a=fmtp:63 111/111", "a=fmtp:63 111/0");
    var other = answer(SessionDescription.parse(text));
    assertThat(other.answer().write()).doesNotContain("red/48000");
  }
}
