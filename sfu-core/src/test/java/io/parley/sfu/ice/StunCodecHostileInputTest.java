package io.parley.sfu.ice;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile datagrams: every decode either succeeds or throws a StunException; verifyIntegrity only
 * answers true or false. Anything else escaping fails the test.
 */
class StunCodecHostileInputTest {
  private static final String PASSWORD = "the-sfu-password-0123456";

  private static List<byte[]> seeds() {
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(Rfc5769.REQUEST);
    seeds.add(Rfc5769.IPV4_RESPONSE);
    seeds.add(Rfc5769.IPV6_RESPONSE);
    byte[] tx = StunCodec.newTransactionId();
    seeds.add(StunCodec.encodeBindingRequest(tx, "abcd:efgh", PASSWORD, 1234, true, 7, true));
    seeds.add(
        StunCodec.encodeBindingSuccess(tx, new InetSocketAddress("2001:db8::1", 9), PASSWORD));
    seeds.add(StunCodec.encodeBindingError(tx, 487, "Role Conflict", PASSWORD));
    return seeds;
  }

  @Test
  void randomBytes() {
    Random random = new Random(0x5717);
    for (int i = 0; i < 10_000; i++) {
      byte[] bytes = new byte[random.nextInt(200)];
      random.nextBytes(bytes);
      if (i % 2 == 0 && bytes.length >= 20) {
        // Half the time, a plausible header so the attribute walk is reached.
        bytes[0] = (byte) (random.nextInt(4));
        bytes[1] = (byte) (random.nextBoolean() ? 0x01 : 0x11);
        int length = (bytes.length - 20) & ~3;
        bytes = Arrays.copyOf(bytes, 20 + length);
        bytes[2] = (byte) (length >> 8);
        bytes[3] = (byte) length;
        bytes[4] = 0x21;
        bytes[5] = 0x12;
        bytes[6] = (byte) 0xa4;
        bytes[7] = 0x42;
      }
      assertOnlyStunExceptions(bytes);
    }
  }

  /**
   * Well-framed messages of random attributes (types ice4j knows, sizes right and wrong) with a
   * valid FINGERPRINT and, half the time, a valid MESSAGE-INTEGRITY: these reach ice4j's decoders.
   */
  @Test
  void randomAttributesBehindAValidFingerprint() {
    int[] types = {
      0x0001, 0x0003, 0x0006, 0x0008, 0x0009, 0x000A, 0x000C, 0x000D, 0x0012, 0x0013, 0x0014,
      0x0015, 0x0016, 0x0017, 0x0018, 0x0019, 0x001A, 0x0020, 0x0022, 0x0024, 0x0025, 0x002A,
      0x8022, 0x8023, 0x8028, 0x8029, 0x802A, 0xC057
    };
    int[] messageTypes = {0x0001, 0x0101, 0x0111};
    Random random = new Random(0xF022);
    int decoded = 0;
    for (int i = 0; i < 10_000; i++) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      int count = 1 + random.nextInt(5);
      for (int a = 0; a < count; a++) {
        int type = types[random.nextInt(types.length)];
        int length = random.nextInt(4) == 0 ? random.nextInt(25) : typicalLength(type);
        byte[] value = new byte[(length + 3) & ~3];
        random.nextBytes(value);
        if (type == 0x0006 && length >= 2) {
          value[0] = 'a';
          value[1] = ':';
        }
        if (type == 0x0020 && length >= 2) {
          value[1] = (byte) (length == 8 ? 1 : 2);
        }
        if (type == 0x0009 && length >= 4) {
          value[2] = (byte) (3 + random.nextInt(4));
          value[3] = (byte) random.nextInt(100);
        }
        out.write(type >> 8);
        out.write(type);
        out.write(length >> 8);
        out.write(length);
        out.write(value, 0, value.length);
      }
      byte[] attributes = out.toByteArray();
      boolean sign = random.nextBoolean();
      int length = attributes.length + (sign ? 24 : 0) + 8;
      byte[] msg = new byte[20 + length];
      int type = messageTypes[random.nextInt(messageTypes.length)];
      msg[0] = (byte) (type >> 8);
      msg[1] = (byte) type;
      msg[2] = (byte) (length >> 8);
      msg[3] = (byte) length;
      System.arraycopy(Rfc5769.REQUEST, 4, msg, 4, 16);
      System.arraycopy(attributes, 0, msg, 20, attributes.length);
      int pos = 20 + attributes.length;
      if (sign) {
        msg[pos] = 0x00;
        msg[pos + 1] = 0x08;
        msg[pos + 3] = 20;
        int integrityLength = pos - 20 + 24;
        byte[] header = msg.clone();
        header[2] = (byte) (integrityLength >> 8);
        header[3] = (byte) integrityLength;
        byte[] hmac =
            org.ice4j.attribute.MessageIntegrityAttribute.calculateHmacSha1(
                header, 0, pos, PASSWORD.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        System.arraycopy(hmac, 0, msg, pos + 4, 20);
        pos += 24;
      }
      msg[pos] = (byte) 0x80;
      msg[pos + 1] = 0x28;
      msg[pos + 3] = 4;
      StunCodecTest.fixFingerprint(msg);
      assertOnlyStunExceptions(msg);
      if (succeeds(msg)) {
        decoded++;
      }
    }
    // The generator must reach the success path too, or it tests nothing past the framing.
    assertThat(decoded).isGreaterThan(100);
  }

