package io.parley.sfu.srtp;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.BaseSrtpCryptoContext;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP for one transport (all SSRCs of a BUNDLE transport), in place on heap ByteBufs.
 * Confined to one thread: not thread-safe.
 *
 * <p>Crypto contexts are derived lazily, one per SSRC and direction. Sender-side replay checks are
 * off, because the SFU re-protects a sequence number when it answers a NACK; receive-side replay
 * protection stays on.
 */
public final class SrtpSession implements AutoCloseable {
  /** Bytes protect can add: the SRTCP index (4) plus the longest tag (GCM, 16). */
  public static final int MAX_OVERHEAD = 4 + 16;

  /**
   * Spare bytes a caller should leave after each packet. AES-GCM in Java needs the whole output
   * (payload plus tag) to fit in the array: without room it returns OK and leaves the packet
   * unencrypted, so every call first makes sure the buffer has this much writable space.
   */
  static final int REQUIRED_WRITABLE = 64;

  /** A hostile peer must not make us keep a context for every SSRC it can invent. */
  static final int MAX_SSRCS_PER_DIRECTION = 512;

  private static final int RTP_HEADER_LENGTH = 12;
  private static final int RTCP_HEADER_LENGTH = 8;
  private static final int SRTCP_INDEX_LENGTH = 4;

  private static final Logger JITSI_LOGGER = new LoggerImpl(SrtpSession.class.getName());

  static {
    // jitsi-srtp otherwise benchmarks OpenSSL (JNI), SunJCE and BouncyCastle on first use and keeps
    // the fastest; a fixed choice keeps start-up and behaviour predictable. A configured factory
    // is tried first and used as soon as it works (else jitsi-srtp falls back to its benchmark,
    // e.g. where the native library does not load). OpenSSL, measured with the forwarding JMH
    // benchmark (BENCHMARKS.md): with AES-GCM and 10 consumers it costs less CPU per forwarded
    // packet than SunJCE and allocates about a sixth (SunJCE copies every in-place buffer), which
    // keeps young collections, and the pauses packets wait out, rarer.
    Aes.setFactoryClassName("OpenSSL");
  }

  private final SrtpProfile profile;
  private final SrtpContextFactory senderFactory;
  private final SrtpContextFactory receiverFactory;
  private final SsrcMap<SrtpCryptoContext> rtpSenders = new SsrcMap<>();
  private final SsrcMap<SrtpCryptoContext> rtpReceivers = new SsrcMap<>();
  private final SsrcMap<SrtcpCryptoContext> rtcpSenders = new SsrcMap<>();
  private final SsrcMap<SrtcpCryptoContext> rtcpReceivers = new SsrcMap<>();
  private final ByteBufArrayBuffer view = new ByteBufArrayBuffer();

  /** Outgoing RTP under the AES-GCM profiles, without per-packet garbage; null for AES-CM. */
  private final GcmRtpSender gcmSender;

  /** Incoming RTP under the AES-GCM profiles, without per-packet garbage; null for AES-CM. */
  private final GcmRtpReceiver gcmReceiver;

  private boolean closed;

