package io.parley.sfu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parley.sfu.api.Codec;
import io.parley.sfu.api.ConsumerSpec;
import io.parley.sfu.api.HeaderExtensionIds;
import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.ProducerSpec;
import io.parley.sfu.api.TransportInfo;
import io.parley.sfu.client.SyntheticMedia;
import io.parley.sfu.client.WebRtcClient;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.rtp.RtpPacket;
import io.parley.sfu.rtp.rtcp.ReportBlock;
import io.parley.sfu.rtp.rtcp.RtcpNack;
import io.parley.sfu.rtp.rtcp.RtcpPli;
import io.parley.sfu.rtp.rtcp.RtcpReceiverReport;
import io.parley.sfu.rtp.rtcp.RtcpSenderReport;
import io.parley.sfu.rtp.rtcp.TransportCcFeedbackBuilder;
import io.parley.sfu.transport.DropReason;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A short meeting the SFU holds with itself right after start, so that the first real one does not
 * run on a cold JVM. A few synthetic participants (sfu-core's own WebRTC client) join a private
 * room over the real UDP port on loopback — ICE, DTLS-SRTP, RTP and RTCP as browsers would — and
 * send each other audio and video faster than people do, until the packet path has run often enough
 * for the JIT to compile it. Measured on this project's 2-core machine: against a server 3 s old,
 * four people's p99 latency and the server's CPU were 1.5–2× those of a warm server.
 *
 * <p>People also come and go while the media flows: every sixth of the way one participant leaves
 * and a new one joins (ICE and DTLS on the port while media flows, new consumers waiting for a
 * keyframe, a new speaker, a consumer whose producer closes). A warm-up without that compiled the
 * packet path for a room that never changes; the first real person to join took branches the
 * compiled code had never seen, the JIT threw that code away (seen with {@code
 * -XX:+LogCompilation}: traps in {@code Consumer.forward}, {@code PacketCache.put}, the
 * transport-cc builder, the rollover guess) and the first real meeting ran on the slower tier for
 * several seconds.
 *
 * <p>Those who leave leave as a closed browser tab does: their socket goes first and the SFU goes
 * on sending to it until the ICMP port unreachable error that comes back has woken the event loop
 * with an error event on the connected socket (at most {@link #ABRUPT_LEAVE_MILLIS}). A warm-up
 * whose people left tidily compiled the event loop's I/O method without that branch; the first real
 * participant to vanish (in the load tool's runs, its short unmeasured meeting) took it, and the
 * loop's compiled I/O code was thrown away and compiled again only 7–11 s into the next meeting.
 *
 * <p>For the same reason the meeting is held twice, in two rooms one after the other: the second
 * room is new to code the first has compiled, and it runs on the next event loop, whose pools
 * (datagrams, read batches) are still empty. With one room, the first real room took both branches
 * after {@code /readyz}: the JIT threw away the compiled {@code Producer.receive}, {@code
 * Room.write} and {@code Sfu.receiveSrtp} and, at four people's packet rate, compiled them again
 * only 5–12 s later; the meeting ran on the slower tier meanwhile.
 *
 * <p>The room's id cannot be made by signalling (room ids there are {@code xxx-xxxx-xxx}), so no
 * one can join it. A failure only ends the warm-up early; the server works either way.
 */
public final class MediaWarmup {
  /** What the warm-up did. */
  public record Result(
      int rooms, int connected, int replaced, long forwarded, long received, long millis) {}

  /**
   * Rooms held one after the other. The second opens once the first has had the packet path
   * compiled, on the next event loop (rooms take the loops in turn), so the compiled code meets a
   * new room and a loop whose pools are still empty before a real meeting does.
   */
  static final int ROOMS = 2;

  /** How many times one participant is replaced by a new one in each room. */
  static final int REPLACEMENTS = 5;

  /**
   * How long the SFU may go on sending to a participant whose socket has closed, waiting for the
   * port unreachable error that says so.
   */
  static final long ABRUPT_LEAVE_MILLIS = 500;

  private static final int AUDIO_PT = 111;
  private static final int RED_PT = 63;
  private static final int VIDEO_PT = 96;
  private static final HeaderExtensionIds EXTENSIONS = new HeaderExtensionIds(1, 0, 0, 3, 2);

  private MediaWarmup() {}

  /**
   * Holds the warm-up meeting on a daemon thread: {@code participants} people, each publishing
   * audio every 5 ms and a video frame every 10 ms, until the SFU has forwarded {@code packets} RTP
   * packets or {@code limit} has passed.
   */
  public static CompletableFuture<Result> start(
      Sfu sfu, int participants, long packets, Duration limit) {
    CompletableFuture<Result> done = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                done.complete(run(sfu, participants, packets, limit));
              } catch (Exception | LinkageError e) {
                done.completeExceptionally(e);
              }
            },
            "media-warmup");
    thread.setDaemon(true);
    thread.start();
    return done;
  }

  static Result run(Sfu sfu, int participants, long packets, Duration limit) throws Exception {
    long started = System.nanoTime();
    long deadline = started + limit.toNanos();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("media-warmup-client", true), NioIoHandler.newFactory());
    AtomicLong received = new AtomicLong();
    long forwardedBefore = sfu.stats().rtpOut.sum();
    int rooms = 0;
    int connected = 0;
    int replaced = 0;
    try {
      DtlsCertificate certificate = DtlsCertificate.generate();
      for (int r = 0; r < ROOMS && System.nanoTime() < deadline; r++) {
        Meeting m =
            meeting(
                sfu,
                participants,
                r == 0 ? packets : packets / 2,
                deadline,
                group,
                certificate,
                received);
        rooms++;
        connected += m.joined();
        replaced += m.replaced();
      }
      return new Result(
          rooms,
          connected,
          replaced,
          sfu.stats().rtpOut.sum() - forwardedBefore,
          received.get(),
          (System.nanoTime() - started) / 1_000_000);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** Until the SFU has counted a port unreachable error past {@code before}, or the limit. */
  private static void awaitUnreachable(Sfu sfu, long before) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ABRUPT_LEAVE_MILLIS);
    while (sfu.drops().get(DropReason.PEER_UNREACHABLE) <= before && System.nanoTime() < until) {
      Thread.sleep(5);
    }
  }

  private record Meeting(int joined, int replaced) {}

  /**
   * One room's meeting, until it has forwarded {@code packets} and every replacement is done; the
   * room is gone when this returns.
   */
  private static Meeting meeting(
      Sfu sfu,
      int participants,
      long packets,
      long deadline,
      EventLoopGroup group,
      DtlsCertificate certificate,
      AtomicLong received)
      throws Exception {
    String room = "warmup-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
    List<Peer> peers = new ArrayList<>();
    long forwardedBefore = sfu.stats().rtpOut.sum();
    try {
      for (int i = 0; i < participants; i++) {
        Peer peer = Peer.create(sfu, room, "w" + i, group, certificate, received, i % 2 == 0);
        peers.add(peer);
        peer.connect(sfu, room, deadline);
      }
      for (Peer p : peers) {
        p.publish(sfu, room);
      }
      for (Peer p : peers) {
        for (Peer other : peers) {
          if (other != p) {
            p.subscribe(sfu, room, other);
          }
        }
      }
      for (Peer p : peers) {
        p.startSending();
      }
      int joined = participants;
      int replaced = 0;
      long unreachable = sfu.drops().get(DropReason.PEER_UNREACHABLE);
      long forwarded;
      // Until the packets are forwarded and every replacement is done (one may take long enough
      // for the rest of the packets to pass).
      while (((forwarded = sfu.stats().rtpOut.sum() - forwardedBefore) < packets
              || replaced < REPLACEMENTS)
          && System.nanoTime() < deadline) {
        if (replaced < REPLACEMENTS && forwarded >= packets * (replaced + 1) / (REPLACEMENTS + 1)) {
          Peer leaving = peers.remove(0);
          // As a closed browser tab leaves: its socket is gone while the SFU still sends to it,
          // until signalling notices.
          leaving.close();
          awaitUnreachable(sfu, unreachable);
          unreachable = sfu.drops().get(DropReason.PEER_UNREACHABLE);
          sfu.closeEndpoint(room, leaving.id).get(5, TimeUnit.SECONDS);
          // As signalling does it: published and subscribed before its transport connects, so
          // its consumers see media they cannot send yet.
          Peer newcomer =
              Peer.create(sfu, room, "w" + joined, group, certificate, received, joined++ % 2 == 0);
          peers.add(newcomer);
          newcomer.publish(sfu, room);
          for (Peer other : peers) {
            if (other != newcomer) {
              newcomer.subscribe(sfu, room, other);
              other.subscribe(sfu, room, newcomer);
            }
          }
          newcomer.connect(sfu, room, deadline);
          newcomer.startSending();
          replaced++;
          continue;
        }
        Thread.sleep(20); // polls the SFU's counter; the sending runs on the client's loop
      }
      return new Meeting(joined, replaced);
    } finally {
      List<CompletableFuture<Void>> closed = new ArrayList<>();
      for (Peer p : peers) {
        p.close();
        closed.add(sfu.closeEndpoint(room, p.id));
      }
      try {
        // Done means gone: the room closes with its last endpoint.
        CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // An endpoint that did not close in time is closed by its consent timeout.
      }
    }
  }

  /** One synthetic participant: its client, its two streams and its sending task. */
  private static final class Peer {
    final String id;
    final WebRtcClient client;
    final long audioSsrc;
    final long videoSsrc;
    final SyntheticMedia audio;
    final SyntheticMedia video;
    final Feedback feedback;

    /**
     * Sends its mic as redundant audio and takes it, as Chromium does; the others send and take
     * plain Opus, as Firefox does. Both kinds in one room take every branch of the audio path: RED
     * passed on, RED stripped, plain Opus to a subscriber that takes RED.
     */
    final boolean red;

    private io.netty.util.concurrent.ScheduledFuture<?> sending;
    private int frames;

    private Peer(
        String id,
        WebRtcClient client,
        Feedback feedback,
        long audioSsrc,
        long videoSsrc,
        boolean red) {
      this.id = id;
      this.red = red;
      this.client = client;
      this.feedback = feedback;
      this.audioSsrc = audioSsrc;
      this.videoSsrc = videoSsrc;
      this.audio = SyntheticMedia.audio(audioSsrc, AUDIO_PT);
      this.video = SyntheticMedia.video(videoSsrc, VIDEO_PT);
    }

    /** Opens this participant's endpoint in the SFU and its client; not connected yet. */
    static Peer create(
        Sfu sfu,
        String room,
        String id,
        EventLoopGroup group,
        DtlsCertificate certificate,
        AtomicLong received,
        boolean red)
        throws Exception {
      TransportInfo info = sfu.createEndpoint(room, id).get(5, TimeUnit.SECONDS);
      // Straight to the bound port on this machine, whatever addresses are advertised.
      String bound = sfu.config().bindAddress();
      String host = bound.equals("0.0.0.0") || bound.equals("::") ? "127.0.0.1" : bound;
      TransportInfo local =
          new TransportInfo(
              info.iceUfrag(),
              info.icePwd(),
              List.of(new IceCandidate("1", 1, "udp", 2130706431L, host, sfu.udpPort())),
              info.fingerprintAlgorithm(),
              info.fingerprint());
      Feedback feedback = new Feedback();
      WebRtcClient client =
          WebRtcClient.start(
              group,
              host,
              local,
              certificate,
              sfu.handshakeExecutor(),
              new WebRtcClient.MediaListener() {
                @Override
                public void rtp(ByteBuf packet) {
                  received.incrementAndGet();
                  feedback.onRtp(packet);
                }
              });
      java.util.concurrent.ThreadLocalRandom random =
          java.util.concurrent.ThreadLocalRandom.current();
      Peer peer =
          new Peer(
              id,
              client,
              feedback,
              random.nextLong(1, 1L << 32),
              random.nextLong(1, 1L << 32),
              red);
      return peer;
    }

    /** Gives the SFU this participant's side of the transport and waits for DTLS-SRTP. */
    void connect(Sfu sfu, String room, long deadline) throws Exception {
      sfu.connectEndpoint(room, id, client.remoteParams()).get(5, TimeUnit.SECONDS);
      client.awaitConnected(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    void publish(Sfu sfu, String room) throws Exception {
      sfu.addProducer(
              room, id, ProducerSpec.mic(id + "-audio", "0", audioCodec(), audioSsrc, EXTENSIONS))
          .get(5, TimeUnit.SECONDS);
      sfu.addProducer(
              room, id, ProducerSpec.camera(id + "-video", "1", VIDEO_PT, videoSsrc, EXTENSIONS))
          .get(5, TimeUnit.SECONDS);
    }

    void subscribe(Sfu sfu, String room, Peer other) throws Exception {
      for (String kind : new String[] {"audio", "video"}) {
        sfu.addConsumer(
                room,
                id,
                new ConsumerSpec(
                    id + "<-" + other.id + "-" + kind,
                    other.id + "-" + kind,
                    kind.charAt(0) + "-" + other.id,
                    kind.equals("audio") ? audioCodec() : Codec.vp8(VIDEO_PT),
                    EXTENSIONS))
            .get(5, TimeUnit.SECONDS);
      }
    }

    private Codec audioCodec() {
      return red ? Codec.opusWithRed(AUDIO_PT, RED_PT) : Codec.opus(AUDIO_PT);
    }

    /** Audio every 5 ms and a video frame (keyframe every 50th) every 10 ms; RTCP every 100 ms. */
    void startSending() {
      sending =
          client
              .channel()
              .eventLoop()
              .scheduleAtFixedRate(
                  () -> {
                    client.sendRtp(
                        red
                            ? audio.redAudioPacket(
                                PooledByteBufAllocator.DEFAULT, 120, 2, level(), 3, RED_PT)
                            : audio.audioPacket(
                                PooledByteBufAllocator.DEFAULT, 120, 2, level(), 3));
                    if ((frames++ & 1) == 0) {
                      boolean key = frames % 100 == 1;
                      for (ByteBuf packet :
                          video.videoFrame(
                              PooledByteBufAllocator.DEFAULT,
                              key ? 12000 : 4000,
                              1200,
                              key,
                              900,
                              3)) {
                        client.sendRtp(packet);
                      }
                    }
                    ByteBuf rtcp = frames % 20 == 0 ? feedback.tick(frames / 20, this) : null;
                    if (rtcp != null) {
                      client.sendRtcp(rtcp);
                    }
                  },
                  0,
                  5,
                  TimeUnit.MILLISECONDS);
    }

    /**
     * The audio level of the next packet, as a talker's: a second of speech at levels that vary
     * (20..69 dBov below full scale), then half a second of silence (127). A constant level left
     * the speaker detector's branches for a new quietest level unseen, and the first real talker
     * took them in compiled code (a trap in {@code Producer.receive}, where the detector is
     * inlined).
     */
    private int level() {
      return frames % 300 < 200
          ? 20 + java.util.concurrent.ThreadLocalRandom.current().nextInt(50)
          : 127;
    }

    void close() {
      if (sending != null) {
        sending.cancel(false);
      }
      client.close();
    }
  }

  /**
   * The RTCP a browser sends, built from what one participant received: transport-cc feedback every
   * tick (100 ms); every tenth tick sender reports for its two streams and a receiver report for
   * every stream it receives; every tenth, five ticks later, a NACK for a packet it did receive
   * (the SFU answers from its cache) and a keyframe request. Confined to the client's event loop.
   */
  private static final class Feedback {
    private final long ssrc =
        java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 1L << 32);
    private final TransportCcFeedbackBuilder transportCc = new TransportCcFeedbackBuilder(ssrc);
    private final RtpPacket rtp = new RtpPacket();

    /** Per received SSRC: its highest sequence number seen. */
    private final Map<Long, Integer> highest = new HashMap<>();

    private long lastMediaSsrc;
    private long lastVideoSsrc;
    private int lastVideoSeq = -1;

    void onRtp(ByteBuf packet) {
      if (!rtp.parse(packet)) {
        return;
      }
      lastMediaSsrc = rtp.ssrc();
      highest.put(rtp.ssrc(), rtp.sequenceNumber());
      if (rtp.payloadType() == VIDEO_PT) {
        lastVideoSsrc = rtp.ssrc();
        lastVideoSeq = rtp.sequenceNumber();
      }
      int seq = rtp.transportCcSequence(EXTENSIONS.transportCc());
      if (seq >= 0) {
        transportCc.onPacket(seq, System.nanoTime() / 1000);
      }
    }

    /** The RTCP due at this tick, or null. */
    ByteBuf tick(int tick, Peer self) {
      ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(2048);
      if (tick % 10 == 0) {
        long ntp = ntpNow();
        RtcpSenderReport.write(out, self.videoSsrc, ntp, tick * 9000L, tick * 30L, tick * 36000L);
        RtcpSenderReport.write(out, self.audioSsrc, ntp, tick * 4800L, tick * 20L, tick * 2400L);
        List<ReportBlock> blocks = new ArrayList<>();
        for (Map.Entry<Long, Integer> e : highest.entrySet()) {
          if (blocks.size() < 31) {
            blocks.add(new ReportBlock(e.getKey(), 0, 0, e.getValue(), 0, 0, 0));
          }
        }
        if (!blocks.isEmpty()) {
          RtcpReceiverReport.write(out, ssrc, blocks.toArray(new ReportBlock[0]));
        }
      }
      if (tick % 10 == 5 && lastVideoSeq >= 0) {
        RtcpNack.write(out, ssrc, lastVideoSsrc, (lastVideoSeq - 2) & 0xFFFF);
        RtcpPli.write(out, ssrc, lastVideoSsrc);
      }
      if (transportCc.pendingPackets() > 0) {
        transportCc.build(out, lastMediaSsrc);
      }
      if (!out.isReadable()) {
        out.release();
        return null;
      }
      return out;
    }

    private static long ntpNow() {
      long millis = System.currentTimeMillis() + 2_208_988_800_000L;
      return (millis / 1000) << 32 | ((millis % 1000) << 32) / 1000;
    }
  }
}