  private static int typicalLength(int type) {
    switch (type) {
      case 0x0020:
        return 8;
      case 0x0024:
      case 0x8028:
        return 4;
      case 0x0025:
        return 0;
      case 0x8029:
      case 0x802A:
        return 8;
      case 0x0008:
        return 20;
      default:
        return 4 + (type & 7);
    }
  }

  private static boolean succeeds(byte[] msg) {
    ByteBuf buf = Unpooled.wrappedBuffer(msg);
    try {
      StunCodec.decodeBindingRequest(buf);
      return true;
    } catch (StunException e) {
      try {
        StunCodec.decodeBindingResponse(buf, PASSWORD);
        return true;
      } catch (StunException e2) {
        return false;
      }
    } finally {
      buf.release();
    }
  }

  @Test
  void truncatedAtEveryLength() {
    for (byte[] seed : seeds()) {
      for (int n = 0; n < seed.length; n++) {
        byte[] cut = Arrays.copyOf(seed, n);
        assertOnlyStunExceptions(cut);
        if (n >= 20) {
          // Also with the length field agreeing with the cut.
          int length = n - 20;
          cut[2] = (byte) (length >> 8);
          cut[3] = (byte) length;
          assertOnlyStunExceptions(cut);
        }
      }
    }
  }

  @Test
  void everyBitFlipped() {
    for (byte[] seed : seeds()) {
      for (int bit = 0; bit < seed.length * 8; bit++) {
        byte[] flipped = seed.clone();
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        assertOnlyStunExceptions(flipped);
        // With FINGERPRINT recomputed, so the flip reaches the attribute decoders.
        StunCodecTest.fixFingerprint(flipped);
        assertOnlyStunExceptions(flipped);
      }
    }
  }

  @Test
  void lyingLengthFields() {
    Random random = new Random(42);
    for (byte[] seed : seeds()) {
      for (int i = 0; i < 2_000; i++) {
        byte[] lie = seed.clone();
        if (random.nextBoolean()) {
          // The message length.
          int length = random.nextInt(0x10000);
          lie[2] = (byte) (length >> 8);
          lie[3] = (byte) length;
        } else {
          // An attribute length: find an attribute header and change its length.
          int pos = 20;
          int skip = random.nextInt(6);
          while (skip-- > 0 && pos + 4 <= lie.length) {
            int len = StunLayout.u16(lie, pos + 2);
            pos += 4 + ((len + 3) & ~3);
          }
          if (pos + 4 <= lie.length) {
            int length = random.nextBoolean() ? random.nextInt(0x10000) : random.nextInt(32);
            lie[pos + 2] = (byte) (length >> 8);
            lie[pos + 3] = (byte) length;
          }
          StunCodecTest.fixFingerprint(lie);
        }
        assertOnlyStunExceptions(lie);
      }
    }
  }

  @Test
  void oversizedMessagesAreRefused() {
    byte[] huge = new byte[20 + 4000];
    System.arraycopy(Rfc5769.REQUEST, 0, huge, 0, 20);
    huge[2] = (byte) (4000 >> 8);
    huge[3] = (byte) 4000;
    assertOnlyStunExceptions(huge);
    assertThat(kind(huge)).isEqualTo(StunException.Kind.MALFORMED);
  }

  @Test
  void manyTinyUnknownAttributes() {
    // 360 empty attributes of distinct unknown types, then a valid FINGERPRINT.
    byte[] msg = new byte[20 + 360 * 4 + 8];
    System.arraycopy(Rfc5769.REQUEST, 0, msg, 0, 20);
    int length = msg.length - 20;
    msg[2] = (byte) (length >> 8);
    msg[3] = (byte) length;
    for (int i = 0; i < 360; i++) {
      int type = 0xC100 + i;
      msg[20 + i * 4] = (byte) (type >> 8);
      msg[21 + i * 4] = (byte) type;
    }
    msg[msg.length - 8] = (byte) 0x80;
    msg[msg.length - 7] = 0x28;
    msg[msg.length - 5] = 4;
    StunCodecTest.fixFingerprint(msg);
    assertThat(kind(msg)).isEqualTo(StunException.Kind.MISSING_ATTRIBUTE);
  }

  private static StunException.Kind kind(byte[] bytes) {
    return StunCodecTest.kindOf(bytes, StunCodec::decodeBindingRequest);
  }

  private static void assertOnlyStunExceptions(byte[] bytes) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    try {
      StunCodec.looksLikeStun(buf);
      try {
        StunCodec.decodeBindingRequest(buf);
      } catch (StunException expected) {
        assertThat(expected.kind()).isNotNull();
      }
      StunCodec.verifyIntegrity(buf, PASSWORD);
      StunCodec.verifyIntegrity(buf, Rfc5769.PASSWORD);
      for (String password : new String[] {null, PASSWORD, Rfc5769.PASSWORD}) {
        try {
          StunCodec.decodeBindingResponse(buf, password);
        } catch (StunException expected) {
          assertThat(expected.kind()).isNotNull();
        }
      }
      assertThat(buf.readerIndex()).isZero();
      assertThat(buf.writerIndex()).isEqualTo(bytes.length);
    } catch (RuntimeException | Error e) {
      throw new AssertionError(
          "escaped on " + java.util.HexFormat.of().formatHex(bytes) + ": " + e, e);
    } finally {
      buf.release();
    }
  }
}
