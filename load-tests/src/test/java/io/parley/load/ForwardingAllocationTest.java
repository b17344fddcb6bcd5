package io.parley.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.util.ResourceLeakDetector;
import io.parley.bench.EventLoopAllocation;
import io.parley.sfu.srtp.SrtpProfile;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;
import org.junit.jupiter.api.Test;

/**
 * The forwarding path's garbage, the real Room in memory on an event-loop thread: at most 40 bytes
 * allocated per forwarded packet with AES-GCM and 10 subscribers (the target is 64;
 * measured about 26 since the pooled datagram envelopes and Parley's own AES-GCM receiver, 44
 * before). Allocation is counted, not timed, so the figure does not depend on the machine's load.
 */
class ForwardingAllocationTest {
  @Test
  void aForwardedPacketAllocatesAtMost40Bytes() throws Exception {
    // The target is for jitsi-srtp's OpenSSL backend (sfu-core's choice); the JDK's AES-GCM, its
    // fallback where the native library does not load, copies every buffer it encrypts.
    assumeTrue(JitsiOpenSslProvider.isLoaded(), "jitsi-srtp's OpenSSL library did not load here");
    // The build runs tests with paranoid leak detection (a stack trace per buffer); the server
    // runs with Netty's default, which this measures.
    ResourceLeakDetector.Level testLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
    EventLoopAllocation.Result r;
    try {
      r = EventLoopAllocation.measure(SrtpProfile.AEAD_AES_128_GCM, 10, 300_000, 100_000);
    } finally {
      ResourceLeakDetector.setLevel(testLevel);
    }
    System.out.printf("forwarding allocates %.1f B per forwarded packet%n", r.bytesPerForwarded());
    assertThat(r.bytesPerForwarded()).isLessThanOrEqualTo(40);
  }
}
