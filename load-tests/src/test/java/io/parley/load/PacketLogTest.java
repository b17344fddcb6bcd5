package io.parley.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PacketLogTest {
  @Test
  void writesWallClockTimesAndCountsWhatDidNotFit(@TempDir Path dir) throws Exception {
    PacketLog log = new PacketLog(2);
    long now = System.nanoTime();
    log.record(now, now - 1_500_000, "pub0-1", "pub0-0", true, 0xFFFFFFFFL, 65535);
    log.record(now + 10, now - 20, "sub0-0", "pub0-0", false, 1234, 0);
    log.record(now + 20, now, "sub0-0", "pub0-1", false, 1, 1);

    assertThat(log.size()).isEqualTo(2);
    assertThat(log.dropped()).isEqualTo(1);
    Path file = dir.resolve("packets.txt");
    log.write(file);
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("wall clock = monotonic + ", "1 packets beyond the capacity");
    long offset = Long.parseLong(lines.get(0).replaceAll(".*monotonic \\+ (-?\\d+) ns.*", "$1"));
    String[] first = lines.get(1).split(" ");
    assertThat(Long.parseLong(first[0]) - offset).isEqualTo(now);
    assertThat(Long.parseLong(first[0]) - Long.parseLong(first[1])).isEqualTo(1_500_000);
    // The clock read in milliseconds: the end of the current millisecond bounds the packet's time.
    long wallNow = (System.currentTimeMillis() + 1) * 1_000_000L;
    assertThat(Long.parseLong(first[0])).isBetween(wallNow - 10_000_000_000L, wallNow);
    assertThat(first)
        .containsExactly(first[0], first[1], "pub0-1", "pub0-0", "video", "4294967295", "65535");
    assertThat(lines.get(2).split(" ")).endsWith("sub0-0", "pub0-0", "audio", "1234", "0");
  }
}
