package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.sfu.api.Codec;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.Encoding;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.SfuException;
import io.parley.sfu.api.TransportInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The control API's answers and refusals, without media. */
class SfuControlApiTest {
  Sfu sfu;

  @BeforeEach
  void start() {
    sfu = Sfu.start(SfuConfig.loopback());
  }

  @AfterEach
  void stop() {
    sfu.close();
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(5, TimeUnit.SECONDS);
  }

  @Test
  void anEndpointGetsCredentialsCandidatesAndTheFingerprint() throws Exception {
    TransportInfo info = get(sfu.createEndpoint("room", "e1"));
    assertThat(info.iceUfrag()).hasSizeGreaterThanOrEqualTo(4);
    assertThat(info.icePwd()).hasSizeGreaterThanOrEqualTo(22);
    assertThat(info.fingerprintAlgorithm()).isEqualTo("sha-256");
    assertThat(info.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    // A UDP host candidate, then a passive ICE-TCP one on the same port number.
    assertThat(info.candidates()).hasSize(2);
    assertThat(info.candidates().get(0).port()).isEqualTo(sfu.udpPort());
    assertThat(info.candidates().get(0).toSdpValue()).contains("udp").endsWith("typ host");
    assertThat(info.candidates().get(1).port()).isEqualTo(sfu.tcpPort());
    assertThat(info.candidates().get(1).toSdpValue())
        .contains(" tcp ")
        .endsWith("typ host tcptype passive");
  }

  @Test
  void badCommandsFailWithClearMessages() throws Exception {
    get(sfu.createEndpoint("room", "e1"));
    assertThatThrownBy(() -> get(sfu.createEndpoint("room", "e1")))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SfuException.class)
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> get(sfu.removeConsumer("nowhere", "c")))
        .hasCauseInstanceOf(SfuException.class)
        .hasMessageContaining("no room nowhere");
    ProducerSpec audio =
        new ProducerSpec(
            "mic",
            MediaKind.AUDIO,
            "0",
            "mic",
            Codec.opus(111),
            List.of(new Encoding(null, 1234)),
            HeaderExtensionIds.NONE);
    get(sfu.addProducer("room", "e1", audio));
    assertThatThrownBy(
            () ->
                get(
                    sfu.addConsumer(
                        "room",
                        "e1",
                        new ConsumerSpec(
                            "c", "mic", "0", Codec.opus(111), HeaderExtensionIds.NONE))))
        .hasMessageContaining("its own producer");
    get(sfu.createEndpoint("room", "e2"));
    assertThatThrownBy(
            () ->
                get(
                    sfu.addConsumer(
                        "room",
                        "e2",
                        new ConsumerSpec("c", "mic", "0", Codec.vp8(96), HeaderExtensionIds.NONE))))
        .hasMessageContaining("codec");
    assertThatThrownBy(
            () ->
                get(
                    sfu.addConsumer(
                        "room",
                        "e2",
                        new ConsumerSpec(
                            "c", "nothing", "0", Codec.opus(111), HeaderExtensionIds.NONE))))
        .hasMessageContaining("no producer nothing");
  }

  @Test
  void producersAndConsumersComeAndGoWithEvents() throws Exception {
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    sfu.addListener(
        new io.parley.sfu.api.SfuListener() {
          @Override
          public void producerAdded(String roomId, String endpointId, String producerId) {
            events.add("+p " + producerId);
          }

          @Override
          public void producerClosed(String roomId, String producerId) {
            events.add("-p " + producerId);
          }

          @Override
          public void consumerAdded(String roomId, String endpointId, String consumerId) {
            events.add("+c " + consumerId);
          }

          @Override
          public void consumerClosed(String roomId, String consumerId) {
            events.add("-c " + consumerId);
          }
        });
    get(sfu.createEndpoint("room", "pub"));
    get(sfu.createEndpoint("room", "sub"));
    get(
        sfu.addProducer(
            "room",
            "pub",
            new ProducerSpec(
                "mic",
                MediaKind.AUDIO,
                "0",
                "mic",
                Codec.opus(111),
                List.of(new Encoding(null, 1234)),
                HeaderExtensionIds.NONE)));
    get(
        sfu.addConsumer(
            "room",
            "sub",
            new ConsumerSpec("c1", "mic", "0", Codec.opus(111), HeaderExtensionIds.NONE)));
    // The publisher leaves: its producer goes, and with it the consumer of it.
    get(sfu.closeEndpoint("room", "pub"));
    assertThat(events).containsExactly("+p mic", "+c c1", "-c c1", "-p mic");
  }

  @Test
  void anEndpointCreatedWhileTheRoomClosesLandsInANewRoom() throws Exception {
    // Regression: the last participant leaving closed the room under a join in flight, and the
    // join failed with "room is closed".
    for (int i = 0; i < 200; i++) {
      get(sfu.createEndpoint("busy", "a" + i));
      CompletableFuture<Void> close = sfu.closeEndpoint("busy", "a" + i);
      CompletableFuture<TransportInfo> create = sfu.createEndpoint("busy", "b" + i);
      get(close);
      assertThat(get(create).iceUfrag()).isNotEmpty();
      get(sfu.closeEndpoint("busy", "b" + i));
    }
    assertThat(sfu.roomCount()).isZero();
  }
}
