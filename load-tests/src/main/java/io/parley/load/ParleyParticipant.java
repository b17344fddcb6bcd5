package io.parley.load;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.parley.signalling.sdp.SessionDescription;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.json.JSONObject;

/**
 * A synthetic participant speaking Parley's signalling as the browser does: Socket.IO over a
 * WebSocket, {@code join}, then {@code publish} with its offer (the server answers), and answers to
 * every {@code subscribe-offer} the server pushes.
 */
final class ParleyParticipant extends Participant {
  /**
   * The HTTP client of every participant's Socket.IO connection. The Java client's default one runs
   * each WebSocket's reader as a call of OkHttp's dispatcher, which allows 64 calls at once: the
   * 65th participant's connection waited and timed out, so parley-load could never connect more
   * than 64 participants to Parley (capacity searches stopped at 64 of 70 "failed to join").
   */
  private static final OkHttpClient HTTP = http();

  private static OkHttpClient http() {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(100_000);
    dispatcher.setMaxRequestsPerHost(100_000);
    return new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .readTimeout(1, TimeUnit.MINUTES)
        .pingInterval(0, TimeUnit.SECONDS)
        .build();
  }

  /**
   * Where participants do their signalling work. The Socket.IO client runs every participant's
   * events and acknowledgements on one thread; opening a transport there waits for a busy media
   * event loop and delays every other participant's answers (seen as late subscribe answers, slow
   * joins and stalled streams). Work is queued here instead, in order per participant.
   */
  private static final ExecutorService SIGNALLING =
      Executors.newCachedThreadPool(new DefaultThreadFactory("load-signalling", true));

  private final URI server;
  private final String roomId;
  private final String preferredHost;
  private Socket socket;
  // Only touched on the Socket.IO event thread: this participant's queue of signalling work.
  private CompletableFuture<Void> work = CompletableFuture.completedFuture(null);

  ParleyParticipant(Context ctx, URI server, String roomId, String name, boolean publishes) {
    super(ctx, name, publishes);
    this.server = server;
    this.roomId = roomId;
    this.preferredHost = server.getHost();
  }

  @Override
  CompletableFuture<Void> start() {
    CompletableFuture<Void> joined = new CompletableFuture<>();
    IO.Options options =
        IO.Options.builder()
            .setTransports(new String[] {WebSocket.NAME})
            .setReconnection(false)
            .setForceNew(true)
            .setTimeout(15_000)
            .build();
    options.callFactory = HTTP;
    options.webSocketFactory = HTTP;
    socket = IO.socket(server, options);
    socket.on("subscribe-offer", args -> offload(() -> onSubscribeOffer(args)));
    socket.on(
        "removed",
        args -> {
          failed = true;
          ctx.stats().error(name + " removed: " + args[0]);
        });
    socket.on(
        Socket.EVENT_CONNECT_ERROR,
        args -> {
          failed = true;
          joined.completeExceptionally(
              new IllegalStateException("cannot connect to " + server + ": " + args[0]));
        });
    socket.once(Socket.EVENT_CONNECT, args -> join(joined));
    joinNanos = System.nanoTime();
    socket.connect();
    return joined;
  }

  private void join(CompletableFuture<Void> joined) {
    JSONObject request = new JSONObject().put("roomId", roomId).put("name", name);
    socket.emit(
        "join",
        new Object[] {request},
        (Ack)
            args -> {
              JSONObject reply = (JSONObject) args[0];
              if (!reply.optBoolean("ok")) {
                fail(joined, "join refused: " + reply.optString("error"));
                return;
              }
              if (publishes) {
                offload(() -> publish(joined));
              } else {
                joined.complete(null);
              }
            });
  }

  private void publish(CompletableFuture<Void> joined) {
    List<Sdp.Track> tracks;
    String offer;
    try {
      tracks = preparePublish();
      offer = Sdp.publishOffer(publishTransport, ctx.media(), tracks, name, "s" + name);
    } catch (RuntimeException e) {
      fail(joined, "cannot prepare the offer: " + e);
      return;
    }
    JSONObject sources = new JSONObject();
    for (Sdp.Track t : tracks) {
      sources.put(t.mid(), t.video() ? "camera" : "mic");
    }
    socket.emit(
        "publish",
        new Object[] {new JSONObject().put("sdp", offer).put("sources", sources)},
        (Ack)
            args -> {
              JSONObject reply = (JSONObject) args[0];
              if (!reply.optBoolean("ok")) {
                fail(joined, "publish refused: " + reply.optString("error"));
                return;
              }
              try {
                SessionDescription answer = SessionDescription.parse(reply.getString("sdp"));
                publishTransport.start(
                    Sdp.remoteOf(answer, preferredHost), true, Sdp.roleFromAnswer(answer));
              } catch (RuntimeException e) {
                fail(joined, "bad publish answer: " + e);
                return;
              }
              publishTransport
                  .connected()
                  .orTimeout(20, TimeUnit.SECONDS)
                  .whenComplete(
                      (v, e) -> {
                        if (e != null) {
                          fail(joined, "publish transport: " + e.getMessage());
                        } else {
                          startSending();
                          joined.complete(null);
                        }
                      });
            });
  }

  private void onSubscribeOffer(Object... args) {
    JSONObject offer = (JSONObject) args[0];
    Ack ack = args.length > 1 && args[args.length - 1] instanceof Ack a ? a : null;
    try {
      SessionDescription sdp = SessionDescription.parse(offer.getString("sdp"));
      acceptTransportCc(sdp);
      boolean first = subscribeTransport == null;
      if (first) {
        subscribeTransport = newSubscribeTransport();
      }
      String answer = Sdp.subscribeAnswer(sdp, subscribeTransport);
      if (first) {
        // The server is ICE-lite: we control; it is the DTLS server (a=setup:passive).
        subscribeTransport.start(
            Sdp.remoteOf(sdp, preferredHost), true, io.parley.sfu.dtls.DtlsRole.CLIENT);
        subscribeTransport
            .connected()
            .orTimeout(20, TimeUnit.SECONDS)
            .whenComplete(
                (v, e) -> {
                  if (e != null) {
                    failed = true;
                    ctx.stats().error(name + " subscribe transport: " + e.getMessage());
                  } else {
                    subscribeConnected = true;
                  }
                });
      }
      if (ack != null) {
        ack.call(new JSONObject().put("ok", true).put("sdp", answer));
      }
    } catch (RuntimeException e) {
      ctx.stats().error(name + " cannot answer a subscribe offer: " + e);
      if (ack != null) {
        ack.call(new JSONObject().put("ok", false).put("error", e.toString()));
      }
    }
  }

  /** Runs {@code task} off the Socket.IO event thread, after this participant's earlier work. */
  private void offload(Runnable task) {
    work =
        work.thenRunAsync(task, SIGNALLING)
            .exceptionally(
                e -> {
                  failed = true;
                  ctx.stats().error(name + " signalling: " + e);
                  return null;
                });
  }

  private void fail(CompletableFuture<Void> joined, String message) {
    failed = true;
    joined.completeExceptionally(new IllegalStateException(name + ": " + message));
  }

  @Override
  void stopSignalling() {
    if (socket != null) {
      socket.off();
      socket.disconnect();
      socket.close();
    }
  }
}
