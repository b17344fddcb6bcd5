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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.api.Test;

/**
 * Parley's own AES-GCM SRTP receiver, packet by packet against jitsi-srtp's receiver (the one it
 * replaces on the packet path): the same verdict and the same plaintext for packets that arrive
 * reordered, twice, too late, across sequence number wraps, tampered with or forged.
 */
class GcmRtpReceiverTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void sameVerdictsAndPlaintextAsJitsiSrtp() throws Exception {
    for (SrtpProfile profile :
        new SrtpProfile[] {SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AEAD_AES_256_GCM}) {
      Random random = new Random(31 + profile.ordinal());
      byte[] key = new byte[profile.keyLength()];
      byte[] salt = new byte[profile.saltLength()];
      random.nextBytes(key);
      random.nextBytes(salt);
      GcmRtpSender sender = new GcmRtpSender(key, salt);
      GcmRtpReceiver ours = new GcmRtpReceiver(key, salt);
      SrtpContextFactory factory =
          new SrtpContextFactory(
              false, key, salt, policy(profile), policy(profile), new LoggerImpl("test"));
      int[] ssrcs = {0x11111111, 0x22222222};
      SrtpCryptoContext[] theirs = {
        factory.deriveContext(ssrcs[0], 0), factory.deriveContext(ssrcs[1], 0)
      };
      int[] next = {65_300, 7};
      List<List<byte[]>> protectedPackets = List.of(new ArrayList<>(), new ArrayList<>());
      List<List<byte[]>> plainPackets = List.of(new ArrayList<>(), new ArrayList<>());
      int accepted = 0;
      int refused = 0;
      for (int i = 0; i < 4_000; i++) {
        int stream = random.nextInt(2);
        List<byte[]> sent = protectedPackets.get(stream);
        byte[] plain;
        byte[] wire;
        int choice = random.nextInt(20);
        if (choice == 0 && sent.size() > 1) {
          // A duplicate, or a packet from well behind: replayed or too old.
          int back = 1 + random.nextInt(Math.min(100, sent.size() - 1));
          wire = sent.get(sent.size() - back);
          plain = plainPackets.get(stream).get(sent.size() - back);
        } else if (choice == 1) {
          // A forged packet whose sequence number is far ahead: must not move any state.
          plain = rtp(random, ssrcs[stream], (next[stream] + 20_000) & 0xFFFF, false);
          wire = java.util.Arrays.copyOf(plain, plain.length + 16);
          for (int k = 12; k < wire.length; k++) {
            wire[k] = (byte) random.nextInt();
          }
        } else {
          int sequence = next[stream];
          // Now and then a gap of 300 (packets lost on the way).
          next[stream] = (sequence + 1 + (i % 97 == 0 ? 300 : 0)) & 0xFFFF;
          plain = rtp(random, ssrcs[stream], sequence, i % 3 == 0);
          ByteBuf b = Unpooled.buffer(plain.length + 16).writeBytes(plain);
          assertThat(sender.protect(b)).isEqualTo(SrtpStatus.OK);
          wire = bytes(b);
          b.release();
          sent.add(wire);
          plainPackets.get(stream).add(plain);
          if (choice == 2 && random.nextBoolean()) {
            // Tampered on the way: one flipped bit.
            wire = wire.clone();
            wire[wire.length - 1 - random.nextInt(wire.length - 12)] ^= 1;
          }
        }
        ByteBuf a = Unpooled.buffer(wire.length + 64).writeBytes(wire);
        ByteBuf b = Unpooled.buffer(wire.length + 64).writeBytes(wire);
        SrtpStatus verdict = ours.unprotect(a);
        ByteBufArrayBuffer view = new ByteBufArrayBuffer();
        view.wrap(b);
        SrtpErrorStatus expected = theirs[stream].reverseTransformPacket(view, false);
        view.clear();
        assertThat(verdict.name())
            .as("packet %d of stream %d", i, stream)
            .isEqualTo(expected == SrtpErrorStatus.INVALID_PACKET ? "INVALID" : expected.name());
        if (verdict == SrtpStatus.OK) {
          assertThat(HEX.formatHex(bytes(a))).isEqualTo(HEX.formatHex(plain));
          assertThat(HEX.formatHex(bytes(a))).isEqualTo(HEX.formatHex(bytes(b)));
          accepted++;
        } else {
          assertThat(a.readableBytes()).isEqualTo(wire.length);
          refused++;
        }
        a.release();
        b.release();
      }
      assertThat(accepted).isGreaterThan(3_000);
      assertThat(refused).isGreaterThan(200);
      sender.close();
      ours.close();
      factory.close();
    }
  }

  @Test
  void aForgedPacketMovesNothingAndTheNextRealOneIsAccepted() throws Exception {
    byte[] key = new byte[16];
    byte[] salt = new byte[12];
    GcmRtpSender sender = new GcmRtpSender(key, salt);
    GcmRtpReceiver receiver = new GcmRtpReceiver(key, salt);
    assertThat(receiver.unprotect(protect(sender, 0x1234, 100))).isEqualTo(SrtpStatus.OK);
    ByteBuf forged = protect(sender, 0x1234, 30_000);
    forged.setByte(forged.writerIndex() - 1, forged.getByte(forged.writerIndex() - 1) ^ 0x40);
    assertThat(receiver.unprotect(forged)).isEqualTo(SrtpStatus.AUTH_FAIL);
    // Had the forgery moved the highest index, 101 would now be "too old".
    assertThat(receiver.unprotect(protect(sender, 0x1234, 101))).isEqualTo(SrtpStatus.OK);
    assertThat(receiver.unprotect(protect(sender, 0x1234, 101))).isEqualTo(SrtpStatus.REPLAY_FAIL);
  }

  @Test
  void aHeaderThatDoesNotFitIsInvalid() throws Exception {
    GcmRtpReceiver receiver = new GcmRtpReceiver(new byte[16], new byte[12]);
    ByteBuf packet =
        Unpooled.buffer(64)
            .writeBytes(HEX.parseHex("900f1234decafbadcafebabebede00000000000000000000000000"));
    assertThat(receiver.unprotect(packet)).isEqualTo(SrtpStatus.INVALID);
    packet.release();
  }

  @Test
  void unprotectingAllocatesNothingPerPacket() throws Exception {
    byte[] key = new byte[16];
    byte[] salt = new byte[12];
    GcmRtpReceiver receiver = new GcmRtpReceiver(key, salt);
    assumeTrue(receiver.allocationFree(), "jitsi-srtp's OpenSSL cipher is not available here");
    GcmRtpSender sender = new GcmRtpSender(key, salt);
    int packets = 20_000;
    byte[][] wire = new byte[2 * packets][];
    byte[] plain = rtp(new Random(1), 0x1234, 0, true);
    ByteBuf scratch = Unpooled.buffer(plain.length + 16);
    for (int i = 0; i < wire.length; i++) {
      scratch.clear().writeBytes(plain).setShort(2, i);
      sender.protect(scratch);
      wire[i] = bytes(scratch);
    }
    ByteBuf packet = Unpooled.buffer(plain.length + 16);
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = 0;
    int opened = 0;
    for (int i = 0; i < wire.length; i++) {
      if (i == packets) {
        before = threads.getCurrentThreadAllocatedBytes();
      }
      packet.clear().writeBytes(wire[i]);
      if (receiver.unprotect(packet) == SrtpStatus.OK) {
        opened++;
      }
    }
    long perPacket = (threads.getCurrentThreadAllocatedBytes() - before) / packets;
    assertThat(opened).isEqualTo(wire.length);
    assertThat(perPacket).isLessThanOrEqualTo(2);
    packet.release();
    scratch.release();
  }

  private static ByteBuf protect(GcmRtpSender sender, int ssrc, int sequence) {
    byte[] plain = rtp(new Random(sequence), ssrc, sequence, false);
    ByteBuf b = Unpooled.buffer(plain.length + 16).writeBytes(plain);
    assertThat(sender.protect(b)).isEqualTo(SrtpStatus.OK);
    return b;
  }
}
