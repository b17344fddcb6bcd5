package io.parley.signalling.room;

import io.parley.sfu.api.Encoding;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.MediaKind;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.TransportInfo;
import io.parley.signalling.protocol.ProtocolException;
import io.parley.signalling.sdp.PublishNegotiator;
import io.parley.signalling.sdp.SessionDescription;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A participant's publish transport: answers the browser's offers and turns their media sections
 * into SFU producers. A renegotiation keeps the producers of unchanged sections, adds new ones and
 * removes those no longer sent.
 */
final class Publisher {
  private static final Set<String> SOURCES = Set.of("mic", "camera", "screen");
  private static final TransportInfo PLACEHOLDER =
      new TransportInfo(
          "check",
          "check",
          List.of(new IceCandidate("0", 1, "udp", 1, "127.0.0.1", 9)),
          "sha-256",
          "00");

  private final String roomId;
  private final String participantId;
  private final String endpointId;
  private final MediaPlane media;
  private final PublishNegotiator negotiator;

  /** mid → track. */
  private final Map<String, Track> tracks = new LinkedHashMap<>();

  private Future<TransportInfo> transport;
  private boolean connected;
  private boolean busy;
  private int producerCount;

  /**
   * @param red ask for redundant audio where the browser offers it
   */
  Publisher(String roomId, String participantId, MediaPlane media, boolean red) {
    this.negotiator = new PublishNegotiator(false, red);
    this.roomId = roomId;
    this.participantId = participantId;
    this.endpointId = participantId + "/pub";
    this.media = media;
  }

  String endpointId() {
    return endpointId;
  }

  List<Track> tracks() {
    return List.copyOf(tracks.values());
  }

  /**
   * Answers an offer. A bad offer fails the future with a {@link ProtocolException} before anything
   * changes.
   *
   * @param added called for each new producer once the SFU has it
   * @param removed called for each producer the offer no longer sends
   */
  Future<String> publish(
      String offerText,
      Map<String, String> sources,
      Consumer<Track> added,
      Consumer<Track> removed) {
    if (busy) {
      return Future.failedFuture(new ProtocolException("a publish is already in progress"));
    }
    SessionDescription offer;
    try {
      offer = SessionDescription.parse(offerText);
      // Check the offer before the SFU hears of it, so a bad one changes nothing.
      negotiator.answer(offer, PLACEHOLDER, (mid, kind) -> "check", (mid, kind) -> "check");
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ProtocolException("bad SDP offer: " + e.getMessage()));
    }
    busy = true;
    if (transport == null) {
      transport = media.createEndpoint(roomId, endpointId);
    }
    return transport
        .compose(t -> apply(offer, t, sources, added, removed))
        .onComplete(r -> busy = false);
  }

  private Future<String> apply(
      SessionDescription offer,
      TransportInfo local,
      Map<String, String> sources,
      Consumer<Track> added,
      Consumer<Track> removed) {
    PublishNegotiator.Result result =
        negotiator.answer(
            offer,
            local,
            (mid, kind) -> {
              Track existing = tracks.get(mid);
              return existing != null && existing.kind() == kind
                  ? existing.producerId()
                  : participantId + "-" + (++producerCount);
            },
            (mid, kind) -> sourceOf(sources.get(mid), kind));
    Future<Void> connect =
        connected
            ? Future.succeededFuture()
            : media
                .connectEndpoint(roomId, endpointId, result.remote())
                .map(
                    v -> {
                      connected = true;
                      return v;
                    });
    return connect.compose(
        v -> {
          List<Future<?>> steps = new ArrayList<>();
          Map<String, ProducerSpec> wanted = new LinkedHashMap<>();
          result.producers().forEach(p -> wanted.put(p.mid(), p));
          for (Track t : List.copyOf(tracks.values())) {
            ProducerSpec p = wanted.get(t.mid());
            if (p == null || !p.producerId().equals(t.producerId())) {
              tracks.remove(t.mid());
              removed.accept(t);
              steps.add(media.removeProducer(roomId, t.producerId()));
            }
          }
          for (ProducerSpec p : wanted.values()) {
            if (tracks.containsKey(p.mid())) {
              continue;
            }
            Track t =
                new Track(
                    p.producerId(),
                    participantId,
                    p.mid(),
                    p.kind(),
                    p.source(),
                    p.encodings().size() < 2
                        ? List.of()
                        : p.encodings().stream().map(Encoding::rid).toList());
            // map, not onSuccess: the reply below lists the tracks, so each must be recorded
            // before join completes (a listener added to an already completed future can run
            // ahead of one added earlier that waits for the context).
            steps.add(
                media
                    .addProducer(roomId, endpointId, p)
                    .map(
                        x -> {
                          tracks.put(t.mid(), t);
                          added.accept(t);
                          return x;
                        }));
          }
          return Future.join(steps).map(x -> result.answer().write());
        });
  }

  private static String sourceOf(String requested, MediaKind kind) {
    if (requested != null && SOURCES.contains(requested)) {
      return requested;
    }
    return kind == MediaKind.AUDIO ? "mic" : "camera";
  }

  void close() {
    if (transport != null) {
      media.closeEndpoint(roomId, endpointId);
    }
  }
}
