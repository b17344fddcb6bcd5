package io.parley.sfu.srtp;

import java.util.Arrays;

/**
 * A map from SSRC (an int) to a value with no boxing: open addressing with linear probing, sized
 * for the few dozen SSRCs of one transport. It replaces a {@code HashMap<Integer, V>} on the packet
 * path, where each lookup of an SSRC outside the Integer cache allocated. Not thread-safe.
 */
final class SsrcMap<V> {
  private int[] keys = new int[16];
  private Object[] values = new Object[16];
  private int size;

  int size() {
    return size;
  }

  @SuppressWarnings("unchecked")
  V get(int ssrc) {
    int mask = keys.length - 1;
    for (int i = mix(ssrc) & mask; ; i = (i + 1) & mask) {
      Object value = values[i];
      if (value == null) {
        return null;
      }
      if (keys[i] == ssrc) {
        return (V) value;
      }
    }
  }

  void put(int ssrc, V value) {
    if (value == null) {
      throw new IllegalArgumentException("null value");
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    for (int i = mix(ssrc) & mask; ; i = (i + 1) & mask) {
      if (values[i] == null) {
        keys[i] = ssrc;
        values[i] = value;
        size++;
        return;
      }
      if (keys[i] == ssrc) {
        values[i] = value;
        return;
      }
    }
  }

  void remove(int ssrc) {
    int mask = keys.length - 1;
    int i = mix(ssrc) & mask;
    while (values[i] != null && keys[i] != ssrc) {
      i = (i + 1) & mask;
    }
    if (values[i] == null) {
      return;
    }
    values[i] = null;
    size--;
    // Re-insert the rest of the probe run so later lookups do not stop at the hole.
    for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
      int key = keys[j];
      Object value = values[j];
      values[j] = null;
      size--;
      putRaw(key, value);
    }
  }

  void clear() {
    Arrays.fill(values, null);
    size = 0;
  }

  private void putRaw(int key, Object value) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (values[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = value;
    size++;
  }

  private void grow() {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new Object[oldValues.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldValues[i] != null) {
        putRaw(oldKeys[i], oldValues[i]);
      }
    }
  }

  private static int mix(int ssrc) {
    int h = ssrc * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
