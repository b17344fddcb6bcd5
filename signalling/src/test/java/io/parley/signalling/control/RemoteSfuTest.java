package io.parley.signalling.control;

import static io.parley.signalling.control.ControlApiTest.SECRET;
import static io.parley.signalling.control.ControlApiTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sfu.Sfu;
import io.parley.sfu.api.SfuListener;
import io.parley.signalling.Main;
import io.parley.signalling.config.ParleyConfig;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RemoteSfu's discovery: nodes come and go from the list (as a headless Service's DNS does). */
class RemoteSfuTest {
  private final List<Main> nodes = new ArrayList<>();
  private final List<Sfu> sfus = new ArrayList<>();
  private Vertx vertx;
  private RemoteSfu remote;

  @AfterEach
  void stop() throws Exception {
    if (remote != null) {
      remote.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    for (Main n : nodes) {
      n.stop();
    }
  }

  private String startNode() throws Exception {
    Main node = ControlApiTest.startSfuNode(SECRET, sfus);
    nodes.add(node);
    return "127.0.0.1:" + node.controlPort();
  }

  @Test
  void anUnlistedNodeKeepsItsRoomsGetsNoNewOnesAndIsLetGoWhenTheyEnd() throws Exception {
    String first = startNode();
    String second = startNode();
    List<String> listed = new CopyOnWriteArrayList<>(List.of(first));
    vertx = Vertx.vertx();
    remote =
        new RemoteSfu(
            vertx,
            SECRET,
            () -> List.copyOf(listed),
            Duration.ofMillis(50),
            SfuNodeConnection.Timing.DEFAULTS);
    List<String> disconnected = new CopyOnWriteArrayList<>();
    remote.addListener(
        new SfuListener() {
          @Override
          public void endpointDisconnected(String roomId, String endpointId, String reason) {
            disconnected.add(endpointId);
          }
        });
    await(() -> remote.readyNodes() == 1, "the first node is used");
    remote.createEndpoint("r1", "e1").get(10, TimeUnit.SECONDS);
    assertThat(sfus.get(0).roomCount()).isEqualTo(1);

    // The first node drops out of the list, the second comes in.
    listed.set(0, second);
    await(() -> remote.readyNodeAddresses().equals(List.of(second)), "the new list is used");
    remote.createEndpoint("r2", "e2").get(10, TimeUnit.SECONDS);
    remote.createEndpoint("r3", "e3").get(10, TimeUnit.SECONDS);
    assertThat(sfus.get(1).roomCount()).as("new rooms go to the listed node").isEqualTo(2);
    // The room already on the unlisted node stays there.
    remote.createEndpoint("r1", "e1b").get(10, TimeUnit.SECONDS);
    assertThat(sfus.get(0).endpointCount(Sfu.EndpointState.CONNECTING)).isEqualTo(2);

    remote.closeEndpoint("r1", "e1").get(10, TimeUnit.SECONDS);
    remote.closeEndpoint("r1", "e1b").get(10, TimeUnit.SECONDS);
    await(() -> sfus.get(0).roomCount() == 0, "the unlisted node's last room ends");
    assertThat(disconnected).as("letting a node go loses no endpoint").isEmpty();
  }

  @Test
  void dnsNamesResolveToEveryNode() throws Exception {
    String node = startNode();
    String port = node.substring(node.lastIndexOf(':') + 1);
    ParleyConfig.Control control =
        ParleyConfig.fromEnvironment(
                Map.of(
                    "PARLEY_ROLE",
                    "signalling",
                    "PARLEY_CONTROL_SECRET",
                    SECRET,
                    "PARLEY_SFU_DNS",
                    "localhost:" + port))
            .control();
    assertThat(RemoteSfu.discovery(control).nodes()).contains("127.0.0.1:" + port);
    vertx = Vertx.vertx();
    remote = new RemoteSfu(vertx, control);
    await(() -> remote.readyNodes() == 1, "the node behind the name is used");
    remote.createEndpoint("r", "e").get(10, TimeUnit.SECONDS);
    assertThat(sfus.get(0).roomCount()).isEqualTo(1);
  }
}
