package io.parley.sfu.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One ICE-TCP connection (the passive side of RFC 6544). It counts as pending, against the port's
 * limit, until a valid ICE check arrives on it; the pipeline frames every packet written to it (RFC
 * 4571), so a write from any thread stays one whole frame.
 */
public final class TcpConnection implements MediaPath {
  private final Channel channel;
  private final InetSocketAddress remote;
  private final DropCounters drops;
  private final AtomicInteger pendingCount;
  private final AtomicBoolean pending = new AtomicBoolean(true);
  private volatile boolean checked;
  private boolean refused;
  private ScheduledFuture<?> checkTimer;

  TcpConnection(Channel channel, DropCounters drops, AtomicInteger pendingCount) {
    this.channel = channel;
    this.remote = (InetSocketAddress) channel.remoteAddress();
    this.drops = drops;
    this.pendingCount = pendingCount;
  }

  void setCheckTimer(ScheduledFuture<?> timer) {
    this.checkTimer = timer;
  }

  /** The browser's address and port of this connection (for XOR-MAPPED-ADDRESS and logs). */
  public InetSocketAddress remoteAddress() {
    return remote;
  }

  public boolean isChecked() {
    return checked;
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /** A valid ICE check arrived: the connection belongs to an endpoint now. */
  public void markChecked() {
    checked = true;
    releasePending();
  }

  /**
   * Closes a connection that has not carried a valid check and sent something else, or nothing in
   * time; counted once as {@link DropReason#TCP_NO_CHECK}. Its I/O thread only.
   */
  public void refuse() {
    if (!checked && !refused) {
      refused = true;
      drops.increment(DropReason.TCP_NO_CHECK);
      channel.close();
    }
  }

  /**
   * Queues one packet as one frame; takes ownership. When the connection cannot take more (a slow
   * or stalled receiver), the packet is dropped and counted rather than buffered without bound; on
   * a closed connection it is dropped (its endpoint is losing the path).
   *
   * @return whether it was queued; {@link #flush()} sends what was queued
   */
  public boolean write(ByteBuf packet) {
    if (!channel.isWritable()) {
      packet.release();
      if (channel.isActive()) {
        drops.increment(DropReason.TCP_BACKPRESSURE);
      }
      return false;
    }
    channel.write(packet, channel.voidPromise());
    return true;
  }

  public void flush() {
    channel.flush();
  }

  public void writeAndFlush(ByteBuf packet) {
    if (write(packet)) {
      channel.flush();
    }
  }

  public void close() {
    channel.close();
  }

  /** The connection closed: its pending slot and check timer go. */
  void closed() {
    releasePending();
    if (checkTimer != null) {
      checkTimer.cancel(false);
    }
  }

  private void releasePending() {
    if (pending.compareAndSet(true, false)) {
      pendingCount.decrementAndGet();
      if (checkTimer != null) {
        checkTimer.cancel(false);
      }
    }
  }

  @Override
  public String toString() {
    return "tcp " + remote;
  }
}
