package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict parsing of Kubernetes objects with fabric8's model.
 *
 * <p>fabric8's classes keep fields they do not know in an "additionalProperties" map (a Jackson
 * any-setter), which FAIL_ON_UNKNOWN_PROPERTIES cannot see. So after binding, every object of the
 * tree is walked and any field that landed in such a map is an error: a misspelt or misplaced field
 * fails the test instead of being dropped by the API server.
 */
final class Kube {
  private Kube() {}

  /** The API version and model class of every kind the manifests may contain. */
  static final Map<String, Kind> KINDS =
      Map.ofEntries(
          Map.entry("Namespace", new Kind("v1", Namespace.class)),
          Map.entry("ServiceAccount", new Kind("v1", ServiceAccount.class)),
          Map.entry("ConfigMap", new Kind("v1", ConfigMap.class)),
          Map.entry("Secret", new Kind("v1", Secret.class)),
          Map.entry("Service", new Kind("v1", Service.class)),
          Map.entry("Deployment", new Kind("apps/v1", Deployment.class)),
          Map.entry("StatefulSet", new Kind("apps/v1", StatefulSet.class)),
          Map.entry("Ingress", new Kind("networking.k8s.io/v1", Ingress.class)),
          Map.entry(
              "NetworkPolicy",
              new Kind(
                  "networking.k8s.io/v1",
                  io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class)),
          Map.entry("PodDisruptionBudget", new Kind("policy/v1", PodDisruptionBudget.class)),
          Map.entry(
              "HorizontalPodAutoscaler", new Kind("autoscaling/v2", HorizontalPodAutoscaler.class)),
          Map.entry(
              "ServiceMonitor",
              new Kind("monitoring.coreos.com/v1", GenericKubernetesResource.class)),
          Map.entry(
              "PrometheusRule",
              new Kind("monitoring.coreos.com/v1", GenericKubernetesResource.class)));

  record Kind(String apiVersion, Class<? extends HasMetadata> type) {}

  static HasMetadata parse(JsonNode doc) {
    String kind = doc.path("kind").asText();
    String where = kind + " " + doc.path("metadata").path("name").asText();
    Kind k = KINDS.get(kind);
    if (k == null) {
      return fail("%s: no model for kind '%s' (add it to Kube.KINDS)", where, kind);
    }
    assertThat(doc.path("apiVersion").asText())
        .as("apiVersion of %s", where)
        .isEqualTo(k.apiVersion());
    HasMetadata object;
    try {
      object = Yaml.JSON.treeToValue(doc, k.type());
    } catch (Exception e) {
      return fail("%s does not parse as %s: %s", where, k.type().getSimpleName(), e.getMessage());
    }
    if (object instanceof GenericKubernetesResource generic) {
      // Its spec is meant to be free-form; the metadata is not.
      assertNoUnknownFields(generic.getMetadata(), where + " metadata");
    } else {
      assertNoUnknownFields(object, where);
    }
    return object;
  }

  static void assertNoUnknownFields(Object root, String where) {
    List<String> unknown = new ArrayList<>();
    walk(root, where, unknown, new IdentityHashMap<>());
    assertThat(unknown).as("fields the Kubernetes model does not know, in %s", where).isEmpty();
  }

  private static void walk(
      Object o, String path, List<String> unknown, IdentityHashMap<Object, Boolean> seen) {
    if (o == null || seen.put(o, Boolean.TRUE) != null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        walk(e, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        walk(e.getValue(), path + "." + e.getKey(), unknown, seen);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get")
          || m.getName().equals("getClass")) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      String field = m.getName().substring(3);
      if (field.equals("AdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          extra.keySet().forEach(k -> unknown.add(path + "." + k));
        }
        continue;
      }
      walk(
          value,
          path + "." + Character.toLowerCase(field.charAt(0)) + field.substring(1),
          unknown,
          seen);
    }
  }
}
