package io.parley.signalling.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.sfu.api.Codec;
import io.parley.sfu.api.ConsumerInfo;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.RemoteTransportParams;
import org.junit.jupiter.api.Test;

class SubscribeOfferBuilderTest {
  private final SubscribeOfferBuilder builder = new SubscribeOfferBuilder();

  private static ConsumerInfo consumer(String id, MediaKind kind, long ssrc) {
    return new ConsumerInfo(id, kind, ssrc, "cname-" + id, "stream-" + id, "track-" + id);
  }

  @Test
  void offersOneSendonlySectionPerConsumer() {
    String a = builder.reserve(MediaKind.AUDIO);
    String v = builder.reserve(MediaKind.VIDEO);
    builder.attach(a, consumer("c1", MediaKind.AUDIO, 1111));
    builder.attach(v, consumer("c2", MediaKind.VIDEO, 2222));
    SessionDescription offer =
        SessionDescription.parse(builder.offer(Fixtures.SFU_TRANSPORT).write());

    assertThat(offer.iceLite()).isTrue();
    assertThat(offer.bundle()).containsExactly("0", "1");
    MediaSection audio = offer.media().get(0);
    assertThat(audio.kind()).isEqualTo("audio");
    assertThat(audio.direction()).isEqualTo(Direction.SENDONLY);
    assertThat(audio.setup()).isEqualTo(Setup.PASSIVE);
    assertThat(audio.codecs()).extracting(RtpCodec::name).containsExactly("opus");
    assertThat(audio.codecs().get(0).feedback()).containsExactly("transport-cc", "nack");
    assertThat(audio.ssrcs())
        .containsExactly(
            new Ssrc(1111, "cname", "cname-c1"), new Ssrc(1111, "msid", "stream-c1 track-c1"));
    assertThat(audio.msid()).isEqualTo(new Msid("stream-c1", "track-c1"));
    assertThat(audio.extmapId(Extmap.AUDIO_LEVEL)).isEqualTo(2);
    MediaSection video = offer.media().get(1);
    assertThat(video.codecs().get(0).feedback())
        .contains("nack", "nack pli", "ccm fir", "transport-cc");
    assertThat(video.extmapId(Extmap.AUDIO_LEVEL)).isZero();
    assertThat(video.extmapId(Extmap.MID)).isEqualTo(1);
    assertThat(video.candidates()).hasSize(1);
    // Video offers the playout delay, under the id the SFU writes it with; audio does not.
    assertThat(video.extmapId(Extmap.PLAYOUT_DELAY))
        .isEqualTo(builder.extensionsFor(MediaKind.VIDEO).playoutDelay())
        .isPositive();
    assertThat(audio.extmapId(Extmap.PLAYOUT_DELAY)).isZero();
  }

  @Test
  void withoutPlayoutDelayNeitherTheOfferNorTheSfuUsesIt() {
    var plain = new SubscribeOfferBuilder(false, false);
    String v = plain.reserve(MediaKind.VIDEO);
    plain.attach(v, consumer("c2", MediaKind.VIDEO, 2222));
    MediaSection video =
        SessionDescription.parse(plain.offer(Fixtures.SFU_TRANSPORT).write()).media().get(0);
    assertThat(video.extmapId(Extmap.PLAYOUT_DELAY)).isZero();
    assertThat(plain.extensionsFor(MediaKind.VIDEO).playoutDelay()).isZero();
  }

  @Test
  void keepsMidsStableAndReusesInactiveSections() {
    String v1 = builder.reserve(MediaKind.VIDEO);
    builder.attach(v1, consumer("c1", MediaKind.VIDEO, 1));
    String v2 = builder.reserve(MediaKind.VIDEO);
    builder.attach(v2, consumer("c2", MediaKind.VIDEO, 2));
    SessionDescription first = builder.offer(Fixtures.SFU_TRANSPORT);
    assertThat(first.sessionVersion()).isEqualTo(1);

    builder.release(builder.midOf("c1").orElseThrow());
    // Not reusable until the browser has seen it inactive.
    String v3 = builder.reserve(MediaKind.VIDEO);
    assertThat(v3).isEqualTo("2");
    builder.release(v3);
    SessionDescription second = builder.offer(Fixtures.SFU_TRANSPORT);
    assertThat(second.sessionVersion()).isEqualTo(2);
    assertThat(second.sessionId()).isEqualTo(first.sessionId());
    assertThat(second.media()).extracting(MediaSection::mid).containsExactly("0", "1");
    assertThat(second.media().get(0).direction()).isEqualTo(Direction.INACTIVE);
    assertThat(second.media().get(0).ssrcs()).isEmpty();
    assertThat(second.media().get(1).direction()).isEqualTo(Direction.SENDONLY);

    assertThat(builder.reserve(MediaKind.AUDIO)).isEqualTo("2");
    assertThat(builder.reserve(MediaKind.VIDEO)).isEqualTo("0");
  }

