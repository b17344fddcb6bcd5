package io.parley.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpProfile;
import io.parley.sfu.srtp.SrtpSession;
import io.parley.sfu.srtp.SrtpStatus;
import java.util.Random;
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
 * The baseline the forwarding figures are divided by: copy a 1200-byte RTP packet into a pooled
 * heap buffer and SRTP-protect it, as a publisher does once and the SFU once per consumer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SrtpBaselineBenchmark {
  @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
  public String profile;

  /** jitsi-srtp's AES backend: {@code default} keeps sfu-core's choice. */
  @Param({"default"})
  public String backend;

  private SrtpSession session;
  private final byte[] packet = new byte[InMemoryRoom.PACKET_SIZE];
  private int sequenceNumber;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    SrtpBackends.select(backend);
    SrtpProfile p = SrtpProfile.valueOf(profile);
    Random random = new Random(1);
    byte[][] parts = new byte[4][];
    for (int i = 0; i < 4; i++) {
      parts[i] = new byte[i % 2 == 0 ? p.keyLength() : p.saltLength()];
      random.nextBytes(parts[i]);
    }
    session = new SrtpSession(new SrtpKeys(p, parts[0], parts[1], parts[2], parts[3]));
    random.nextBytes(packet);
    packet[0] = (byte) 0x80;
    packet[1] = (byte) InMemoryRoom.VIDEO_PT;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    session.close();
  }

  @Benchmark
  public int protect() {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(packet.length + 96);
    try {
      buf.writeBytes(packet);
      buf.setShort(2, sequenceNumber++);
      if (session.protectRtp(buf) != SrtpStatus.OK) {
        throw new IllegalStateException("protect failed");
      }
      return buf.readableBytes();
    } finally {
      buf.release();
    }
  }
}
