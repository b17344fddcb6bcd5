package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** deploy/prometheus against the real promtool, and the metric names its rules use. */
class PrometheusTest {
  private static final String DIR = "deploy/prometheus";

  @Test
  void configIsValid() {
    Path promtool = Repo.tool("promtool", "prometheus");
    Repo.Result r =
        Repo.runOk(
            Repo.file(DIR), List.of(promtool.toString(), "check", "config", "prometheus.yml"));
    assertThat(r.all()).contains("SUCCESS").contains("1 rule files found");
  }

  @Test
  void rulesAreValid() {
    Path promtool = Repo.tool("promtool", "prometheus");
    Repo.Result r =
        Repo.runOk(Repo.file(DIR), List.of(promtool.toString(), "check", "rules", "alerts.yml"));
    assertThat(r.all()).contains("SUCCESS");
  }

  @Test
  void everyAlertFiresWhenItShouldAndStaysQuietOtherwise() {
    Path promtool = Repo.tool("promtool", "prometheus");
    Repo.Result r =
        Repo.runOk(
            Repo.file(DIR), List.of(promtool.toString(), "test", "rules", "alerts_test.yml"));
    assertThat(r.all()).contains("SUCCESS");

    // Each alert has a test that expects it to fire, and one that expects silence.
    JsonNode tests = Yaml.one(Repo.read(DIR + "/alerts_test.yml")).path("tests");
    List<String> fired = new ArrayList<>();
    List<String> quiet = new ArrayList<>();
    for (JsonNode t : tests) {
      for (JsonNode a : t.path("alert_rule_test")) {
        (a.path("exp_alerts").isEmpty() ? quiet : fired).add(a.path("alertname").asText());
      }
    }
    for (String alert : alertNames()) {
      assertThat(fired).as("a test where %s fires", alert).contains(alert);
    }
    // Quiet is shown either by an empty expectation or by a healthy instance absent from the fired
    // list.
    assertThat(quiet).as("tests where alerts stay quiet").isNotEmpty();
  }

  @Test
  void alertsCoverTheAskedForConditions() {
    assertThat(alertNames())
        .contains(
            "ParleyDown",
            "ParleyHighPacketLoss",
            "ParleyIceFailureRate",
            "ParleyEventLoopLag",
            "ParleyHeapNearlyFull");
    for (JsonNode rule : rules()) {
      assertThat(rule.path("labels").path("severity").asText())
          .as("severity of %s", rule.path("alert").asText())
          .isIn("warning", "critical");
      assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
      assertThat(rule.path("annotations").path("description").asText()).isNotBlank();
    }
  }

  @Test
  void alertsUseOnlyMetricsTheServerExposes() {
    for (JsonNode rule : rules()) {
      Set<String> names = PromQl.metricNames(rule.path("expr").asText());
      assertThat(names).as("metrics of %s", rule.path("alert").asText()).isNotEmpty();
      assertThat(names)
          .as("metrics of %s", rule.path("alert").asText())
          .allMatch(ParleyMetrics::isKnown, "is a metric the server exposes");
    }
  }

  @Test
  void prometheusRuleForTheOperatorHasTheSameGroups() {
    JsonNode compose = Yaml.one(Repo.read(DIR + "/alerts.yml")).path("groups");
    JsonNode operator =
        Yaml.one(Repo.read("k8s/monitoring/prometheusrule.yaml")).path("spec").path("groups");
    assertThat(operator).isEqualTo(compose);
  }

  static List<JsonNode> rules() {
    List<JsonNode> rules = new ArrayList<>();
    for (JsonNode g : Yaml.one(Repo.read(DIR + "/alerts.yml")).path("groups")) {
      g.path("rules").forEach(rules::add);
    }
    assertThat(rules).isNotEmpty();
    return rules;
  }

  static List<String> alertNames() {
    return rules().stream().map(r -> r.path("alert").asText()).toList();
  }
}
