package io.parley.sfu.routing;

import java.util.concurrent.atomic.LongAdder;

/** Packet and byte counters of the media plane, safe to read from any thread. */
public final class MediaStats {
  public final LongAdder rtpIn = new LongAdder();
  public final LongAdder rtpBytesIn = new LongAdder();
  public final LongAdder rtpOut = new LongAdder();
  public final LongAdder rtpBytesOut = new LongAdder();
  public final LongAdder rtcpIn = new LongAdder();
  public final LongAdder rtcpOut = new LongAdder();
  public final LongAdder nacksIn = new LongAdder();
  public final LongAdder nacksOut = new LongAdder();
  public final LongAdder retransmissions = new LongAdder();
  public final LongAdder pliIn = new LongAdder();
  public final LongAdder pliOut = new LongAdder();
  public final LongAdder transportCcFeedbackOut = new LongAdder();
  public final LongAdder iceChecks = new LongAdder();
  public final LongAdder dtlsFailures = new LongAdder();
  public final LongAdder layerSwitches = new LongAdder();
}
