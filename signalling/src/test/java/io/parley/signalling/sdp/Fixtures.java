package io.parley.signalling.sdp;

import io.parley.sfu.api.IceCandidate;
import io.parley.sfu.api.TransportInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Real browser SDPs kept under test resources, and an SFU transport to answer them with. */
final class Fixtures {
  static final String CHROMIUM_SIMULCAST = "sdp/chromium-156-simulcast-offer.sdp";
  static final String FIREFOX_SIMULCAST = "sdp/firefox-esr-153-simulcast-offer.sdp";

  /**
   * Parley's own web client in Firefox ESR 153 (mic, then camera with three rids): the camera
   * section is {@code a=bundle-only} with port 0.
   */
  static final String FIREFOX_BUNDLE_ONLY = "sdp/firefox-esr-153-bundle-only-offer.sdp";

  static final TransportInfo SFU_TRANSPORT =
      new TransportInfo(
          "sfuufrag",
          "sfupassword0123456789ab",
          List.of(new IceCandidate("1", 1, "udp", 2130706431L, "127.0.0.1", 10000)),
          "sha-256",
          "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99");

  private Fixtures() {}

  static String text(String resource) {
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SessionDescription parse(String resource) {
    return SessionDescription.parse(text(resource));
  }
}
