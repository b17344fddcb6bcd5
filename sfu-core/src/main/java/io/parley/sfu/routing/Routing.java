package io.parley.sfu.routing;

import io.parley.sfu.api.ConsumerInfo;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.SfuException;

/** The control commands that wire producers and consumers inside a room; room thread only. */
public final class Routing {
  private Routing() {}

  /**
   * Lets a tool see every decrypted RTCP packet the SFU receives (e.g. to capture real browser RTCP
   * as test fixtures); null removes it. Called on room threads: copy what you keep.
   */
  public static void setRtcpTap(java.util.function.Consumer<io.netty.buffer.ByteBuf> tap) {
    MediaFeedback.rtcpTap = tap;
  }

  public static void addProducer(Room room, String endpointId, ProducerSpec spec) {
    Endpoint endpoint = room.endpoint(endpointId);
    Producer producer = new Producer(spec, endpoint);
    room.addProducer(producer);
    endpoint.addProducer(producer);
    room.context().events().producerAdded(room.id(), endpointId, spec.producerId());
  }

  public static ConsumerInfo addConsumer(
      Room room, String subscriberEndpointId, ConsumerSpec spec) {
    Endpoint subscriber = room.endpoint(subscriberEndpointId);
    Producer producer = room.producer(spec.producerId());
    if (producer.endpoint() == subscriber) {
      throw new SfuException("an endpoint cannot consume its own producer " + spec.producerId());
    }
    if (!producer.spec().codec().name().equalsIgnoreCase(spec.codec().name())) {
      throw new SfuException(
          "consumer codec "
              + spec.codec().name()
              + " differs from producer's "
              + producer.spec().codec().name());
    }
    Consumer consumer = new Consumer(spec, producer, subscriber);
    room.addConsumer(consumer);
    subscriber.addConsumer(consumer);
    producer.addConsumer(consumer);
    room.context().events().consumerAdded(room.id(), subscriberEndpointId, spec.consumerId());
    Endpoint publisher = producer.endpoint();
    return new ConsumerInfo(
        consumer.id(),
        producer.kind(),
        consumer.ssrc(),
        "parley-" + publisher.id(),
        "stream-" + publisher.id(),
        producer.id());
  }
}
