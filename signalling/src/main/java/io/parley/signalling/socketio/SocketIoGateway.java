package io.parley.signalling.socketio;

import io.socket.engineio.server.EngineIoServer;
import io.socket.engineio.server.EngineIoServerOptions;
import io.socket.socketio.server.SocketIoNamespace;
import io.socket.socketio.server.SocketIoServer;
import io.socket.socketio.server.SocketIoSocket;
import io.vertx.core.http.ServerWebSocket;
import java.util.function.Consumer;

/**
 * Socket.IO (protocol v5, engine.io v4) over Vert.x WebSockets. Each connected socket of the
 * default namespace is handed to {@code onConnection}.
 */
public final class SocketIoGateway {
  private final EngineIoServer engine;
  private final SocketIoNamespace namespace;

  public SocketIoGateway(Consumer<SocketIoSocket> onConnection) {
    EngineIoServerOptions options = EngineIoServerOptions.newFromDefault();
    // Browsers load the client from this same origin; other origins get no CORS headers.
    options.setAllowedCorsOrigins(EngineIoServerOptions.ALLOWED_CORS_ORIGIN_NONE);
    options.setPingInterval(10_000);
    options.setPingTimeout(5_000);
    engine = new EngineIoServer(options);
    namespace = new SocketIoServer(engine).namespace("/");
    namespace.on("connection", args -> onConnection.accept((SocketIoSocket) args[0]));
  }

  /** Takes over an upgraded WebSocket on the Socket.IO path. */
  public void handle(ServerWebSocket ws) {
    engine.handleWebSocket(new VertxEngineIoWebSocket(ws));
  }

  public void close() {
    engine.shutdown();
  }
}
