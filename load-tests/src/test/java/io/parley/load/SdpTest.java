package io.parley.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.dtls.DtlsRole;
import io.parley.signalling.sdp.PublishNegotiator;
import io.parley.signalling.sdp.SessionDescription;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SDP parley-load writes is what Parley's negotiator (and a browser's peer) accepts. */
class SdpTest {
  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ExecutorService dtls = Executors.newSingleThreadExecutor();
  private final PeerTransport transport =
      PeerTransport.open(
          group,
          "127.0.0.1",
          DtlsCertificate.generate(),
          dtls,
          null,
          Impairment.NONE,
          new Counters());

  @AfterEach
  void close() {
    transport.close();
    dtls.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void simulcastOfferIsAnsweredWithThreeEncodings() {
    MediaSettings media = new MediaSettings(true, true, true, 900_000, 25, 2500);
    String offer =
        Sdp.publishOffer(
            transport,
            media,
            List.of(
                new Sdp.Track("0", false, List.of(11L)),
                new Sdp.Track("1", true, List.of(21L, 22L, 23L))),
            "cname",
            "stream");
    TransportInfo server =
        new TransportInfo(
            "sfuu",
            "sfupassword0123456789012",
            List.of(new IceCandidate("1", 1, "udp", 100, "127.0.0.1", 10000)),
            "sha-256",
            "AA:BB");
    var result =
        new PublishNegotiator()
            .answer(
                SessionDescription.parse(offer), server, (mid, kind) -> "p" + mid, (m, k) -> "x");
    assertThat(result.producers()).hasSize(2);
    assertThat(result.producers().get(1).encodings()).hasSize(3);
    assertThat(result.remote().iceUfrag()).isEqualTo(transport.ufrag());
    SessionDescription answer = result.answer();
    assertThat(Sdp.roleFromAnswer(answer)).isEqualTo(DtlsRole.CLIENT);
    var remote = Sdp.remoteOf(answer, "127.0.0.1");
    assertThat(remote.candidates()).hasSize(1);
    assertThat(remote.candidates().get(0).getPort()).isEqualTo(10000);
  }

  @Test
  void answersJanusStyleOffersSectionBySection() {
    String offer =
        String.join(
                "\r\n",
                "v=0",
                "o=- 1 1 IN IP4 127.0.0.1",
                "s=VideoRoom 1234",
                "t=0 0",
                "a=group:BUNDLE 0 1 2",
                "a=ice-ufrag:jnus",
                "a=ice-pwd:janusjanusjanusjanus",
                "a=fingerprint:sha-256 AA:BB",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111",
                "c=IN IP4 127.0.0.1",
                "a=sendonly",
                "a=mid:0",
                "a=rtcp-mux",
                "a=setup:actpass",
                "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid",
                "a=rtpmap:111 opus/48000/2",
                "a=candidate:1 1 udp 2015363327 127.0.0.1 40000 typ host",
                "m=video 9 UDP/TLS/RTP/SAVPF 96",
                "c=IN IP4 127.0.0.1",
                "a=sendonly",
                "a=mid:1",
                "a=rtcp-mux",
                "a=setup:actpass",
                "a=rtpmap:96 VP8/90000",
                "a=rtcp-fb:96 nack",
                "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
                "c=IN IP4 127.0.0.1",
                "a=mid:2",
                "")
            + "\r\n";
    SessionDescription parsed = SessionDescription.parse(offer);
    SessionDescription answer = SessionDescription.parse(Sdp.subscribeAnswer(parsed, transport));
    assertThat(answer.media()).hasSize(3);
    assertThat(answer.media().get(0).port()).isEqualTo(transport.localAddress().getPort());
    assertThat(answer.media().get(1).codecs().get(0).name()).isEqualTo("VP8");
    assertThat(answer.media().get(2).rejected()).isTrue();
    assertThat(answer.setupOf(answer.media().get(0)).sdp()).isEqualTo("active");
    assertThat(Sdp.remoteOf(parsed, "127.0.0.1").candidates()).hasSize(1);
  }

  @Test
  void parsesDurationsAndBitrates() {
    assertThat(ParleyLoad.duration("30s").toMillis()).isEqualTo(30_000);
    assertThat(ParleyLoad.duration("2m").toMillis()).isEqualTo(120_000);
    assertThat(ParleyLoad.duration("250ms").toMillis()).isEqualTo(250);
    assertThat(ParleyLoad.duration("1.5").toMillis()).isEqualTo(1500);
    assertThat(ParleyLoad.bitrate("500k")).isEqualTo(500_000);
    assertThat(ParleyLoad.bitrate("1.5M")).isEqualTo(1_500_000);
  }

  @Test
  void findsTheTransportCcExtensionAServerOffersSoFeedbackIsSentAsABrowserWould() {
    String withTransportCc =
        String.join(
                "\r\n",
                "v=0",
                "o=- 1 1 IN IP4 127.0.0.1",
                "s=-",
                "t=0 0",
                "m=video 9 UDP/TLS/RTP/SAVPF 96",
                "c=IN IP4 127.0.0.1",
                "a=sendonly",
                "a=mid:0",
                "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid",
                "a=extmap:5 " + io.parley.signalling.sdp.Extmap.TRANSPORT_CC,
                "a=rtpmap:96 VP8/90000")
            + "\r\n";
    assertThat(Sdp.transportCcId(SessionDescription.parse(withTransportCc))).isEqualTo(5);
    String without =
        withTransportCc.replace(
            "a=extmap:5 " + io.parley.signalling.sdp.Extmap.TRANSPORT_CC + "\r\n", "");
    assertThat(Sdp.transportCcId(SessionDescription.parse(without))).isZero();
  }
}
