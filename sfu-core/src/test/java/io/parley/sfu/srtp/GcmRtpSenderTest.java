package io.parley.sfu.srtp;

import static io.parley.sfu.srtp.GcmTestPackets.bytes;
import static io.parley.sfu.srtp.GcmTestPackets.policy;
import static io.parley.sfu.srtp.GcmTestPackets.rtp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.Random;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.api.Test;

/**
 * Parley's own AES-GCM SRTP sender against the RFC 3711 key derivation vector and, packet by
 * packet, against jitsi-srtp's sender (the implementation it replaces on the packet path).
 */
class GcmRtpSenderTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void keyDerivationMatchesRfc3711AppendixB3() throws Exception {
    byte[] masterKey = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    byte[] masterSalt = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
    assertThat(HEX.formatHex(GcmRtpSender.sessionKey(masterKey, masterSalt, 0x00, 16)))
        .isEqualTo("c61e7a93744f39ee10734afe3ff7a087");
    assertThat(HEX.formatHex(GcmRtpSender.sessionKey(masterKey, masterSalt, 0x02, 14)))
        .isEqualTo("30cbbc08863d8c85d49db34a9ae1");
  }

  @Test
  void sameBytesAsJitsiSrtpAcrossWrapsResendsAndStreams() throws Exception {
    for (SrtpProfile profile :
        new SrtpProfile[] {SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AEAD_AES_256_GCM}) {
      Random random = new Random(profile.ordinal());
      byte[] key = new byte[profile.keyLength()];
      byte[] salt = new byte[profile.saltLength()];
      random.nextBytes(key);
      random.nextBytes(salt);
      GcmRtpSender ours = new GcmRtpSender(key, salt);
      SrtpContextFactory factory =
          new SrtpContextFactory(
              true, key, salt, policy(profile), policy(profile), new LoggerImpl("test"));
      int[] ssrcs = {0x11111111, 0x22222222};
      SrtpCryptoContext[] theirs = {
        factory.deriveContext(ssrcs[0], 0), factory.deriveContext(ssrcs[1], 0)
      };
      int[] next = {65_000, 12};
      java.util.List<java.util.List<Integer>> sent =
          java.util.List.of(new java.util.ArrayList<>(), new java.util.ArrayList<>());
      for (int i = 0; i < 3_000; i++) {
        int stream = random.nextInt(2);
        java.util.List<Integer> history = sent.get(stream);
        int sequence;
        if (i % 7 == 3 && history.size() > 2) {
          // A NACK resend of a packet sent before, sometimes from before the last wrap.
          int back = 2 + random.nextInt(Math.min(600, history.size() - 1));
          sequence = history.get(history.size() - back);
        } else {
          sequence = next[stream];
          history.add(sequence);
          next[stream] = (next[stream] + 1 + (i % 50 == 0 ? 700 : 0)) & 0xFFFF;
        }
        byte[] plain = rtp(random, ssrcs[stream], sequence, i % 3 == 0);
        ByteBuf a = Unpooled.buffer(plain.length + 16).writeBytes(plain);
        ByteBuf b = Unpooled.buffer(plain.length + 64).writeBytes(plain);
        assertThat(ours.protect(a)).isEqualTo(SrtpStatus.OK);
        ByteBufArrayBuffer view = new ByteBufArrayBuffer();
        view.wrap(b);
        assertThat(theirs[stream].transformPacket(view)).isEqualTo(SrtpErrorStatus.OK);
        view.clear();
        assertThat(a.readableBytes()).isEqualTo(plain.length + 16);
        assertThat(HEX.formatHex(bytes(a)))
            .as("packet %d, seq %d of stream %d", i, sequence, stream)
            .isEqualTo(HEX.formatHex(bytes(b)));
        a.release();
        b.release();
      }
      ours.close();
      factory.close();
    }
  }

  @Test
  void aHeaderThatDoesNotFitIsInvalid() throws Exception {
    GcmRtpSender sender = new GcmRtpSender(new byte[16], new byte[12]);
    // Extension bit set, but the extension header runs past the end.
    ByteBuf packet = Unpooled.buffer(64).writeBytes(HEX.parseHex("900f1234decafbadcafebabebede"));
    assertThat(sender.protect(packet)).isEqualTo(SrtpStatus.INVALID);
    packet.release();
  }

  @Test
  void protectingAllocatesNothingPerPacket() throws Exception {
    GcmRtpSender sender = new GcmRtpSender(new byte[16], new byte[12]);
    assumeTrue(sender.allocationFree(), "jitsi-srtp's OpenSSL cipher is not available here");
    byte[] plain = rtp(new Random(1), 0x1234, 0, true);
    ByteBuf packet = Unpooled.buffer(plain.length + 16);
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = 0;
    int packets = 20_000;
    for (int i = 0; i < 2 * packets; i++) {
      if (i == packets) {
        before = threads.getCurrentThreadAllocatedBytes();
      }
      packet.clear().writeBytes(plain).setShort(2, i);
      sender.protect(packet);
    }
    long perPacket = (threads.getCurrentThreadAllocatedBytes() - before) / packets;
    assertThat(perPacket).isLessThanOrEqualTo(2);
    packet.release();
  }
}
