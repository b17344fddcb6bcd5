package io.parley.signalling.support;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;

/**
 * A signalling client on the Java socket.io client: requests with acknowledgements, and a queue of
 * every event the server pushed. Subscribe offers are answered like a browser would.
 */
public final class TestClient implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** An event the server pushed. */
  public record Event(String name, JSONObject payload) {}

  private final Socket socket;
  public final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  public volatile boolean answerOffers = true;

  public TestClient(int port) throws Exception {
    IO.Options options =
        IO.Options.builder()
            .setTransports(new String[] {WebSocket.NAME})
            .setForceNew(true)
            .setReconnection(false)
            .build();
    socket = IO.socket(URI.create("http://127.0.0.1:" + port), options);
    CompletableFuture<Void> connected = new CompletableFuture<>();
    socket.once(Socket.EVENT_CONNECT, a -> connected.complete(null));
    socket.once(
        Socket.EVENT_CONNECT_ERROR,
        a -> connected.completeExceptionally(new IllegalStateException(String.valueOf(a[0]))));
    socket.onAnyIncoming(
        args -> {
          String name = (String) args[0];
          JSONObject payload = args.length > 1 && args[1] instanceof JSONObject o ? o : null;
          events.add(new Event(name, payload));
          if (name.equals("subscribe-offer")
              && answerOffers
              && args[args.length - 1] instanceof Ack ack) {
            ack.call(
                new JSONObject()
                    .put("ok", true)
                    .put("sdp", BrowserSdp.answer(payload.getString("sdp"))));
          }
        });
    socket.connect();
    connected.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Emits an event with an acknowledgement and waits for the reply. */
  public JSONObject request(String event, Object... args) throws Exception {
    CompletableFuture<JSONObject> reply = new CompletableFuture<>();
    socket.emit(event, args, r -> reply.complete((JSONObject) r[0]));
    return reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Emits an event with an acknowledgement; the future completes with the reply. */
  public CompletableFuture<JSONObject> requestAsync(String event, Object... args) {
    CompletableFuture<JSONObject> reply = new CompletableFuture<>();
    socket.emit(event, args, r -> reply.complete((JSONObject) r[0]));
    return reply;
  }

  /** Emits an event without an acknowledgement. */
  public void emit(String event, Object... args) {
    socket.emit(event, args);
  }

  /** Waits for the next event named {@code name}, skipping others. */
  public Event next(String name) throws InterruptedException {
    Instant deadline = Instant.now().plus(TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      Event e =
          events.poll(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS);
      if (e != null && e.name().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no '" + name + "' event within " + TIMEOUT);
  }

  /** Waits for the next event of any name. */
  public Event next() throws InterruptedException {
    Event e = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (e == null) {
      throw new AssertionError("no event within " + TIMEOUT);
    }
    return e;
  }

  public boolean connected() {
    return socket.connected();
  }

  @Override
  public void close() {
    socket.disconnect();
    socket.close();
  }
}
