package io.parley.signalling;

import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.TransportInfo;
import io.parley.signalling.protocol.ClientRequest;
import io.parley.signalling.protocol.MessageCodec;
import io.parley.signalling.protocol.Reply;
import io.parley.signalling.protocol.ServerEvent;
import io.parley.signalling.protocol.TrackInfo;
import io.parley.signalling.sdp.PublishNegotiator;
import io.parley.signalling.sdp.SessionDescription;
import io.socket.socketio.server.parser.IOParser;
import io.socket.socketio.server.parser.Packet;
import io.socket.socketio.server.parser.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;

/**
 * The signalling half of the start-up warm-up: a browser's publish offer (a real Chromium one,
 * shipped in the jar) and the messages around it go through the code every join runs — the
 * Socket.IO packet decoder and encoder, org.json, Jackson, the SDP parser, the publish negotiator
 * and the SDP writer — until the JIT has compiled it.
 *
 * <p>Why: with the media path already warm, the JIT compiling this code was most of the server's
 * CPU while the first people joined (measured with {@code -XX:+LogCompilation}: org.json's string
 * quoting alone, which walks every character of every SDP several times per message, took 0.2 s of
 * compiler time during a four-person join), on the cores that forward the media. No network and no
 * room is involved: nothing of it is visible to anyone.
 */
final class SignallingWarmup {
  /**
   * Rounds of one publish exchange; enough for the JIT's second tier on the per-character loops.
   */
  static final int ROUNDS = 1000;

  private static final String OFFER_RESOURCE = "/warmup/chromium-offer.sdp";

  private SignallingWarmup() {}

  /** What one run did: the rounds and the characters of SDP that went through. */
  record Result(int rounds, long sdpChars, long millis) {}

  /** Runs {@code rounds} publish exchanges on the calling thread. */
  static Result run(int rounds) {
    long start = System.nanoTime();
    String offerText = offer();
    MessageCodec codec = new MessageCodec();
    PublishNegotiator negotiator = new PublishNegotiator();
    IOParser.Encoder encoder = new IOParser.Encoder();
    TransportInfo local =
        new TransportInfo(
            "warmupufrag",
            "warmuppasswordwarmuppassword",
            List.of(new IceCandidate("1", 1, "udp", 2_130_706_431L, "192.0.2.1", 10000)),
            "sha-256",
            "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
    long chars = 0;
    for (int round = 0; round < rounds; round++) {
      // The browser's "publish" event, as it arrives: Socket.IO text → org.json → Jackson.
      Packet<JSONArray> incoming = new Packet<>(Parser.EVENT);
      incoming.nsp = "/";
      incoming.id = round;
      incoming.data =
          new JSONArray()
              .put("publish")
              .put(
                  codec.encode(
                      new ClientRequest.Publish(
                          offerText, Map.of("0", "microphone", "1", "camera"))));
      String text = encodeOne(encoder, incoming);
      Object[] args = decodeOne(text);
      if (MessageCodec.sizeOf(args) <= 0) {
        throw new IllegalStateException("warm-up: empty publish");
      }
      ClientRequest.Publish publish = (ClientRequest.Publish) codec.decode("publish", args[0]);

      // The answer: parse, negotiate, write.
      SessionDescription offer = SessionDescription.parse(publish.sdp());
      int n = round;
      PublishNegotiator.Result result =
          negotiator.answer(
              offer,
              local,
              (mid, kind) -> "w" + n + "-" + mid,
              (mid, kind) -> publish.sources().getOrDefault(mid, kind.name().toLowerCase()));
      String answer = result.answer().write();
      chars += offerText.length() + answer.length();

      // The replies, as they leave: Jackson → org.json → Socket.IO text.
      List<TrackInfo> tracks = new ArrayList<>();
      List<ServerEvent.SubscribeOffer.Section> sections = new ArrayList<>();
      result
          .producers()
          .forEach(
              p -> {
                tracks.add(new TrackInfo(p.producerId(), "w", p.kind().name(), "camera"));
                sections.add(
                    new ServerEvent.SubscribeOffer.Section(
                        p.mid(), p.producerId(), "w", p.kind().name(), "camera"));
              });
      Packet<JSONArray> ack = new Packet<>(Parser.ACK);
      ack.nsp = "/";
      ack.id = round;
      ack.data = new JSONArray().put(codec.encode(new Reply.Published(true, answer, tracks)));
      encodeOne(encoder, ack);
      Packet<JSONArray> event = new Packet<>(Parser.EVENT);
      event.nsp = "/";
      event.data =
          new JSONArray()
              .put("subscribe-offer")
              .put(codec.encode(new ServerEvent.SubscribeOffer(round, answer, sections)));
      String offerEvent = encodeOne(encoder, event);
      decodeOne(offerEvent);
    }
    return new Result(rounds, chars, (System.nanoTime() - start) / 1_000_000);
  }

  private static String encodeOne(IOParser.Encoder encoder, Packet<?> packet) {
    String[] out = new String[1];
    encoder.encode(packet, encoded -> out[0] = (String) encoded[0]);
    return out[0];
  }

  /** A Socket.IO text packet back to the event's arguments (after the event name). */
  private static Object[] decodeOne(String text) {
    IOParser.Decoder decoder = new IOParser.Decoder();
    Object[][] out = new Object[1][];
    decoder.onDecoded(
        packet -> {
          JSONArray data = (JSONArray) packet.data;
          Object[] args = new Object[Math.max(0, data.length() - 1)];
          for (int i = 0; i < args.length; i++) {
            args[i] = data.get(i + 1);
          }
          out[0] = args;
        });
    decoder.add(text);
    if (out[0] == null) {
      throw new IllegalStateException("warm-up: a Socket.IO packet did not decode");
    }
    return out[0];
  }

  private static String offer() {
    try (InputStream in = SignallingWarmup.class.getResourceAsStream(OFFER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("warm-up: " + OFFER_RESOURCE + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("warm-up: cannot read " + OFFER_RESOURCE, e);
    }
  }
}
