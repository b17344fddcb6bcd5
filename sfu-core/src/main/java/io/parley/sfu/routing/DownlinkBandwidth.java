package io.parley.sfu.routing;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits what the SFU sends one subscriber to what its downlink carries. From the subscriber's
 * transport-cc feedback a {@link BandwidthEstimator} tells how many bits per second get through;
 * every half second (and whenever the estimate moves) the subscriber's video consumers are given
 * the simulcast layers that fit it: audio first, then every video at its lowest layer, then layers
 * raised one step at a time, round after round, the screen share and the bigger tiles first in each
 * round (among tiles of one size, the room's dominant speaker), never above what the tile asks for.
 * A layer above the one a consumer has needs a tenth of headroom, so it does not flap at the edge.
 *
 * <p>When not even every video's lowest layer fits, the ones last in that order stop (at the end of
 * a frame) until there is room for them again, and the subscriber's page is told, so audio keeps
 * going and the pictures that remain keep moving. Redundant audio, which doubles what the audio
 * costs, goes as plain Opus while audio and the lowest layers have less than a tenth to spare on a
 * link known to be narrow (it dropped packets lately, or keeps a queue standing).
 *
 * <p>While layers are held back, padding probes find out whether the path carries more: every few
 * seconds (backing off while they find nothing), for 200 ms, padding-only packets in a video stream
 * raise the rate sent towards what the tiles ask for (at most one and a half times the estimate, so
 * a probe into a full path queues for ~100 ms rather than overflowing it); what the subscriber's
 * feedback shows arriving of that burst becomes the new estimate when it is higher.
 *
 * <p>Until the path first shows congestion nothing is held back: a subscriber whose downlink
 * carries everything sees no difference. Confined to the room thread.
 */
final class DownlinkBandwidth implements DeliveryRate.PacketResults {
  private static final Logger LOG = LoggerFactory.getLogger(DownlinkBandwidth.class);
  private static final long ALLOCATION_INTERVAL_NANOS = 500_000_000L;
  private static final long PROBE_NANOS = 200_000_000L;
  private static final long FIRST_PROBE_DELAY_NANOS = 2_000_000_000L;
  private static final long SETTLE_NANOS = 3_000_000_000L;
  private static final long QUIET_NANOS = 1_000_000_000L;
  private static final long PROBE_AGAIN_NANOS = 1_000_000_000L;
  private static final long MAX_PROBE_BACKOFF_NANOS = 20_000_000_000L;
  private static final long PROBE_RESULT_TIMEOUT_NANOS = 1_000_000_000L;
  private static final int PADDING_SIZE = 255;
  private static final long MIN_PROBE_PADDING_BPS = 150_000;
  private static final double UPGRADE_HEADROOM = 1.1;
  private static final double RESUME_HEADROOM = 1.25;
  private static final double PAUSE_LOSS = 0.10;
  private static final double PROBE_MAX_LOSS = 0.10;
  private static final double RED_HOLD_LOSS = 0.02;
  private static final double RED_BACK_LOSS = 0.05;
  private static final long RED_LOSS_MEMORY_NANOS = 30_000_000_000L;
  private static final double RED_QUEUE_MS = 100;
  private static final long RED_AFTER_RESUME_NANOS = 3_000_000_000L;
  private static final long FIRST_PAUSE_NANOS = 5_000_000_000L;
  private static final long MAX_PAUSE_NANOS = 60_000_000_000L;
  private static final long REPAUSE_NANOS = 15_000_000_000L;

  private final Endpoint endpoint;
  private final DeliveryRate history = new DeliveryRate();
  private final BandwidthEstimator estimator = new BandwidthEstimator();
  private final List<Consumer> order = new ArrayList<>();
  private long nextAllocationNanos;

  // Videos that wait for room: not before this, and how long the last wait was.
  private long resumeNotBeforeNanos;
  private long pauseNanos = FIRST_PAUSE_NANOS;
  private long lastResumeNanos = Long.MIN_VALUE / 2;
  private long lastFeedbackNanos;
  private long now;

  // Whether the subscriber's audio goes without its redundancy, for want of room.
  private boolean redHeldBack;

  // What the last allocation sent and would have liked to, in bits per second (audio included).
  private long allocatedBps;
  private long wantedBps;

