package io.parley.sfu.routing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.parley.sfu.api.MediaMetrics;
import io.parley.sfu.api.SfuListener;
import io.parley.sfu.dtls.DtlsCertificate;
import io.parley.sfu.transport.DropCounters;
import io.parley.sfu.transport.DropReason;
import io.parley.sfu.transport.MediaPath;
import io.parley.sfu.util.LatencyHistogram;
import java.time.Duration;
import java.util.concurrent.Executor;

/** What rooms share with the whole SFU: counters, events, the certificate, address lookups. */
public interface MediaContext {
  DropCounters drops();

  default void drop(DropReason reason) {
    drops().increment(reason);
  }

  MediaStats stats();

  /** Where report-based quality samples go (RTT, jitter, loss, bandwidth estimates). */
  default MediaMetrics metrics() {
    return MediaMetrics.NONE;
  }

  SfuListener events();

  /**
   * Where the rooms on {@code loop} record how long forwarded packets spent inside the SFU; written
   * by that loop only.
   */
  default LatencyHistogram forwardingDelay(EventLoop loop) {
    return new LatencyHistogram();
  }

  DtlsCertificate certificate();

  Executor handshakeExecutor();

  ByteBufAllocator allocator();

  Duration consentTimeout();

  /** Lets DTLS and SRTP from {@code path} reach {@code endpoint} (after a valid ICE check). */
  void bindPath(MediaPath path, Endpoint endpoint);

  /** Stops DTLS and SRTP from {@code path} (consent expired, or the path closed). */
  void unbindPath(MediaPath path, Endpoint endpoint);

  /** Forgets the endpoint's ICE username and paths (closing its ICE-TCP connections). */
  void unregister(Endpoint endpoint);
}
