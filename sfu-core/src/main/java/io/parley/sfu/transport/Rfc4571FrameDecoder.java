package io.parley.sfu.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * RFC 4571 framing in: a 2-byte length, then one STUN, DTLS or SRTP packet of that length. A length
 * above the limit ends the connection, since a byte stream cannot be resynchronised; a partial
 * frame waits for its bytes (the connection's check timer or ICE consent bounds the wait).
 */
final class Rfc4571FrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameBytes;
  private final DropCounters drops;
  private boolean failed;

  Rfc4571FrameDecoder(int maxFrameBytes, DropCounters drops) {
    this.maxFrameBytes = maxFrameBytes;
    this.drops = drops;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < 2) {
      return;
    }
    int length = in.getUnsignedShort(in.readerIndex());
    if (length > maxFrameBytes) {
      failed = true;
      drops.increment(DropReason.TCP_FRAME_TOO_LONG);
      in.skipBytes(in.readableBytes());
      ctx.close();
      return;
    }
    if (in.readableBytes() < 2 + length) {
      return;
    }
    in.skipBytes(2);
    out.add(in.readRetainedSlice(length));
  }
}