  // Probing: the cluster being sent (0 if none), the one whose results are awaited (0 if none).
  private int lastProbe;
  private int sendingProbe;
  private long probeEndNanos;
  private long paddingPerTick;
  private long nextProbeNanos;
  private long probeBackoffNanos = FIRST_PROBE_DELAY_NANOS;
  private int awaitedProbe;
  private long awaitedDeadline;
  // The rate the next probe asks for (0: half as much again as is being sent).
  private long probeRate;
  private int probeSent;
  private long probeSentBytes;
  private long probeFirstSend;
  private long probeLastSend;
  private int probeLastSendBytes;
  private int probeReported;
  private int probeReceived;
  private long probeReceivedBytes;
  private long probeFirstArrival;
  private long probeLastArrival;
  private int probeFirstArrivalBytes;

  DownlinkBandwidth(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** A packet with this transport-wide sequence number left with {@code bytes} on the wire. */
  void sent(int transportSequence, int bytes, long nanos) {
    history.sent(transportSequence, bytes, nanos, sendingProbe);
    if (sendingProbe != 0) {
      if (probeSent == 0) {
        probeFirstSend = nanos;
      }
      probeSent++;
      probeSentBytes += bytes;
      probeLastSend = nanos;
      probeLastSendBytes = bytes;
    }
  }

  /**
   * Reads one transport-cc feedback block from the subscriber.
   *
   * @return the delivered rate for the metrics, as {@link DeliveryRate#onFeedback}
   */
  long onFeedback(ByteBuf packet, int offset, int length, long now) {
    this.now = now;
    lastFeedbackNanos = now;
    long delivered = history.onFeedback(packet, offset, length, this);
    boolean wasConstrained = estimator.constrained();
    long before = estimator.estimate();
    long reprieves = estimator.reprieves();
    boolean changed = estimator.onFeedbackEnd(now);
    if (estimator.reprieves() != reprieves && LOG.isDebugEnabled()) {
      LOG.debug(
          "endpoint {}: a queue drained (queue {} ms), its decrease taken back; estimate {}",
          endpoint.id(),
          Math.round(estimator.queueMs()),
          estimator.estimate());
    }
    if (estimator.estimate() < before || !wasConstrained && estimator.constrained()) {
      // Congestion: no probe until the path has had time to settle at the lower rate.
      endpoint.room().context().stats().bandwidthDecreases.increment();
      if (now + SETTLE_NANOS - nextProbeNanos > 0) {
        nextProbeNanos = now + SETTLE_NANOS;
      }
    }
    finishProbe(now, false);
    if (estimator.estimate() < before && LOG.isDebugEnabled()) {
      LOG.debug(
          "endpoint {}: congestion, estimate {} bit/s (acknowledged {}, delay {} trend {}, loss {},"
              + " queue {} ms)",
          endpoint.id(),
          estimator.estimate(),
          estimator.ackedBps(),
          estimator.signal(),
          String.format("%.1f", estimator.trend()),
          String.format("%.3f", estimator.lossFraction()),
          Math.round(estimator.queueMs()));
    }
    if (changed && estimator.estimate() < before) {
      allocate(now); // at once when it fell; a rise waits for the next half-second allocation
    }
    return delivered;
  }

  @Override
  public void packet(long sendNanos, long arrivalMicros, int bytes, int probe) {
    estimator.onPacket(sendNanos, arrivalMicros, bytes, now);
    if (probe == 0 || probe != awaitedProbe) {
      return;
    }
    probeReported++;
    if (arrivalMicros == Long.MIN_VALUE) {
      return;
    }
    if (probeReceived == 0 || arrivalMicros < probeFirstArrival) {
      probeFirstArrival = arrivalMicros;
      probeFirstArrivalBytes = bytes;
    }
    probeReceived++;
    probeReceivedBytes += bytes;
    probeLastArrival = Math.max(probeLastArrival, arrivalMicros);
  }

  void tick(long now) {
    if (!estimator.constrained()) {
      return;
    }
    if (now - nextAllocationNanos >= 0) {
      allocate(now);
    }
    if (sendingProbe != 0) {
      pad(now);
    } else {
      finishProbe(now, true);
      maybeStartProbe(now);
    }
  }

  /** Gives each video consumer the highest layers that fit the estimate together. */
  private void allocate(long now) {
    nextAllocationNanos = now + ALLOCATION_INTERVAL_NANOS;
    List<Consumer> consumers = endpoint.consumers();
    if (!estimator.constrained()) {
      return;
    }
    long budget = estimator.estimate();
    order.clear();
    long audioAsSent = 0;
    long audioPlain = 0;
    long lowestLayers = 0; // of the videos that move
    int moving = 0;
    for (int i = 0; i < consumers.size(); i++) {
      Consumer consumer = consumers.get(i);
      if (consumer.isIdle()) {
        continue;
      }
      if (consumer.isVideo()) {
        order.add(consumer);
        if (!consumer.bandwidthPaused()) {
          moving++;
          lowestLayers += consumer.producer().bitrate(lowestActive(consumer, now), now);
        }
      } else {
        long plain = consumer.producer().plainAudioBitrate(now);
        audioPlain += plain;
        audioAsSent +=
            consumer.spec().codec().hasRed() ? consumer.producer().bitrate(0, now) : plain;
      }
    }
    // Redundant audio (RFC 2198) doubles what the audio costs. On a downlink that has not a tenth
    // to spare over it and the lowest layer of every video that moves, while hardly a packet is
    // lost, it goes as plain Opus: there its room is what keeps the pictures moving (with two
    // cameras on a link for one, the one that moves). It comes back once they fit with a quarter
    // to spare, and whenever packets are being lost, no video moves, or one has just started
    // again: then the link's room is not the pictures' anyway, and a video trying again (a
    // keyframe into a full queue) costs packets the redundancy repairs.
    if (audioAsSent > audioPlain) {
      long withRed = audioAsSent + lowestLayers;
      boolean unsettled =
          moving == 0
              || now - lastResumeNanos < RED_AFTER_RESUME_NANOS
              || estimator.lossFraction() >= (redHeldBack ? RED_BACK_LOSS : RED_HOLD_LOSS);
      // And it goes only on a link that is narrow for certain: one that has dropped packets lately
      // or keeps a standing queue. A delay signal alone (a busy machine's scheduling looks like
      // queueing for a moment) constrains a loopback estimate just as tightly.
      boolean narrow =
          now - estimator.lastLossNanos() < RED_LOSS_MEMORY_NANOS
              || estimator.queueMs() >= RED_QUEUE_MS;
      // And only where the link has just delivered what plain audio and those layers cost: holding
      // the redundancy back where even that is too much (120 kbit/s, a camera that has just started
      // again) would leave the audio unrepaired while the picture congests the link anyway.
      boolean carried = audioPlain + lowestLayers <= (long) (estimator.ackedBps() * 1.1);
      boolean holdBack =
          !unsettled
              && (redHeldBack
                  ? withRed > (long) (budget / RESUME_HEADROOM)
                  : withRed > (long) (budget / UPGRADE_HEADROOM) && narrow && carried);
      if (holdBack != redHeldBack) {
        redHeldBack = holdBack;
        endpoint.room().context().stats().redHoldBacks.increment();
        if (LOG.isDebugEnabled()) {
          LOG.debug(
              "endpoint {}: redundant audio {} (estimate {} bit/s, audio {} with it, {} without,"
                  + " lowest video layers {})",
              endpoint.id(),
              holdBack ? "held back" : "sent again",
              budget,
              audioAsSent,
              audioPlain,
              lowestLayers);
        }
      }
    }
    for (int i = 0; i < consumers.size(); i++) {
      Consumer consumer = consumers.get(i);
      if (!consumer.isVideo()) {
        consumer.holdBackRed(redHeldBack);
      }
    }
    long audio = redHeldBack ? audioPlain : audioAsSent;
    String speaker = endpoint.room().dominantSpeaker();
    order.sort(
        (a, b) -> {
          boolean screenA = "screen".equals(a.producer().spec().source());
          boolean screenB = "screen".equals(b.producer().spec().source());
          if (screenA != screenB) {
            return screenA ? -1 : 1;
          }
          int bigger = Integer.compare(b.wantedEncoding(now), a.wantedEncoding(now));
          if (bigger != 0 || speaker == null) {
            return bigger;
          }
          // Among tiles of one size (a grid), the person speaking is seen best and waits last.
          boolean speakerA = speaker.equals(a.producer().endpoint().id());
          boolean speakerB = speaker.equals(b.producer().endpoint().id());
          return Boolean.compare(speakerB, speakerA);
        });
    int n = order.size();
    int[] level = new int[n];
    boolean[] on = new boolean[n];
    boolean lossy = estimator.lossFraction() >= PAUSE_LOSS;
    long used = audio;
    long wanted = audio;
    for (int i = 0; i < n; i++) {
      Consumer consumer = order.get(i);
      level[i] = lowestActive(consumer, now);
      wanted += consumer.producer().bitrate(consumer.wantedEncoding(now), now);
      // Audio first, then as many videos at their lowest layer as fit, in order; the rest wait.
      long cost = consumer.producer().bitrate(level[i], now);
      boolean start = !consumer.bandwidthPaused();
      long room = budget;
      if (start && (!lossy || !consumer.started())) {
        // Stopping a picture takes packets actually lost, not a delay signal alone (a busy
        // machine's scheduling looks like queueing for a moment), and one that has started: a
        // video stopped before its first frame could not carry the probes that start it again.
        room = Long.MAX_VALUE;
      } else if (!start) {
        // A video that waits starts again only with a quarter of headroom, and not before its
        // wait is over, so it does not flap between moving and waiting at the edge of the link.
        start = now - resumeNotBeforeNanos >= 0;
        room = (long) (budget / RESUME_HEADROOM);
      }
      if (start && used + cost <= room) {
        on[i] = true;
        used += cost;
      }
    }
    boolean raised = true;
    while (raised) {
      raised = false;
      for (int i = 0; i < n; i++) {
        if (!on[i]) {
          continue;
        }
        Consumer consumer = order.get(i);
        int next = nextActiveAbove(consumer, level[i], consumer.wantedEncoding(now), now);
        if (next < 0) {
          continue;
        }
        Producer producer = consumer.producer();
        long cost = used - producer.bitrate(level[i], now) + producer.bitrate(next, now);
        boolean beyondCurrent = next > consumer.bandwidthMaxEncoding();
        if (cost <= (beyondCurrent ? (long) (budget / UPGRADE_HEADROOM) : budget)) {
          used = cost;
          level[i] = next;
          raised = true;
        }
      }
    }
    MediaStats stats = endpoint.room().context().stats();
    for (int i = 0; i < n; i++) {
      Consumer consumer = order.get(i);
      int max = level[i] >= consumer.wantedEncoding(now) ? Integer.MAX_VALUE : level[i];
      if (max != consumer.bandwidthMaxEncoding()) {
        consumer.setBandwidthMaxEncoding(max);
        stats.bandwidthLayerChanges.increment();
      }
      if (consumer.setBandwidthPaused(!on[i])) {
        (on[i] ? stats.bandwidthResumes : stats.bandwidthPauses).increment();
        if (on[i]) {
          lastResumeNanos = now;
        } else {
          // Waiting again soon after a start: the next wait is twice as long.
          boolean soon = now - lastResumeNanos < REPAUSE_NANOS;
          pauseNanos = soon ? Math.min(MAX_PAUSE_NANOS, pauseNanos * 2) : FIRST_PAUSE_NANOS;
          resumeNotBeforeNanos = now + pauseNanos;
        }
        endpoint
            .room()
            .context()
            .events()
            .consumerBandwidthPaused(endpoint.room().id(), consumer.id(), !on[i]);
        if (LOG.isDebugEnabled()) {
          LOG.debug(
              "endpoint {}: video {} {} (estimate {} bit/s, audio {}, layer {} costs {})",
              endpoint.id(),
              consumer.id(),
              on[i] ? "goes on" : "waits",
              budget,
              audio,
              level[i],
              consumer.producer().bitrate(level[i], now));
        }
      }
    }
    allocatedBps = used;
    wantedBps = wanted;
  }

  private static int lowestActive(Consumer consumer, long now) {
    Producer producer = consumer.producer();
    for (int i = 0; i < producer.encodings().length; i++) {
      if (producer.isActive(i, now)) {
        return i;
      }
    }
    return 0;
  }

  private static int nextActiveAbove(Consumer consumer, int level, int limit, long now) {
    Producer producer = consumer.producer();
    for (int i = level + 1; i <= limit && i < producer.encodings().length; i++) {
      if (producer.isActive(i, now)) {
        return i;
      }
    }
    return -1;
  }

  private void maybeStartProbe(long now) {
    // With nothing sent lately (every video waiting, no audio) no feedback comes, and what the
    // last one said about delay and loss is stale: it must not stop the probe that finds room.
    // A few packets lost do not stop it either: a path that loses them whatever is sent (a radio
    // link) would otherwise never show that a layer left behind by a congestion fits again.
    boolean quiet = now - lastFeedbackNanos > QUIET_NANOS;
    if (awaitedProbe != 0
        || now - nextProbeNanos < 0
        || wantedBps <= allocatedBps
        || !quiet
            && (estimator.signal() != BandwidthEstimator.Signal.NORMAL
                || estimator.lossFraction() > PROBE_MAX_LOSS)) {
      return;
    }
    // From what is being sent, not from the estimate: after a sudden narrowing the estimate can
    // stay above the path's rate for a while (nothing sent overuses it), and a probe sized from it
    // would overflow the queue it is meant to measure.
    long sending = Math.max(allocatedBps, estimator.ackedBps());
    long target = probeRate > 0 ? probeRate : sending * 13 / 10;
    target = Math.min(target, Math.max(wantedBps * 11 / 10, sending * 11 / 10));
    // At least enough padding for a rate to be read off its arrivals (a dozen packets), also when
    // nothing else is being sent.
    long paddingBps = Math.max(target - sending, MIN_PROBE_PADDING_BPS);
    lastProbe = lastProbe == Integer.MAX_VALUE ? 1 : lastProbe + 1;
    sendingProbe = lastProbe;
    awaitedProbe = lastProbe;
    probeSent = 0;
    probeSentBytes = 0;
    probeReported = 0;
    probeReceived = 0;
    probeReceivedBytes = 0;
    probeLastArrival = Long.MIN_VALUE;
    probeEndNanos = now + PROBE_NANOS;
    long ticks = PROBE_NANOS / 20_000_000L;
    paddingPerTick = paddingBps * PROBE_NANOS / 8 / 1_000_000_000L / ticks;
    endpoint.room().context().stats().bandwidthProbes.increment();
    pad(now);
  }

  /** One tick's share of the probe's padding, in whichever video streams are between frames. */
  private void pad(long now) {
    if (now - probeEndNanos >= 0) {
      sendingProbe = 0;
      awaitedDeadline = now + PROBE_RESULT_TIMEOUT_NANOS;
      return;
    }
    long left = paddingPerTick;
    List<Consumer> consumers = endpoint.consumers();
    boolean any = true;
    while (left > 0 && any) {
      any = false;
      for (int i = 0; i < consumers.size() && left > 0; i++) {
        Consumer consumer = consumers.get(i);
        if (consumer.canPad()) {
          int sent = consumer.sendPadding((int) Math.min(PADDING_SIZE, Math.max(1, left)), now);
          if (sent > 0) {
            left -= sent;
            any = true;
          }
        }
      }
    }
    endpoint.room().flush();
  }

  /**
   * Reads a finished probe's result once its packets are reported on (or its time is up). If they
   * arrived as fast as they were sent, the path carries that rate: the estimate rises to it if it
   * was lower, and the next probe, a second later, asks half as much again. If they arrived slower,
   * the path is full at the rate they arrived at: the estimate comes down to it if it was higher,
   * and the next probe waits longer each time.
   */
  private void finishProbe(long now, boolean timeUp) {
    if (awaitedProbe == 0 || sendingProbe != 0) {
      return;
    }
    // Read once the feedback has told of every packet of the probe (or its time is up): read
    // earlier, packets not yet reported would look lost.
    boolean reported = probeSent > 0 && probeReported >= probeSent;
    if (!reported && !(timeUp && now - awaitedDeadline >= 0)) {
      return;
    }
    awaitedProbe = 0;
    long sendSpan = probeLastSend - probeFirstSend;
    long arrivalSpan = probeLastArrival - probeFirstArrival;
    boolean carriedAll = false;
    long sendBps = -1;
    long receiveBps = -1;
    if (probeReceived >= 5 && sendSpan > 1_000_000 && arrivalSpan > 1_000) {
      sendBps = (probeSentBytes - probeLastSendBytes) * 8 * 1_000_000_000L / sendSpan;
      receiveBps = (probeReceivedBytes - probeFirstArrivalBytes) * 8 * 1_000_000L / arrivalSpan;
      if (receiveBps < sendBps * 9 / 10 || probeReceived < probeReported * 9 / 10) {
        if (estimator.lowerTo(receiveBps * 95 / 100)) {
          endpoint.room().context().stats().bandwidthDecreases.increment();
          allocate(now);
        }
      } else {
        carriedAll = true;
        long carried = Math.min(sendBps, receiveBps);
        if (estimator.onProbeResult(carried)) {
          allocate(now);
        }
        probeRate = carried * 3 / 2;
      }
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "endpoint {}: probe sent {} packets at {} bit/s, {} arrived at {} bit/s; estimate {}",
          endpoint.id(),
          probeSent,
          sendBps,
          probeReceived,
          receiveBps,
          estimator.estimate());
    }
    if (carriedAll) {
      probeBackoffNanos = FIRST_PROBE_DELAY_NANOS;
      nextProbeNanos = now + PROBE_AGAIN_NANOS;
    } else {
      probeRate = 0;
      nextProbeNanos = now + probeBackoffNanos;
      probeBackoffNanos = Math.min(MAX_PROBE_BACKOFF_NANOS, probeBackoffNanos * 2);
    }
  }

  BandwidthEstimator estimator() {
    return estimator;
  }

  long allocatedBps() {
    return allocatedBps;
  }

  long wantedBps() {
    return wantedBps;
  }
}
