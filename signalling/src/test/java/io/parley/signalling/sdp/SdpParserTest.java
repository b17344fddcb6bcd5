package io.parley.signalling.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SdpParserTest {

  @Test
  void parsesChromiumSimulcastOffer() {
    SessionDescription s = Fixtures.parse(Fixtures.CHROMIUM_SIMULCAST);
    assertThat(s.sessionId()).isEqualTo("8485968830412249801");
    assertThat(s.sessionVersion()).isEqualTo(2);
    assertThat(s.bundle()).containsExactly("0", "1");
    assertThat(s.extmapAllowMixed()).isTrue();
    assertThat(s.msidSemantic()).isEqualTo("WMS ef85798c-ff9c-456d-b45c-75bb35919d6d");
    assertThat(s.media()).hasSize(2);

    MediaSection video = s.media().get(0);
    assertThat(video.kind()).isEqualTo("video");
    assertThat(video.port()).isEqualTo(9);
    assertThat(video.proto()).isEqualTo("UDP/TLS/RTP/SAVPF");
    assertThat(video.formats()).hasSize(23).startsWith("96", "97");
    assertThat(video.mid()).isEqualTo("0");
    assertThat(video.direction()).isEqualTo(Direction.SENDONLY);
    assertThat(video.iceUfrag()).isEqualTo("Zb+l");
    assertThat(video.icePwd()).isEqualTo("bLeTg1cD1XaGVV5oBD3DBHbT");
    assertThat(video.fingerprint().algorithm()).isEqualTo("sha-256");
    assertThat(video.fingerprint().value()).startsWith("92:9B:3A");
    assertThat(video.setup()).isEqualTo(Setup.ACTPASS);
    assertThat(video.rtcpMux()).isTrue();
    assertThat(video.rtcpRsize()).isTrue();
    RtpCodec vp8 = video.codec(96).orElseThrow();
    assertThat(vp8.name()).isEqualTo("VP8");
    assertThat(vp8.clockRate()).isEqualTo(90000);
    assertThat(vp8.feedback())
        .containsExactly("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli");
    assertThat(video.codec(97).orElseThrow().fmtp()).isEqualTo("apt=96");
    assertThat(video.codec(104).orElseThrow().fmtp()).contains("packetization-mode=0");
    assertThat(video.extmapId(Extmap.MID)).isEqualTo(9);
    assertThat(video.extmapId(Extmap.RID)).isEqualTo(10);
    assertThat(video.extmapId(Extmap.REPAIRED_RID)).isEqualTo(11);
    assertThat(video.extmapId(Extmap.TRANSPORT_CC)).isEqualTo(4);
    assertThat(video.extmaps()).hasSize(13);
    assertThat(video.msid())
        .isEqualTo(
            new Msid(
                "ef85798c-ff9c-456d-b45c-75bb35919d6d", "9c1e61d6-cfe9-4caa-a9a0-c0a6fdb2c6c4"));
    assertThat(video.rids()).extracting(Rid::id).containsExactly("q", "h", "f");
    assertThat(video.rids()).extracting(Rid::direction).containsOnly("send");
    assertThat(video.simulcast())
        .isEqualTo(new Simulcast("send", java.util.List.of("q", "h", "f")));
    assertThat(video.ssrcs()).isEmpty();

    MediaSection audio = s.media().get(1);
    assertThat(audio.kind()).isEqualTo("audio");
    assertThat(audio.codec(111).orElseThrow())
        .isEqualTo(
            new RtpCodec(
                111,
                "opus",
                48000,
                2,
                "minptime=10;useinbandfec=1",
                java.util.List.of("transport-cc")));
    assertThat(audio.codec(63).orElseThrow().fmtp()).isEqualTo("111/111");
    assertThat(audio.extmapId(Extmap.AUDIO_LEVEL)).isEqualTo(12);
    assertThat(audio.ssrcIds()).containsExactly(1671611733L);
    assertThat(audio.ssrcs().get(0)).isEqualTo(new Ssrc(1671611733L, "cname", "zPXkNxLk8zXtqJI/"));
  }

  @Test
  void parsesFirefoxSimulcastOfferWithSessionLevelFingerprint() {
    SessionDescription s = Fixtures.parse(Fixtures.FIREFOX_SIMULCAST);
    assertThat(s.fingerprint().value()).startsWith("35:21:04");
    assertThat(s.msidSemantic()).isEqualTo("WMS *");
    MediaSection video = s.media().get(0);
    assertThat(video.fingerprint()).isNull();
    assertThat(s.fingerprintOf(video)).isEqualTo(s.fingerprint());
    assertThat(s.iceUfragOf(video)).isEqualTo("3e56f52b");
    assertThat(video.codec(120).orElseThrow().name()).isEqualTo("VP8");
    assertThat(video.codec(120).orElseThrow().fmtp()).isEqualTo("max-fs=12288;max-fr=60");
    assertThat(video.extmaps())
        .contains(new Extmap(9, Direction.SENDONLY, Extmap.RID), new Extmap(3, null, Extmap.MID));
    assertThat(video.ssrcGroups()).hasSize(3);
    assertThat(video.ssrcGroups().get(0))
        .isEqualTo(new SsrcGroup("FID", java.util.List.of(3981342525L, 2376994767L)));
    assertThat(video.msid().streamId()).isEqualTo("{3844d032-b719-4737-af47-785cd5555077}");
    assertThat(video.simulcast().rids()).containsExactly("q", "h", "f");
    MediaSection audio = s.media().get(1);
    assertThat(audio.codec(109).orElseThrow().fmtp())
        .isEqualTo("maxplaybackrate=48000;stereo=1;useinbandfec=1");
    assertThat(audio.codec(9).orElseThrow().channels()).isEqualTo(1);
    assertThat(audio.extmaps())
        .contains(new Extmap(2, Direction.RECVONLY, "urn:ietf:params:rtp-hdrext:csrc-audio-level"));
  }

  @Test
  void writeThenParseKeepsTheModel() {
    for (String f : new String[] {Fixtures.CHROMIUM_SIMULCAST, Fixtures.FIREFOX_SIMULCAST}) {
      SessionDescription s = Fixtures.parse(f);
      SessionDescription again = SessionDescription.parse(s.write());
      assertThat(again.media()).isEqualTo(s.media());
      assertThat(again.bundle()).isEqualTo(s.bundle());
      assertThat(again.fingerprint()).isEqualTo(s.fingerprint());
    }
  }

  @Test
  void rejectsMalformedInputWithAClearMessage() {
    assertThatThrownBy(() -> SessionDescription.parse("")).isInstanceOf(SdpException.class);
    assertThatThrownBy(() -> SessionDescription.parse("hello"))
        .isInstanceOf(SdpException.class)
        .hasMessageContaining("v=0");
    assertThatThrownBy(() -> SessionDescription.parse("v=0\r\nm=video x UDP/TLS/RTP/SAVPF 96\r\n"))
        .isInstanceOf(SdpException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(
            () ->
                SessionDescription.parse(
                    "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96\r\n"))
        .isInstanceOf(SdpException.class)
        .hasMessageContaining("rtpmap");
    assertThatThrownBy(() -> SessionDescription.parse("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 300\r\n"))
        .isInstanceOf(SdpException.class);
    assertThatThrownBy(
            () ->
                SessionDescription.parse(
                    "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ssrc:abc cname:x\r\n"))
        .isInstanceOf(SdpException.class)
        .hasMessageContaining("SSRC");
    assertThatThrownBy(() -> SessionDescription.parse("v=0\r\nnot a line\r\n"))
        .isInstanceOf(SdpException.class);
  }
}
