package io.parley.signalling.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.RemoteTransportParams;
import java.util.Objects;

/**
 * The control API's messages, one WebSocket text message each.
 *
 * <ul>
 *   <li>signalling → node: a {@link Request}, {@code {"id":7,"method":"createEndpoint",...}}, one
 *       record per {@code SfuApi} method;
 *   <li>node → signalling: a {@link Reply} with the request's id, {@code {"id":7,"ok":true,
 *       "result":{...}}} or {@code {"id":7,"ok":false,"error":"..."}};
 *   <li>node → signalling: an {@link Event}, {@code {"event":"endpointDisconnected",...}}: the
 *       {@code SfuListener} events of the rooms this connection made, and the node's {@link
 *       Event.NodeStatus}.
 * </ul>
 *
 * Anything malformed gets an error reply (with the id, when one could be read) and changes nothing.
 */
public final class ControlProtocol {
  /** The path of the WebSocket on an SFU node's control port. */
  public static final String PATH = "/control";

  /** Largest message either side accepts; bigger ones get an error reply. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  /** Longest room, endpoint, producer or consumer id. */
  static final int MAX_ID_LENGTH = 256;

  private ControlProtocol() {}

  /** A command for the node; {@code id} pairs it with its reply. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "method")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Request.CreateEndpoint.class, name = "createEndpoint"),
    @JsonSubTypes.Type(value = Request.ConnectEndpoint.class, name = "connectEndpoint"),
    @JsonSubTypes.Type(value = Request.AddProducer.class, name = "addProducer"),
    @JsonSubTypes.Type(value = Request.RemoveProducer.class, name = "removeProducer"),
    @JsonSubTypes.Type(value = Request.AddConsumer.class, name = "addConsumer"),
    @JsonSubTypes.Type(value = Request.RemoveConsumer.class, name = "removeConsumer"),
    @JsonSubTypes.Type(value = Request.SetConsumerPaused.class, name = "setConsumerPaused"),
    @JsonSubTypes.Type(value = Request.SetConsumerMaxLayer.class, name = "setConsumerMaxLayer"),
    @JsonSubTypes.Type(value = Request.CloseEndpoint.class, name = "closeEndpoint")
  })
  public sealed interface Request {
    long id();

    String roomId();

    record CreateEndpoint(long id, String roomId, String endpointId) implements Request {
      public CreateEndpoint {
        ids(roomId, endpointId);
      }
    }

    record ConnectEndpoint(long id, String roomId, String endpointId, RemoteTransportParams remote)
        implements Request {
      public ConnectEndpoint {
        ids(roomId, endpointId);
        Objects.requireNonNull(remote, "remote is missing");
      }
    }

    record AddProducer(long id, String roomId, String endpointId, ProducerSpec spec)
        implements Request {
      public AddProducer {
        ids(roomId, endpointId);
        Objects.requireNonNull(spec, "spec is missing");
        ids(spec.producerId());
      }
    }

    record RemoveProducer(long id, String roomId, String producerId) implements Request {
      public RemoveProducer {
        ids(roomId, producerId);
      }
    }

    record AddConsumer(long id, String roomId, String endpointId, ConsumerSpec spec)
        implements Request {
      public AddConsumer {
        ids(roomId, endpointId);
        Objects.requireNonNull(spec, "spec is missing");
        ids(spec.consumerId(), spec.producerId());
      }
    }

    record RemoveConsumer(long id, String roomId, String consumerId) implements Request {
      public RemoveConsumer {
        ids(roomId, consumerId);
      }
    }

    record SetConsumerPaused(long id, String roomId, String consumerId, boolean paused)
        implements Request {
      public SetConsumerPaused {
        ids(roomId, consumerId);
      }
    }

    record SetConsumerMaxLayer(long id, String roomId, String consumerId, int maxLayer)
        implements Request {
      public SetConsumerMaxLayer {
        ids(roomId, consumerId);
      }
    }

    record CloseEndpoint(long id, String roomId, String endpointId) implements Request {
      public CloseEndpoint {
        ids(roomId, endpointId);
      }
    }
  }

  /** The answer to one request: a result (may be null) or an error message. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Reply(Long id, boolean ok, JsonNode result, String error) {
    static Reply success(long id, JsonNode result) {
      return new Reply(id, true, result, null);
    }

    static Reply failure(Long id, String error) {
      return new Reply(id, false, null, error);
    }
  }

  /** What the node tells signalling without being asked. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Event.NodeStatus.class, name = "nodeStatus"),
    @JsonSubTypes.Type(value = Event.EndpointConnected.class, name = "endpointConnected"),
    @JsonSubTypes.Type(value = Event.EndpointDisconnected.class, name = "endpointDisconnected"),
    @JsonSubTypes.Type(value = Event.ProducerAdded.class, name = "producerAdded"),
    @JsonSubTypes.Type(value = Event.ProducerClosed.class, name = "producerClosed"),
    @JsonSubTypes.Type(value = Event.ConsumerAdded.class, name = "consumerAdded"),
    @JsonSubTypes.Type(value = Event.ConsumerClosed.class, name = "consumerClosed"),
    @JsonSubTypes.Type(value = Event.ProducerActive.class, name = "producerActive"),
    @JsonSubTypes.Type(
        value = Event.ConsumerBandwidthPaused.class,
        name = "consumerBandwidthPaused"),
    @JsonSubTypes.Type(value = Event.DominantSpeakerChanged.class, name = "dominantSpeakerChanged")
  })
  public sealed interface Event {
    /**
     * The node's state: {@code ready} is false while it drains (it takes no new rooms), {@code
     * rooms} counts its rooms from every signalling server.
     */
    record NodeStatus(boolean ready, int rooms) implements Event {}

