package io.parley.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every media packet the participants received, for looking at a latency tail packet by packet:
 * when it was stamped by its sender and when it arrived, who sent and who received it, and its SSRC
 * and sequence number as received. Times are written as wall-clock nanoseconds, so the file lines
 * up with a packet capture ({@code tcpdump -w}) of the same run; {@code tail-anatomy.py} splits
 * each packet's latency into the sender's part, the server's and the receiver's with one.
 *
 * <p>Recording is an array write per packet (no allocation, no lock); the file is written once, at
 * the end. Packets beyond the capacity are counted, not kept.
 */
final class PacketLog {
  private static final int FIELDS = 5;

  private final long[] records;
  private final int capacity;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Integer, String> names = new ConcurrentHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger();

  PacketLog(int capacity) {
    this.capacity = capacity;
    this.records = new long[capacity * FIELDS];
  }

  /**
   * One received packet.
   *
   * @param arrivalNanos {@link System#nanoTime()} when it arrived
   * @param sentNanos {@link System#nanoTime()} its sender stamped into it
   */
  void record(
      long arrivalNanos,
      long sentNanos,
      String receiver,
      String publisher,
      boolean video,
      long ssrc,
      int sequenceNumber) {
    int i = next.getAndIncrement();
    if (i >= capacity) {
      dropped.incrementAndGet();
      return;
    }
    int o = i * FIELDS;
    records[o] = arrivalNanos;
    records[o + 1] = sentNanos;
    records[o + 2] = ((long) id(receiver) << 32) | id(publisher);
    records[o + 3] = video ? 1 : 0;
    records[o + 4] = (ssrc << 16) | sequenceNumber;
  }

  private int id(String name) {
    Integer id = ids.get(name);
    if (id == null) {
      id =
          ids.computeIfAbsent(
              name,
              n -> {
                int k = nextId.getAndIncrement();
                names.put(k, n);
                return k;
              });
    }
    return id;
  }

  int size() {
    return Math.min(next.get(), capacity);
  }

  long dropped() {
    return dropped.get();
  }

  /**
   * Writes the log: a header line, then one line per packet: arrival and send time (wall-clock ns),
   * receiver, publisher, audio or video, SSRC, sequence number.
   */
  void write(Path file) throws IOException {
    // nanoTime to wall clock, from one reading of both.
    Instant now = Instant.now();
    long offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      // The offset lets a reader line the file up with CLOCK_MONOTONIC traces (perf -k).
      w.write("# arrival_ns sent_ns receiver publisher kind ssrc seq; wall clock = monotonic + ");
      w.write(offset + " ns; " + dropped() + " packets beyond the capacity not kept\n");
      int n = size();
      for (int i = 0; i < n; i++) {
        int o = i * FIELDS;
        long who = records[o + 2];
        long key = records[o + 4];
        w.write(
            (records[o] + offset)
                + " "
                + (records[o + 1] + offset)
                + " "
                + names.get((int) (who >>> 32))
                + " "
                + names.get((int) who)
                + " "
                + (records[o + 3] == 1 ? "video" : "audio")
                + " "
                + (key >>> 16)
                + " "
                + (key & 0xFFFF)
                + "\n");
      }
    }
  }
}
