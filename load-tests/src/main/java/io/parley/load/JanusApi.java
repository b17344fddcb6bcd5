package io.parley.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * Janus's HTTP API (the REST-ish transport, {@code /janus}): sessions, plugin handles, messages,
 * and the long poll that carries a session's events. One client for a whole run.
 */
final class JanusApi implements AutoCloseable {
  private static final AtomicLong TRANSACTIONS = new AtomicLong();
  private static final boolean TRACE = Boolean.getBoolean("parley.load.trace");

  private final URI base;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "janus-http");
            t.setDaemon(true);
            return t;
          });
  private final HttpClient http;

  JanusApi(URI base) {
    this.base = base.getPath().endsWith("/janus") ? base : base.resolve("/janus");
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(executor)
            .build();
  }

  static String transaction() {
    return "t" + TRANSACTIONS.incrementAndGet();
  }

  CompletableFuture<JSONObject> post(String path, JSONObject body) {
    if (!body.has("transaction")) {
      body.put("transaction", transaction());
    }
    if (TRACE) {
      System.err.println("janus <- " + path + " " + body);
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(15))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(
            r -> {
              if (TRACE) {
                System.err.println("janus -> " + r.body());
              }
              JSONObject reply = new JSONObject(r.body());
              if ("error".equals(reply.optString("janus"))) {
                throw new IllegalStateException(
                    "Janus error: " + reply.optJSONObject("error", new JSONObject()));
              }
              return reply;
            });
  }

  /** Creates a session; returns its id. */
  CompletableFuture<Long> createSession() {
    return post("", new JSONObject().put("janus", "create"))
        .thenApply(r -> r.getJSONObject("data").getLong("id"));
  }

  /** Attaches the VideoRoom plugin; returns the handle id. */
  CompletableFuture<Long> attachVideoRoom(long session) {
    return post(
            "/" + session,
            new JSONObject().put("janus", "attach").put("plugin", "janus.plugin.videoroom"))
        .thenApply(r -> r.getJSONObject("data").getLong("id"));
  }

  /** A synchronous plugin request (e.g. VideoRoom's create): returns the plugin's data. */
  CompletableFuture<JSONObject> request(long session, long handle, JSONObject body) {
    return post(
            "/" + session + "/" + handle,
            new JSONObject().put("janus", "message").put("body", body))
        .thenApply(
            r -> {
              JSONObject data = r.getJSONObject("plugindata").getJSONObject("data");
              if (data.has("error")) {
                throw new IllegalStateException("VideoRoom: " + data.getString("error"));
              }
              return data;
            });
  }

  /** One session's event stream: the long poll, and transactions waiting for their event. */
  final class Session {
    final long id;
    private final Map<String, CompletableFuture<JSONObject>> pending = new ConcurrentHashMap<>();
    private final Consumer<JSONObject> unsolicited;
    private volatile boolean closed;

    Session(long id, Consumer<JSONObject> unsolicited) {
      this.id = id;
      this.unsolicited = unsolicited;
      poll();
    }

    /**
     * An asynchronous plugin message (join, publish, start...): completes with the event that
     * carries its transaction.
     */
    CompletableFuture<JSONObject> message(long handle, JSONObject body, JSONObject jsep) {
      String tx = transaction();
      CompletableFuture<JSONObject> event = new CompletableFuture<>();
      pending.put(tx, event);
      JSONObject msg =
          new JSONObject().put("janus", "message").put("transaction", tx).put("body", body);
      if (jsep != null) {
        msg.put("jsep", jsep);
      }
      post("/" + id + "/" + handle, msg)
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  pending.remove(tx);
                  event.completeExceptionally(e);
                } else if (!"ack".equals(r.optString("janus"))) {
                  pending.remove(tx);
                  event.complete(r);
                }
              });
      return event;
    }

    CompletableFuture<JSONObject> trickleCompleted(long handle) {
      return post(
          "/" + id + "/" + handle,
          new JSONObject()
              .put("janus", "trickle")
              .put("candidate", new JSONObject().put("completed", true)));
    }

    CompletableFuture<JSONObject> keepalive() {
      return post("/" + id, new JSONObject().put("janus", "keepalive"));
    }

    private void poll() {
      if (closed) {
        return;
      }
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(base + "/" + id + "?maxev=20"))
              .timeout(Duration.ofSeconds(40))
              .GET()
              .build();
      http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (r, e) -> {
                if (closed) {
                  return;
                }
                if (e == null) {
                  String body = r.body().trim();
                  if (TRACE) {
                    System.err.println("janus event " + body);
                  }
                  if (body.startsWith("[")) {
                    JSONArray events = new JSONArray(body);
                    for (int i = 0; i < events.length(); i++) {
                      dispatch(events.getJSONObject(i));
                    }
                  } else if (body.startsWith("{")) {
                    dispatch(new JSONObject(body));
                  }
                }
                poll();
              });
    }

    private void dispatch(JSONObject event) {
      String tx = event.optString("transaction", null);
      CompletableFuture<JSONObject> waiting = tx == null ? null : pending.remove(tx);
      if (waiting != null) {
        JSONObject data =
            event.optJSONObject("plugindata") == null
                ? null
                : event.getJSONObject("plugindata").optJSONObject("data");
        if (data != null && data.has("error")) {
          waiting.completeExceptionally(
              new IllegalStateException("VideoRoom: " + data.getString("error")));
        } else {
          waiting.complete(event);
        }
      } else if (!"keepalive".equals(event.optString("janus"))) {
        unsolicited.accept(event);
      }
    }

    CompletableFuture<JSONObject> destroy() {
      closed = true;
      pending.values().forEach(f -> f.cancel(false));
      return post("/" + id, new JSONObject().put("janus", "destroy"));
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
