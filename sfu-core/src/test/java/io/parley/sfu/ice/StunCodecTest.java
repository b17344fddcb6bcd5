package io.parley.sfu.ice;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.sfu.ice.StunException.Kind;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class StunCodecTest {

  // ---- RFC 5769 vectors ----

  @Test
  void decodesTheRfc5769SampleRequest() throws Exception {
    BindingRequest request = withBuf(Rfc5769.REQUEST, StunCodecTest::decodeRequest);

    assertThat(request.transactionId()).isEqualTo(Rfc5769.TRANSACTION_ID);
    assertThat(request.username()).isEqualTo("evtj:h6vY");
    assertThat(request.localUfrag()).isEqualTo("evtj");
    assertThat(request.remoteUfrag()).isEqualTo("h6vY");
    assertThat(request.priority()).isEqualTo(0x6e0001ffL);
    assertThat(request.iceControlled()).isTrue();
    assertThat(request.iceControlling()).isFalse();
    assertThat(request.useCandidate()).isFalse();
    assertThat(request.tieBreaker()).isEqualTo(0x932ff9b151263b36L);
  }

  @Test
  void verifiesTheRfc5769SampleRequestIntegrity() {
    assertThat(verify(Rfc5769.REQUEST, Rfc5769.PASSWORD)).isTrue();
    assertThat(verify(Rfc5769.REQUEST, "VOkJxbRl1RmTxUk/WvJxBu")).isFalse();
    assertThat(verify(Rfc5769.REQUEST, "")).isFalse();
    assertThat(verify(Rfc5769.REQUEST, null)).isFalse();
  }

  @Test
  void decodesTheRfc5769Ipv4Response() throws Exception {
    BindingResponse response =
        withBuf(Rfc5769.IPV4_RESPONSE, b -> decodeResponse(b, Rfc5769.PASSWORD));

    assertThat(response.success()).isTrue();
    assertThat(response.errorCode()).isZero();
    assertThat(response.transactionId()).isEqualTo(Rfc5769.TRANSACTION_ID);
    assertThat(response.mappedAddress())
        .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
  }

  @Test
  void decodesTheRfc5769Ipv6Response() throws Exception {
    BindingResponse response =
        withBuf(Rfc5769.IPV6_RESPONSE, b -> decodeResponse(b, Rfc5769.PASSWORD));

    assertThat(response.success()).isTrue();
    assertThat(response.mappedAddress())
        .isEqualTo(
            new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
  }

  @Test
  void refusesTheRfc5769ResponseWithTheWrongPassword() {
    assertThat(kindOf(Rfc5769.IPV4_RESPONSE, b -> decodeResponse(b, "wrong")))
        .isEqualTo(Kind.BAD_INTEGRITY);
  }

  @Test
  void encodesTheRfc5769MappedAddressesByteForByte() throws Exception {
    byte[] v4 =
        StunCodec.encodeBindingSuccess(
            Rfc5769.TRANSACTION_ID,
            new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853),
            Rfc5769.PASSWORD);
    byte[] v6 =
        StunCodec.encodeBindingSuccess(
            Rfc5769.TRANSACTION_ID,
            new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853),
            Rfc5769.PASSWORD);

    // Header with the transaction id, then XOR-MAPPED-ADDRESS as in §2.2 and §2.3; no SOFTWARE.
    assertThat(slice(v4, 4, 20)).isEqualTo(slice(Rfc5769.IPV4_RESPONSE, 4, 20));
    assertThat(slice(v4, 20, 32)).isEqualTo(slice(Rfc5769.IPV4_RESPONSE, 36, 48));
    assertThat(slice(v6, 20, 44)).isEqualTo(slice(Rfc5769.IPV6_RESPONSE, 36, 60));
    // XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT and nothing else.
    assertThat(v4).hasSize(20 + 12 + 24 + 8);
    assertThat(v6).hasSize(20 + 24 + 24 + 8);
  }

  // ---- round trips ----

  @Test
  void requestRoundTrip() throws Exception {
    byte[] tx = StunCodec.newTransactionId();
    byte[] wire =
        StunCodec.encodeBindingRequest(
            tx, "sfuUfrag:browser", "the-sfu-password-0123456", 0x6e7f1eff, true, 42L, true);

    assertThat(StunCodec.looksLikeStun(Unpooled.wrappedBuffer(wire))).isTrue();
    BindingRequest request = withBuf(wire, StunCodecTest::decodeRequest);
    assertThat(request.transactionId()).isEqualTo(tx);
    assertThat(request.localUfrag()).isEqualTo("sfuUfrag");
    assertThat(request.remoteUfrag()).isEqualTo("browser");
    assertThat(request.priority()).isEqualTo(0x6e7f1eff);
    assertThat(request.iceControlling()).isTrue();
    assertThat(request.iceControlled()).isFalse();
    assertThat(request.useCandidate()).isTrue();
    assertThat(request.tieBreaker()).isEqualTo(42L);
    assertThat(verify(wire, "the-sfu-password-0123456")).isTrue();
    assertThat(verify(wire, "the-sfu-password-0123457")).isFalse();
  }

  @Test
  void controlledRequestWithoutNomination() throws Exception {
    byte[] wire =
        StunCodec.encodeBindingRequest(
            StunCodec.newTransactionId(), "a:b", "pw", 1, false, -1L, false);

    BindingRequest request = withBuf(wire, StunCodecTest::decodeRequest);
    assertThat(request.iceControlled()).isTrue();
    assertThat(request.iceControlling()).isFalse();
    assertThat(request.useCandidate()).isFalse();
    assertThat(request.tieBreaker()).isEqualTo(-1L);
  }

  @Test
  void successRoundTripIpv4AndIpv6() throws Exception {
    for (String host : new String[] {"10.1.2.3", "::1", "fe80::1234:5678:9abc:def0"}) {
      InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName(host), 54321);
      byte[] tx = StunCodec.newTransactionId();
      byte[] wire = StunCodec.encodeBindingSuccess(tx, mapped, "pass");

      BindingResponse response = withBuf(wire, b -> decodeResponse(b, "pass"));
      assertThat(response.transactionId()).isEqualTo(tx);
      assertThat(response.success()).isTrue();
      assertThat(response.mappedAddress()).isEqualTo(mapped);
      assertThat(kindOf(wire, b -> decodeResponse(b, "pasS"))).isEqualTo(Kind.BAD_INTEGRITY);
      assertThat(verify(wire, "pass")).isTrue();
    }
  }

  @Test
  void errorRoundTripWithAndWithoutIntegrity() throws Exception {
    byte[] tx = StunCodec.newTransactionId();
    byte[] signed = StunCodec.encodeBindingError(tx, 487, "Role Conflict", "pw");
    byte[] unsigned = StunCodec.encodeBindingError(tx, 401, null, null);

    BindingResponse conflict = withBuf(signed, b -> decodeResponse(b, "pw"));
    assertThat(conflict.success()).isFalse();
    assertThat(conflict.errorCode()).isEqualTo(487);
    assertThat(conflict.mappedAddress()).isNull();
    assertThat(conflict.transactionId()).isEqualTo(tx);

    assertThat(withBuf(unsigned, b -> decodeResponse(b, null)).errorCode()).isEqualTo(401);
    assertThat(kindOf(unsigned, b -> decodeResponse(b, "pw"))).isEqualTo(Kind.MISSING_ATTRIBUTE);
  }

  @Test
  void errorReasonIsReducedToPrintableAscii() throws Exception {
    byte[] wire =
        StunCodec.encodeBindingError(
            StunCodec.newTransactionId(), 400, "bad\r\nrequest ✓" + "x".repeat(1000), null);

    assertThat(wire.length).isLessThan(20 + 4 + 4 + 128 + 8 + 4);
    assertThat(withBuf(wire, b -> decodeResponse(b, null)).errorCode()).isEqualTo(400);
  }

  // ---- what the codec refuses ----

  @Test
  void responseIsNotARequest() throws Exception {
    byte[] wire =
        StunCodec.encodeBindingSuccess(
            StunCodec.newTransactionId(), new InetSocketAddress("127.0.0.1", 1), "pw");

    assertThat(kindOf(wire, StunCodecTest::decodeRequest)).isEqualTo(Kind.NOT_A_BINDING_REQUEST);
    assertThat(kindOf(Rfc5769.REQUEST, b -> decodeResponse(b, null)))
        .isEqualTo(Kind.NOT_A_BINDING_RESPONSE);
  }

  @Test
  void requestWithoutFingerprintIsRefused() {
    // §2.1 without its FINGERPRINT: drop the last 8 bytes and fix the length field.
    byte[] wire = java.util.Arrays.copyOf(Rfc5769.REQUEST, Rfc5769.REQUEST.length - 8);
    wire[3] = (byte) (wire.length - 20);

    assertThat(kindOf(wire, StunCodecTest::decodeRequest)).isEqualTo(Kind.MISSING_ATTRIBUTE);
    // Integrity does not depend on FINGERPRINT.
    assertThat(verify(wire, Rfc5769.PASSWORD)).isTrue();
  }

  @Test
  void requestWithoutIntegrityOrUsernameIsRefused() throws Exception {
    // §2.1 with MESSAGE-INTEGRITY (at 76) or USERNAME (at 60) renamed to an unknown optional type.
    for (int at : new int[] {76, 60}) {
      byte[] wire = Rfc5769.REQUEST.clone();
      wire[at] = (byte) 0xC0;
      fixFingerprint(wire);
      assertThat(kindOf(wire, StunCodecTest::decodeRequest)).isEqualTo(Kind.MISSING_ATTRIBUTE);
    }
    byte[] noColon =
        StunCodec.encodeBindingRequest(
            StunCodec.newTransactionId(), "nocolon", "pw", 1, true, 1, false);
    assertThat(kindOf(noColon, StunCodecTest::decodeRequest)).isEqualTo(Kind.MALFORMED);
  }

  @Test
  void requestWithABadFingerprintIsRefused() {
    byte[] wire = Rfc5769.REQUEST.clone();
    wire[wire.length - 1] ^= 1;

    assertThat(kindOf(wire, StunCodecTest::decodeRequest)).isEqualTo(Kind.BAD_FINGERPRINT);
  }

  @Test
  void requestWithATamperedPriorityFailsIntegrityEvenWithAFixedFingerprint() {
    byte[] wire = Rfc5769.REQUEST.clone();
    wire[47] ^= 1; // PRIORITY's last byte
    fixFingerprint(wire);

    assertThat(verify(wire, Rfc5769.PASSWORD)).isFalse();
  }

  @Test
  void looksLikeStunChecksHeaderOnlyAndMovesNoIndex() {
    ByteBuf stun = Unpooled.wrappedBuffer(Rfc5769.REQUEST);
    ByteBuf dtls = Unpooled.wrappedBuffer(new byte[] {22, (byte) 0xfe, (byte) 0xfd, 0, 0});
    ByteBuf longer = Unpooled.wrappedBuffer(Rfc5769.REQUEST, new byte[4]);
    try {
      assertThat(StunCodec.looksLikeStun(stun)).isTrue();
      assertThat(stun.readerIndex()).isZero();
      assertThat(StunCodec.looksLikeStun(dtls)).isFalse();
      assertThat(StunCodec.looksLikeStun(longer)).isFalse();
      stun.readerIndex(1);
      assertThat(StunCodec.looksLikeStun(stun)).isFalse();
    } finally {
      stun.release();
      dtls.release();
      longer.release();
    }
  }

  @Test
  void decodesFromANonZeroReaderIndexWithoutMovingIt() throws Exception {
    byte[] padded = new byte[Rfc5769.REQUEST.length + 7];
    System.arraycopy(Rfc5769.REQUEST, 0, padded, 7, Rfc5769.REQUEST.length);
    ByteBuf buf = Unpooled.wrappedBuffer(padded).readerIndex(7);
    try {
      assertThat(StunCodec.looksLikeStun(buf)).isTrue();
      assertThat(StunCodec.decodeBindingRequest(buf).username()).isEqualTo("evtj:h6vY");
      assertThat(StunCodec.verifyIntegrity(buf, Rfc5769.PASSWORD)).isTrue();
      assertThat(buf.readerIndex()).isEqualTo(7);
      assertThat(buf.writerIndex()).isEqualTo(padded.length);
    } finally {
      buf.release();
    }
  }

  @Test
  void credentialsAreIceChars() {
    String ufrag = IceCredentials.newUfrag();
    String password = IceCredentials.newPassword();

    assertThat(ufrag).hasSize(8).matches("[A-Za-z0-9+/]+");
    assertThat(password).hasSize(24).matches("[A-Za-z0-9+/]+");
    assertThat(IceCredentials.newPassword()).isNotEqualTo(password);
  }

  // ---- helpers ----

  interface BufFunction<T> {
    T apply(ByteBuf buf) throws Exception;
  }

  static <T> T withBuf(byte[] bytes, BufFunction<T> f) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      return f.apply(buf);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      buf.release();
    }
  }

  static Kind kindOf(byte[] bytes, BufFunction<?> f) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      f.apply(buf);
      throw new AssertionError("expected a StunException");
    } catch (StunException e) {
      return e.kind();
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      buf.release();
    }
  }

  static boolean verify(byte[] bytes, String password) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      return StunCodec.verifyIntegrity(buf, password);
    } finally {
      buf.release();
    }
  }

  static BindingRequest decodeRequest(ByteBuf buf) throws StunException {
    return StunCodec.decodeBindingRequest(buf);
  }

  static BindingResponse decodeResponse(ByteBuf buf, String password) throws StunException {
    return StunCodec.decodeBindingResponse(buf, password);
  }

  static void fixFingerprint(byte[] wire) {
    byte[] crc =
        org.ice4j.attribute.FingerprintAttribute.calculateXorCRC32(wire, 0, wire.length - 8);
    System.arraycopy(crc, 0, wire, wire.length - 4, 4);
  }

  private static byte[] slice(byte[] b, int from, int to) {
    return java.util.Arrays.copyOfRange(b, from, to);
  }
}
