package io.parley.bench;

import io.parley.sfu.srtp.SrtpProfile;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The forwarding path in memory: one publisher's 1200-byte VP8 packet goes through the real Room
 * (SRTP unprotect, parse, route, per-consumer rewrite, SRTP protect, write, flush) to {@code
 * consumers} subscribers. One operation is one incoming packet, so it includes the publisher's own
 * SRTP protect of that packet; {@link SrtpBaselineBenchmark} measures that alone in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ForwardingBenchmark {
  @Param({"1", "10", "50"})
  public int consumers;

  @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  public String profile;

  /** jitsi-srtp's AES backend: {@code default} keeps sfu-core's choice. */
  @Param({"default"})
  public String backend;

  private InMemoryRoom room;
  private int count;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    SrtpBackends.select(backend);
    room = InMemoryRoom.create(SrtpProfile.valueOf(profile), consumers);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    room.close();
  }

  @Benchmark
  public long forward() {
    if ((++count & 1023) == 0) {
      // The room's 20 ms timer (receiver reports, transport-cc feedback) runs on a real loop too.
      room.runTimers();
    }
    return room.forwardOne();
  }
}
