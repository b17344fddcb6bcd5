package io.parley.signalling.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.signalling.control.ControlProtocol.Event;
import org.junit.jupiter.api.Test;

/** The SFU's events cross the control WebSocket as they left the node. */
class ControlEventsTest {
  private final ControlProtocol.Codec codec = new ControlProtocol.Codec();

  @Test
  void aVideoPausedForASubscribersDownlinkSurvivesTheWire() throws Exception {
    Event sent = new Event.ConsumerBandwidthPaused("abc-defg-hij", "p1/sub:p2-video", true);
    String text = codec.encode(sent);
    assertThat(text).contains("\"event\":\"consumerBandwidthPaused\"");
    assertThat(codec.decodeFromNode(text)).isEqualTo(sent);
    Event resumed = new Event.ConsumerBandwidthPaused("abc-defg-hij", "p1/sub:p2-video", false);
    assertThat(codec.decodeFromNode(codec.encode(resumed))).isEqualTo(resumed);
  }
}
