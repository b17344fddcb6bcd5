package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ResourceLeakDetector;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.api.SfuListener;
import io.parley.sfu.dtls.DtlsCertificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ICE consent freshness (RFC 7675) and a browser that changes network: an address that stops
 * answering checks stops receiving media and the endpoint is reported disconnected; a new address
 * that passes a check takes the media over without a new DTLS handshake. And a wrong DTLS
 * fingerprint closes the endpoint.
 */
class ConsentAndNetworkChangeTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  Sfu sfu;
  EventLoopGroup clients;
  ExecutorService dtls;
  DtlsCertificate certificate;
  final List<String> disconnected = new CopyOnWriteArrayList<>();
  ResourceLeakDetector.Level leakLevel;

  @BeforeEach
  void start() {
    leakLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    sfu = Sfu.start(SfuConfig.loopback().withConsentTimeout(Duration.ofSeconds(2)));
    sfu.addListener(
        new SfuListener() {
          @Override
          public void endpointDisconnected(String roomId, String endpointId, String reason) {
            disconnected.add(endpointId + ": " + reason);
          }
        });
    clients = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    dtls = Executors.newCachedThreadPool();
    certificate = DtlsCertificate.generate();
  }

  @AfterEach
  void stop() {
    sfu.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtls.shutdownNow();
    ResourceLeakDetector.setLevel(leakLevel);
  }

  @Test
  void anAddressWithoutConsentStopsReceivingAndANewAddressTakesOver() throws Exception {
    try (TestParticipant alice =
            TestParticipant.join(sfu, "r", "alice", clients, certificate, dtls);
        TestParticipant bob = TestParticipant.join(sfu, "r", "bob", clients, certificate, dtls)) {
      alice.publish();
      bob.subscribeTo(alice);
      alice.startSending();
      Await.until(DEADLINE, () -> bob.client.rtpReceived() > 50, "media to bob");

      // Bob changes network: his new address passes a check and the media follows it.
      var before = bob.client.localAddress();
      bob.client.rebind();
      assertThat(bob.client.localAddress()).isNotEqualTo(before);
      long atRebind = bob.client.rtpReceived();
      Await.until(
          DEADLINE, () -> bob.client.rtpReceived() > atRebind + 50, "media at bob's new address");
      assertThat(disconnected).isEmpty();

      // Bob's checks stop: after the consent timeout nothing more is sent to him.
      bob.client.pauseChecks(true);
      Await.until(
          DEADLINE, () -> disconnected.contains("bob: ICE consent expired"), "consent expiry");
      long atExpiry = bob.client.rtpReceived();
      // Alice's media still arrives at the SFU, and none of it goes to bob's dead address.
      long rtpInBefore = sfu.stats().rtpIn.sum();
      Await.until(
          DEADLINE, () -> sfu.stats().rtpIn.sum() > rtpInBefore + 100, "alice's media arriving");
      assertThat(bob.client.rtpReceived()).isLessThanOrEqualTo(atExpiry + 5);
    }
  }

  @Test
  void aCertificateThatDoesNotMatchTheFingerprintClosesTheEndpoint() throws Exception {
    var info = sfu.createEndpoint("r", "mallory").get(5, TimeUnit.SECONDS);
    var client =
        io.parley.sfu.client.WebRtcClient.start(
            clients,
            "127.0.0.1",
            info,
            certificate,
            dtls,
            new io.parley.sfu.client.WebRtcClient.MediaListener() {});
    try {
      RemoteTransportParams real = client.remoteParams();
      // The SDP claims another certificate than the one the client presents.
      String wrong = DtlsCertificate.generate().fingerprint();
      sfu.connectEndpoint(
              "r",
              "mallory",
              new RemoteTransportParams(real.iceUfrag(), real.icePwd(), "sha-256", wrong))
          .get(5, TimeUnit.SECONDS);
      Await.until(
          DEADLINE,
          () -> disconnected.stream().anyMatch(d -> d.startsWith("mallory: DTLS")),
          () -> "the endpoint refused: " + disconnected);
      assertThat(client.connected()).isNotCompleted();
      assertThat(sfu.stats().dtlsFailures.sum()).isPositive();
    } finally {
      client.close();
    }
  }
}
