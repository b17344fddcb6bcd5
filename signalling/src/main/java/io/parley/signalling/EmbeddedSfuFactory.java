package io.parley.signalling;

import io.parley.sfu.Sfu;
import io.parley.sfu.SfuConfig;
import io.parley.sfu.api.SfuApi;
import io.parley.signalling.config.ParleyConfig;

/** Starts sfu-core's {@link Sfu} in this JVM: the default one-process mode. */
public final class EmbeddedSfuFactory implements SfuFactory {

  @Override
  public SfuApi start(ParleyConfig.Media media) {
    SfuConfig defaults = SfuConfig.defaults();
    return Sfu.start(
        new SfuConfig(
            media.bindAddress(),
            media.udpPort(),
            media.advertisedAddresses(),
            defaults.ioThreads(),
            defaults.consentTimeout(),
            defaults.nativeTransport(),
            defaults.iceTcp().withPort(media.tcpPort()).withOnly(media.tcpOnly()),
            media.advertisedPort(),
            media.connectedSockets()));
  }
}
