package io.parley.signalling.room;

import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.TransportInfo;
import io.parley.signalling.protocol.ServerEvent.SubscribeOffer;
import io.parley.signalling.protocol.SubscribeAnswer;
import io.parley.signalling.sdp.SessionDescription;
import io.parley.signalling.sdp.SubscribeOfferBuilder;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A participant's subscribe transport: a consumer per track of the others, and the offers that
 * announce them. One negotiation at a time: changes during one are folded into the next offer, so
 * the server never has two offers out (no glare).
 */
final class Subscriber {
  private static final Logger log = LoggerFactory.getLogger(Subscriber.class);

  private final String roomId;
  private final String endpointId;
  private final MediaPlane media;
  private final Connection connection;
  private final SubscribeOfferBuilder sdp;

  /** producerId → the track and its consumer id; a track is here once its consumer exists. */
  private final Map<String, Track> consumed = new LinkedHashMap<>();

  /** Tracks whose consumer is being created (on the signalling context, like everything here). */
  private final java.util.Set<String> pending = new java.util.HashSet<>();

  /** Whether a consumed track's owner has its mic muted (its audio is then not forwarded). */
  private final java.util.function.Predicate<Track> audioMuted;

  /** The videos shown (producer ids), or null until the client first says: then all are. */
  private java.util.Set<String> shown;

  /** producerId → whether its consumer is paused at the SFU now. */
  private final Map<String, Boolean> paused = new java.util.HashMap<>();

  /** producerId → the simulcast layer its tile's size calls for (absent: the best there is). */
  private Map<String, Integer> wantedLayer = Map.of();

  /** producerId → the layer cap set at the SFU. */
  private final Map<String, Integer> layerCap = new java.util.HashMap<>();

  private Future<TransportInfo> transport;
  private boolean connected;
  private boolean negotiating;
  private boolean dirty;
  private boolean closed;

  Subscriber(
      String roomId,
      String participantId,
      MediaPlane media,
      Connection connection,
      boolean red,
      boolean playoutDelay,
      java.util.function.Predicate<Track> audioMuted) {
    this.sdp = new SubscribeOfferBuilder(red, playoutDelay);
    this.audioMuted = audioMuted;
    this.roomId = roomId;
    this.endpointId = participantId + "/sub";
    this.media = media;
    this.connection = connection;
  }

  String endpointId() {
    return endpointId;
  }

  private String consumerId(Track t) {
    return endpointId + ":" + t.producerId();
  }

  /** The producer a consumer id of this subscriber's names, or null if the id is not one of its. */
  String producerOf(String consumerId) {
    String prefix = endpointId + ":";
    return consumerId.startsWith(prefix) ? consumerId.substring(prefix.length()) : null;
  }

  /** Starts receiving a track, then re-offers. */
  void add(Track track) {
    // A track can be announced twice while its consumer is being created (the room state at join
    // and a track-added event): one consumer per track.
    if (closed || consumed.containsKey(track.producerId()) || !pending.add(track.producerId())) {
      return;
    }
    if (transport == null) {
      transport = media.createEndpoint(roomId, endpointId);
    }
    String mid = sdp.reserve(track.kind());
    transport
        .compose(
            t ->
                media.addConsumer(
                    roomId,
                    endpointId,
                    new ConsumerSpec(
                        consumerId(track),
                        track.producerId(),
                        mid,
                        sdp.codecFor(track.kind()),
                        sdp.extensionsFor(track.kind()))))
        .onSuccess(
            info -> {
              if (closed) {
                return;
              }
              if (!pending.remove(track.producerId())) {
                // The track went away while its consumer was being made.
                sdp.release(mid);
                media.removeConsumer(roomId, consumerId(track));
                return;
              }
              sdp.attach(mid, info);
              consumed.put(track.producerId(), track);
              paused.put(track.producerId(), false);
              refresh(track);
              negotiate();
            })
        .onFailure(
            e -> {
              pending.remove(track.producerId());
              // Once closed (the participant left, or its room emptied), failures are expected.
              if (!closed) {
                log.warn(
                    "cannot consume {} for {}: {}", track.producerId(), endpointId, e.getMessage());
                sdp.release(mid);
              }
            });
  }

  /** Stops receiving a track (its producer is gone), then re-offers. */
  void remove(String producerId) {
    pending.remove(producerId);
    Track track = consumed.remove(producerId);
    paused.remove(producerId);
    layerCap.remove(producerId);
    if (closed || track == null) {
      return;
    }
    sdp.midOf(consumerId(track)).ifPresent(sdp::release);
    // The SFU may already have closed it with its producer; that is fine.
    media.removeConsumer(roomId, consumerId(track));
    negotiate();
  }

