package io.parley.sfu.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Test helper: builds buffers from hex strings (spaces ignored). */
public final class Bytes {
  private Bytes() {}

  public static byte[] hex(String hex) {
    String s = hex.replaceAll("\\s+", "");
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  public static ByteBuf buf(String hex) {
    return Unpooled.wrappedBuffer(hex(hex));
  }
}
