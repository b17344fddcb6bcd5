package io.parley.sfu.srtp;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;

/**
 * SRTP unprotection of incoming RTP under AEAD_AES_128_GCM / AEAD_AES_256_GCM (RFC 7714 §8), with
 * the receiver's replay protection (RFC 3711 §3.3.2): every packet a publisher sends passes here
 * once. The counterpart of {@link GcmRtpSender}, for the same reason: jitsi-srtp's receiver context
 * builds a new {@link GCMParameterSpec} and copies its IV for every packet (about 90 bytes of
 * garbage per packet, a quarter of the SFU's garbage with four people in a room).
 *
 * <p>Per SSRC it keeps the highest authenticated packet index and a 64-packet replay window, and
 * changes them only for a packet that authenticated: a forged packet cannot move them. No header
 * extension encryption (cryptex is not negotiated). Confined to one thread.
 */
final class GcmRtpReceiver implements AutoCloseable {
  /** Packets behind the highest one that are still accepted once (RFC 3711's minimum is 64). */
  static final int REPLAY_WINDOW = 64;

  private final Cipher cipher;
  private final SecretKeySpec key;
  private final byte[] salt;
  private final boolean reuseSpec;
  private final byte[] iv = new byte[GcmRtpSender.IV_LENGTH];
  private final GcmRtpSender.ReusedGcmSpec spec = new GcmRtpSender.ReusedGcmSpec(iv);
  private final SsrcMap<Stream> streams = new SsrcMap<>();

  /** From the peer's master key and 96-bit master salt, as DTLS exports them. */
  GcmRtpReceiver(byte[] masterKey, byte[] masterSalt) throws GeneralSecurityException {
    this.cipher = Aes.createCipher("AES/GCM/NoPadding");
    this.key =
        new SecretKeySpec(
            GcmRtpSender.sessionKey(
                masterKey, masterSalt, GcmRtpSender.LABEL_RTP_ENCRYPTION, masterKey.length),
            "AES");
    this.salt =
        GcmRtpSender.sessionKey(
            masterKey, masterSalt, GcmRtpSender.LABEL_RTP_SALT, GcmRtpSender.IV_LENGTH);
    this.reuseSpec = cipher.getProvider() instanceof JitsiOpenSslProvider;
  }

  /** True when packets are opened with no per-packet allocation (jitsi-srtp's OpenSSL cipher). */
  boolean allocationFree() {
    return reuseSpec;
  }

  /**
   * SRTP → RTP in place: the tag is checked and removed (the writerIndex moves back over it) and
   * the payload decrypted. The caller has checked the RTP version. A packet that fails leaves the
   * buffer's indices as they were and the stream's state untouched.
   */
  SrtpStatus unprotect(ByteBuf packet) {
    byte[] array = packet.array();
    int start = packet.arrayOffset() + packet.readerIndex();
    int length = packet.readableBytes();
    int headerLength = GcmRtpSender.headerLength(array, start, length);
    if (headerLength < 0 || length - headerLength < GcmRtpSender.TAG_LENGTH) {
      return SrtpStatus.INVALID;
    }
    int ssrc = packet.getInt(packet.readerIndex() + 8);
    int sequence = packet.getUnsignedShort(packet.readerIndex() + 2);
    Stream stream = streams.get(ssrc);
    boolean created = stream == null;
    if (created) {
      if (streams.size() >= SrtpSession.MAX_SSRCS_PER_DIRECTION) {
        return SrtpStatus.INVALID;
      }
      stream = new Stream(sequence);
    }
    long index = GcmRtpSender.estimateIndex(stream.highest, sequence);
    SrtpStatus replay = stream.check(index);
    if (replay != SrtpStatus.OK) {
      return replay;
    }
    GcmRtpSender.fillIv(iv, salt, ssrc, index);
    int ciphertext = length - headerLength;
    try {
      init();
      cipher.updateAAD(array, start, headerLength);
      int written =
          cipher.doFinal(array, start + headerLength, ciphertext, array, start + headerLength);
      if (written != ciphertext - GcmRtpSender.TAG_LENGTH) {
        return SrtpStatus.FAIL;
      }
    } catch (AEADBadTagException e) {
      return SrtpStatus.AUTH_FAIL;
    } catch (GeneralSecurityException | RuntimeException e) {
      return SrtpStatus.FAIL;
    }
    packet.writerIndex(packet.writerIndex() - GcmRtpSender.TAG_LENGTH);
    stream.accept(index);
    if (created) {
      streams.put(ssrc, stream);
    }
    return SrtpStatus.OK;
  }

  private void init() throws GeneralSecurityException {
    cipher.init(
        Cipher.DECRYPT_MODE,
        key,
        reuseSpec ? spec : new GCMParameterSpec(GcmRtpSender.TAG_LENGTH * 8, iv.clone()));
  }

  @Override
  public void close() {
    streams.clear();
  }

  /** One incoming stream: the highest authenticated index and which packets below it arrived. */
  static final class Stream {
    /** The highest packet index authenticated: ROC << 16 | SEQ. */
    private long highest;

    /** Bit k set: the packet {@code highest - k} was accepted. */
    private long window;

    Stream(int firstSequence) {
      this.highest = firstSequence;
    }

    /** OK if the packet of {@code index} has not been accepted and is not too old to tell. */
    SrtpStatus check(long index) {
      long behind = highest - index;
      if (behind < 0) {
        return SrtpStatus.OK;
      }
      if (behind >= REPLAY_WINDOW) {
        return SrtpStatus.REPLAY_OLD;
      }
      return ((window >>> behind) & 1) != 0 ? SrtpStatus.REPLAY_FAIL : SrtpStatus.OK;
    }

    /** Records an authenticated packet of {@code index}. */
    void accept(long index) {
      long ahead = index - highest;
      if (ahead >= REPLAY_WINDOW) {
        window = 1;
      } else if (ahead > 0) {
        window = (window << ahead) | 1;
      } else {
        window |= 1L << -ahead;
      }
      highest = Math.max(highest, index);
    }
  }
}
