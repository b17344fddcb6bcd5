package io.parley.signalling.support;

import io.parley.sfu.api.ConsumerInfo;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.RemoteTransportParams;
import io.parley.sfu.api.SfuApi;
import io.parley.sfu.api.SfuListener;
import io.parley.sfu.api.TransportInfo;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A media plane that only keeps books: it answers every command from its own thread (as the real
 * SFU answers from room threads) and records what it was told.
 */
public final class FakeSfu implements SfuApi, AutoCloseable {
  public final List<String> calls = new CopyOnWriteArrayList<>();
  public final Map<String, RemoteTransportParams> connected = new ConcurrentHashMap<>();
  public final Map<String, ProducerSpec> producers = new ConcurrentHashMap<>();
  public final Map<String, ConsumerSpec> consumers = new ConcurrentHashMap<>();

  /** consumerId → paused, as last set. */
  public final Map<String, Boolean> paused = new ConcurrentHashMap<>();

  private final List<SfuListener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService thread = Executors.newSingleThreadExecutor();
  private final AtomicLong ssrc = new AtomicLong(1000);

  private <T> CompletableFuture<T> run(String call, Supplier<T> body) {
    calls.add(call);
    return CompletableFuture.supplyAsync(body, thread);
  }

  @Override
  public CompletableFuture<TransportInfo> createEndpoint(String roomId, String endpointId) {
    return run(
        "createEndpoint " + endpointId,
        () ->
            new TransportInfo(
                "u" + Math.abs(endpointId.hashCode()),
                "password-of-" + endpointId.replace('/', '-'),
                List.of(new IceCandidate("1", 1, "udp", 2130706431L, "127.0.0.1", 10000)),
                "sha-256",
                "AA:BB:CC:DD"));
  }

  @Override
  public CompletableFuture<Void> connectEndpoint(
      String roomId, String endpointId, RemoteTransportParams remote) {
    return run(
        "connectEndpoint " + endpointId,
        () -> {
          connected.put(endpointId, remote);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> addProducer(String roomId, String endpointId, ProducerSpec spec) {
    return run(
        "addProducer " + spec.producerId(),
        () -> {
          producers.put(spec.producerId(), spec);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> removeProducer(String roomId, String producerId) {
    return run(
        "removeProducer " + producerId,
        () -> {
          producers.remove(producerId);
          return null;
        });
  }

  @Override
  public CompletableFuture<ConsumerInfo> addConsumer(
      String roomId, String subscriberEndpointId, ConsumerSpec spec) {
    return run(
        "addConsumer " + spec.consumerId(),
        () -> {
          consumers.put(spec.consumerId(), spec);
          ProducerSpec p = producers.get(spec.producerId());
          return new ConsumerInfo(
              spec.consumerId(),
              p == null ? io.parley.sfu.api.MediaKind.AUDIO : p.kind(),
              ssrc.incrementAndGet(),
              "cname-" + spec.producerId(),
              "stream-" + spec.producerId(),
              "track-" + spec.producerId());
        });
  }

  @Override
  public CompletableFuture<Void> removeConsumer(String roomId, String consumerId) {
    return run(
        "removeConsumer " + consumerId,
        () -> {
          consumers.remove(consumerId);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> setConsumerPaused(
      String roomId, String consumerId, boolean paused) {
    return run(
        "setConsumerPaused " + consumerId,
        () -> {
          this.paused.put(consumerId, paused);
          return null;
        });
  }

  /** consumerId → the highest simulcast layer, as last set. */
  public final Map<String, Integer> maxLayers = new ConcurrentHashMap<>();

  @Override
  public CompletableFuture<Void> setConsumerMaxLayer(
      String roomId, String consumerId, int maxLayer) {
    return run(
        "setConsumerMaxLayer " + consumerId + " " + maxLayer,
        () -> {
          maxLayers.put(consumerId, maxLayer);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> closeEndpoint(String roomId, String endpointId) {
    return run("closeEndpoint " + endpointId, () -> null);
  }

  @Override
  public void addListener(SfuListener listener) {
    listeners.add(listener);
  }

  /** Tells the listeners an endpoint's transport died, from the SFU's thread. */
  public void disconnect(String roomId, String endpointId) {
    thread.execute(
        () ->
            listeners.forEach(l -> l.endpointDisconnected(roomId, endpointId, "consent expired")));
  }

  /** Tells the listeners the room's dominant speaker changed, from the SFU's thread. */
  public void speak(String roomId, String endpointId) {
    thread.execute(() -> listeners.forEach(l -> l.dominantSpeakerChanged(roomId, endpointId)));
  }

  /** Tells the listeners a consumer was paused (or resumed) for its subscriber's downlink. */
  public void bandwidthPause(String roomId, String consumerId, boolean paused) {
    thread.execute(
        () -> listeners.forEach(l -> l.consumerBandwidthPaused(roomId, consumerId, paused)));
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
