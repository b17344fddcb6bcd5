package io.parley.sfu.ice;

import org.ice4j.attribute.MessageIntegrityAttribute;
import org.ice4j.stack.StunStack;

/**
 * MESSAGE-INTEGRITY keyed by a short-term password given up front. ice4j's own attribute looks its
 * key up in a StunStack's CredentialsManager (and throws without one); the SFU has no StunStack.
 */
final class ShortTermIntegrityAttribute extends MessageIntegrityAttribute {
  private final byte[] key;

  ShortTermIntegrityAttribute(byte[] key) {
    this.key = key;
  }

  /** ice4j calls this with the message so far, its length field already counting this attribute. */
  @Override
  public byte[] encode(StunStack stunStack, byte[] content, int offset, int length) {
    byte[] out = new byte[HEADER_LENGTH + DATA_LENGTH];
    out[0] = (byte) (MESSAGE_INTEGRITY >> 8);
    out[1] = (byte) MESSAGE_INTEGRITY;
    out[2] = (byte) (DATA_LENGTH >> 8);
    out[3] = (byte) DATA_LENGTH;
    byte[] hmac = calculateHmacSha1(content, offset, length, key);
    System.arraycopy(hmac, 0, out, HEADER_LENGTH, DATA_LENGTH);
    return out;
  }
}