  /**
   * The videos the client shows now: the others' video consumers are paused at the SFU, so what is
   * off screen costs no bandwidth.
   */
  void setShown(Map<String, Integer> heights) {
    shown = java.util.Set.copyOf(heights.keySet());
    Map<String, Integer> layers = new java.util.HashMap<>();
    heights.forEach((producerId, height) -> layers.put(producerId, layerFor(height)));
    wantedLayer = layers;
    refreshAll();
  }

  /**
   * The simulcast layer for a tile this many device pixels high. Browsers send three layers at a
   * quarter, half and full resolution (320x180, 640x360 and 1280x720 from a 720p camera): the
   * smallest that still fills the tile.
   */
  static int layerFor(int height) {
    if (height <= 200) {
      return 0;
    }
    return height <= 400 ? 1 : 2;
  }

  /**
   * The simulcast layer of a video this subscriber needs now: the layer its tile calls for, or -1
   * when it does not receive or show it, or has not yet said what it shows (a newcomer's page does
   * within a second of joining; meanwhile it gets the layers there are, the lowest at least, so
   * nobody's encoder starts a layer for each person who comes in).
   */
  int layerWanted(String producerId) {
    if (closed
        || shown == null
        || !shown.contains(producerId)
        || !consumed.containsKey(producerId)) {
      return -1;
    }
    return wantedLayer.getOrDefault(producerId, Integer.MAX_VALUE);
  }

  /** Re-applies who is paused after a change (a mic muted or unmuted, a new view). */
  void refreshAll() {
    for (Track t : consumed.values()) {
      refresh(t);
    }
  }

  private void refreshLayer(Track t) {
    Integer want = wantedLayer.get(t.producerId());
    if (want == null || want.equals(layerCap.get(t.producerId()))) {
      return;
    }
    layerCap.put(t.producerId(), want);
    media
        .setConsumerMaxLayer(roomId, consumerId(t), want)
        .onFailure(
            e -> {
              if (!closed && consumed.containsKey(t.producerId())) {
                log.debug("cannot cap {} for {}: {}", t.producerId(), endpointId, e.getMessage());
              }
            });
  }

  /** Whether the SFU forwards the track to this subscriber now (for tests and logs). */
  boolean isPaused(String producerId) {
    return paused.getOrDefault(producerId, false);
  }

  private void refresh(Track t) {
    if (closed) {
      return;
    }
    boolean want =
        t.kind() == io.parley.sfu.api.MediaKind.AUDIO
            ? audioMuted.test(t)
            : shown != null && !shown.contains(t.producerId());
    Boolean now = paused.get(t.producerId());
    if (now == null) {
      return;
    }
    if (t.kind() == io.parley.sfu.api.MediaKind.VIDEO && !want) {
      refreshLayer(t);
    }
    if (now == want) {
      return;
    }
    paused.put(t.producerId(), want);
    media
        .setConsumerPaused(roomId, consumerId(t), want)
        .onFailure(
            e -> {
              if (!closed && consumed.containsKey(t.producerId())) {
                log.debug("cannot pause {} for {}: {}", t.producerId(), endpointId, e.getMessage());
              }
            });
  }

  void close() {
    closed = true;
    if (transport != null) {
      media.closeEndpoint(roomId, endpointId);
    }
  }

  private void negotiate() {
    if (closed || transport == null || !sdp.hasSections()) {
      return;
    }
    if (negotiating) {
      dirty = true;
      return;
    }
    negotiating = true;
    dirty = false;
    transport
        .compose(this::offerOnce)
        .onComplete(
            r -> {
              negotiating = false;
              if (r.failed() && !closed) {
                log.warn(
                    "subscribe negotiation of {} failed: {}", endpointId, r.cause().getMessage());
              }
              if (dirty) {
                negotiate();
              }
            });
  }

  private Future<Void> offerOnce(TransportInfo t) {
    SessionDescription offer = sdp.offer(t);
    List<SubscribeOffer.Section> sections = new ArrayList<>();
    for (Track track : consumed.values()) {
      sdp.midOf(consumerId(track))
          .ifPresent(
              mid ->
                  sections.add(
                      new SubscribeOffer.Section(
                          mid,
                          track.producerId(),
                          track.participantId(),
                          track.info().kind(),
                          track.source())));
    }
    return connection
        .offer(new SubscribeOffer(offer.sessionVersion(), offer.write(), sections))
        .compose(answer -> applyAnswer(offer, answer));
  }

  private Future<Void> applyAnswer(SessionDescription offer, SubscribeAnswer answer) {
    if (closed) {
      return Future.succeededFuture();
    }
    if (!answer.ok() || answer.sdp() == null) {
      return Future.failedFuture("the browser refused the offer: " + answer.error());
    }
    try {
      var remote = SubscribeOfferBuilder.readAnswer(offer, SessionDescription.parse(answer.sdp()));
      if (connected) {
        return Future.succeededFuture();
      }
      connected = true;
      return media.connectEndpoint(roomId, endpointId, remote);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
