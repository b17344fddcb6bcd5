package io.parley.signalling.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The one JSON codec of the signalling channel: socket.io-server hands over org.json values, this
 * turns them into the protocol records (and back) through Jackson.
 */
public final class MessageCodec {
  private static final Map<String, Class<? extends ClientRequest>> REQUESTS = ClientRequest.EVENTS;

  private final ObjectMapper mapper =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  public static boolean isRequest(String event) {
    return REQUESTS.containsKey(event);
  }

  /**
   * Decodes an event's payload.
   *
   * @param payload a JSONObject, or null for events without one
   * @throws ProtocolException with a message for the client
   */
  public ClientRequest decode(String event, Object payload) {
    Class<? extends ClientRequest> type = REQUESTS.get(event);
    if (type == null) {
      throw new ProtocolException("unknown event '" + event + "'");
    }
    String json;
    if (payload == null || payload == JSONObject.NULL) {
      json = "{}";
    } else if (payload instanceof JSONObject o) {
      json = o.toString();
    } else {
      throw new ProtocolException("'" + event + "' needs a JSON object");
    }
    try {
      return mapper.readValue(json, type);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof ProtocolException p) {
        throw p;
      }
      throw new ProtocolException("malformed '" + event + "': " + e.getOriginalMessage());
    } catch (JsonMappingException e) {
      throw new ProtocolException("malformed '" + event + "': " + e.getOriginalMessage());
    } catch (Exception e) {
      throw new ProtocolException("malformed '" + event + "'");
    }
  }

  /** Decodes a client's acknowledgement of a subscribe offer. */
  public SubscribeAnswer decodeAnswer(Object payload) {
    if (!(payload instanceof JSONObject o)) {
      throw new ProtocolException("the subscribe answer must be a JSON object");
    }
    try {
      return mapper.readValue(o.toString(), SubscribeAnswer.class);
    } catch (Exception e) {
      throw new ProtocolException("malformed subscribe answer");
    }
  }

  /** Encodes a record as the org.json object socket.io-server sends. */
  public JSONObject encode(Object message) {
    try {
      return new JSONObject(mapper.writeValueAsString(message));
    } catch (Exception e) {
      throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** The size of an event's arguments as JSON text, to enforce the message size limit. */
  public static int sizeOf(Object[] args) {
    int size = 0;
    for (Object a : args) {
      if (a instanceof JSONObject || a instanceof JSONArray || a instanceof String) {
        size += a.toString().length();
      } else if (a instanceof byte[] b) {
        size += b.length;
      }
    }
    return size;
  }
}
