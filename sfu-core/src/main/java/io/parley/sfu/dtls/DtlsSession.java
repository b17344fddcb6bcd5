package io.parley.sfu.dtls;

import io.parley.sfu.srtp.SrtpKeys;
import io.parley.sfu.srtp.SrtpProfile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DTLS association over an ICE-bound 5-tuple. Never blocks the caller.
 *
 * <p>BouncyCastle's DTLS API blocks, so the handshake runs on the handshake executor and reads
 * datagrams that {@link #receive} queued. A SERVER takes a thread only once the first datagram
 * arrives. After the handshake no thread is held: a datagram that still arrives (the peer
 * retransmitting its last flight because ours was lost, an alert, close_notify) schedules a short
 * task that feeds the queue through BouncyCastle, which answers retransmissions itself.
 *
 * <p>Listener callbacks run on the handshake executor's threads.
 */
public final class DtlsSession {
  /** Where our datagrams go: the ICE-selected 5-tuple. Thread-safe, provided by the transport. */
  public interface DatagramSink {
    void send(byte[] data, int offset, int length);
  }

  /** Told once about the outcome: connected (maybe followed by failed), or failed. */
  public interface Listener {
    /** Handshake done, fingerprint verified. */
    void connected(SrtpKeys keys);

    /**
     * Handshake failure, timeout, fingerprint mismatch, or peer close_notify/alert after connect.
     */
    void failed(String reason, Throwable cause);

    /**
     * A listener for one handshake that completes {@code keys} with the exported SRTP keys, or
     * exceptionally with the failure.
     */
    static Listener completing(CompletableFuture<SrtpKeys> keys) {
      return new Listener() {
        @Override
        public void connected(SrtpKeys k) {
          keys.complete(k);
        }

        @Override
        public void failed(String reason, Throwable cause) {
          keys.completeExceptionally(new IllegalStateException(reason, cause));
        }
      };
    }
  }

  static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
  static final List<SrtpProfile> DEFAULT_PROFILES =
      List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80);

  /** A handshake flight is a handful of datagrams; more than this queued is a flood. */
  private static final int QUEUE_CAPACITY = 64;

  /** How long a post-handshake drain waits for BouncyCastle's next read (0 would mean forever). */
  private static final int DRAIN_WAIT_MILLIS = 1;

  private static final Logger LOG = LoggerFactory.getLogger(DtlsSession.class);

  private enum State {
    NEW,
    STARTED,
    HANDSHAKING,
    CONNECTED,
    FAILED,
    CLOSED
  }

  private final DtlsRole role;
  private final DtlsCertificate certificate;
  private final Executor executor;
  private final DatagramSink sink;
  private final Listener listener;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final CompletableFuture<Fingerprint> remoteFingerprint = new CompletableFuture<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicLong droppedDatagrams = new AtomicLong();
  private final AtomicLong droppedApplicationData = new AtomicLong();
  private final Object transportLock = new Object();
  private final HandshakeHooks hooks = new Hooks();

  private volatile List<SrtpProfile> profiles = DEFAULT_PROFILES;
  private volatile int handshakeTimeoutMillis = HANDSHAKE_TIMEOUT_MILLIS;
  private volatile long handshakeDeadlineNanos;
  private volatile SrtpKeys keys;
  private volatile String failureReason;

  /** Set once the handshake is done; used only under transportLock. */
  private DTLSTransport transport;

  public DtlsSession(
      DtlsRole role,
      DtlsCertificate certificate,
      Executor handshakeExecutor,
      DatagramSink sink,
      Listener listener) {
    this.role = Objects.requireNonNull(role, "role");
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.executor = Objects.requireNonNull(handshakeExecutor, "handshakeExecutor");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * The SRTP profiles we offer (CLIENT) or accept (SERVER), most preferred first. Before start();
   * for tests and for configuration.
   */
  void setSrtpProfiles(List<SrtpProfile> preferred) {
    if (preferred.isEmpty()) {
      throw new IllegalArgumentException("no SRTP profiles");
    }
    this.profiles = List.copyOf(preferred);
  }

  /**
   * Overall handshake deadline, {@value #HANDSHAKE_TIMEOUT_MILLIS} ms unless set before start().
   */
  void setHandshakeTimeoutMillis(int millis) {
    if (millis <= 0) {
      throw new IllegalArgumentException("timeout " + millis);
    }
    this.handshakeTimeoutMillis = millis;
  }

  /**
   * The peer's a=fingerprint from its SDP (sha-256, also sha-1/-224/-384/-512). Required before the
   * handshake completes; a certificate that does not match fails the session. The first one set is
   * kept.
   *
   * @throws IllegalArgumentException for a hash we do not support
   */
  public void setRemoteFingerprint(String algorithm, String fingerprint) {
    Fingerprint value = new Fingerprint(algorithm, fingerprint);
    if (!remoteFingerprint.complete(value) && !remoteFingerprint.join().equals(value)) {
      LOG.warn("DTLS {}: ignoring a changed remote fingerprint", role);
    }
  }

  /** CLIENT: sends ClientHello; SERVER: waits (without a thread) for one. */
  public void start() {
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("DTLS session already started or closed");
    }
    if (role == DtlsRole.CLIENT || !inbound.isEmpty()) {
      launchHandshake();
    }
  }

  /** Copies, queues, returns at once; callable from any thread. */
  public void receive(byte[] data, int offset, int length) {
    State before = state.get();
    if (before == State.FAILED || before == State.CLOSED || length <= 0) {
      return;
    }
    if (!inbound.offer(Arrays.copyOfRange(data, offset, offset + length))) {
      droppedDatagrams.incrementAndGet();
      return;
    }
    // Read the state after queueing, so a handshake finishing meanwhile cannot strand the datagram.
    State now = state.get();
    if (now == State.STARTED && role == DtlsRole.SERVER) {
      launchHandshake();
    } else if (now == State.CONNECTED) {
      scheduleDrain();
    }
  }

  /** Sends close_notify if connected and frees the handshake thread; no callback follows. */
  public void close() {
    State before;
    do {
      before = state.get();
      if (before == State.CLOSED || before == State.FAILED) {
        return;
      }
    } while (!state.compareAndSet(before, State.CLOSED));
    inbound.clear();
    if (before == State.HANDSHAKING) {
      inbound.offer(QueuedDatagramTransport.CLOSE_SIGNAL);
      // Also wake a handshake that is waiting for the SDP's fingerprint.
      remoteFingerprint.completeExceptionally(new IOException("DTLS session closed"));
    } else if (before == State.CONNECTED) {
      try {
        executor.execute(this::closeTransport);
      } catch (RejectedExecutionException e) {
        closeTransport();
      }
    }
    LOG.debug("DTLS {} closed in state {}", role, before);
  }

  public boolean isConnected() {
    return state.get() == State.CONNECTED;
  }

  /** Datagrams dropped because the queue was full. */
  long droppedDatagrams() {
    return droppedDatagrams.get();
  }

  private void launchHandshake() {
    if (!state.compareAndSet(State.STARTED, State.HANDSHAKING)) {
      return;
    }
    handshakeDeadlineNanos =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(handshakeTimeoutMillis);
    try {
      executor.execute(this::runHandshake);
    } catch (RejectedExecutionException e) {
      fail("no thread for the handshake", e);
    }
  }

  private void runHandshake() {
    long startNanos = System.nanoTime();
    QueuedDatagramTransport datagrams =
        new QueuedDatagramTransport(inbound, sink, this::onTransportClosed);
    try {
      DTLSTransport connected;
      if (role == DtlsRole.SERVER) {
        DTLSServerProtocol protocol = new DTLSServerProtocol();
        // ICE connectivity checks already proved the peer owns its address: a cookie exchange
        // would only add a round trip.
        protocol.setVerifyRequests(false);
        connected =
            protocol.accept(
                new DtlsServer(certificate, profiles, hooks, handshakeTimeoutMillis), datagrams);
      } else {
        connected =
            new DTLSClientProtocol()
                .connect(
                    new DtlsClient(certificate, profiles, hooks, handshakeTimeoutMillis),
                    datagrams);
      }
      synchronized (transportLock) {
        transport = connected;
      }
      if (!state.compareAndSet(State.HANDSHAKING, State.CONNECTED)) {
        closeTransport(); // close() came while we finished
        return;
      }
      LOG.info(
          "DTLS {} connected: {} in {} ms",
          role,
          keys.profile(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      try {
        listener.connected(keys);
      } catch (RuntimeException e) {
        LOG.error("DTLS listener failed in connected()", e);
      }
      if (!inbound.isEmpty()) {
        scheduleDrain();
      }
    } catch (IOException | RuntimeException e) {
      fail(describe(e), e);
    }
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        drainScheduled.set(false);
      }
    }
  }

  /** Feeds post-handshake datagrams through BouncyCastle: it retransmits and handles alerts. */
  private void drain() {
    try {
      synchronized (transportLock) {
        byte[] buf = new byte[QueuedDatagramTransport.RECEIVE_LIMIT];
        while (transport != null && state.get() == State.CONNECTED && !inbound.isEmpty()) {
          if (transport.receive(buf, 0, buf.length, DRAIN_WAIT_MILLIS) >= 0) {
            // Application data would be SCTP for data channels, which we do not offer.
            droppedApplicationData.incrementAndGet();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      fail("closed: " + describe(e), e);
    } finally {
      drainScheduled.set(false);
      if (state.get() == State.CONNECTED && !inbound.isEmpty()) {
        scheduleDrain();
      }
    }
  }

  /** BouncyCastle closed its record layer: after connect, that means close_notify from the peer. */
  private void onTransportClosed() {
    if (state.get() == State.CONNECTED) {
      fail("closed", null);
    }
  }

  private void closeTransport() {
    synchronized (transportLock) {
      if (transport != null) {
        try {
          transport.close();
        } catch (IOException | RuntimeException e) {
          LOG.debug("DTLS {}: close_notify not sent", role, e);
        }
      }
    }
  }

  private void fail(String reason, Throwable cause) {
    State before;
    do {
      before = state.get();
      if (before == State.FAILED || before == State.CLOSED) {
        return;
      }
    } while (!state.compareAndSet(before, State.FAILED));
    inbound.clear();
    if (before == State.CONNECTED) {
      LOG.info("DTLS {} ended: {}", role, reason);
    } else {
      LOG.warn("DTLS {} handshake failed: {}", role, reason);
    }
    try {
      listener.failed(reason, cause);
    } catch (RuntimeException e) {
      LOG.error("DTLS listener failed in failed()", e);
    }
  }

  private String describe(Throwable e) {
    String ours = failureReason;
    if (ours != null) {
      return ours;
    }
    if (e instanceof TlsFatalAlertReceived received) {
      return "peer sent alert " + AlertDescription.getName(received.getAlertDescription());
    }
    if (e instanceof TlsTimeoutException) {
      return "handshake timed out";
    }
    if (e instanceof TlsFatalAlert alert) {
      return "alert " + AlertDescription.getName(alert.getAlertDescription());
    }
    return e.toString();
  }

  private long remainingMillis() {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(handshakeDeadlineNanos - System.nanoTime()));
  }

  /** Runs on the handshake thread, inside BouncyCastle's callbacks. */
  private final class Hooks implements HandshakeHooks {
    @Override
    public void verifyPeerCertificate(Certificate chain) throws IOException {
      if (chain == null || chain.isEmpty()) {
        failureReason = "peer sent no certificate";
        throw new TlsFatalAlert(AlertDescription.handshake_failure, failureReason);
      }
      Fingerprint expected;
      try {
        // The SDP normally comes first; otherwise wait for it within the handshake's time.
        expected = remoteFingerprint.get(remainingMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        failureReason = "no remote fingerprint";
        throw new TlsFatalAlert(AlertDescription.bad_certificate, failureReason);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for the remote fingerprint");
      } catch (ExecutionException e) {
        throw new IOException("DTLS session closed", e);
      }
      if (!expected.matches(chain.getCertificateAt(0).getEncoded())) {
        failureReason = "fingerprint mismatch";
        throw new TlsFatalAlert(AlertDescription.bad_certificate, failureReason);
      }
    }

    @Override
    public void handshakeComplete(SrtpKeys exported) {
      keys = exported;
    }
  }
}
