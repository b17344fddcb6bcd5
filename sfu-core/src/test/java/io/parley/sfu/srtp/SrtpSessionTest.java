package io.parley.sfu.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SrtpSessionTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final PooledByteBufAllocator ALLOC = new PooledByteBufAllocator(false);

  // Known-answer packets from libsrtp's test/srtp_driver.c (master key + salt, SSRC 0xcafebabe).
  // RFC 7714 §16/§17 give its packets under already-derived session keys, which jitsi-srtp's
  // master-key API cannot take, so libsrtp's GCM packets (master key based) stand in for them.
  private static final byte[] CM_KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
  private static final byte[] CM_SALT = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
  private static final byte[] GCM_KEY = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
  private static final byte[] GCM_SALT = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaab");

  private static final String RTP_PLAIN =
      "800f1234decafbadcafebabeabababababababababababababababab";
  private static final String RTCP_PLAIN = "81c8000bcafebabeabababababababababababababababab";
  private static final String CM_SRTP =
      "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb";
  private static final String CM_SRTCP =
      "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798";
  private static final String GCM_SRTP =
      "800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392";
  private static final String GCM_SRTCP =
      "81c8000bcafebabec98b8b5df0392a55852b6c21ac8e7025c52c6fbea2b3b446ea31123ba88ce61e80000001";

  private final java.util.List<ByteBuf> allocated = new java.util.ArrayList<>();
  private final java.util.List<SrtpSession> sessions = new java.util.ArrayList<>();

  @AfterEach
  void releaseAll() {
    for (ByteBuf buf : allocated) {
      assertThat(buf.release()).isTrue();
    }
    sessions.forEach(SrtpSession::close);
  }

  private ByteBuf packet(String hex) {
    byte[] bytes = HEX.parseHex(hex);
    ByteBuf buf = ALLOC.heapBuffer(bytes.length + 64, 1500);
    buf.writeBytes(bytes);
    allocated.add(buf);
    return buf;
  }

  private static String hex(ByteBuf buf) {
    return ByteBufUtil.hexDump(buf);
  }

  private SrtpSession session(SrtpProfile profile, byte[] key, byte[] salt) {
    SrtpSession session = new SrtpSession(new SrtpKeys(profile, key, salt, key, salt));
    sessions.add(session);
    return session;
  }

  private SrtpSession[] pair(SrtpProfile profile) {
    byte[] a = new byte[profile.keyLength()];
    byte[] b = new byte[profile.keyLength()];
    byte[] sa = new byte[profile.saltLength()];
    byte[] sb = new byte[profile.saltLength()];
    java.util.Random random = new java.util.Random(7);
    random.nextBytes(a);
    random.nextBytes(b);
    random.nextBytes(sa);
    random.nextBytes(sb);
    SrtpSession left = new SrtpSession(new SrtpKeys(profile, a, sa, b, sb));
    SrtpSession right = new SrtpSession(new SrtpKeys(profile, b, sb, a, sa));
    sessions.add(left);
    sessions.add(right);
    return new SrtpSession[] {left, right};
  }

  @Test
  void aesCm128HmacSha1_80KnownAnswer() {
    SrtpSession session = session(SrtpProfile.AES_CM_128_HMAC_SHA1_80, CM_KEY, CM_SALT);

    ByteBuf rtp = packet(RTP_PLAIN);
    assertThat(session.protectRtp(rtp)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(rtp)).isEqualTo(CM_SRTP);
    assertThat(session.unprotectRtp(rtp)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(rtp)).isEqualTo(RTP_PLAIN);

    // libsrtp's reference SRTCP packet carries index 1: the second packet we protect.
    assertThat(session.protectRtcp(packet(RTCP_PLAIN))).isEqualTo(SrtpStatus.OK);
    ByteBuf rtcp = packet(RTCP_PLAIN);
    assertThat(session.protectRtcp(rtcp)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(rtcp)).isEqualTo(CM_SRTCP);
    assertThat(session.unprotectRtcp(rtcp)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(rtcp)).isEqualTo(RTCP_PLAIN);
  }

  @Test
  void aeadAes128GcmKnownAnswer() {
    SrtpSession session = session(SrtpProfile.AEAD_AES_128_GCM, GCM_KEY, GCM_SALT);

    ByteBuf rtp = packet(RTP_PLAIN);
    assertThat(session.protectRtp(rtp)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(rtp)).isEqualTo(GCM_SRTP);
    assertThat(session.unprotectRtp(rtp)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(rtp)).isEqualTo(RTP_PLAIN);

    assertThat(session.protectRtcp(packet(RTCP_PLAIN))).isEqualTo(SrtpStatus.OK);
    ByteBuf rtcp = packet(RTCP_PLAIN);
    assertThat(session.protectRtcp(rtcp)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(rtcp)).isEqualTo(GCM_SRTCP);
    assertThat(session.unprotectRtcp(rtcp)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(rtcp)).isEqualTo(RTCP_PLAIN);
  }

  @Test
  void gcmEncryptsEvenWhenTheBufferHasNoSpareRoom() {
    SrtpSession session = session(SrtpProfile.AEAD_AES_128_GCM, GCM_KEY, GCM_SALT);
    byte[] bytes = HEX.parseHex(RTP_PLAIN);
    // Exactly the packet, no headroom: the session must grow the buffer rather than send plaintext.
    ByteBuf rtp = ALLOC.heapBuffer(bytes.length, 1500).writeBytes(bytes);
    allocated.add(rtp);
    assertThat(session.protectRtp(rtp)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(rtp)).isEqualTo(GCM_SRTP);
  }

  @Test
  void noRoomToGrowIsInvalidNotPlaintext() {
    SrtpSession session = session(SrtpProfile.AEAD_AES_128_GCM, GCM_KEY, GCM_SALT);
    byte[] bytes = HEX.parseHex(RTP_PLAIN);
    ByteBuf rtp = ALLOC.heapBuffer(bytes.length, bytes.length).writeBytes(bytes);
    allocated.add(rtp);
    assertThat(session.protectRtp(rtp)).isEqualTo(SrtpStatus.INVALID);
    assertThat(hex(rtp)).isEqualTo(RTP_PLAIN);
  }

  @Test
  void everyProfileRoundTripsRtpAndRtcp() {
    for (SrtpProfile profile : SrtpProfile.values()) {
      SrtpSession[] peers = pair(profile);
      String rtpPlain = "80e01234000003e8deadbeef" + "42".repeat(100);
      ByteBuf rtp = packet(rtpPlain);
      assertThat(peers[0].protectRtp(rtp)).as(profile.name()).isEqualTo(SrtpStatus.OK);
      assertThat(rtp.readableBytes()).isEqualTo(112 + profile.rtpTagLength());
      assertThat(hex(rtp)).isNotEqualTo(rtpPlain);
      assertThat(peers[1].unprotectRtp(rtp)).as(profile.name()).isEqualTo(SrtpStatus.OK);
      assertThat(hex(rtp)).isEqualTo(rtpPlain);

      String rtcpPlain = "80c90001deadbeef" + "81ca0002deadbeef01026869";
      ByteBuf rtcp = packet(rtcpPlain);
      assertThat(peers[1].protectRtcp(rtcp)).as(profile.name()).isEqualTo(SrtpStatus.OK);
      assertThat(rtcp.readableBytes()).isEqualTo(20 + 4 + profile.rtcpTagLength());
      assertThat(peers[0].unprotectRtcp(rtcp)).as(profile.name()).isEqualTo(SrtpStatus.OK);
      assertThat(hex(rtcp)).isEqualTo(rtcpPlain);
    }
  }

  @Test
  void flippedByteIsAuthFail() {
    for (SrtpProfile profile : SrtpProfile.values()) {
      SrtpSession[] peers = pair(profile);
      ByteBuf rtp = packet("80601234000003e8deadbeef" + "00".repeat(40));
      assertThat(peers[0].protectRtp(rtp)).isEqualTo(SrtpStatus.OK);
      rtp.setByte(20, rtp.getByte(20) ^ 0x01);
      assertThat(peers[1].unprotectRtp(rtp)).as(profile.name()).isEqualTo(SrtpStatus.AUTH_FAIL);

      ByteBuf rtcp = packet("80c90001deadbeef");
      assertThat(peers[0].protectRtcp(rtcp)).isEqualTo(SrtpStatus.OK);
      rtcp.setByte(5, rtcp.getByte(5) ^ 0x01);
      assertThat(peers[1].unprotectRtcp(rtcp)).as(profile.name()).isNotEqualTo(SrtpStatus.OK);
    }
  }

  @Test
  void samePacketTwiceIsReplayFail() {
    SrtpSession[] peers = pair(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
    ByteBuf first = packet("80601234000003e8deadbeef" + "11".repeat(20));
    assertThat(peers[0].protectRtp(first)).isEqualTo(SrtpStatus.OK);
    ByteBuf copy = packet(hex(first));
    assertThat(peers[1].unprotectRtp(first)).isEqualTo(SrtpStatus.OK);
    assertThat(peers[1].unprotectRtp(copy)).isEqualTo(SrtpStatus.REPLAY_FAIL);

    ByteBuf rtcp = packet("80c90001deadbeef");
    assertThat(peers[0].protectRtcp(rtcp)).isEqualTo(SrtpStatus.OK);
    ByteBuf rtcpCopy = packet(hex(rtcp));
    assertThat(peers[1].unprotectRtcp(rtcp)).isEqualTo(SrtpStatus.OK);
    assertThat(peers[1].unprotectRtcp(rtcpCopy)).isEqualTo(SrtpStatus.REPLAY_FAIL);
  }

  @Test
  void protectingTheSameSequenceNumberTwiceWorksForNackResends() {
    SrtpSession[] peers = pair(SrtpProfile.AEAD_AES_128_GCM);
    String plain = "80601234000003e8deadbeef" + "22".repeat(30);
    ByteBuf original = packet(plain);
    ByteBuf resend = packet(plain);
    assertThat(peers[0].protectRtp(original)).isEqualTo(SrtpStatus.OK);
    assertThat(peers[0].protectRtp(resend)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(resend)).isEqualTo(hex(original));
    // The receiver lost the first copy; the resend is accepted once.
    assertThat(peers[1].unprotectRtp(resend)).isEqualTo(SrtpStatus.OK);
    assertThat(hex(resend)).isEqualTo(plain);
  }

  @Test
  void anOlderSequenceNumberProtectedLateIsAccepted() {
    for (SrtpProfile profile : SrtpProfile.values()) {
      SrtpSession[] peers = pair(profile);
      // 10, 11, 12 go out first; 9 (lost before it was ever sent) is sent after them.
      for (int seq : new int[] {10, 11, 12, 9}) {
        String plain = String.format("8060%04x000003e8deadbeef", seq) + "22".repeat(30);
        ByteBuf buf = packet(plain);
        assertThat(peers[0].protectRtp(buf))
            .as(profile + " protect " + seq)
            .isEqualTo(SrtpStatus.OK);
        assertThat(peers[1].unprotectRtp(buf))
            .as(profile + " unprotect " + seq)
            .isEqualTo(SrtpStatus.OK);
        assertThat(hex(buf)).isEqualTo(plain);
      }
    }
  }

  @Test
  void aLateResendAmongTwoStreamsIsAccepted() {
    for (SrtpProfile profile : SrtpProfile.values()) {
      SrtpSession[] peers = pair(profile);
      java.util.List<String> order = new java.util.ArrayList<>();
      for (int seq = 10; seq < 40; seq++) {
        if (seq != 20) {
          order.add(String.format("8060%04x000003e8deadbeef", seq));
        }
        order.add(String.format("806f%04x00000100cafebabe", seq + 1000));
      }
      order.add(String.format("8060%04x000003e8deadbeef", 20));
      order.add(String.format("8060%04x000003e8deadbeef", 20));
      int i = 0;
      for (String header : order) {
        String plain = header + "33".repeat(100);
        ByteBuf buf = packet(plain);
        assertThat(peers[0].protectRtp(buf))
            .as(profile + " protect " + header)
            .isEqualTo(SrtpStatus.OK);
        SrtpStatus status = peers[1].unprotectRtp(buf);
        if (++i == order.size()) {
          assertThat(status).as(profile + " second resend").isEqualTo(SrtpStatus.REPLAY_FAIL);
        } else {
          assertThat(status).as(profile + " unprotect " + header).isEqualTo(SrtpStatus.OK);
        }
      }
    }
  }

  @Test
  void garbageIsInvalidNeverAnException() {
    SrtpSession[] peers = pair(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
    assertThat(peers[1].unprotectRtp(packet("80"))).isEqualTo(SrtpStatus.INVALID);
    assertThat(peers[1].unprotectRtp(packet("00".repeat(40)))).isEqualTo(SrtpStatus.INVALID);
    assertThat(peers[1].unprotectRtcp(packet("80c9000100"))).isEqualTo(SrtpStatus.INVALID);
    // Claims 15 CSRCs and a header extension it does not have.
    assertThat(peers[1].unprotectRtp(packet("9f601234000003e8deadbeef" + "00".repeat(14))))
        .isNotEqualTo(SrtpStatus.OK);
    assertThat(peers[0].protectRtp(packet("9f601234000003e8deadbeef"))).isNotEqualTo(SrtpStatus.OK);
    ByteBuf direct = io.netty.buffer.Unpooled.directBuffer(64).writeZero(40);
    direct.setByte(0, 0x80);
    allocated.add(direct);
    assertThat(peers[0].protectRtp(direct)).isEqualTo(SrtpStatus.INVALID);
  }
}