    record EndpointConnected(String roomId, String endpointId) implements Event {}

    record EndpointDisconnected(String roomId, String endpointId, String reason) implements Event {}

    record ProducerAdded(String roomId, String endpointId, String producerId) implements Event {}

    record ProducerClosed(String roomId, String producerId) implements Event {}

    record ConsumerAdded(String roomId, String endpointId, String consumerId) implements Event {}

    record ConsumerClosed(String roomId, String consumerId) implements Event {}

    record ProducerActive(String roomId, String producerId) implements Event {}

    record ConsumerBandwidthPaused(String roomId, String consumerId, boolean paused)
        implements Event {}

    /** {@code endpointId} is null when nobody speaks. */
    record DominantSpeakerChanged(String roomId, String endpointId) implements Event {}
  }

  /** A message that cannot be used, with the request id when one could be read. */
  public static final class BadMessage extends Exception {
    private final Long id;

    BadMessage(Long id, String message) {
      super(message);
      this.id = id;
    }

    public Long id() {
      return id;
    }
  }

  private static void ids(String... ids) {
    for (String id : ids) {
      if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
        throw new IllegalArgumentException("ids must be 1.." + MAX_ID_LENGTH + " characters long");
      }
    }
  }

  /** The one JSON mapping of these messages (thread-safe). */
  public static final class Codec {
    private final ObjectMapper json =
        new ObjectMapper()
            // A newer peer may add fields; an older one ignores them.
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, false);

    public String encode(Object message) {
      try {
        return json.writeValueAsString(message);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
      }
    }

    public JsonNode toTree(Object value) {
      return json.valueToTree(value);
    }

    public <T> T fromTree(JsonNode node, Class<T> type) throws JsonProcessingException {
      return json.treeToValue(node, type);
    }

    /** Reads a request, or throws {@link BadMessage} with a message fit for the error reply. */
    public Request decodeRequest(String text) throws BadMessage {
      if (text.length() > MAX_MESSAGE_BYTES) {
        throw new BadMessage(null, "message too large (over " + MAX_MESSAGE_BYTES + " bytes)");
      }
      JsonNode tree;
      try {
        tree = json.readTree(text);
      } catch (JsonProcessingException e) {
        throw new BadMessage(null, "not JSON");
      }
      if (!(tree instanceof ObjectNode object)) {
        throw new BadMessage(null, "a request is a JSON object");
      }
      JsonNode idNode = object.get("id");
      if (idNode == null || !idNode.canConvertToLong() || !idNode.isIntegralNumber()) {
        throw new BadMessage(null, "a request needs a numeric id");
      }
      Long id = idNode.asLong();
      JsonNode method = object.get("method");
      if (method == null || !method.isTextual()) {
        throw new BadMessage(id, "a request needs a method");
      }
      try {
        return json.treeToValue(object, Request.class);
      } catch (InvalidTypeIdException e) {
        throw new BadMessage(id, "unknown method '" + method.asText() + "'");
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new BadMessage(id, "bad " + method.asText() + " request: " + reason(e));
      }
    }

    /** Reads a reply or an event from a node. */
    public Object decodeFromNode(String text) throws BadMessage {
      if (text.length() > MAX_MESSAGE_BYTES) {
        throw new BadMessage(null, "message too large");
      }
      try {
        JsonNode tree = json.readTree(text);
        if (tree != null && tree.has("event")) {
          return json.treeToValue(tree, Event.class);
        }
        return json.treeToValue(tree, Reply.class);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new BadMessage(null, "bad message from the node: " + reason(e));
      }
    }

    /** The first line of Jackson's message, without the source excerpt it appends. */
    private static String reason(Exception e) {
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      String m =
          cause instanceof JsonProcessingException j ? j.getOriginalMessage() : cause.getMessage();
      if (m == null) {
        return cause.getClass().getSimpleName();
      }
      int newline = m.indexOf('\n');
      m = newline < 0 ? m : m.substring(0, newline);
      return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }
  }
}
