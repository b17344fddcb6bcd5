package io.parley.sfu.srtp;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;

/**
 * SRTP protection of outgoing RTP under AEAD_AES_128_GCM / AEAD_AES_256_GCM (RFC 7714 §8), the
 * SFU's hottest crypto: every forwarded packet passes here once per subscriber. It does what
 * jitsi-srtp's sender context does for these profiles, without allocating per packet: jitsi-srtp
 * builds a new {@link GCMParameterSpec} for each packet and the cipher copies its IV again (about
 * 90 bytes of garbage per forwarded packet); here one spec whose IV array is rewritten in place is
 * handed to jitsi-srtp's OpenSSL cipher, which reads the IV during init and keeps nothing of it.
 *
 * <p>Every SSRC of the transport shares the session key and salt (one DTLS-SRTP master key, key
 * derivation rate 0); each SSRC keeps its own rollover counter. Confined to one thread.
 */
final class GcmRtpSender implements AutoCloseable {
  static final int TAG_LENGTH = 16;
  static final int IV_LENGTH = 12;
  static final int LABEL_RTP_ENCRYPTION = 0x00;
  static final int LABEL_RTP_SALT = 0x02;

  private final Cipher cipher;
  private final SecretKeySpec key;
  private final byte[] salt;

  /** True when the cipher is jitsi-srtp's OpenSSL one, which may be handed a reused IV array. */
  private final boolean reuseSpec;

  private final byte[] iv = new byte[IV_LENGTH];
  private final ReusedGcmSpec spec = new ReusedGcmSpec(iv);
  private final SsrcMap<Rollover> streams = new SsrcMap<>();

  /** True when packets go out with no per-packet allocation (jitsi-srtp's OpenSSL cipher). */
  boolean allocationFree() {
    return reuseSpec;
  }

  /** From the master key and the 96-bit master salt, as DTLS exports them. */
  GcmRtpSender(byte[] masterKey, byte[] masterSalt) throws GeneralSecurityException {
    this(
        sessionKey(masterKey, masterSalt, LABEL_RTP_ENCRYPTION, masterKey.length),
        sessionKey(masterKey, masterSalt, LABEL_RTP_SALT, IV_LENGTH),
        true);
  }

  /** From already derived session keys (RFC 7714's test vectors are given so). */
  GcmRtpSender(byte[] sessionKey, byte[] sessionSalt, boolean derived)
      throws GeneralSecurityException {
    this.cipher = Aes.createCipher("AES/GCM/NoPadding");
    this.key = new SecretKeySpec(sessionKey, "AES");
    this.salt = sessionSalt.clone();
    this.reuseSpec = cipher.getProvider() instanceof JitsiOpenSslProvider;
  }

  /**
   * The SRTP key derivation (RFC 3711 §4.3.1, AES-CM PRF, key derivation rate 0): AES in counter
   * mode over the master salt with the label at byte 7. RFC 7714's 96-bit salt is first widened to
   * the 112 bits the KDF expects by appending two zero bytes (its verified erratum 4938).
   */
  static byte[] sessionKey(byte[] masterKey, byte[] masterSalt, int label, int length)
      throws GeneralSecurityException {
    Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
    byte[] out = new byte[(length + 15) / 16 * 16];
    for (int block = 0; block * 16 < length; block++) {
      byte[] input = new byte[16];
      System.arraycopy(masterSalt, 0, input, 0, Math.min(masterSalt.length, 14));
      input[7] ^= (byte) label;
      input[14] = (byte) (block >>> 8);
      input[15] = (byte) block;
      aes.doFinal(input, 0, 16, out, block * 16);
    }
    return java.util.Arrays.copyOf(out, length);
  }

