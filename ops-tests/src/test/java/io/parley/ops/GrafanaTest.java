package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Grafana dashboard and its provisioning. */
class GrafanaTest {
  private static final String DASHBOARD = "deploy/grafana/dashboards/parley.json";

  private static JsonNode dashboard() {
    return Yaml.json(Repo.read(DASHBOARD));
  }

  /** Every query of every panel, rows' nested panels included. */
  private static List<String> expressions(JsonNode dashboard) {
    List<String> exprs = new ArrayList<>();
    collect(dashboard.path("panels"), exprs);
    return exprs;
  }

  private static void collect(JsonNode panels, List<String> exprs) {
    for (JsonNode p : panels) {
      for (JsonNode t : p.path("targets")) {
        exprs.add(t.path("expr").asText());
      }
      collect(p.path("panels"), exprs);
    }
  }

  @Test
  void dashboardIsWellFormed() {
    JsonNode d = dashboard();
    assertThat(d.path("uid").asText()).isEqualTo("parley-overview");
    assertThat(d.path("title").asText()).isNotBlank();
    assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);

    Set<Integer> ids = new HashSet<>();
    List<int[]> boxes = new ArrayList<>();
    for (JsonNode p : d.path("panels")) {
      assertThat(ids.add(p.path("id").asInt())).as("panel id %s is unique", p.path("id")).isTrue();
      assertThat(p.path("title").asText()).isNotBlank();
      JsonNode g = p.path("gridPos");
      int x = g.path("x").asInt(), y = g.path("y").asInt(), w = g.path("w").asInt();
      int h = g.path("h").asInt();
      assertThat(x + w)
          .as("panel %s fits the 24-column grid", p.path("title"))
          .isLessThanOrEqualTo(24);
      assertThat(w).isPositive();
      assertThat(h).isPositive();
      for (int[] b : boxes) {
        boolean overlap = x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h;
        assertThat(overlap).as("panel %s overlaps another", p.path("title")).isFalse();
      }
      boxes.add(new int[] {x, y, w, h});
      if (!"row".equals(p.path("type").asText())) {
        assertThat(p.path("datasource").path("uid").asText())
            .as("datasource of %s", p.path("title"))
            .isEqualTo("${datasource}");
        assertThat(p.path("targets")).as("queries of %s", p.path("title")).isNotEmpty();
        for (JsonNode t : p.path("targets")) {
          assertThat(t.path("expr").asText()).isNotBlank();
          assertThat(t.path("refId").asText()).isNotBlank();
        }
      }
    }
    List<String> variables = new ArrayList<>();
    d.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
    assertThat(variables).containsExactly("datasource", "instance");
  }

  @Test
  void dashboardUsesOnlyMetricsTheServerExposesAndShowsThemAll() {
    Set<String> used = new LinkedHashSet<>();
    for (String expr : expressions(dashboard())) {
      Set<String> names = PromQl.metricNames(expr);
      assertThat(names).as("metrics in %s", expr).isNotEmpty();
      assertThat(names)
          .as("metrics in %s", expr)
          .allMatch(ParleyMetrics::isKnown, "is a metric the server exposes");
      used.addAll(names);
    }
    for (String metric : ParleyMetrics.COUNTERS_AND_GAUGES) {
      assertThat(ParleyMetrics.covers(used, metric)).as("a panel shows %s", metric).isTrue();
    }
    for (String metric : ParleyMetrics.HISTOGRAMS) {
      assertThat(ParleyMetrics.covers(used, metric)).as("a panel shows %s", metric).isTrue();
    }
    assertThat(used).as("runtime panels").anyMatch(n -> n.startsWith("jvm_memory"));
    assertThat(used).contains("process_cpu_usage", "jvm_gc_pause_seconds_sum");
  }

  /** promtool parses each query (as a recording rule), with Grafana's variables filled in. */
  @Test
  void everyQueryIsValidPromQl(@TempDir Path dir) throws IOException {
    Path promtool = Repo.tool("promtool", "prometheus");
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int n = 0;
    for (String expr : expressions(dashboard())) {
      String filled =
          expr.replace("$__rate_interval", "5m")
              .replace("$__interval", "1m")
              .replace("${instance}", ".*")
              .replace("$instance", ".*");
      assertThat(filled).as("unfilled variable in %s", expr).doesNotContain("$");
      rules
          .append("      - record: dashboard:query_")
          .append(n++)
          .append("\n        expr: ")
          .append(Yaml.JSON.writeValueAsString(filled))
          .append('\n');
    }
    Files.writeString(dir.resolve("dashboard.yml"), rules, StandardCharsets.UTF_8);
    Repo.Result r =
        Repo.runOk(dir, List.of(promtool.toString(), "check", "rules", "dashboard.yml"));
    assertThat(r.all()).contains("SUCCESS: " + n + " rules found");
  }

  @Test
  void provisioningPointsAtTheDashboardAndPrometheus() {
    JsonNode ds =
        Yaml.one(Repo.read("deploy/grafana/provisioning/datasources/prometheus.yml"))
            .path("datasources")
            .get(0);
    assertThat(ds.path("type").asText()).isEqualTo("prometheus");
    assertThat(ds.path("url").asText()).isEqualTo("http://prometheus:9090");

    JsonNode provider =
        Yaml.one(Repo.read("deploy/grafana/provisioning/dashboards/parley.yml"))
            .path("providers")
            .get(0);
    assertThat(provider.path("type").asText()).isEqualTo("file");
    String path = provider.path("options").path("path").asText();

    // compose mounts deploy/grafana/dashboards at the provider's path, and the provisioning folder.
    JsonNode grafana = Yaml.one(Repo.read("deploy/compose.yaml")).path("services").path("grafana");
    List<String> volumes = new ArrayList<>();
    grafana.path("volumes").forEach(v -> volumes.add(v.asText()));
    assertThat(volumes)
        .contains(
            "./grafana/dashboards:" + path + ":ro",
            "./grafana/provisioning:/etc/grafana/provisioning:ro");
  }
}
