package io.parley.signalling.room;

import io.parley.signalling.protocol.ServerEvent;
import io.parley.signalling.protocol.SubscribeAnswer;
import io.vertx.core.Future;

/** A participant's signalling channel, as the room layer sees it. */
public interface Connection {
  void send(ServerEvent event);

  /** Sends a subscribe offer and completes with the browser's acknowledgement. */
  Future<SubscribeAnswer> offer(ServerEvent.SubscribeOffer offer);
}
