package io.parley.load;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Network trouble a participant makes itself, in its own sending path: random loss of outgoing RTP,
 * and a fixed delay plus random jitter on everything it sends. Incoming loss is simulated too, by
 * dropping SRTP before decryption (as if the downlink had lost it).
 *
 * @param sendLoss fraction 0..1 of outgoing RTP packets dropped
 * @param receiveLoss fraction 0..1 of incoming SRTP packets dropped
 * @param delayMillis fixed extra delay on outgoing packets
 * @param jitterMillis uniform random extra delay 0..jitter on outgoing packets
 */
record Impairment(double sendLoss, double receiveLoss, int delayMillis, int jitterMillis) {
  static final Impairment NONE = new Impairment(0, 0, 0, 0);

  Impairment {
    if (sendLoss < 0 || sendLoss > 1 || receiveLoss < 0 || receiveLoss > 1) {
      throw new IllegalArgumentException("loss must be between 0 and 1");
    }
    if (delayMillis < 0 || jitterMillis < 0) {
      throw new IllegalArgumentException("delay and jitter must not be negative");
    }
  }

  boolean dropOutgoing() {
    return sendLoss > 0 && ThreadLocalRandom.current().nextDouble() < sendLoss;
  }

  boolean dropIncoming() {
    return receiveLoss > 0 && ThreadLocalRandom.current().nextDouble() < receiveLoss;
  }

  long nextDelayMillis() {
    if (jitterMillis == 0) {
      return delayMillis;
    }
    return delayMillis + ThreadLocalRandom.current().nextInt(jitterMillis + 1);
  }
}
