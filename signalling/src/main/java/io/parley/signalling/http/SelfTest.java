package io.parley.signalling.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.sfu.api.SfuApi;
import io.parley.sfu.api.TransportInfo;
import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.sdp.PublishNegotiator;
import io.parley.signalling.sdp.SessionDescription;
import io.parley.signalling.turn.TurnCredentials;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the connectivity self-test page ({@code /selftest}), on plain HTTP so the room
 * protocol is untouched. {@code GET /api/selftest/ice-servers} hands out the STUN/TURN servers a
 * participant would get (TURN credentials minted for a throwaway user); {@code POST
 * /api/selftest/probe} with {@code {"sdp": offer}} answers the browser's offer with a fresh SFU
 * endpoint in the {@code selftest} room and returns {@code {"sdp": answer}}. The page only checks
 * that ICE and DTLS complete: nothing is published. A probe's endpoint closes after {@link
 * #PROBE_LIFETIME_MS}; at most {@link #MAX_PROBES} are open at once. Runs on the server's context.
 */
final class SelfTest {
  private static final Logger log = LoggerFactory.getLogger(SelfTest.class);
  static final String ROOM = "selftest";
  static final long PROBE_LIFETIME_MS = 30_000;
  static final int MAX_PROBES = 16;
  private static final int MAX_BODY = 32 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ParleyConfig config;
  private final SfuApi sfu;
  private final Context context;
  private final ObjectMapper json =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
  private final PublishNegotiator negotiator = new PublishNegotiator();
  private int open;

  SelfTest(ParleyConfig config, SfuApi sfu, Context context) {
    this.config = config;
    this.sfu = sfu;
    this.context = context;
  }

  void iceServers(RoutingContext ctx) {
    List<ParleyConfig.IceServer> servers = new ArrayList<>(config.iceServers());
    if (config.turn().enabled()) {
      servers.add(
          TurnCredentials.mint(
              config.turn(), "selftest-" + id(), System.currentTimeMillis() / 1000));
    }
    reply(ctx, 200, Map.of("iceServers", servers));
  }

  void probe(RoutingContext ctx) {
    if (ctx.body().length() > MAX_BODY) {
      reply(ctx, 413, Map.of("error", "the offer is too large"));
      return;
    }
    SessionDescription offer;
    try {
      JsonNode body = json.readTree(ctx.body().asString());
      offer = SessionDescription.parse(body.path("sdp").asText());
    } catch (Exception e) {
      reply(ctx, 400, Map.of("error", "bad SDP offer: " + e.getMessage()));
      return;
    }
    if (open >= MAX_PROBES) {
      reply(ctx, 503, Map.of("error", "too many self-tests at once; try again in a minute"));
      return;
    }
    open++;
    String endpointId = "selftest-" + id();
    Future.fromCompletionStage(sfu.createEndpoint(ROOM, endpointId), context)
        .compose(
            local -> {
              PublishNegotiator.Result result = answer(offer, local);
              return Future.fromCompletionStage(
                      sfu.connectEndpoint(ROOM, endpointId, result.remote()), context)
                  .map(v -> result.answer().write());
            })
        .onComplete(
            r -> {
              // Close after its lifetime, whether or not the browser connected.
              context.owner().setTimer(PROBE_LIFETIME_MS, t -> close(endpointId));
              if (r.succeeded()) {
                reply(ctx, 200, Map.of("sdp", r.result()));
              } else {
                log.info("self-test probe refused: {}", r.cause().getMessage());
                reply(ctx, 400, Map.of("error", String.valueOf(r.cause().getMessage())));
              }
            });
  }

  private PublishNegotiator.Result answer(SessionDescription offer, TransportInfo local) {
    return negotiator.answer(
        offer, local, (mid, kind) -> "selftest-" + mid, (mid, kind) -> "probe");
  }

  private void close(String endpointId) {
    open--;
    sfu.closeEndpoint(ROOM, endpointId);
  }

  private void reply(RoutingContext ctx, int status, Object body) {
    try {
      ctx.response()
          .setStatusCode(status)
          .putHeader("content-type", "application/json")
          .putHeader("cache-control", "no-store")
          .end(json.writeValueAsString(body));
    } catch (Exception e) {
      ctx.fail(e);
    }
  }

  private static String id() {
    return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
  }
}
