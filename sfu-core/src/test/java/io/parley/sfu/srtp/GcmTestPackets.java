package io.parley.sfu.srtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.jitsi.srtp.SrtpPolicy;

/** RTP packets and jitsi-srtp policies for comparing Parley's AES-GCM code with jitsi-srtp's. */
final class GcmTestPackets {
  private GcmTestPackets() {}

  /** jitsi-srtp's AES-GCM policy: no replay check when sending (NACK resends), one on receipt. */
  static SrtpPolicy policy(SrtpProfile profile) {
    SrtpPolicy policy =
        new SrtpPolicy(
            SrtpPolicy.AESGCM_ENCRYPTION,
            profile.keyLength(),
            SrtpPolicy.NULL_AUTHENTICATION,
            0,
            16,
            profile.saltLength());
    policy.setSendReplayEnabled(false);
    policy.setReceiveReplayEnabled(true);
    return policy;
  }

  /** An RTP packet, with a one-byte header extension block and a CSRC when asked. */
  static byte[] rtp(Random random, int ssrc, int sequence, boolean extended) {
    ByteBuf b = Unpooled.buffer();
    b.writeByte(extended ? 0x91 : 0x80).writeByte(96).writeShort(sequence).writeInt(sequence * 90);
    b.writeInt(ssrc);
    if (extended) {
      b.writeInt(0x01020304); // one CSRC
      b.writeShort(0xBEDE).writeShort(1).writeByte(0x31).writeShort(sequence).writeByte(0);
    }
    byte[] payload = new byte[20 + random.nextInt(1100)];
    random.nextBytes(payload);
    b.writeBytes(payload);
    byte[] out = bytes(b);
    b.release();
    return out;
  }

  /** The readable bytes of {@code b}. */
  static byte[] bytes(ByteBuf b) {
    byte[] out = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), out);
    return out;
  }
}
