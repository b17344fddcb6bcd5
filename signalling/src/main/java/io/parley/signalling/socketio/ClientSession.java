package io.parley.signalling.socketio;

import io.parley.sfu.api.SfuException;
import io.parley.signalling.protocol.ClientRequest;
import io.parley.signalling.protocol.MessageCodec;
import io.parley.signalling.protocol.ProtocolException;
import io.parley.signalling.protocol.Reply;
import io.parley.signalling.protocol.ServerEvent;
import io.parley.signalling.protocol.SubscribeAnswer;
import io.parley.signalling.room.Connection;
import io.parley.signalling.room.RoomService;
import io.socket.socketio.server.SocketIoSocket;
import io.socket.socketio.server.SocketIoSocket.ReceivedByLocalAcknowledgementCallback;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's Socket.IO connection: checks each event's size and shape, hands valid requests to
 * the {@link RoomService}, and acknowledges with its reply or a clear error. Everything runs on the
 * signalling context (engine.io calls in from its own timer thread too).
 */
public final class ClientSession implements Connection {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
  private static final long OFFER_TIMEOUT_MS = 15_000;

  private final SocketIoSocket socket;
  private final RoomService rooms;
  private final Context context;
  private final MessageCodec codec;
  private final int maxMessageBytes;

  public ClientSession(
      SocketIoSocket socket,
      RoomService rooms,
      Context context,
      MessageCodec codec,
      int maxMessageBytes) {
    this.socket = socket;
    this.rooms = rooms;
    this.context = context;
    this.codec = codec;
    this.maxMessageBytes = maxMessageBytes;
    socket.registerAllEventListener(
        (event, args) -> context.runOnContext(v -> onEvent(event, args)));
    socket.on("disconnect", args -> context.runOnContext(v -> rooms.leave(this)));
  }

  private void onEvent(String event, Object[] args) {
    if (event.equals("disconnect") || event.equals("disconnecting")) {
      return;
    }
    ReceivedByLocalAcknowledgementCallback ack = null;
    Object[] payload = args;
    if (args.length > 0
        && args[args.length - 1] instanceof ReceivedByLocalAcknowledgementCallback a) {
      ack = a;
      payload = Arrays.copyOf(args, args.length - 1);
    }
    final ReceivedByLocalAcknowledgementCallback reply = ack;
    Future<Reply> result;
    try {
      if (MessageCodec.sizeOf(payload) > maxMessageBytes) {
        throw new ProtocolException(
            "message too large: the limit is " + maxMessageBytes + " bytes");
      }
      if (payload.length > 1) {
        throw new ProtocolException("'" + event + "' takes one JSON object");
      }
      ClientRequest request = codec.decode(event, payload.length == 0 ? null : payload[0]);
      result = rooms.handle(this, request);
    } catch (ProtocolException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(
        r -> {
          Reply out;
          if (r.succeeded()) {
            out = r.result();
          } else {
            out = new Reply.Error(errorMessage(r.cause()), codeOf(r.cause()));
            log.debug("{} '{}' refused: {}", socket.getId(), event, out);
          }
          if (reply != null) {
            reply.sendAcknowledgement(codec.encode(out));
          } else if (out instanceof Reply.Error e) {
            send(new ServerEvent.RequestFailed(event, e.error()));
          }
        });
  }

  private static String codeOf(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof ProtocolException p ? p.code() : null;
  }

  private String errorMessage(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ProtocolException) {
      return t.getMessage();
    }
    if (t instanceof SfuException) {
      // The media plane refused with a message meant for the client (e.g. its room closed while
      // the request was on its way): one line, no stack trace.
      log.info("{}: the media plane refused a request: {}", socket.getId(), t.getMessage());
      return "the server could not do that: " + t.getMessage();
    }
    log.warn("{}: request failed", socket.getId(), t);
    return "the server could not do that: " + t.getMessage();
  }

  @Override
  public void send(ServerEvent event) {
    socket.send(event.event(), codec.encode(event));
  }

  @Override
  public Future<SubscribeAnswer> offer(ServerEvent.SubscribeOffer offer) {
    Promise<SubscribeAnswer> promise = Promise.promise();
    long timer =
        context
            .owner()
            .setTimer(
                OFFER_TIMEOUT_MS,
                id -> promise.tryFail("no answer to the subscribe offer within 15 s"));
    socket.send(
        offer.event(),
        new Object[] {codec.encode(offer)},
        args ->
            context.runOnContext(
                v -> {
                  context.owner().cancelTimer(timer);
                  try {
                    promise.tryComplete(codec.decodeAnswer(args.length > 0 ? args[0] : null));
                  } catch (ProtocolException e) {
                    promise.tryFail(e);
                  }
                }));
    return promise.future();
  }
}
