package io.parley.sfu.ice;

import io.netty.buffer.ByteBuf;
import io.parley.sfu.ice.StunException.Kind;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.FingerprintAttribute;
import org.ice4j.attribute.IceControlAttribute;
import org.ice4j.attribute.MessageIntegrityAttribute;
import org.ice4j.attribute.PriorityAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.ice.AgentConfig;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STUN Binding codec of ICE-lite (RFC 5389, RFC 8445): decodes the browsers' connectivity
 * checks, verifies their MESSAGE-INTEGRITY, and encodes the answers; plus the client side, for
 * Parley's synthetic participants and tests.
 *
 * <p>ice4j's message codec does the decoding and encoding. Around it this class adds what ice4j
 * leaves out: a strict header and attribute-size check before ice4j sees the bytes (its decoders
 * trust length fields), MESSAGE-INTEGRITY verification (ice4j's decode never checks it), and
 * encoding MESSAGE-INTEGRITY without an ice4j StunStack. Every decode failure is a {@link
 * StunException}; nothing else escapes on any input.
 */
public final class StunCodec {
  private static final Logger LOG = LoggerFactory.getLogger(StunCodec.class);

  static final int HEADER_LENGTH = StunLayout.HEADER_LENGTH;
  static final int MAGIC_COOKIE = 0x2112A442;

  /**
   * The largest message decoded. A connectivity check is under 200 bytes; anything near an MTU is
   * not one, and is refused before any work is spent on it.
   */
  static final int MAX_MESSAGE_LENGTH = 1500;

  private static final int BINDING_REQUEST = 0x0001;
  private static final int BINDING_SUCCESS = 0x0101;
  private static final int BINDING_ERROR = 0x0111;
  private static final int TRANSACTION_ID_LENGTH = 12;
  private static final int INTEGRITY_LENGTH = 20;
  private static final int MAX_REASON_LENGTH = 128;

  private static final SecureRandom RANDOM = new SecureRandom();

  static {
    // ice4j's Message.encode adds SOFTWARE ("ice4j.org") unless its config says otherwise. The SFU
    // does not advertise its software to the network, so default the setting to empty. This works
    // only if nothing has loaded ice4j's (Typesafe) config before; the check below says if it did.
    if (System.getProperty("ice4j.software") == null
        && System.getProperty("org.ice4j.SOFTWARE") == null) {
      System.setProperty("ice4j.software", "");
    }
    try {
      String software = AgentConfig.config.getSoftware();
      if (software != null && !software.isEmpty()) {
        LOG.warn("STUN messages will carry SOFTWARE \"{}\" (ice4j config)", software);
      }
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("ice4j config could not be read ({}); STUN encoding may fail", e.toString());
    }
  }

  private StunCodec() {}

  /**
   * Cheap check that a datagram is a STUN message: first byte 0..3 (RFC 7983), the magic cookie,
   * and a length field that is a multiple of 4 and matches the datagram. Reads absolute indices
   * from the reader index; moves neither index.
   */
  public static boolean looksLikeStun(ByteBuf buf) {
    int start = buf.readerIndex();
    int readable = buf.readableBytes();
    if (readable < HEADER_LENGTH
        || buf.getUnsignedByte(start) > 3
        || buf.getInt(start + 4) != MAGIC_COOKIE) {
      return false;
    }
    int length = buf.getUnsignedShort(start + 2);
    return (length & 3) == 0 && HEADER_LENGTH + length == readable;
  }

  /**
   * Decodes a Binding request. FINGERPRINT is required and checked; MESSAGE-INTEGRITY and USERNAME
   * ("localUfrag:remoteUfrag") must be present, but integrity is checked separately by {@link
   * #verifyIntegrity} once the caller has found the password for the ufrag. Moves no index.
   *
   * @throws StunException for anything else, and never anything but a StunException
   */
  public static BindingRequest decodeBindingRequest(ByteBuf buf) throws StunException {
    byte[] msg = frame(buf);
    if (StunLayout.u16(msg, 0) != BINDING_REQUEST) {
      throw new StunException(Kind.NOT_A_BINDING_REQUEST, "not a Binding request");
    }
    StunLayout layout = StunLayout.scan(msg);
    checkFingerprint(msg, layout);
    if (layout.integrity() < 0) {
      throw new StunException(Kind.MISSING_ATTRIBUTE, "no MESSAGE-INTEGRITY");
    }
    Message message = decode(msg, layout);
    try {
      UsernameAttribute username = (UsernameAttribute) message.getAttribute(Attribute.USERNAME);
      if (username == null) {
        throw new StunException(Kind.MISSING_ATTRIBUTE, "no USERNAME");
      }
      String name = new String(username.getUsername(), StandardCharsets.UTF_8);
      if (name.indexOf(':') < 0) {
        throw new StunException(Kind.MALFORMED, "USERNAME is not ufrag:ufrag");
      }
      PriorityAttribute priority = (PriorityAttribute) message.getAttribute(Attribute.PRIORITY);
      IceControlAttribute controlling =
          (IceControlAttribute) message.getAttribute(Attribute.ICE_CONTROLLING);
      IceControlAttribute controlled =
          (IceControlAttribute) message.getAttribute(Attribute.ICE_CONTROLLED);
      long tieBreaker =
          controlling != null
              ? controlling.getTieBreaker()
              : controlled != null ? controlled.getTieBreaker() : 0;
      return new BindingRequest(
          message.getTransactionID(),
          name,
          priority == null ? 0 : priority.getPriority(),
          message.containsAttribute(Attribute.USE_CANDIDATE),
          controlling != null,
          controlled != null,
          tieBreaker);
    } catch (RuntimeException e) {
      throw new StunException(Kind.MALFORMED, "unreadable attribute");
    }
  }

  /**
   * Verifies MESSAGE-INTEGRITY: HMAC-SHA1 keyed by the short-term password (RFC 5389 §15.4), over
   * the message up to that attribute with the length field counting through it. False for a wrong
   * password, a missing attribute, or a malformed message. Moves no index.
   */
  public static boolean verifyIntegrity(ByteBuf buf, String password) {
    if (password == null || password.isEmpty()) {
      return false;
    }
    try {
      byte[] msg = frame(buf);
      StunLayout layout = StunLayout.scan(msg);
      return layout.integrity() >= 0 && integrityMatches(msg, layout.integrity(), key(password));
    } catch (StunException | RuntimeException e) {
      return false;
    }
  }

  /**
   * A Binding success response: the same transaction id, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY,
   * FINGERPRINT.
   */
  public static byte[] encodeBindingSuccess(
      byte[] transactionId, InetSocketAddress mapped, String password) {
    checkTransactionId(transactionId);
    if (mapped == null || mapped.getAddress() == null) {
      throw new IllegalArgumentException("mapped address must be resolved: " + mapped);
    }
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("a success response needs the password");
    }
    Request request = MessageFactory.createBindingRequest();
    setTransactionId(request, transactionId);
    Response response =
        MessageFactory.createBindingResponse(
            request, new TransportAddress(mapped.getAddress(), mapped.getPort(), Transport.UDP));
    // createBindingResponse uses the request's id for the XOR but does not copy it.
    setTransactionId(response, transactionId);
    return sign(response, password);
  }

  /**
   * A Binding error response (e.g. 400, 401, 487) with ERROR-CODE and FINGERPRINT, and
   * MESSAGE-INTEGRITY only if {@code password} is not null. The reason is reduced to printable
   * ASCII.
   */
  public static byte[] encodeBindingError(
      byte[] transactionId, int code, String reason, String password) {
    checkTransactionId(transactionId);
    if (code < 300 || code > 699) {
      throw new IllegalArgumentException("STUN error codes are 300..699: " + code);
    }
    Response response =
        MessageFactory.createBindingErrorResponse((char) code, sanitizeReason(code, reason));
    setTransactionId(response, transactionId);
    return sign(response, password);
  }

  /** A new random 12-byte transaction id. */
  public static byte[] newTransactionId() {
    byte[] id = new byte[TRANSACTION_ID_LENGTH];
    RANDOM.nextBytes(id);
    return id;
  }

  /**
   * A connectivity check as the browser sends it: PRIORITY, ICE-CONTROLLING or ICE-CONTROLLED,
   * USERNAME ("remoteUfrag:localUfrag" from the sender's side), USE-CANDIDATE if nominating,
   * MESSAGE-INTEGRITY keyed by the receiver's password, FINGERPRINT.
   */
  public static byte[] encodeBindingRequest(
      byte[] transactionId,
      String username,
      String password,
      long priority,
      boolean controlling,
      long tieBreaker,
      boolean useCandidate) {
    checkTransactionId(transactionId);
    if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
      throw new IllegalArgumentException("a Binding request needs a username and a password");
    }
    Request request;
    try {
      request = MessageFactory.createBindingRequest(priority, controlling, tieBreaker);
    } catch (org.ice4j.StunException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    setTransactionId(request, transactionId);
    request.putAttribute(AttributeFactory.createUsernameAttribute(username));
    if (useCandidate) {
      request.putAttribute(AttributeFactory.createUseCandidateAttribute());
    }
    return sign(request, password);
  }

  /**
   * Decodes a Binding success or error response, checking FINGERPRINT (required) and, if {@code
   * password} is not null, MESSAGE-INTEGRITY (then required). Moves no index.
   *
   * @throws StunException if the response is malformed, unauthenticated or not a Binding response
   */
  public static BindingResponse decodeBindingResponse(ByteBuf buf, String password)
      throws StunException {
    byte[] msg = frame(buf);
    int type = StunLayout.u16(msg, 0);
    if (type != BINDING_SUCCESS && type != BINDING_ERROR) {
      throw new StunException(Kind.NOT_A_BINDING_RESPONSE, "not a Binding response");
    }
    StunLayout layout = StunLayout.scan(msg);
    checkFingerprint(msg, layout);
    if (password != null) {
      if (layout.integrity() < 0) {
        throw new StunException(Kind.MISSING_ATTRIBUTE, "no MESSAGE-INTEGRITY");
      }
      boolean ok;
      try {
        ok = integrityMatches(msg, layout.integrity(), key(password));
      } catch (RuntimeException e) {
        ok = false;
      }
      if (!ok) {
        throw new StunException(Kind.BAD_INTEGRITY, "MESSAGE-INTEGRITY does not match");
      }
    }
    Message message = decode(msg, layout);
    try {
      byte[] transactionId = message.getTransactionID();
      if (type == BINDING_SUCCESS) {
        XorMappedAddressAttribute xor =
            (XorMappedAddressAttribute) message.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
        if (xor == null) {
          throw new StunException(Kind.MISSING_ATTRIBUTE, "no XOR-MAPPED-ADDRESS");
        }
        TransportAddress address = xor.getAddress(transactionId);
        return new BindingResponse(
            transactionId, true, new InetSocketAddress(address.getAddress(), address.getPort()), 0);
      }
      ErrorCodeAttribute error = (ErrorCodeAttribute) message.getAttribute(Attribute.ERROR_CODE);
      if (error == null) {
        throw new StunException(Kind.MISSING_ATTRIBUTE, "no ERROR-CODE");
      }
      return new BindingResponse(transactionId, false, null, error.getErrorCode());
    } catch (RuntimeException e) {
      throw new StunException(Kind.MALFORMED, "unreadable attribute");
    }
  }

  /**
   * Checks the header of the readable bytes and copies them out: ice4j decodes only from an array
   * that starts with the message.
   */
  private static byte[] frame(ByteBuf buf) throws StunException {
    if (buf == null) {
      throw new StunException(Kind.MALFORMED, "no buffer");
    }
    int start = buf.readerIndex();
    int readable = buf.readableBytes();
    if (readable < HEADER_LENGTH) {
      throw new StunException(Kind.MALFORMED, "shorter than a STUN header");
    }
    if (readable > MAX_MESSAGE_LENGTH) {
      throw new StunException(Kind.MALFORMED, "longer than " + MAX_MESSAGE_LENGTH + " bytes");
    }
    if (buf.getUnsignedByte(start) > 3 || buf.getInt(start + 4) != MAGIC_COOKIE) {
      throw new StunException(Kind.MALFORMED, "not STUN");
    }
    int length = buf.getUnsignedShort(start + 2);
    if ((length & 3) != 0 || HEADER_LENGTH + length != readable) {
      throw new StunException(Kind.MALFORMED, "length field does not match the datagram");
    }
    byte[] msg = new byte[readable];
    buf.getBytes(start, msg);
    return msg;
  }

  /** FINGERPRINT is required, and its CRC must match (RFC 5389 §15.5). */
  private static void checkFingerprint(byte[] msg, StunLayout layout) throws StunException {
    int at = layout.fingerprint();
    if (at < 0) {
      throw new StunException(Kind.MISSING_ATTRIBUTE, "no FINGERPRINT");
    }
    byte[] crc = FingerprintAttribute.calculateXorCRC32(msg, 0, at);
    int value = at + StunLayout.ATTRIBUTE_HEADER_LENGTH;
    for (int i = 0; i < crc.length; i++) {
      if (crc[i] != msg[value + i]) {
        throw new StunException(Kind.BAD_FINGERPRINT, "FINGERPRINT does not match");
      }
    }
  }

  /** ice4j's decode, after {@link StunLayout#scan}; confirms ice4j read the same attributes. */
  private static Message decode(byte[] msg, StunLayout layout) throws StunException {
    Message message;
    try {
      message = Message.decode(msg, 0, msg.length);
      for (Attribute attribute : message.getAttributes()) {
        if (!layout.hasAttributeAt(
            attribute.getLocationInMessage(), attribute.getAttributeType())) {
          throw new StunException(Kind.MALFORMED, "attributes misread");
        }
      }
    } catch (org.ice4j.StunException | RuntimeException e) {
      throw new StunException(Kind.MALFORMED, "undecodable");
    }
    return message;
  }

  /**
   * HMAC-SHA1 over the message up to MESSAGE-INTEGRITY at {@code at}, the length field set to end
   * with that attribute (RFC 5389 §15.4), compared in constant time. Patches {@code msg} in place
   * and restores it: the caller's copy, so no one else sees it.
   */
  private static boolean integrityMatches(byte[] msg, int at, byte[] key) {
    byte high = msg[2];
    byte low = msg[3];
    int length = at - HEADER_LENGTH + StunLayout.ATTRIBUTE_HEADER_LENGTH + INTEGRITY_LENGTH;
    msg[2] = (byte) (length >> 8);
    msg[3] = (byte) length;
    byte[] hmac;
    try {
      hmac = MessageIntegrityAttribute.calculateHmacSha1(msg, 0, at, key);
    } finally {
      msg[2] = high;
      msg[3] = low;
    }
    int value = at + StunLayout.ATTRIBUTE_HEADER_LENGTH;
    int diff = 0;
    for (int i = 0; i < INTEGRITY_LENGTH; i++) {
      diff |= hmac[i] ^ msg[value + i];
    }
    return diff == 0;
  }

  /** Adds MESSAGE-INTEGRITY (if a password is given) and FINGERPRINT, and encodes. */
  private static byte[] sign(Message message, String password) {
    if (password != null) {
      message.putAttribute(new ShortTermIntegrityAttribute(key(password)));
    }
    message.putAttribute(AttributeFactory.createFingerprintAttribute());
    // No StunStack: FINGERPRINT needs none, and our MESSAGE-INTEGRITY carries its own key.
    return message.encode(null);
  }

  /** The short-term credential key: the password itself (ICE passwords are ASCII ice-chars). */
  private static byte[] key(String password) {
    return password.getBytes(StandardCharsets.UTF_8);
  }

  private static void checkTransactionId(byte[] transactionId) {
    if (transactionId == null || transactionId.length != TRANSACTION_ID_LENGTH) {
      throw new IllegalArgumentException("a transaction id is 12 bytes");
    }
  }

  private static void setTransactionId(Message message, byte[] transactionId) {
    try {
      message.setTransactionID(transactionId);
    } catch (org.ice4j.StunException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static String sanitizeReason(int code, String reason) {
    if (reason == null || reason.isEmpty()) {
      String standard = ErrorCodeAttribute.getDefaultReasonPhrase((char) code);
      reason = standard == null ? "" : standard;
    }
    StringBuilder out = new StringBuilder(Math.min(reason.length(), MAX_REASON_LENGTH));
    for (int i = 0; i < reason.length() && out.length() < MAX_REASON_LENGTH; i++) {
      char c = reason.charAt(i);
      out.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return out.toString();
  }
}
