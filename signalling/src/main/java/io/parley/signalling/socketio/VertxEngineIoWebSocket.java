package io.parley.signalling.socketio;

import io.socket.engineio.server.EngineIoWebSocket;
import io.socket.engineio.server.utils.ParseQS;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * engine.io's view of a Vert.x WebSocket: writes go to the socket, and the socket's messages, close
 * and errors become the engine.io events {@code message}, {@code close}, {@code error}.
 */
final class VertxEngineIoWebSocket extends EngineIoWebSocket {
  private final ServerWebSocket ws;
  private final Map<String, String> query;
  private final Map<String, List<String>> headers = new HashMap<>();

  VertxEngineIoWebSocket(ServerWebSocket ws) {
    this.ws = ws;
    this.query = ws.query() == null ? Map.of() : ParseQS.decode(ws.query());
    ws.headers()
        .forEach(
            e -> headers.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
    ws.textMessageHandler(text -> emit("message", text));
    ws.binaryMessageHandler(buf -> emit("message", (Object) buf.getBytes()));
    ws.closeHandler(v -> emit("close"));
    ws.exceptionHandler(t -> emit("error", "websocket error", String.valueOf(t.getMessage())));
  }

  @Override
  public Map<String, String> getQuery() {
    return query;
  }

  @Override
  public Map<String, List<String>> getConnectionHeaders() {
    return headers;
  }

  @Override
  public void write(String message) {
    ws.writeTextMessage(message);
  }

  @Override
  public void write(byte[] message) {
    ws.writeBinaryMessage(Buffer.buffer(message));
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      ws.close();
    }
  }
}
