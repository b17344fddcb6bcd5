package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/base/media-entrypoint.sh, run by /bin/sh with a stand-in "java" that prints what the server
 * would be given: the advertised address and port each media pod works out from its name, node and
 * ConfigMaps.
 */
class MediaEntrypointTest {
  @TempDir Path tmp;
  private Path addresses;
  private Map<String, String> env;

  @BeforeEach
  void fakeJava() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(
        java,
        "#!/bin/sh\n"
            + "echo \"addresses=$PARLEY_ADVERTISED_ADDRESSES\"\n"
            + "echo \"port=$PARLEY_ADVERTISED_PORT\"\n"
            + "echo \"args=$*\"\n",
        StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    addresses = Files.createDirectories(tmp.resolve("addresses"));
    env = new HashMap<>();
    env.put("PATH", bin + ":/usr/bin:/bin");
    env.put("PARLEY_ADDRESSES_DIR", addresses.toString());
    env.put("PARLEY_UDP_PORT", "10000");
    env.put("PARLEY_MEDIA_PORT_MODE", "nodeport");
    env.put("PARLEY_MEDIA_NODE_PORT_BASE", "31000");
    env.put("POD_NAME", "parley-media-3");
    env.put("NODE_NAME", "worker-1");
    env.put("HOST_IP", "10.1.2.3");
  }

  private Repo.Result start() {
    return Repo.run(
        tmp,
        List.of("/bin/sh", Repo.file("k8s/base/media-entrypoint.sh").toString(), "--flag"),
        env);
  }

  private String started() {
    Repo.Result r = start();
    assertThat(r.exitCode()).as(r.all()).isZero();
    assertThat(r.stdout()).contains("args=-jar /opt/parley/parley-server.jar --flag");
    return r.stdout();
  }

  @Test
  void nodePortModeAdvertisesTheNodesAddressAndBasePlusOrdinal() {
    assertThat(started()).contains("addresses=10.1.2.3\n", "port=31003\n");
  }

  @Test
  void aPublicAddressForTheNodeWinsOverItsInternalIp() throws IOException {
    Files.writeString(addresses.resolve("worker-1"), "203.0.113.11\n");
    Files.writeString(addresses.resolve("worker-2"), "203.0.113.12\n");
    assertThat(started()).contains("addresses=203.0.113.11\n", "port=31003\n");
  }

  @Test
  void anAddressForThePodWinsOverOneForTheNode() throws IOException {
    Files.writeString(addresses.resolve("worker-1"), "203.0.113.11");
    Files.writeString(addresses.resolve("parley-media-3"), " 198.51.100.20 \n");
    env.put("PARLEY_MEDIA_PORT_MODE", "loadbalancer");
    assertThat(started()).contains("addresses=198.51.100.20\n", "port=10000\n");
  }

  @Test
  void hostPortModeAdvertisesTheBindPort() {
    env.put("PARLEY_MEDIA_PORT_MODE", "hostport");
    env.put("PARLEY_UDP_PORT", "10500");
    assertThat(started()).contains("addresses=10.1.2.3\n", "port=10500\n");
  }

  @Test
  void explicitSettingsWin() {
    env.put("PARLEY_ADVERTISED_ADDRESSES", "192.0.2.1,2001:db8::1");
    env.put("PARLEY_ADVERTISED_PORT", "40000");
    assertThat(started()).contains("addresses=192.0.2.1,2001:db8::1\n", "port=40000\n");
  }

  @Test
  void refusesToStartWithoutAnOrdinalOrAnAddressOrAKnownMode() {
    env.put("POD_NAME", "parley-media");
    Repo.Result r = start();
    assertThat(r.exitCode()).isEqualTo(64);
    assertThat(r.stderr()).contains("does not end in a StatefulSet ordinal");

    env.put("POD_NAME", "parley-media-0");
    env.put("PARLEY_MEDIA_PORT_MODE", "hostnetwork");
    r = start();
    assertThat(r.exitCode()).isEqualTo(64);
    assertThat(r.stderr()).contains("unknown PARLEY_MEDIA_PORT_MODE");

    env.put("PARLEY_MEDIA_PORT_MODE", "nodeport");
    env.remove("HOST_IP");
    r = start();
    assertThat(r.exitCode()).isEqualTo(64);
    assertThat(r.stderr()).contains("no address to advertise");
  }
}
