package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/compose.yaml and deploy/Dockerfile, parsed: no Docker engine runs here. */
class ComposeAndDockerfileTest {

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  @Test
  void composeRunsParleyWithPrometheusGrafanaAndCoturn() {
    JsonNode services = Yaml.one(Repo.read("deploy/compose.yaml")).path("services");
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactlyInAnyOrder("parley", "coturn", "prometheus", "grafana");

    JsonNode parley = services.path("parley");
    assertThat(parley.path("build").path("dockerfile").asText()).isEqualTo("deploy/Dockerfile");
    assertThat(strings(parley.path("ports")))
        .contains("8080:8080/tcp", "10000:10000/udp", "10000:10000/tcp");
    JsonNode env = parley.path("environment");
    assertThat(env.path("PARLEY_ADVERTISED_ADDRESSES").asText()).contains("PARLEY_PUBLIC_IP");
    assertThat(env.path("PARLEY_TURN_SECRET").asText()).contains("PARLEY_TURN_SECRET");
    assertThat(env.path("PARLEY_TURN_URIS").asText()).contains(":3478");
    assertThat(strings(parley.path("healthcheck").path("test")))
        .anyMatch(s -> s.endsWith("/healthz"));

    // coturn gets the same secret, for the TURN REST credentials signalling mints.
    JsonNode coturn = services.path("coturn");
    assertThat(strings(coturn.path("command")))
        .contains("--static-auth-secret=${PARLEY_TURN_SECRET}");
    assertThat(strings(coturn.path("volumes")))
        .contains("./coturn/turnserver.conf:/etc/coturn/turnserver.conf:ro");
    String turnConf = Repo.read("deploy/coturn/turnserver.conf");
    assertThat(turnConf).containsPattern("(?m)^use-auth-secret$").containsPattern("(?m)^realm=");
    assertThat(turnConf).doesNotContainPattern("(?m)^static-auth-secret");

    JsonNode prometheus = services.path("prometheus");
    assertThat(strings(prometheus.path("volumes")))
        .contains(
            "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
            "./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
    JsonNode scrape =
        Yaml.one(Repo.read("deploy/prometheus/prometheus.yml")).path("scrape_configs").get(0);
    assertThat(scrape.path("job_name").asText()).isEqualTo("parley");
    assertThat(strings(scrape.path("static_configs").get(0).path("targets")))
        .containsExactly("parley:8080");

    // Every file compose mounts from the repository exists.
    for (JsonNode service : services) {
      for (String volume : strings(service.path("volumes"))) {
        if (volume.startsWith("./")) {
          Repo.file("deploy/" + volume.substring(2, volume.indexOf(':')));
        }
      }
    }
  }

  @Test
  void dockerfileBuildsWithMavenAndRunsOnAJreAsNonRoot() {
    List<String> lines = logicalLines(Repo.read("deploy/Dockerfile"));
    List<String> froms = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    assertThat(froms)
        .containsExactly(
            "FROM maven:3-eclipse-temurin-17 AS build", "FROM eclipse-temurin:17-jre AS runtime");
    List<String> runtime = lines.subList(lines.indexOf(froms.get(1)), lines.size());

    List<String> users = runtime.stream().filter(l -> l.startsWith("USER ")).toList();
    assertThat(users).hasSize(1);
    String user = users.get(0).substring(5).trim().split(":")[0];
    assertThat(user).isNotIn("root", "0");

    assertThat(runtime)
        .anyMatch(l -> l.startsWith("COPY --from=build ") && l.contains("parley-server.jar"));
    assertThat(runtime).contains("EXPOSE 8080/tcp 10000/udp 10000/tcp");
    assertThat(runtime)
        .anyMatch(
            l -> l.startsWith("HEALTHCHECK ") && l.contains("CMD ") && l.contains("/healthz"));
    // Exec form, so that the JVM is PID 1 and gets SIGTERM to drain.
    assertThat(runtime)
        .anyMatch(l -> l.matches("ENTRYPOINT \\[\"java\", .*parley-server\\.jar\"]"));
    assertThat(runtime)
        .anyMatch(l -> l.startsWith("ENV JDK_JAVA_OPTIONS=") && l.contains("MaxRAMPercentage"));

    List<String> build = lines.subList(lines.indexOf(froms.get(0)), lines.indexOf(froms.get(1)));
    assertThat(build)
        .anyMatch(l -> l.startsWith("RUN ") && l.contains("mvn ") && l.contains(" package"));
  }

  /** Dockerfile instructions with their continuation lines joined, comments and blanks dropped. */
  static List<String> logicalLines(String dockerfile) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : dockerfile.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
      } else {
        current.append(line);
        Matcher m = Pattern.compile("\\s+").matcher(current.toString());
        out.add(m.replaceAll(" "));
        current.setLength(0);
      }
    }
    return out;
  }
}
