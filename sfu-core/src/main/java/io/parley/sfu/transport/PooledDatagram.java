package io.parley.sfu.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * An outgoing datagram whose envelope is recycled: the forwarding path writes one per forwarded
 * packet per subscriber, and a fresh {@link DatagramPacket} for each (Netty makes a second one when
 * it copies a heap buffer to a direct one) was a fifth of the SFU's garbage with four people in a
 * room.
 *
 * <p>Netty's epoll transport batches into one {@code sendmmsg} only {@link DatagramPacket}s, whose
 * content and recipient are final fields; this subclass keeps its own, reads them through the
 * accessors Netty calls ({@link #content()}, {@link #recipient()}), and goes back to its pool when
 * the channel releases it after the write (or on failure). The content must be a direct buffer so
 * the channel passes the message through as it is. Not for reading or for pipelines with handlers
 * that keep messages.
 *
 * <p>The pool is per thread: an envelope goes back to the thread that released it (the channel's
 * loop), which is the thread that writes to that channel on the forwarding path.
 */
public final class PooledDatagram extends DatagramPacket {
  private static final InetSocketAddress UNUSED = new InetSocketAddress(0);

  /** Envelopes kept per thread; more than this many idle ones are left to the collector. */
  private static final int MAX_IDLE_PER_THREAD = 1024;

  private static final FastThreadLocal<ArrayDeque<PooledDatagram>> POOL =
      new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<PooledDatagram> initialValue() {
          return new ArrayDeque<>();
        }
      };

  private ByteBuf content;
  private InetSocketAddress recipient;

  private PooledDatagram() {
    super(Unpooled.EMPTY_BUFFER, UNUSED);
  }

  /** A datagram of {@code content} (a direct buffer; ownership passes) to {@code recipient}. */
  public static PooledDatagram of(ByteBuf content, InetSocketAddress recipient) {
    if (!content.isDirect()) {
      throw new IllegalArgumentException("a pooled datagram carries a direct buffer");
    }
    PooledDatagram datagram = POOL.get().pollFirst();
    if (datagram == null) {
      datagram = new PooledDatagram();
    }
    datagram.content = content;
    datagram.recipient = recipient;
    return datagram;
  }

  @Override
  public ByteBuf content() {
    return content;
  }

  @Override
  public InetSocketAddress recipient() {
    return recipient;
  }

  @Override
  public InetSocketAddress sender() {
    return null;
  }

  @Override
  public int refCnt() {
    ByteBuf c = content;
    return c == null ? 0 : c.refCnt();
  }

  @Override
  public DatagramPacket retain() {
    content.retain();
    return this;
  }

  @Override
  public DatagramPacket retain(int increment) {
    content.retain(increment);
    return this;
  }

  @Override
  public boolean release() {
    return release(1);
  }

  /** Releases the content; once it is freed the envelope goes back to the pool. */
  @Override
  public boolean release(int decrement) {
    if (content == null) {
      throw new io.netty.util.IllegalReferenceCountException(0, -decrement);
    }
    boolean freed = content.release(decrement);
    if (freed) {
      content = null;
      recipient = null;
      ArrayDeque<PooledDatagram> idle = POOL.get();
      if (idle.size() < MAX_IDLE_PER_THREAD) {
        idle.addFirst(this);
      }
    }
    return freed;
  }

  @Override
  public DatagramPacket touch() {
    return this;
  }

  @Override
  public DatagramPacket touch(Object hint) {
    return this;
  }

  @Override
  public DatagramPacket replace(ByteBuf newContent) {
    return new DatagramPacket(newContent, recipient);
  }

  @Override
  public String toString() {
    return "PooledDatagram(=> " + recipient + ", " + content + ')';
  }
}