  public SrtpSession(SrtpKeys keys) {
    this.profile = keys.profile();
    this.senderFactory =
        new SrtpContextFactory(
            true,
            keys.localKey().clone(),
            keys.localSalt().clone(),
            policy(profile, profile.rtpTagLength()),
            policy(profile, profile.rtcpTagLength()),
            JITSI_LOGGER);
    this.receiverFactory =
        new SrtpContextFactory(
            false,
            keys.remoteKey().clone(),
            keys.remoteSalt().clone(),
            policy(profile, profile.rtpTagLength()),
            policy(profile, profile.rtcpTagLength()),
            JITSI_LOGGER);
    try {
      this.gcmSender =
          profile.isAead() ? new GcmRtpSender(keys.localKey(), keys.localSalt()) : null;
      this.gcmReceiver =
          profile.isAead() ? new GcmRtpReceiver(keys.remoteKey(), keys.remoteSalt()) : null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  private static SrtpPolicy policy(SrtpProfile profile, int tagLength) {
    SrtpPolicy policy =
        profile.isAead()
            ? new SrtpPolicy(
                SrtpPolicy.AESGCM_ENCRYPTION,
                profile.keyLength(),
                SrtpPolicy.NULL_AUTHENTICATION,
                0,
                tagLength,
                profile.saltLength())
            : new SrtpPolicy(
                SrtpPolicy.AESCM_ENCRYPTION,
                profile.keyLength(),
                SrtpPolicy.HMACSHA1_AUTHENTICATION,
                20,
                tagLength,
                profile.saltLength());
    policy.setSendReplayEnabled(false);
    policy.setReceiveReplayEnabled(true);
    return policy;
  }

  public SrtpProfile profile() {
    return profile;
  }

  /** SRTP → RTP in place. On success the writerIndex moves back over the tag. */
  public SrtpStatus unprotectRtp(ByteBuf packet) {
    if (!isRtp(packet, RTP_HEADER_LENGTH + profile.rtpTagLength())) {
      return SrtpStatus.INVALID;
    }
    if (gcmReceiver != null) {
      return closed ? SrtpStatus.FAIL : gcmReceiver.unprotect(packet);
    }
    int ssrc = packet.getInt(packet.readerIndex() + 8);
    SrtpCryptoContext context = rtpReceivers.get(ssrc);
    boolean created = false;
    if (context == null) {
      if (rtpReceivers.size() >= MAX_SSRCS_PER_DIRECTION) {
        return SrtpStatus.INVALID;
      }
      try {
        context = receiverFactory.deriveContext(ssrc, 0);
      } catch (GeneralSecurityException | RuntimeException e) {
        return SrtpStatus.FAIL;
      }
      rtpReceivers.put(ssrc, context);
      created = true;
    }
    SrtpStatus status = run(packet, context, false);
    if (created && status != SrtpStatus.OK) {
      // Keep no state for SSRCs that never authenticated.
      rtpReceivers.remove(ssrc);
    }
    return status;
  }

  /** RTP → SRTP in place. On success the writerIndex moves forward over the tag. */
  public SrtpStatus protectRtp(ByteBuf packet) {
    if (!isRtp(packet, RTP_HEADER_LENGTH)) {
      return SrtpStatus.INVALID;
    }
    if (gcmSender != null) {
      return protectGcm(packet);
    }
    int ssrc = packet.getInt(packet.readerIndex() + 8);
    SrtpCryptoContext context = rtpSenders.get(ssrc);
    if (context == null) {
      if (rtpSenders.size() >= MAX_SSRCS_PER_DIRECTION) {
        return SrtpStatus.INVALID;
      }
      try {
        context = senderFactory.deriveContext(ssrc, 0);
      } catch (GeneralSecurityException | RuntimeException e) {
        return SrtpStatus.FAIL;
      }
      rtpSenders.put(ssrc, context);
    }
    return run(packet, context, true);
  }

  private SrtpStatus protectGcm(ByteBuf packet) {
    if (closed) {
      return SrtpStatus.FAIL;
    }
    // Room for the tag in the same array (growing may move the packet: that is fine here).
    int reserved = packet.ensureWritable(GcmRtpSender.TAG_LENGTH, true);
    if (reserved == 1 || packet.writableBytes() < GcmRtpSender.TAG_LENGTH) {
      return SrtpStatus.INVALID;
    }
    return gcmSender.protect(packet);
  }

  /** SRTCP → RTCP in place. On success the writerIndex moves back over the index and tag. */
  public SrtpStatus unprotectRtcp(ByteBuf packet) {
    if (!isRtcp(packet, RTCP_HEADER_LENGTH + SRTCP_INDEX_LENGTH + profile.rtcpTagLength())) {
      return SrtpStatus.INVALID;
    }
    int ssrc = packet.getInt(packet.readerIndex() + 4);
    SrtcpCryptoContext context = rtcpReceivers.get(ssrc);
    boolean created = false;
    if (context == null) {
      if (rtcpReceivers.size() >= MAX_SSRCS_PER_DIRECTION) {
        return SrtpStatus.INVALID;
      }
      try {
        context = receiverFactory.deriveControlContext(ssrc);
      } catch (GeneralSecurityException | RuntimeException e) {
        return SrtpStatus.FAIL;
      }
      rtcpReceivers.put(ssrc, context);
      created = true;
    }
    SrtpStatus status = run(packet, context, false);
    if (created && status != SrtpStatus.OK) {
      rtcpReceivers.remove(ssrc);
    }
    return status;
  }

  /** RTCP → SRTCP in place. On success the writerIndex moves forward over the index and tag. */
  public SrtpStatus protectRtcp(ByteBuf packet) {
    if (!isRtcp(packet, RTCP_HEADER_LENGTH)) {
      return SrtpStatus.INVALID;
    }
    int ssrc = packet.getInt(packet.readerIndex() + 4);
    SrtcpCryptoContext context = rtcpSenders.get(ssrc);
    if (context == null) {
      if (rtcpSenders.size() >= MAX_SSRCS_PER_DIRECTION) {
        return SrtpStatus.INVALID;
      }
      try {
        context = senderFactory.deriveControlContext(ssrc);
      } catch (GeneralSecurityException | RuntimeException e) {
        return SrtpStatus.FAIL;
      }
      rtcpSenders.put(ssrc, context);
    }
    int length = packet.readableBytes();
    SrtpStatus status = run(packet, context, true);
    if (status == SrtpStatus.OK
        && packet.readableBytes() != length + SRTCP_INDEX_LENGTH + profile.rtcpTagLength()) {
      // Never let a packet that silently failed to encrypt leave as if it were protected.
      packet.writerIndex(packet.readerIndex() + length);
      return SrtpStatus.FAIL;
    }
    return status;
  }

  private SrtpStatus run(ByteBuf packet, BaseSrtpCryptoContext context, boolean protect) {
    if (closed) {
      return SrtpStatus.FAIL;
    }
    int readerIndex = packet.readerIndex();
    int writerIndex = packet.writerIndex();
    try {
      // Reserve room first: growing later could swap the array under jitsi-srtp (see
      // REQUIRED_WRITABLE for why GCM must never run short).
      int reserved = packet.ensureWritable(REQUIRED_WRITABLE, false);
      if (reserved == 1 || reserved == 3) {
        return SrtpStatus.INVALID;
      }
      view.wrap(packet);
      SrtpErrorStatus result;
      if (context instanceof SrtpCryptoContext rtp) {
        result = protect ? rtp.transformPacket(view) : rtp.reverseTransformPacket(view, false);
      } else {
        SrtcpCryptoContext rtcp = (SrtcpCryptoContext) context;
        result = protect ? rtcp.transformPacket(view) : rtcp.reverseTransformPacket(view);
      }
      SrtpStatus status = toStatus(result);
      if (status != SrtpStatus.OK) {
        packet.setIndex(readerIndex, writerIndex);
      }
      return status;
    } catch (GeneralSecurityException | RuntimeException e) {
      // Malformed input must never escape as an exception onto the packet path.
      packet.setIndex(readerIndex, Math.min(writerIndex, packet.capacity()));
      return SrtpStatus.INVALID;
    } finally {
      view.clear();
    }
  }

  private static boolean isRtp(ByteBuf packet, int minLength) {
    return packet.hasArray()
        && packet.readableBytes() >= minLength
        && (packet.getByte(packet.readerIndex()) & 0xC0) == 0x80;
  }

  private static boolean isRtcp(ByteBuf packet, int minLength) {
    if (!packet.hasArray() || packet.readableBytes() < minLength) {
      return false;
    }
    int first = packet.getByte(packet.readerIndex()) & 0xFF;
    int type = packet.getByte(packet.readerIndex() + 1) & 0xFF;
    return (first & 0xC0) == 0x80 && type >= 192 && type <= 223;
  }

  private static SrtpStatus toStatus(SrtpErrorStatus status) {
    return switch (status) {
      case OK -> SrtpStatus.OK;
      case AUTH_FAIL -> SrtpStatus.AUTH_FAIL;
      case REPLAY_FAIL -> SrtpStatus.REPLAY_FAIL;
      case REPLAY_OLD -> SrtpStatus.REPLAY_OLD;
      case INVALID_PACKET -> SrtpStatus.INVALID;
      case FAIL -> SrtpStatus.FAIL;
    };
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (gcmSender != null) {
      gcmSender.close();
      gcmReceiver.close();
    }
    rtpSenders.clear();
    rtpReceivers.clear();
    rtcpSenders.clear();
    rtcpReceivers.clear();
    senderFactory.close();
    receiverFactory.close();
  }
}