  @Test
  void reservedSectionsInTheMiddleAreOfferedInactiveToKeepOrder() {
    String a = builder.reserve(MediaKind.AUDIO);
    String v = builder.reserve(MediaKind.VIDEO);
    builder.attach(v, consumer("c2", MediaKind.VIDEO, 2));
    SessionDescription offer = builder.offer(Fixtures.SFU_TRANSPORT);
    assertThat(offer.media()).extracting(MediaSection::mid).containsExactly(a, v);
    assertThat(offer.media().get(0).direction()).isEqualTo(Direction.INACTIVE);
    String late = builder.reserve(MediaKind.AUDIO);
    assertThat(builder.offer(Fixtures.SFU_TRANSPORT).media()).hasSize(2);
    builder.attach(late, consumer("c3", MediaKind.AUDIO, 3));
    builder.attach(a, consumer("c1", MediaKind.AUDIO, 1));
    assertThat(builder.offer(Fixtures.SFU_TRANSPORT).media())
        .extracting(MediaSection::direction)
        .containsExactly(Direction.SENDONLY, Direction.SENDONLY, Direction.SENDONLY);
  }

  @Test
  void readsTheBrowserAnswer() {
    String v = builder.reserve(MediaKind.VIDEO);
    builder.attach(v, consumer("c1", MediaKind.VIDEO, 1));
    SessionDescription offer = builder.offer(Fixtures.SFU_TRANSPORT);
    String answer =
        "v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\n"
            + "a=ice-ufrag:brow\r\na=ice-pwd:browserpassword\r\n"
            + "a=fingerprint:sha-256 01:02\r\na=setup:active\r\na=rtcp-mux\r\n"
            + "a=rtpmap:96 VP8/90000\r\n";
    RemoteTransportParams remote =
        SubscribeOfferBuilder.readAnswer(offer, SessionDescription.parse(answer));
    assertThat(remote)
        .isEqualTo(new RemoteTransportParams("brow", "browserpassword", "sha-256", "01:02"));

    assertThatThrownBy(
            () ->
                SubscribeOfferBuilder.readAnswer(
                    offer, SessionDescription.parse(answer.replace("active", "passive"))))
        .isInstanceOf(SdpException.class)
        .hasMessageContaining("setup");
    assertThatThrownBy(
            () ->
                SubscribeOfferBuilder.readAnswer(
                    offer, SessionDescription.parse(answer.replace("m=video 9", "m=video 0"))))
        .isInstanceOf(SdpException.class)
        .hasMessageContaining("rejected");
  }

  @Test
  void offersRedundantAudioFirstToSubscribersThatTakeItAndWantsBothTypesInTheAnswer() {
    var red = new SubscribeOfferBuilder(true, true);
    assertThat(red.codecFor(MediaKind.AUDIO)).isEqualTo(Codec.opusWithRed(111, 63));
    assertThat(red.codecFor(MediaKind.VIDEO)).isEqualTo(Codec.vp8(96));
    assertThat(builder.codecFor(MediaKind.AUDIO)).isEqualTo(Codec.opus(111));
    String a = red.reserve(MediaKind.AUDIO);
    red.attach(a, consumer("c1", MediaKind.AUDIO, 1));
    SessionDescription offer = red.offer(Fixtures.SFU_TRANSPORT);
    assertThat(offer.media().get(0).formats()).containsExactly("63", "111");
    assertThat(offer.write()).contains("a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n");
    String answer =
        "v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
            + "a=recvonly\r\na=ice-ufrag:brow\r\na=ice-pwd:browserpassword\r\n"
            + "a=fingerprint:sha-256 01:02\r\na=setup:active\r\na=rtcp-mux\r\n"
            + "a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\na=rtpmap:111 opus/48000/2\r\n";
    assertThat(SubscribeOfferBuilder.readAnswer(offer, SessionDescription.parse(answer)))
        .isNotNull();
    // An answer without RED would get packets it cannot read: refused with the reason.
    String withoutRed =
        answer
            .replace("SAVPF 63 111", "SAVPF 111")
            .replace("a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n", "");
    assertThatThrownBy(
            () -> SubscribeOfferBuilder.readAnswer(offer, SessionDescription.parse(withoutRed)))
        .isInstanceOf(SdpException.class)
        .hasMessageContaining("left out a payload type");
    // Without RED the section is Opus alone, as before.
    String b = builder.reserve(MediaKind.AUDIO);
    builder.attach(b, consumer("c2", MediaKind.AUDIO, 2));
    assertThat(builder.offer(Fixtures.SFU_TRANSPORT).media().get(0).formats())
        .containsExactly("111");
  }
}
