package io.parley.sfu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.parley.sfu.api.MediaKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A browser pads its video stream to probe its uplink (padding-only packets on the media SSRC when
 * no RTX is negotiated). The SFU sends none of that on: the subscriber's stream closes up over it,
 * with no gap, and a resend that comes late from before the padding still gets its own number.
 */
class PublisherPaddingTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private SfuFixture fixture;
  private TestParticipant publisher;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void paddingIsNotSentOnAndALateResendFromBeforeItKeepsItsNumber() throws Exception {
    TestParticipant subscriber = videoThenSilence("room-pad");
    var stream = subscriber.streamFrom(publisher, MediaKind.VIDEO);

    // On the publisher's loop: a frame whose last packet is held back (lost on the way), two
    // padding packets, the next frame; then, once the SFU asked for it, the held packet; then a
    // frame with padding between its packets' neighbours.
    var loop = publisher.client.channel().eventLoop();
    List<Integer> sourceSeqs = new ArrayList<>();
    ByteBuf[] held = new ByteBuf[1];
    loop.submit(
            () -> {
              ByteBuf[] frame = frame(sourceSeqs);
              for (int i = 0; i < frame.length - 1; i++) {
                publisher.client.sendRtp(frame[i]);
              }
              held[0] = frame[frame.length - 1];
              for (int i = 0; i < 2; i++) {
                publisher.client.sendRtp(
                    publisher.video.paddingPacket(PooledByteBufAllocator.DEFAULT, 200, 3));
              }
              for (ByteBuf packet : frame(sourceSeqs)) {
                publisher.client.sendRtp(packet);
              }
            })
        .get(5, TimeUnit.SECONDS);
    int heldSeq = held[0].getUnsignedShort(held[0].readerIndex() + 2);
    Await.until(DEADLINE, () -> publisher.nackNanos.containsKey(heldSeq), "the SFU asking for it");
    loop.submit(
            () -> {
              publisher.client.sendRtp(held[0]);
              ByteBuf[] frame = frame(sourceSeqs);
              publisher.client.sendRtp(frame[0]);
              publisher.client.sendRtp(
                  publisher.video.paddingPacket(PooledByteBufAllocator.DEFAULT, 200, 3));
              for (int i = 1; i < frame.length; i++) {
                publisher.client.sendRtp(frame[i]);
              }
            })
        .get(5, TimeUnit.SECONDS);

    // Padding, a one-packet frame lost on the way, padding again with nothing sent between: the
    // two paddings are not one run, and the lost packet's place lies between them.
    loop.submit(
            () -> {
              publisher.client.sendRtp(
                  publisher.video.paddingPacket(PooledByteBufAllocator.DEFAULT, 200, 3));
              held[0] = smallFrame(sourceSeqs);
              publisher.client.sendRtp(
                  publisher.video.paddingPacket(PooledByteBufAllocator.DEFAULT, 200, 3));
              for (ByteBuf packet : frame(sourceSeqs)) {
                publisher.client.sendRtp(packet);
              }
            })
        .get(5, TimeUnit.SECONDS);
    int secondHeld = held[0].getUnsignedShort(held[0].readerIndex() + 2);
    Await.until(
        DEADLINE, () -> publisher.nackNanos.containsKey(secondHeld), "the SFU asking for it");
    loop.submit(
            () -> {
              publisher.client.sendRtp(held[0]);
              for (ByteBuf packet : frame(sourceSeqs)) {
                publisher.client.sendRtp(packet);
              }
            })
        .get(5, TimeUnit.SECONDS);

    Await.until(
        DEADLINE,
        () -> stream.sourceSequenceNumbers.containsAll(sourceSeqs),
        () -> "every media packet at the subscriber, the resend too; holes " + holes(stream));
    assertThat(subscriber.paddingReceived.get()).as("padding sent on").isZero();
    assertThat(stream.duplicates.get()).as("numbers used twice").isZero();
    assertThat(holes(stream)).as("gaps in the subscriber's numbers").isEmpty();
  }

  @Test
  void paddingLostBetweenTwoFramesIsNotAskedForAndLeavesNoHole() throws Exception {
    TestParticipant subscriber = videoThenSilence("room-padloss");
    var stream = subscriber.streamFrom(publisher, MediaKind.VIDEO);

    // A frame; padding lost on the way, padding that arrives, padding lost again; the next frame
    // (its picture id the next one), and one more. Only padding lay between the two frames.
    var loop = publisher.client.channel().eventLoop();
    List<Integer> sourceSeqs = new ArrayList<>();
    int[] lost = new int[2];
    loop.submit(
            () -> {
              for (ByteBuf packet : frame(sourceSeqs)) {
                publisher.client.sendRtp(packet);
              }
              lost[0] = lose(publisher.video.paddingPacket(PooledByteBufAllocator.DEFAULT, 200, 3));
              publisher.client.sendRtp(
                  publisher.video.paddingPacket(PooledByteBufAllocator.DEFAULT, 200, 3));
              lost[1] = lose(publisher.video.paddingPacket(PooledByteBufAllocator.DEFAULT, 200, 3));
              for (int f = 0; f < 2; f++) {
                for (ByteBuf packet : frame(sourceSeqs)) {
                  publisher.client.sendRtp(packet);
                }
              }
            })
        .get(5, TimeUnit.SECONDS);

    Await.until(
        DEADLINE,
        () -> stream.sourceSequenceNumbers.containsAll(sourceSeqs),
        () -> "every media packet at the subscriber; holes " + holes(stream));
    assertThat(holes(stream)).as("gaps in the subscriber's numbers").isEmpty();
    Await.until(
        DEADLINE,
        () -> fixture.sfu.stats().uplinkPaddingLost.sum() == 2,
        () -> "both losses known as padding: " + fixture.sfu.stats().uplinkPaddingLost.sum());
    assertThat(subscriber.paddingReceived.get()).as("padding sent on").isZero();
    // The one right before the frame was never asked for; the one before the padding that arrived
    // was asked for once, when that padding showed the gap, and not again.
    assertThat(publisher.nackNanos).doesNotContainKey(lost[1]);
    assertThat(publisher.nackNanos.getOrDefault(lost[0], List.of())).hasSizeLessThanOrEqualTo(1);
    assertThat(fixture.sfu.stats().uplinkUnrecovered.sum()).isZero();
  }

  /**
   * A publisher and a subscriber of its video; the video flows, then the publisher stops and
   * resends nothing by itself: the test sends, loses and resends by hand.
   */
  private TestParticipant videoThenSilence(String room) throws Exception {
    fixture = new SfuFixture();
    publisher = fixture.join(room, "pub");
    TestParticipant subscriber = fixture.join(room, "sub");
    publisher.publish();
    subscriber.subscribeTo(publisher);
    publisher.startSending();
    Await.until(DEADLINE, () -> subscriber.streamFrom(publisher, MediaKind.VIDEO) != null, "video");
    var stream = subscriber.streamFrom(publisher, MediaKind.VIDEO);
    Await.until(DEADLINE, () -> stream.packets.get() > 50, "video flowing");
    publisher.stopSending();
    publisher.resendFilter = seq -> false;
    return subscriber;
  }

  /** A packet lost on the way: its number taken, nothing sent. */
  private static int lose(ByteBuf packet) {
    int seq = packet.getUnsignedShort(packet.readerIndex() + 2);
    packet.release();
    return seq;
  }

  /** A video frame of one packet; its source number is added to {@code seqs}. */
  private ByteBuf smallFrame(List<Integer> seqs) {
    ByteBuf packet =
        publisher.video.videoFrame(PooledByteBufAllocator.DEFAULT, 500, 1200, false, 3600, 3)[0];
    seqs.add(packet.getUnsignedShort(packet.readerIndex() + 2));
    return packet;
  }

  /** A video frame of five packets; their source numbers are added to {@code seqs}. */
  private ByteBuf[] frame(List<Integer> seqs) {
    ByteBuf[] packets =
        publisher.video.videoFrame(PooledByteBufAllocator.DEFAULT, 5000, 1200, false, 3600, 3);
    for (ByteBuf p : packets) {
      seqs.add(p.getUnsignedShort(p.readerIndex() + 2));
    }
    return packets;
  }

  /**
   * Where the subscriber's sequence numbers skip: every number but the newest should have its
   * successor (numbers wrap at 2^16).
   */
  private static String holes(TestParticipant.Received stream) {
    var seqs = stream.sequenceSnapshot();
    StringBuilder b = new StringBuilder();
    int ends = 0;
    for (int seq : seqs) {
      if (!seqs.contains((seq + 1) & 0xFFFF) && ++ends > 1) {
        b.append("after ").append(seq).append(' ');
      }
    }
    return b.toString();
  }
}
