package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Builds every overlay with the real {@code kubectl kustomize} and checks the objects it produces.
 *
 * <p>The kubectl on PATH is used; PARLEY_KUBECTLS (a PATH-style list of kubectl binaries) adds
 * more, so that the manifests can be checked against both an old one (Debian's 1.20, kustomize v2)
 * and a current one.
 */
class KustomizeTest {
  private static final String STATEFULSET = "parley-media";
  private static final Map<String, Set<String>> EXTERNAL_SECRETS =
      Map.of(
          "dev",
          Set.of("parley-tls"),
          "production",
          Set.of("parley-tls", "parley-turn", "parley-control"));

  static Stream<Arguments> overlaysAndKubectls() {
    List<String> kubectls = new ArrayList<>();
    kubectls.add(Repo.tool("kubectl", "kubernetes-client").toString());
    String extra = System.getenv("PARLEY_KUBECTLS");
    if (extra != null && !extra.isBlank()) {
      for (String k : extra.split(File.pathSeparator)) {
        assertThat(Path.of(k)).as("PARLEY_KUBECTLS entry").isExecutable();
        kubectls.add(k);
      }
    }
    List<String> overlays = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(Repo.file("k8s/overlays"))) {
      dirs.filter(Files::isDirectory).forEach(d -> overlays.add(d.getFileName().toString()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(overlays).contains("dev", "production");
    List<Arguments> args = new ArrayList<>();
    for (String overlay : overlays) {
      for (String kubectl : kubectls) {
        args.add(Arguments.of(overlay, kubectl));
      }
    }
    return args.stream();
  }

  static List<HasMetadata> build(String overlay, String kubectl) {
    Repo.Result r =
        Repo.runOk(Repo.root(), List.of(kubectl, "kustomize", "k8s/overlays/" + overlay));
    List<HasMetadata> objects = new ArrayList<>();
    for (JsonNode doc : Yaml.all(r.stdout())) {
      objects.add(Kube.parse(doc));
    }
    assertThat(objects).as("objects of overlay %s", overlay).isNotEmpty();
    return objects;
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("overlaysAndKubectls")
  void overlayBuildsIntoValidObjects(String overlay, String kubectl) {
    Manifests m = new Manifests(build(overlay, kubectl));

    // One namespace, that every object lives in, enforcing the restricted Pod Security Standard.
    List<Namespace> namespaces = m.all(Namespace.class);
    assertThat(namespaces).hasSize(1);
    String ns = namespaces.get(0).getMetadata().getName();
    assertThat(namespaces.get(0).getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    for (HasMetadata o : m.objects) {
      if (!(o instanceof Namespace)) {
        assertThat(o.getMetadata().getNamespace()).as("namespace of %s", m.name(o)).isEqualTo(ns);
      }
    }
    assertThat(m.all(Deployment.class))
        .extracting(d -> d.getMetadata().getName())
        .contains("parley-signalling", "parley-turn");
    assertThat(m.all(StatefulSet.class))
        .extracting(d -> d.getMetadata().getName())
        .containsExactly(STATEFULSET);

    for (Map.Entry<String, PodTemplateSpec> e : m.podTemplates().entrySet()) {
      checkPod(e.getKey(), e.getValue());
    }
    checkReferences(m, EXTERNAL_SECRETS.getOrDefault(overlay, Set.of("parley-tls")));
    checkServicesSelectPods(m);
    checkSignalling(m);
    checkMedia(m);
    checkSplit(m);
    checkIngress(m);
    checkTurn(m);
    checkAutoscalingAndBudgets(m, overlay);
    checkServiceMonitor(m);
  }

  /** What every pod must have: a pinned image, probes, resources, and no privileges. */
  private static void checkPod(String owner, PodTemplateSpec template) {
    var spec = template.getSpec();
    assertThat(spec.getHostNetwork()).as("%s uses hostNetwork", owner).isNotEqualTo(Boolean.TRUE);
    assertThat(spec.getHostPID()).as("%s hostPID", owner).isNotEqualTo(Boolean.TRUE);
    assertThat(spec.getHostIPC()).as("%s hostIPC", owner).isNotEqualTo(Boolean.TRUE);
    assertThat(spec.getAutomountServiceAccountToken())
        .as("%s mounts an API token", owner)
        .isFalse();
    assertThat(spec.getSecurityContext()).as("%s pod securityContext", owner).isNotNull();
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).as("%s runAsNonRoot", owner).isTrue();
    assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(spec.getContainers()).isNotEmpty();
    for (Container c : spec.getContainers()) {
      String where = owner + "/" + c.getName();
      assertThat(c.getImage())
          .as("image of %s", where)
          .matches("[^:@]+(:[\\w.-]+|@sha256:[0-9a-f]{64})");
      assertThat(c.getImage()).as("image of %s", where).doesNotEndWith(":latest");
      assertThat(c.getLivenessProbe()).as("liveness probe of %s", where).isNotNull();
      assertThat(c.getReadinessProbe()).as("readiness probe of %s", where).isNotNull();
      var res = c.getResources();
      assertThat(res).as("resources of %s", where).isNotNull();
      assertThat(res.getRequests()).as("requests of %s", where).containsKeys("cpu", "memory");
      assertThat(res.getLimits()).as("limits of %s", where).containsKey("memory");
      var sc = c.getSecurityContext();
      assertThat(sc).as("securityContext of %s", where).isNotNull();
      assertThat(sc.getAllowPrivilegeEscalation())
          .as("%s allowPrivilegeEscalation", where)
          .isFalse();
      assertThat(sc.getPrivileged()).as("%s privileged", where).isNotEqualTo(Boolean.TRUE);
      assertThat(sc.getCapabilities().getDrop()).as("%s drops capabilities", where).contains("ALL");
      assertThat(sc.getReadOnlyRootFilesystem()).as("%s read-only root", where).isTrue();
      for (ContainerPort p : c.getPorts()) {
        assertThat(p.getName())
            .as("port %s of %s is named", p.getContainerPort(), where)
            .isNotBlank();
        assertThat(p.getHostPort()).as("hostPort of %s", where).isNull();
      }
    }
  }

  /** ConfigMaps and Secrets named by pods exist (Secrets created out of band excepted). */
  private static void checkReferences(Manifests m, Set<String> externalSecrets) {
    Set<String> configMaps = m.names(ConfigMap.class);
    Set<String> secrets = new HashSet<>(m.names(Secret.class));
    secrets.addAll(externalSecrets);
    for (Map.Entry<String, PodTemplateSpec> e : m.podTemplates().entrySet()) {
      var spec = e.getValue().getSpec();
      for (Volume v : spec.getVolumes()) {
        if (v.getConfigMap() != null) {
          assertThat(configMaps)
              .as("ConfigMap of volume %s in %s", v.getName(), e.getKey())
              .contains(v.getConfigMap().getName());
        }
        if (v.getSecret() != null) {
          assertThat(secrets).contains(v.getSecret().getSecretName());
        }
      }
      for (Container c : spec.getContainers()) {
        var mounts = c.getVolumeMounts().stream().map(vm -> vm.getName()).toList();
        assertThat(spec.getVolumes().stream().map(Volume::getName).toList())
            .as("volumes of %s", e.getKey())
            .containsAll(mounts);
        c.getEnvFrom()
            .forEach(
                ef -> {
                  if (ef.getConfigMapRef() != null) {
                    assertThat(configMaps)
                        .as("envFrom of %s", e.getKey())
                        .contains(ef.getConfigMapRef().getName());
                  }
                  if (ef.getSecretRef() != null) {
                    assertThat(secrets).contains(ef.getSecretRef().getName());
                  }
                });
        for (EnvVar env : c.getEnv()) {
          if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
            String name = env.getValueFrom().getSecretKeyRef().getName();
            assertThat(secrets).as("Secret of %s in %s", env.getName(), e.getKey()).contains(name);
            m.find(Secret.class, name)
                .ifPresent(
                    s ->
                        assertThat(merged(s))
                            .containsKey(env.getValueFrom().getSecretKeyRef().getKey()));
          }
        }
      }
    }
    for (Ingress ing : m.all(Ingress.class)) {
      ing.getSpec().getTls().forEach(t -> assertThat(secrets).contains(t.getSecretName()));
    }
  }

  private static Map<String, String> merged(Secret s) {
    Map<String, String> all = new LinkedHashMap<>();
    if (s.getData() != null) all.putAll(s.getData());
    if (s.getStringData() != null) all.putAll(s.getStringData());
    return all;
  }

  /** Every Service selects some pod, through a port that pod declares with the same protocol. */
  private static void checkServicesSelectPods(Manifests m) {
    for (Service svc : m.all(Service.class)) {
      Map<String, String> selector = svc.getSpec().getSelector();
      assertThat(selector).as("selector of Service %s", svc.getMetadata().getName()).isNotEmpty();
      List<PodTemplateSpec> pods = m.podsSelectedBy(selector);
      assertThat(pods).as("pods selected by Service %s", svc.getMetadata().getName()).isNotEmpty();
      for (ServicePort sp : svc.getSpec().getPorts()) {
        assertThat(sp.getName()).isNotBlank();
        String target = sp.getTargetPort().getStrVal();
        assertThat(target)
            .as("Service %s targets a named port", svc.getMetadata().getName())
            .isNotNull();
        for (PodTemplateSpec pod : pods) {
          assertThat(pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream()))
              .as("Service %s port %s", svc.getMetadata().getName(), sp.getName())
              .anyMatch(
                  p ->
                      target.equals(p.getName())
                          && Objects.equals(protocol(p.getProtocol()), protocol(sp.getProtocol())));
        }
      }
    }
  }

  private static String protocol(String p) {
    return p == null ? "TCP" : p;
  }

  private static void checkSignalling(Manifests m) {
    Deployment d = m.get(Deployment.class, "parley-signalling");
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    checkHttpProbes(c);
    assertThat(env(c, "PARLEY_ROLE")).isEqualTo("signalling");
    checkDrain("parley-signalling", d.getSpec().getTemplate(), c);
  }

  private static void checkHttpProbes(Container c) {
    assertThat(httpPath(c.getLivenessProbe())).isEqualTo("/healthz");
    assertThat(httpPath(c.getReadinessProbe())).isEqualTo("/readyz");
    assertThat(c.getStartupProbe()).isNotNull();
  }

  private static String httpPath(Probe p) {
    assertThat(p.getHttpGet()).isNotNull();
    return p.getHttpGet().getPath();
  }

  /**
   * preStop pause + the server's drain fit in the grace period, so the server is never killed
   * mid-drain.
   */
  private static void checkDrain(String owner, PodTemplateSpec t, Container c) {
    long grace = t.getSpec().getTerminationGracePeriodSeconds();
    assertThat(c.getLifecycle().getPreStop()).as("preStop of %s", owner).isNotNull();
    List<String> preStop = c.getLifecycle().getPreStop().getExec().getCommand();
    assertThat(preStop.get(0)).isEqualTo("sleep");
    long pause = Long.parseLong(preStop.get(1));
    long drain = Long.parseLong(env(c, "PARLEY_DRAIN_TIMEOUT_SECONDS"));
    assertThat(pause + drain)
        .as("preStop + drain of %s within its grace period %d", owner, grace)
        .isLessThan(grace);
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .map(EnvVar::getValue)
        .orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
  }

  private static String fieldRef(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .map(e -> e.getValueFrom().getFieldRef().getFieldPath())
        .orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
  }

  /**
   * The media StatefulSet: UDP and TCP media ports, the Downward API inputs of its entrypoint, and
   * one edge Service per possible pod whose node port is the one the entrypoint advertises.
   */
  private static void checkMedia(Manifests m) {
    StatefulSet sts = m.get(StatefulSet.class, STATEFULSET);
    PodTemplateSpec t = sts.getSpec().getTemplate();
    Container c = t.getSpec().getContainers().get(0);
    checkHttpProbes(c);
    checkDrain(STATEFULSET, t, c);
    assertThat(env(c, "PARLEY_ROLE")).isEqualTo("sfu");
    assertThat(c.getPorts())
        .anyMatch(
            p ->
                p.getContainerPort() == 10000
                    && "UDP".equals(p.getProtocol())
                    && "media-udp".equals(p.getName()))
        .anyMatch(
            p ->
                p.getContainerPort() == 10000
                    && "TCP".equals(p.getProtocol())
                    && "media-tcp".equals(p.getName()));
    assertThat(fieldRef(c, "POD_NAME")).isEqualTo("metadata.name");
    assertThat(fieldRef(c, "NODE_NAME")).isEqualTo("spec.nodeName");
    assertThat(fieldRef(c, "HOST_IP")).isEqualTo("status.hostIP");
    assertThat(c.getCommand())
        .containsExactly("/bin/sh", "/etc/parley/entrypoint/media-entrypoint.sh");

    // The entrypoint script comes from a ConfigMap built from k8s/base/media-entrypoint.sh.
    String entrypointMap =
        t.getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("entrypoint"))
            .findFirst()
            .orElseThrow()
            .getConfigMap()
            .getName();
    assertThat(m.get(ConfigMap.class, entrypointMap).getData())
        .containsEntry("media-entrypoint.sh", Repo.read("k8s/base/media-entrypoint.sh"));

    Map<String, String> ports = m.configMapData(c, "PARLEY_MEDIA_PORT_MODE");
    assertThat(ports.get("PARLEY_MEDIA_PORT_MODE")).isEqualTo("nodeport");
    int base = Integer.parseInt(ports.get("PARLEY_MEDIA_NODE_PORT_BASE"));
    assertThat(base).isBetween(30000, 32767);

    int maxReplicas =
        Math.max(
            sts.getSpec().getReplicas(),
            m.all(HorizontalPodAutoscaler.class).stream()
                .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(STATEFULSET))
                .mapToInt(h -> h.getSpec().getMaxReplicas())
                .max()
                .orElse(0));
    List<Service> edges =
        m.all(Service.class).stream()
            .filter(
                s -> s.getSpec().getSelector().containsKey("statefulset.kubernetes.io/pod-name"))
            .toList();
    assertThat(edges).as("one edge Service per possible media pod").hasSize(maxReplicas);
    for (int ordinal = 0; ordinal < maxReplicas; ordinal++) {
      String pod = STATEFULSET + "-" + ordinal;
      List<Service> mine =
          edges.stream()
              .filter(
                  s ->
                      pod.equals(
                          s.getSpec().getSelector().get("statefulset.kubernetes.io/pod-name")))
              .toList();
      assertThat(mine).as("edge Service of %s", pod).hasSize(1);
      Service s = mine.get(0);
      assertThat(s.getSpec().getType()).isEqualTo("NodePort");
      assertThat(s.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
      assertThat(s.getSpec().getPorts())
          .extracting(ServicePort::getProtocol)
          .containsExactlyInAnyOrder("UDP", "TCP");
      for (ServicePort sp : s.getSpec().getPorts()) {
        assertThat(sp.getNodePort())
            .as("node port of %s %s", pod, sp.getProtocol())
            .isEqualTo(base + ordinal);
      }
    }
  }

  /**
   * Signalling and media pods set only settings the server (or the media entrypoint) reads;
   * signalling finds the media pods' control port through the headless Service; both share the
   * control secret from one Secret; and only signalling pods may reach the control port.
   */
  private static void checkSplit(Manifests m) {
    Container sig =
        m.get(Deployment.class, "parley-signalling")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    PodTemplateSpec mediaPod = m.get(StatefulSet.class, STATEFULSET).getSpec().getTemplate();
    Container media = mediaPod.getSpec().getContainers().get(0);
    String config =
        Repo.read("signalling/src/main/java/io/parley/signalling/config/ParleyConfig.java")
            + Repo.read("signalling/src/main/resources/logback.xml");
    String entrypoint = Repo.read("k8s/base/media-entrypoint.sh");
    for (Container c : List.of(sig, media)) {
      for (String name : settings(m, c)) {
        boolean read =
            config.contains("\"" + name + "\"")
                || config.contains("${" + name)
                || (c == media && entrypoint.contains(name));
        assertThat(read).as("%s sets %s, which nothing reads", c.getName(), name).isTrue();
      }
    }

    Map<String, String> sigEnv = new LinkedHashMap<>();
    sig.getEnv().forEach(e -> sigEnv.put(e.getName(), e.getValue()));
    assertThat(sigEnv).doesNotContainKey("PARLEY_SFU_NODES");
    String[] dns = sigEnv.get("PARLEY_SFU_DNS").split(":");
    Service headless = m.get(Service.class, dns[0]);
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isNotEqualTo(Boolean.TRUE);
    ServicePort control =
        headless.getSpec().getPorts().stream()
            .filter(p -> p.getPort() == Integer.parseInt(dns[1]))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the headless Service has no port " + dns[1]));
    assertThat(control.getTargetPort().getStrVal()).isEqualTo("control");
    ContainerPort controlPort =
        media.getPorts().stream()
            .filter(p -> "control".equals(p.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(String.valueOf(controlPort.getContainerPort()))
        .as("the control port the media server listens on")
        .isEqualTo(env(media, "PARLEY_CONTROL_PORT"));

    EnvVar sigSecret = envVar(sig, "PARLEY_CONTROL_SECRET");
    EnvVar mediaSecret = envVar(media, "PARLEY_CONTROL_SECRET");
    assertThat(sigSecret.getValue()).as("the control secret comes from a Secret").isNull();
    assertThat(sigSecret.getValueFrom().getSecretKeyRef())
        .isEqualTo(mediaSecret.getValueFrom().getSecretKeyRef());

    List<NetworkPolicy> policies =
        m.all(NetworkPolicy.class).stream()
            .filter(
                np ->
                    !m.podsSelectedBy(np.getSpec().getPodSelector().getMatchLabels()).isEmpty()
                        && m.podsSelectedBy(np.getSpec().getPodSelector().getMatchLabels())
                            .contains(mediaPod))
            .toList();
    assertThat(policies).as("a NetworkPolicy of the media pods").hasSize(1);
    NetworkPolicySpec spec = policies.get(0).getSpec();
    assertThat(spec.getPolicyTypes()).contains("Ingress");
    PodTemplateSpec sigPod = m.get(Deployment.class, "parley-signalling").getSpec().getTemplate();
    for (NetworkPolicyIngressRule rule : spec.getIngress()) {
      boolean opensControl =
          rule.getPorts().stream()
              .anyMatch(
                  p ->
                      "control".equals(p.getPort().getStrVal())
                          || Objects.equals(
                              p.getPort().getIntVal(), controlPort.getContainerPort()));
      if (opensControl) {
        assertThat(rule.getFrom()).as("who may reach the control port").isNotEmpty();
        for (NetworkPolicyPeer peer : rule.getFrom()) {
          assertThat(peer.getIpBlock()).isNull();
          assertThat(peer.getNamespaceSelector()).isNull();
          assertThat(m.podsSelectedBy(peer.getPodSelector().getMatchLabels()))
              .containsExactly(sigPod);
        }
      }
    }
    assertThat(spec.getIngress())
        .as("the media ports stay open to browsers")
        .anyMatch(
            r ->
                (r.getFrom() == null || r.getFrom().isEmpty())
                    && r.getPorts().stream()
                        .anyMatch(p -> "media-udp".equals(p.getPort().getStrVal())));
  }

  /** Names of the PARLEY_ settings a container gets: its env and its ConfigMaps' keys. */
  private static Set<String> settings(Manifests m, Container c) {
    Set<String> names = new HashSet<>();
    c.getEnv().forEach(e -> names.add(e.getName()));
    for (var ef : c.getEnvFrom()) {
      if (ef.getConfigMapRef() != null) {
        names.addAll(m.get(ConfigMap.class, ef.getConfigMapRef().getName()).getData().keySet());
      }
    }
    names.removeIf(n -> !n.startsWith("PARLEY_"));
    return names;
  }

  private static EnvVar envVar(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
  }

  private static void checkIngress(Manifests m) {
    Ingress ing = m.get(Ingress.class, "parley");
    Map<String, String> a = ing.getMetadata().getAnnotations();
    assertThat(Integer.parseInt(a.get("nginx.ingress.kubernetes.io/proxy-read-timeout")))
        .isGreaterThanOrEqualTo(3600);
    assertThat(Integer.parseInt(a.get("nginx.ingress.kubernetes.io/proxy-send-timeout")))
        .isGreaterThanOrEqualTo(3600);
    assertThat(a).containsEntry("nginx.ingress.kubernetes.io/proxy-http-version", "1.1");
    assertThat(ing.getSpec().getIngressClassName()).isNotBlank();
    assertThat(ing.getSpec().getTls()).hasSize(1);
    List<String> hosts = ing.getSpec().getRules().stream().map(IngressRule::getHost).toList();
    assertThat(ing.getSpec().getTls().get(0).getHosts()).containsExactlyElementsOf(hosts);
    for (IngressRule rule : ing.getSpec().getRules()) {
      for (var path : rule.getHttp().getPaths()) {
        var backend = path.getBackend().getService();
        Service svc = m.get(Service.class, backend.getName());
        assertThat(svc.getSpec().getPorts())
            .extracting(ServicePort::getName)
            .contains(backend.getPort().getName());
      }
    }
  }

  /** coturn and signalling share the TURN REST secret. */
  private static void checkTurn(Manifests m) {
    Container turn =
        m.get(Deployment.class, "parley-turn")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    Container sig =
        m.get(Deployment.class, "parley-signalling")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(turn.getArgs()).contains("--static-auth-secret=$(PARLEY_TURN_SECRET)");
    var turnRef =
        turn.getEnv().stream()
            .filter(e -> e.getName().equals("PARLEY_TURN_SECRET"))
            .findFirst()
            .orElseThrow()
            .getValueFrom()
            .getSecretKeyRef();
    var sigRef =
        sig.getEnv().stream()
            .filter(e -> e.getName().equals("PARLEY_TURN_SECRET"))
            .findFirst()
            .orElseThrow()
            .getValueFrom()
            .getSecretKeyRef();
    assertThat(turnRef.getName()).isEqualTo(sigRef.getName());
    assertThat(turnRef.getKey()).isEqualTo(sigRef.getKey());
    String conf =
        m.configMapFromVolume(
                m.get(Deployment.class, "parley-turn").getSpec().getTemplate(), "config")
            .get("turnserver.conf");
    assertThat(conf)
        .containsPattern("(?m)^use-auth-secret$")
        .doesNotContainPattern("(?m)^static-auth-secret");
    assertThat(m.get(Service.class, "parley-turn").getSpec().getPorts())
        .extracting(ServicePort::getProtocol)
        .containsExactlyInAnyOrder("UDP", "TCP");
    assertThat(m.configMapData(sig, "PARLEY_TURN_URIS").get("PARLEY_TURN_URIS"))
        .startsWith("turn:");
  }

  private static void checkAutoscalingAndBudgets(Manifests m, String overlay) {
    for (HorizontalPodAutoscaler h : m.all(HorizontalPodAutoscaler.class)) {
      var ref = h.getSpec().getScaleTargetRef();
      Class<? extends HasMetadata> type =
          ref.getKind().equals("StatefulSet") ? StatefulSet.class : Deployment.class;
      m.get(type, ref.getName());
      assertThat(h.getSpec().getMinReplicas()).isLessThanOrEqualTo(h.getSpec().getMaxReplicas());
      assertThat(h.getSpec().getMetrics())
          .anyMatch(
              ms -> "Resource".equals(ms.getType()) && "cpu".equals(ms.getResource().getName()));
      assertThat(h.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
          .isGreaterThanOrEqualTo(300);
      if (overlay.equals("production")) {
        assertThat(h.getSpec().getMetrics())
            .filteredOn(ms -> "Pods".equals(ms.getType()))
            .extracting((MetricSpec ms) -> ms.getPods().getMetric().getName())
            .containsExactly("parley_endpoints");
      }
    }
    assertThat(m.all(HorizontalPodAutoscaler.class)).isNotEmpty();
    List<PodDisruptionBudget> pdbs = m.all(PodDisruptionBudget.class);
    assertThat(pdbs).hasSizeGreaterThanOrEqualTo(2);
    for (PodDisruptionBudget pdb : pdbs) {
      assertThat(m.podsSelectedBy(pdb.getSpec().getSelector().getMatchLabels()))
          .as("pods of PodDisruptionBudget %s", pdb.getMetadata().getName())
          .isNotEmpty();
    }
  }

  /**
   * The ServiceMonitor scrapes /metrics of signalling and media under job "parley", as the alerts
   * expect.
   */
  private static void checkServiceMonitor(Manifests m) {
    GenericKubernetesResource sm =
        m.all(GenericKubernetesResource.class).stream()
            .filter(g -> g.getKind().equals("ServiceMonitor"))
            .findFirst()
            .orElseThrow();
    Map<String, Object> spec = sm.get("spec");
    @SuppressWarnings("unchecked")
    Map<String, String> match =
        (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    String jobLabel = (String) spec.get("jobLabel");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("endpoints");
    assertThat(endpoints).isNotEmpty();
    List<Service> scraped =
        m.all(Service.class).stream()
            .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(match.entrySet()))
            .toList();
    assertThat(scraped)
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("parley-signalling", "parley-media-headless");
    for (Service s : scraped) {
      assertThat(s.getMetadata().getLabels()).containsEntry(jobLabel, "parley");
      for (Map<String, Object> ep : endpoints) {
        assertThat(ep.get("path")).isEqualTo("/metrics");
        assertThat(s.getSpec().getPorts())
            .extracting(ServicePort::getName)
            .contains((String) ep.get("port"));
      }
    }
    assertThat(m.all(GenericKubernetesResource.class))
        .anyMatch(g -> g.getKind().equals("PrometheusRule"));
  }

  @Test
  void aMisspeltFieldIsRejected() {
    String deployment =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x}
        spec:
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec:
              contianers: [{name: c, image: "i:1"}]
        """;
    assertThatThrownBy(() -> Kube.parse(Yaml.all(deployment).get(0)))
        .hasMessageContaining("spec.template.spec.contianers");
    String service =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: x}
        spec: {ports: [{port: 1, nodeport: 30000}]}
        """;
    assertThatThrownBy(() -> Kube.parse(Yaml.all(service).get(0))).hasMessageContaining("nodeport");
    String wrongVersion =
        """
        apiVersion: autoscaling/v2beta2
        kind: HorizontalPodAutoscaler
        metadata: {name: x}
        """;
    assertThatThrownBy(() -> Kube.parse(Yaml.all(wrongVersion).get(0)))
        .hasMessageContaining("apiVersion");
  }

  /** The objects of one overlay, with the look-ups the checks need. */
  static final class Manifests {
    final List<HasMetadata> objects;

    Manifests(List<HasMetadata> objects) {
      this.objects = objects;
    }

    String name(HasMetadata o) {
      return o.getKind() + "/" + o.getMetadata().getName();
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    Set<String> names(Class<? extends HasMetadata> type) {
      Set<String> names = new HashSet<>();
      all(type).forEach(o -> names.add(o.getMetadata().getName()));
      return names;
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
      return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
      return find(type, name)
          .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    Map<String, PodTemplateSpec> podTemplates() {
      Map<String, PodTemplateSpec> t = new LinkedHashMap<>();
      all(Deployment.class)
          .forEach(
              d -> t.put("Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
      all(StatefulSet.class)
          .forEach(
              s -> t.put("StatefulSet/" + s.getMetadata().getName(), s.getSpec().getTemplate()));
      return t;
    }

    /**
     * Pod templates whose labels match a selector. The StatefulSet controller adds
     * statefulset.kubernetes.io/pod-name=NAME-ORDINAL to its pods, so such a selector matches the
     * StatefulSet's template when the ordinal is below its maximum replica count (checked in
     * checkMedia).
     */
    List<PodTemplateSpec> podsSelectedBy(Map<String, String> selector) {
      List<PodTemplateSpec> pods = new ArrayList<>();
      String podName = selector.get("statefulset.kubernetes.io/pod-name");
      if (podName != null) {
        for (StatefulSet s : all(StatefulSet.class)) {
          if (podName.matches(s.getMetadata().getName() + "-\\d+")) {
            pods.add(s.getSpec().getTemplate());
          }
        }
        return pods;
      }
      for (PodTemplateSpec t : podTemplates().values()) {
        if (t.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())) {
          pods.add(t);
        }
      }
      return pods;
    }

    /** The data of the envFrom ConfigMap of a container that holds the given key. */
    Map<String, String> configMapData(Container c, String key) {
      for (var ef : c.getEnvFrom()) {
        if (ef.getConfigMapRef() != null) {
          Map<String, String> data = get(ConfigMap.class, ef.getConfigMapRef().getName()).getData();
          if (data.containsKey(key)) {
            return data;
          }
        }
      }
      throw new AssertionError(c.getName() + " gets no " + key + " from a ConfigMap");
    }

    Map<String, String> configMapFromVolume(PodTemplateSpec t, String volume) {
      Volume v =
          t.getSpec().getVolumes().stream()
              .filter(x -> x.getName().equals(volume))
              .findFirst()
              .orElseThrow();
      return get(ConfigMap.class, v.getConfigMap().getName()).getData();
    }
  }
}
