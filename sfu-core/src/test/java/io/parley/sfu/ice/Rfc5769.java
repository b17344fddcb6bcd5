package io.parley.sfu.ice;

import java.util.HexFormat;

/** The sample messages of RFC 5769 (STUN test vectors), byte for byte. */
final class Rfc5769 {
  private Rfc5769() {}

  /** §2: the short-term password of the samples in §2.1–2.3. */
  static final String PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";

  /** §2: the transaction id shared by the samples in §2.1–2.3. */
  static final byte[] TRANSACTION_ID = hex("b7e7a701bc34d686fa87dfae");

  /**
   * §2.1 Sample Request: SOFTWARE, PRIORITY 0x6e0001ff, ICE-CONTROLLED, USERNAME "evtj:h6vY",
   * MESSAGE-INTEGRITY, FINGERPRINT.
   */
  static final byte[] REQUEST =
      hex(
          "000100582112a442b7e7a701bc34d686fa87dfae"
              + "802200105354554e20746573742063 6c69656e74"
              + "002400046e0001ff"
              + "80290008932ff9b151263b36"
              + "000600096576746a3a683676 59202020"
              + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
              + "80280004e57a3bcf");

  /** §2.2 Sample IPv4 Response: XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
  static final byte[] IPV4_RESPONSE =
      hex(
          "0101003c2112a442b7e7a701bc34d686fa87dfae"
              + "8022000b7465737420766563746f7220"
              + "002000080001a147e112a643"
              + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
              + "80280004c07d4c96");

  /** §2.3 Sample IPv6 Response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
  static final byte[] IPV6_RESPONSE =
      hex(
          "010100482112a442b7e7a701bc34d686fa87dfae"
              + "8022000b7465737420766563746f7220"
              + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
              + "00080014a382954e4be67bf11784c97c8292c275bfe3ed41"
              + "80280004c8fb0b4c");

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }
}
