package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable reader of transport-wide congestion control feedback, RTPFB FMT 15
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
 *
 * <pre>
 * |V=2|P|  FMT=15 |    PT=205     |           length              |
 * |                     SSRC of packet sender                     |
 * |                      SSRC of media source                     |
 * |      base sequence number     |      packet status count      |
 * |                 reference time                | fb pkt. count |
 * |          packet chunk         |         packet chunk          |  ...
 * |         recv delta            |  recv delta   | ...
 * </pre>
 *
 * <p>Chunks: run length (0|S(2)|length(13)), or status vector (1|0|fourteen 1-bit symbols) or
 * (1|1|seven 2-bit symbols). Symbols: 0 not received, 1 received with a 1-byte delta, 2 received
 * with a signed 2-byte delta; deltas are in 250 µs ticks, the first relative to the reference time
 * (signed 24 bits, 64 ms units = 256 ticks).
 *
 * <p>{@link #parse} decodes every status and delta once into arrays that are kept and grown as
 * needed, so a long-lived instance does not allocate per packet.
 */
public final class TransportCcFeedback {
  public static final int MIN_LENGTH = 20;

  /** Receive delta unit in microseconds. */
  public static final int TICK_MICROS = 250;

  /** Reference time unit in microseconds. */
  public static final int REFERENCE_TIME_MICROS = 64_000;

  public static final int NOT_RECEIVED = 0;
  public static final int RECEIVED_SMALL_DELTA = 1;
  public static final int RECEIVED_LARGE_DELTA = 2;

  private long senderSsrc;
  private long mediaSsrc;
  private int baseSequence;
  private int statusCount;
  private int referenceTime;
  private int feedbackPacketCount;
  private byte[] symbols = new byte[64];
  private long[] receiveTicks = new long[64];
  private int[] deltas = new int[64];

  /** True if the block's header says transport-cc (RTPFB, FMT 15). */
  public static boolean isTransportCc(ByteBuf buf, int offset, int length) {
    return length >= MIN_LENGTH
        && Rtcp.packetType(buf, offset) == Rtcp.PT_RTPFB
        && Rtcp.countOrFmt(buf, offset) == Rtcp.FMT_TRANSPORT_CC;
  }

  /**
   * Decodes the block; pass the block's length without padding (trailing bytes are ignored).
   *
   * @return false if the block is not transport-cc, its chunks or deltas run past the end, or a
   *     chunk uses the reserved symbol
   */
  public boolean parse(ByteBuf buf, int offset, int length) {
    statusCount = 0;
    if (offset < 0
        || length < MIN_LENGTH
        || offset > buf.capacity() - length
        || !isTransportCc(buf, offset, length)) {
      return false;
    }
    int end = offset + length;
    int count = buf.getUnsignedShort(offset + 14);
    ensureCapacity(count);
    int n = 0;
    int i = offset + MIN_LENGTH;
    while (n < count) {
      if (i + 2 > end) {
        return false;
      }
      int chunk = buf.getUnsignedShort(i);
      i += 2;
      if ((chunk & 0x8000) == 0) {
        int symbol = (chunk >> 13) & 0x03;
        if (symbol == 3) {
          return false;
        }
        int run = Math.min(chunk & 0x1FFF, count - n);
        for (int k = 0; k < run; k++) {
          symbols[n++] = (byte) symbol;
        }
      } else if ((chunk & 0x4000) == 0) {
        for (int bit = 13; bit >= 0 && n < count; bit--) {
          symbols[n++] = (byte) ((chunk >> bit) & 0x01);
        }
      } else {
        for (int shift = 12; shift >= 0 && n < count; shift -= 2) {
          int symbol = (chunk >> shift) & 0x03;
          if (symbol == 3) {
            return false;
          }
          symbols[n++] = (byte) symbol;
        }
      }
    }
    int reference = buf.getMedium(offset + 16);
    long ticks = (long) reference * (REFERENCE_TIME_MICROS / TICK_MICROS);
    for (int k = 0; k < count; k++) {
      int symbol = symbols[k];
      if (symbol == RECEIVED_SMALL_DELTA) {
        if (i + 1 > end) {
          return false;
        }
        int delta = buf.getUnsignedByte(i);
        ticks += delta;
        i += 1;
        receiveTicks[k] = ticks;
        deltas[k] = delta;
      } else if (symbol == RECEIVED_LARGE_DELTA) {
        if (i + 2 > end) {
          return false;
        }
        int delta = buf.getShort(i);
        ticks += delta;
        i += 2;
        receiveTicks[k] = ticks;
        deltas[k] = delta;
      } else {
        receiveTicks[k] = Long.MIN_VALUE;
        deltas[k] = 0;
      }
    }
    senderSsrc = buf.getUnsignedInt(offset + 4);
    mediaSsrc = buf.getUnsignedInt(offset + 8);
    baseSequence = buf.getUnsignedShort(offset + 12);
    referenceTime = reference;
    feedbackPacketCount = buf.getUnsignedByte(offset + 19);
    statusCount = count;
    return true;
  }

  private void ensureCapacity(int count) {
    if (symbols.length < count) {
      int size = Math.max(count, Math.min(2 * symbols.length, 0x10000));
      symbols = new byte[size];
      receiveTicks = new long[size];
      deltas = new int[size];
    }
  }

  public long senderSsrc() {
    return senderSsrc;
  }

  public long mediaSsrc() {
    return mediaSsrc;
  }

  public int baseSequence() {
    return baseSequence;
  }

  /** Number of packets this feedback reports on (0 after a failed parse). */
  public int packetStatusCount() {
    return statusCount;
  }

  /** Reference time, signed 24 bits, in 64 ms units. */
  public int referenceTime() {
    return referenceTime;
  }

  public long referenceTimeMicros() {
    return (long) referenceTime * REFERENCE_TIME_MICROS;
  }

  public int feedbackPacketCount() {
    return feedbackPacketCount;
  }

  /** Transport-wide sequence number of status {@code i}. */
  public int sequenceNumber(int i) {
    return (baseSequence + i) & 0xFFFF;
  }

  /** The status symbol of packet {@code i}: NOT_RECEIVED, RECEIVED_SMALL/LARGE_DELTA. */
  public int status(int i) {
    return symbols[i];
  }

  public boolean isReceived(int i) {
    return symbols[i] != NOT_RECEIVED;
  }

  /** Receive time of packet {@code i} in 250 µs ticks from the reference time's zero. */
  public long receiveTicks(int i) {
    return receiveTicks[i];
  }

  /**
   * Receive time of packet {@code i} in µs on the feedback sender's clock (Long.MIN_VALUE if lost).
   */
  public long receiveTimeMicros(int i) {
    long t = receiveTicks[i];
    return t == Long.MIN_VALUE ? t : t * TICK_MICROS;
  }

  /**
   * Receive delta of packet {@code i} from the previous received one (or from the reference time),
   * in 250 µs ticks; 0 if lost.
   */
  public int receiveDelta(int i) {
    return deltas[i];
  }
}