  /**
   * RTP → SRTP in place: the payload is encrypted, the 16-byte tag appended (the writerIndex moves
   * over it). The caller has checked the RTP version and made 16 bytes writable in the same array.
   */
  SrtpStatus protect(ByteBuf packet) {
    byte[] array = packet.array();
    int start = packet.arrayOffset() + packet.readerIndex();
    int length = packet.readableBytes();
    int headerLength = headerLength(array, start, length);
    if (headerLength < 0 || packet.writableBytes() < TAG_LENGTH) {
      return SrtpStatus.INVALID;
    }
    int ssrc = packet.getInt(packet.readerIndex() + 8);
    int sequence = packet.getUnsignedShort(packet.readerIndex() + 2);
    Rollover stream = streams.get(ssrc);
    if (stream == null) {
      if (streams.size() >= SrtpSession.MAX_SSRCS_PER_DIRECTION) {
        return SrtpStatus.INVALID;
      }
      stream = new Rollover(sequence);
      streams.put(ssrc, stream);
    }
    long index = stream.guess(sequence);
    fillIv(iv, salt, ssrc, index);
    try {
      init();
      cipher.updateAAD(array, start, headerLength);
      int written =
          cipher.doFinal(
              array, start + headerLength, length - headerLength, array, start + headerLength);
      if (written != length - headerLength + TAG_LENGTH) {
        return SrtpStatus.FAIL;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpStatus.FAIL;
    }
    packet.writerIndex(packet.writerIndex() + TAG_LENGTH);
    stream.update(index);
    return SrtpStatus.OK;
  }

  private void init() throws GeneralSecurityException {
    if (reuseSpec) {
      cipher.init(Cipher.ENCRYPT_MODE, key, spec);
      return;
    }
    // Another provider (the JDK's) may keep the array it is given and refuses an IV used for the
    // previous encryption (a NACK resend of the packet just sent): a fresh spec each time, and a
    // detour over a throwaway IV when it refuses.
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, iv.clone()));
    } catch (java.security.InvalidAlgorithmParameterException reused) {
      byte[] other = iv.clone();
      other[0] ^= 1;
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, other));
      cipher.doFinal(new byte[0], 0, 0, new byte[TAG_LENGTH], 0);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, iv.clone()));
    }
  }

  /** IV = (00 00 || SSRC || ROC || SEQ) XOR salt (RFC 7714 §8.1), for packet index ROC || SEQ. */
  static void fillIv(byte[] iv, byte[] salt, int ssrc, long index) {
    int roc = (int) (index >>> 16);
    iv[0] = salt[0];
    iv[1] = salt[1];
    putXor(iv, 2, ssrc, salt);
    putXor(iv, 6, roc, salt);
    iv[10] = (byte) ((index >>> 8) ^ salt[10]);
    iv[11] = (byte) (index ^ salt[11]);
  }

  /** The length of the RTP header with CSRCs and header extension, or -1 if it does not fit. */
  static int headerLength(byte[] array, int start, int length) {
    if (length < 12) {
      return -1;
    }
    int first = array[start] & 0xFF;
    int header = 12 + 4 * (first & 0x0F);
    if ((first & 0x10) != 0) {
      if (length < header + 4) {
        return -1;
      }
      int words = ((array[start + header + 2] & 0xFF) << 8) | (array[start + header + 3] & 0xFF);
      header += 4 + 4 * words;
    }
    return header <= length ? header : -1;
  }

  private static void putXor(byte[] iv, int at, int value, byte[] salt) {
    iv[at] = (byte) ((value >>> 24) ^ salt[at]);
    iv[at + 1] = (byte) ((value >>> 16) ^ salt[at + 1]);
    iv[at + 2] = (byte) ((value >>> 8) ^ salt[at + 2]);
    iv[at + 3] = (byte) (value ^ salt[at + 3]);
  }

  @Override
  public void close() {
    streams.clear();
  }

  /**
   * The packet index (ROC << 16 | SEQ) of {@code sequence} nearest {@code highest} (RFC 3711
   * §3.3.1), never below 0: before the first wrap there is no earlier rollover to belong to.
   * Arithmetic without branches: a branch taken for the first time, at a stream's first wrap
   * minutes into a meeting, made the JIT throw away the compiled packet path.
   */
  static long estimateIndex(long highest, int sequence) {
    long index = highest + (short) (sequence - (int) highest);
    return index + ((index >> 63) & 0x10000);
  }

  /**
   * One stream's rollover counter, estimated from the sequence number as RFC 3711 §3.3.1 does on
   * the receiving side: the SFU resends older packets (NACK), which may lie before a wrap.
   */
  static final class Rollover {
    /** The highest packet index sent: ROC << 16 | SEQ. */
    private long highest;

    Rollover(int firstSequence) {
      this.highest = firstSequence;
    }

    /** The packet index a sequence number most likely belongs to ({@link #estimateIndex}). */
    long guess(int sequence) {
      return estimateIndex(highest, sequence);
    }

    /** Moves the highest index forward after a packet of {@code index} went out. */
    void update(long index) {
      highest = Math.max(highest, index);
    }
  }

  /**
   * A GCM spec whose IV is an array the sender rewrites before each init: {@link #getIV()} hands
   * out that array itself instead of a copy. Only for jitsi-srtp's OpenSSL cipher, which passes the
   * IV to OpenSSL during init and keeps no reference it later compares.
   */
  static final class ReusedGcmSpec extends GCMParameterSpec {
    private final byte[] iv;

    ReusedGcmSpec(byte[] iv) {
      super(TAG_LENGTH * 8, new byte[IV_LENGTH]);
      this.iv = iv;
    }

    @Override
    public byte[] getIV() {
      return iv;
    }
  }
}
