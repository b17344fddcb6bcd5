package io.parley.signalling.turn;

import io.parley.signalling.config.ParleyConfig;
import io.parley.signalling.config.ParleyConfig.IceServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints time-limited TURN credentials (the "TURN REST API" scheme coturn implements as {@code
 * use-auth-secret}): the username is {@code <expiry unix time>:<participant id>}, the password the
 * base64 HMAC-SHA1 of the username under the secret shared with the TURN server. Nothing is stored;
 * the TURN server checks the HMAC and the expiry itself.
 */
public final class TurnCredentials {
  private TurnCredentials() {}

  public static IceServer mint(ParleyConfig.Turn turn, String participantId, long nowEpochSeconds) {
    String username = (nowEpochSeconds + turn.ttlSeconds()) + ":" + participantId;
    return new IceServer(turn.uris(), username, password(turn.secret(), username));
  }

  static String password(String secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA1 is part of every Java runtime", e);
    }
  }
}
