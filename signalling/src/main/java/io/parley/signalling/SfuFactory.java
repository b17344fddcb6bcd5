package io.parley.signalling;

import io.parley.sfu.api.SfuApi;
import io.parley.signalling.config.ParleyConfig;

/** Starts the media plane the signalling server talks to (tests pass a fake). */
@FunctionalInterface
public interface SfuFactory {
  /**
   * Starts an SFU. If the returned object is {@link AutoCloseable}, {@link Main} closes it on
   * shutdown.
   */
  SfuApi start(ParleyConfig.Media config) throws Exception;
}
