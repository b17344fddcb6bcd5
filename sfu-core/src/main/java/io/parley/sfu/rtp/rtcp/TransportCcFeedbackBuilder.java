package io.parley.sfu.rtp.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Builds transport-cc feedback (see {@link TransportCcFeedback}) for one publisher from the
 * transport-wide sequence numbers and arrival times of the packets it sent us.
 *
 * <p>Call {@link #onPacket} for every received packet (any order), and {@link #build} periodically
 * (e.g. every 50-100 ms) to append feedback blocks and start a new window. The builder:
 *
 * <ul>
 *   <li>unwraps 16-bit sequence numbers, sorts reordered packets and drops duplicates;
 *   <li>reports the gap since the previous feedback, and gaps inside a window, as not received;
 *   <li>picks run-length, 1-bit or 2-bit status vector chunks, 1-byte or signed 2-byte deltas;
 *   <li>starts a new feedback packet when the status count or byte budget would be exceeded, when a
 *       delta does not fit in 16 bits, or across a gap of more than the status limit (the gap is
 *       then not reported).
 * </ul>
 *
 * <p>A packet older than the last reported one arrives too late and is dropped ({@link
 * #latePackets()}). Not thread-safe: owned by the publisher's event loop. Storage grows to the
 * largest window seen and is then reused.
 */
public final class TransportCcFeedbackBuilder {
  private static final int TICKS_PER_REFERENCE = 256;
  private static final int MAX_PENDING = 1 << 15;

  private final long senderSsrc;
  private int maxStatusesPerPacket = 1000;
  private int maxPacketBytes = 1200;

  private long[] seqs = new long[256];
  private long[] ticks = new long[256];
  private int pending;
  private long highestSeq = -1;
  private long windowStart = -1;
  private int feedbackPacketCount;
  private long latePackets;
  private long duplicatePackets;
  private byte[] symbols = new byte[256];

  /**
   * @param senderSsrc our SSRC, written as "SSRC of packet sender"
   */
  public TransportCcFeedbackBuilder(long senderSsrc) {
    this.senderSsrc = senderSsrc;
  }

  /** Caps the statuses in one feedback packet (default 1000, at most 65535). */
  public TransportCcFeedbackBuilder maxStatusesPerPacket(int max) {
    if (max < 1 || max > 0xFFFF) {
      throw new IllegalArgumentException("max statuses 1..65535: " + max);
    }
    this.maxStatusesPerPacket = max;
    return this;
  }

  /** Caps the size of one feedback packet in bytes (default 1200, at least 64). */
  public TransportCcFeedbackBuilder maxPacketBytes(int max) {
    if (max < 64) {
      throw new IllegalArgumentException("max packet bytes at least 64: " + max);
    }
    this.maxPacketBytes = max;
    return this;
  }

  /**
   * Records the arrival of a packet.
   *
   * @param transportSequence the 16-bit transport-wide sequence number
   * @param arrivalTimeMicros arrival time on our monotonic clock in microseconds
   * @return false if the packet was dropped as late, duplicate, or because the window is full
   */
  public boolean onPacket(int transportSequence, long arrivalTimeMicros) {
    int seq16 = transportSequence & 0xFFFF;
    long seq;
    if (highestSeq < 0) {
      seq = seq16 + 0x10000L; // room to unwrap backwards
    } else {
      int diff = (short) (seq16 - (int) (highestSeq & 0xFFFF));
      seq = highestSeq + diff;
    }
    if (windowStart >= 0 && seq < windowStart) {
      latePackets++;
      return false;
    }
    if (pending == MAX_PENDING) {
      return false;
    }
    if (seq > highestSeq) {
      highestSeq = seq;
    }
    int pos = pending;
    while (pos > 0 && seqs[pos - 1] >= seq) {
      if (seqs[pos - 1] == seq) {
        duplicatePackets++;
        return false;
      }
      pos--;
    }
    if (pending == seqs.length) {
      seqs = Arrays.copyOf(seqs, pending * 2);
      ticks = Arrays.copyOf(ticks, pending * 2);
    }
    System.arraycopy(seqs, pos, seqs, pos + 1, pending - pos);
    System.arraycopy(ticks, pos, ticks, pos + 1, pending - pos);
    seqs[pos] = seq;
    ticks[pos] = Math.floorDiv(arrivalTimeMicros, TransportCcFeedback.TICK_MICROS);
    pending++;
    return true;
  }

  /** Packets recorded since the last {@link #build}. */
  public int pendingPackets() {
    return pending;
  }

  public long latePackets() {
    return latePackets;
  }

  public long duplicatePackets() {
    return duplicatePackets;
  }

  /**
   * Appends the feedback for every pending packet as one or more RTPFB blocks and clears the
   * window.
   *
   * @param mediaSsrc written as "SSRC of media source" (e.g. one of the publisher's SSRCs)
   * @return the number of blocks appended (0 if nothing is pending)
   */
  public int build(ByteBuf out, long mediaSsrc) {
    int blocks = 0;
    int idx = 0;
    while (idx < pending) {
      long base = seqs[idx];
      if (blocks == 0
          && windowStart >= 0
          && windowStart < base
          && base - windowStart < maxStatusesPerPacket) {
        base = windowStart; // report the losses since the previous feedback
      }
      long reference = Math.floorDiv(ticks[idx], TICKS_PER_REFERENCE);
      long previous = reference * TICKS_PER_REFERENCE;
      int deltaBytes = 0;
      int end = idx;
      while (end < pending) {
        long statuses = seqs[end] - base + 1;
        long delta = ticks[end] - previous;
        int size = deltaSize(delta);
        if (end > idx) {
          long chunkBytes = 2 * ((statuses + 6) / 7);
          if (statuses > maxStatusesPerPacket
              || size == 0
              || TransportCcFeedback.MIN_LENGTH + chunkBytes + deltaBytes + size + 3
                  > maxPacketBytes) {
            break;
          }
        }
        deltaBytes += size;
        previous = ticks[end];
        end++;
      }
      writeBlock(out, mediaSsrc, base, reference, idx, end);
      blocks++;
      idx = end;
    }
    if (pending > 0) {
      windowStart = seqs[pending - 1] + 1;
    }
    pending = 0;
    return blocks;
  }

  /** 1 or 2 bytes for an encodable delta, 0 if it does not fit in a signed 16-bit field. */
  private static int deltaSize(long delta) {
    if (delta >= 0 && delta <= 0xFF) {
      return 1;
    }
    return delta >= Short.MIN_VALUE && delta <= Short.MAX_VALUE ? 2 : 0;
  }

  private void writeBlock(
      ByteBuf out, long mediaSsrc, long base, long reference, int from, int to) {
    int count = (int) (seqs[to - 1] - base + 1);
    if (symbols.length < count) {
      symbols = new byte[Math.max(count, symbols.length * 2)];
    }
    Arrays.fill(symbols, 0, count, (byte) TransportCcFeedback.NOT_RECEIVED);
    long previous = reference * TICKS_PER_REFERENCE;
    for (int k = from; k < to; k++) {
      int size = deltaSize(ticks[k] - previous);
      symbols[(int) (seqs[k] - base)] =
          (byte)
              (size == 1
                  ? TransportCcFeedback.RECEIVED_SMALL_DELTA
                  : TransportCcFeedback.RECEIVED_LARGE_DELTA);
      previous = ticks[k];
    }

    int start = Rtcp.writeHeader(out, Rtcp.FMT_TRANSPORT_CC, Rtcp.PT_RTPFB, Rtcp.HEADER_LENGTH);
    out.writeInt((int) senderSsrc);
    out.writeInt((int) mediaSsrc);
    out.writeShort((int) (base & 0xFFFF));
    out.writeShort(count);
    out.writeMedium((int) (reference & 0xFFFFFF));
    out.writeByte(feedbackPacketCount);
    feedbackPacketCount = (feedbackPacketCount + 1) & 0xFF;
    writeChunks(out, count);

    previous = reference * TICKS_PER_REFERENCE;
    for (int k = from; k < to; k++) {
      long delta = ticks[k] - previous;
      if (deltaSize(delta) == 1) {
        out.writeByte((int) delta);
      } else {
        out.writeShort((int) delta);
      }
      previous = ticks[k];
    }

    // libwebrtc's layout: zero padding with the P bit and the count in the last byte.
    int len = out.writerIndex() - start;
    int padding = Rtcp.padded(len) - len;
    if (padding > 0) {
      out.writeZero(padding - 1);
      out.writeByte(padding);
      out.setByte(start, out.getByte(start) | 0x20);
    }
    out.setShort(start + 2, (out.writerIndex() - start) / 4 - 1);
  }

  /**
   * Greedy chunk choice: a run of 14 or more equal symbols (or one that ends the list) becomes a
   * run-length chunk; 14 symbols that are all 0/1 become a 1-bit vector; a run of 7 or more a
   * run-length chunk; anything else a 2-bit vector of 7.
   */
  private void writeChunks(ByteBuf out, int count) {
    int i = 0;
    while (i < count) {
      int symbol = symbols[i];
      int run = 1;
      while (i + run < count && symbols[i + run] == symbol && run < 0x1FFF) {
        run++;
      }
      if (run >= 14 || i + run == count) {
        out.writeShort((symbol << 13) | run);
        i += run;
      } else if (fitsOneBit(i, count)) {
        int chunk = 0x8000;
        for (int k = 0; k < 14; k++) {
          if (i + k < count && symbols[i + k] == TransportCcFeedback.RECEIVED_SMALL_DELTA) {
            chunk |= 1 << (13 - k);
          }
        }
        out.writeShort(chunk);
        i += 14;
      } else if (run >= 7) {
        out.writeShort((symbol << 13) | run);
        i += run;
      } else {
        int chunk = 0xC000;
        for (int k = 0; k < 7; k++) {
          if (i + k < count) {
            chunk |= symbols[i + k] << (12 - 2 * k);
          }
        }
        out.writeShort(chunk);
        i += 7;
      }
    }
  }

  private boolean fitsOneBit(int i, int count) {
    for (int k = i; k < i + 14 && k < count; k++) {
      if (symbols[k] == TransportCcFeedback.RECEIVED_LARGE_DELTA) {
        return false;
      }
    }
    return true;
  }
}
