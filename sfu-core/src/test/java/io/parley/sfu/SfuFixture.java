package io.parley.sfu;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.parley.sfu.dtls.DtlsCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An SFU on loopback with the client side a test's participants need; closing it closes them all,
 * then the SFU.
 */
final class SfuFixture implements AutoCloseable {
  final Sfu sfu = Sfu.start(SfuConfig.loopback());
  private final EventLoopGroup clients =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final ExecutorService dtls = Executors.newCachedThreadPool();
  private final DtlsCertificate certificate = DtlsCertificate.generate();
  private final List<TestParticipant> joined = new ArrayList<>();

  TestParticipant join(String roomId, String id) throws Exception {
    TestParticipant p = TestParticipant.join(sfu, roomId, id, clients, certificate, dtls);
    joined.add(p);
    return p;
  }

  @Override
  public void close() {
    joined.forEach(TestParticipant::close);
    sfu.close();
    clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dtls.shutdownNow();
  }
}
