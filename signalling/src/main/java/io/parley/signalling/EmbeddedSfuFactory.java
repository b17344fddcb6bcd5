package io.parley.signalling;

import io.parley.sfu.api.SfuApi;
import io.parley.signalling.config.ParleyConfig;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

/**
 * Starts sfu-core's {@code io.parley.sfu.Sfu} in this JVM, the default one-process mode.
 *
 * <p>Looked up by reflection only while the media plane is being built on another branch; once it
 * is merged this becomes a plain {@code new Sfu(config)}.
 */
public final class EmbeddedSfuFactory implements SfuFactory {
  static final String SFU_CLASS = "io.parley.sfu.Sfu";
  static final String SFU_CONFIG_CLASS = "io.parley.sfu.SfuConfig";

  /** True if the media plane is on the classpath. */
  public static boolean available() {
    try {
      Class.forName(SFU_CLASS);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Override
  public SfuApi start(ParleyConfig.Media media) throws Exception {
    if (!available()) {
      throw new IllegalStateException(
          "this build has no media plane (" + SFU_CLASS + " is missing from sfu-core)");
    }
    Class<?> configType = Class.forName(SFU_CONFIG_CLASS);
    Object config =
        configType
            .getConstructor(
                String.class, int.class, List.class, int.class, Duration.class, boolean.class)
            .newInstance(
                media.bindAddress(),
                media.udpPort(),
                media.advertisedAddresses(),
                Runtime.getRuntime().availableProcessors(),
                Duration.ofSeconds(30),
                true);
    // sfu-core's entry point: Sfu.start(SfuConfig) binds the UDP port and returns the running SFU.
    Method start = Class.forName(SFU_CLASS).getMethod("start", configType);
    Object sfu = start.invoke(null, config);
    return (SfuApi) sfu;
  }
}
