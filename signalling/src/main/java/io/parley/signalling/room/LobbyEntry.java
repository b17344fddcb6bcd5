package io.parley.signalling.room;

import io.parley.signalling.protocol.ClientRequest;
import io.parley.signalling.protocol.Reply;
import io.vertx.core.Promise;

/** Someone knocking: their join waits in {@code reply} until the host admits or denies them. */
final class LobbyEntry {
  final String id;
  final String name;
  final Connection connection;
  final ClientRequest.Join request;
  final Promise<Reply> reply = Promise.promise();

  LobbyEntry(String id, String name, Connection connection, ClientRequest.Join request) {
    this.id = id;
    this.name = name;
    this.connection = connection;
    this.request = request;
  }
}
