package io.parley.signalling.room;

import io.parley.sfu.api.ConsumerInfo;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.api.SfuApi;
import io.parley.sfu.api.TransportInfo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The SFU's control API as Vert.x futures that complete on the signalling context, so room state
 * keeps one owner (the SFU completes its futures on its own room threads).
 */
final class MediaPlane {
  private final SfuApi sfu;
  private final Context context;

  MediaPlane(SfuApi sfu, Context context) {
    this.sfu = sfu;
    this.context = context;
  }

  Future<TransportInfo> createEndpoint(String roomId, String endpointId) {
    return call(() -> sfu.createEndpoint(roomId, endpointId));
  }

  Future<Void> connectEndpoint(String roomId, String endpointId, RemoteTransportParams remote) {
    return call(() -> sfu.connectEndpoint(roomId, endpointId, remote));
  }

  Future<Void> addProducer(String roomId, String endpointId, ProducerSpec spec) {
    return call(() -> sfu.addProducer(roomId, endpointId, spec));
  }

  Future<Void> removeProducer(String roomId, String producerId) {
    return call(() -> sfu.removeProducer(roomId, producerId));
  }

  Future<ConsumerInfo> addConsumer(String roomId, String endpointId, ConsumerSpec spec) {
    return call(() -> sfu.addConsumer(roomId, endpointId, spec));
  }

  Future<Void> removeConsumer(String roomId, String consumerId) {
    return call(() -> sfu.removeConsumer(roomId, consumerId));
  }

  Future<Void> setConsumerPaused(String roomId, String consumerId, boolean paused) {
    return call(() -> sfu.setConsumerPaused(roomId, consumerId, paused));
  }

  Future<Void> setConsumerMaxLayer(String roomId, String consumerId, int maxLayer) {
    return call(() -> sfu.setConsumerMaxLayer(roomId, consumerId, maxLayer));
  }

  Future<Void> closeEndpoint(String roomId, String endpointId) {
    return call(() -> sfu.closeEndpoint(roomId, endpointId));
  }

  private <T> Future<T> call(Supplier<CompletableFuture<T>> command) {
    try {
      return Future.fromCompletionStage(command.get(), context);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
