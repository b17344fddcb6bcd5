package io.parley.signalling.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The shipped logback.xml with PARLEY_LOG_FORMAT=json: one JSON object per line, ids as keys. */
class JsonLogTest {

  @Test
  void jsonFormatWritesOneObjectPerLineWithRoomAndParticipant() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      context.putProperty("PARLEY_LOG_FORMAT", "json");
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(getClass().getResource("/logback.xml"));
      Logger log = context.getLogger("io.parley.signalling.room.RoomService");
      log.atInfo()
          .addKeyValue("event", "join")
          .addKeyValue("room", "abc-defg-hij")
          .addKeyValue("participant", "p123")
          .log("{} joined room {}", "p123", "abc-defg-hij");
      context.getLogger("io.netty.Whatever").info("not shown: netty logs at WARN");
    } finally {
      context.stop();
      System.setOut(original);
    }
    String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(lines).as(String.join("\n", lines)).hasSize(1);
    JsonNode line = new ObjectMapper().readTree(lines[0]);
    assertThat(line.path("level").asText()).as(lines[0]).isEqualTo("INFO");
    assertThat(line.path("formattedMessage").asText()).isEqualTo("p123 joined room abc-defg-hij");
    assertThat(line.path("kvpList").toString())
        .contains("\"room\":\"abc-defg-hij\"")
        .contains("\"participant\":\"p123\"")
        .contains("\"event\":\"join\"");
  }
}
