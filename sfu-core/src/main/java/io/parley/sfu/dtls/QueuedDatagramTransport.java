package io.parley.sfu.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * BouncyCastle's view of the 5-tuple: it reads datagrams that {@link DtlsSession#receive} queued,
 * waiting at most as long as BouncyCastle asks (its retransmission timers), and writes through the
 * transport's sink.
 */
final class QueuedDatagramTransport implements DatagramTransport {
  /** Queued by {@link DtlsSession#close} to wake a waiting handshake and end it. */
  static final byte[] CLOSE_SIGNAL = new byte[0];

  /** Browsers keep DTLS records within ~1200 bytes; allow a full Ethernet payload in. */
  static final int RECEIVE_LIMIT = 1500;

  /** Our records stay under the smallest path MTU WebRTC assumes. */
  static final int SEND_LIMIT = 1200;

  /** BouncyCastle's "wait forever" (0) still wakes us up now and then. */
  private static final int LONGEST_WAIT_MILLIS = 1000;

  private final BlockingQueue<byte[]> inbound;
  private final DtlsSession.DatagramSink sink;
  private final Runnable onClose;

  QueuedDatagramTransport(
      BlockingQueue<byte[]> inbound, DtlsSession.DatagramSink sink, Runnable onClose) {
    this.inbound = inbound;
    this.sink = sink;
    this.onClose = onClose;
  }

  @Override
  public int getReceiveLimit() {
    return RECEIVE_LIMIT;
  }

  @Override
  public int getSendLimit() {
    return SEND_LIMIT;
  }

  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
    byte[] datagram;
    try {
      int wait = waitMillis > 0 ? Math.min(waitMillis, LONGEST_WAIT_MILLIS) : LONGEST_WAIT_MILLIS;
      datagram = inbound.poll(wait, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for a DTLS datagram");
    }
    if (datagram == null) {
      return -1;
    }
    if (datagram == CLOSE_SIGNAL) {
      throw new IOException("DTLS session closed");
    }
    int length = Math.min(len, datagram.length);
    System.arraycopy(datagram, 0, buf, off, length);
    return length;
  }

  @Override
  public void send(byte[] buf, int off, int len) throws IOException {
    try {
      sink.send(buf, off, len);
    } catch (RuntimeException e) {
      throw new IOException("cannot send a DTLS datagram", e);
    }
  }

  @Override
  public void close() {
    onClose.run();
  }
}
