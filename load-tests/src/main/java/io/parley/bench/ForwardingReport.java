package io.parley.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link ForwardingBenchmark} and {@link SrtpBaselineBenchmark} in one go with the GC profiler
 * and prints per-forwarded-packet figures with their ratio to the baseline.
 *
 * <p>Arguments, all optional: {@code warmup=3 iterations=5 seconds=2 consumers=1,10,50
 * profiles=AEAD_AES_128_GCM,AES_CM_128_HMAC_SHA1_80 backends=default}.
 */
public final class ForwardingReport {
  private ForwardingReport() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("expected key=value, got " + arg);
      }
      opts.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "2"));
    String[] consumers = opts.getOrDefault("consumers", "1,10,50").split(",");
    String[] profiles =
        opts.getOrDefault("profiles", "AEAD_AES_128_GCM,AES_CM_128_HMAC_SHA1_80").split(",");
    String[] backends = opts.getOrDefault("backends", "default").split(",");
    ChainedOptionsBuilder builder =
        new OptionsBuilder()
            .include(ForwardingBenchmark.class.getName() + ".forward$")
            .include(SrtpBaselineBenchmark.class.getName() + ".protect$")
            .param("consumers", consumers)
            .param("profile", profiles)
            .param("backend", backends)
            .warmupIterations(Integer.parseInt(opts.getOrDefault("warmup", "3")))
            .warmupTime(TimeValue.seconds(seconds))
            .measurementIterations(Integer.parseInt(opts.getOrDefault("iterations", "5")))
            .measurementTime(TimeValue.seconds(seconds))
            .forks(1)
            .jvmArgsAppend(
                opts.getOrDefault("jvm", "-Dlogback.configurationFile=bench/logback.xml")
                    .split(" "))
            .addProfiler(GCProfiler.class)
            .addProfiler(ThreadCpuProfiler.class);
    Collection<RunResult> results = new Runner(builder.build()).run();

    Map<String, double[]> baseline = new HashMap<>();
    List<RunResult> forwarding = new ArrayList<>();
    for (RunResult r : results) {
      String key = r.getParams().getParam("profile") + "/" + r.getParams().getParam("backend");
      if (r.getParams().getBenchmark().endsWith("protect")) {
        baseline.put(key, new double[] {score(r), cpu(r), alloc(r)});
      } else {
        forwarding.add(r);
      }
    }
    String row = "%-24s %-8s %9s %10s %10s %12s %12s %9s %9s%n";
    System.out.println();
    System.out.println(
        "Forwarding path in memory, 1200-byte VP8 packets (ns and bytes per packet):");
    System.out.printf(
        Locale.ROOT,
        row,
        "profile",
        "backend",
        "consumers",
        "wall/in",
        "cpu/in",
        "cpu/fwd(net)",
        "fwd/s/core",
        "B/fwd",
        "x protect");
    for (var e : baseline.entrySet()) {
      String[] k = e.getKey().split("/");
      double[] b = e.getValue();
      System.out.printf(
          Locale.ROOT,
          row,
          k[0],
          k[1],
          "protect",
          fmt(b[0]),
          fmt(b[1]),
          "-",
          fmt(1e9 / b[1]),
          fmt(b[2]),
          "1.00");
    }
    for (RunResult r : forwarding) {
      String profile = r.getParams().getParam("profile");
      String backend = r.getParams().getParam("backend");
      int n = Integer.parseInt(r.getParams().getParam("consumers"));
      double[] b = baseline.getOrDefault(profile + "/" + backend, new double[] {0, 0, 0});
      // One operation includes the publisher's own protect of the incoming packet: take it out.
      double net = (cpu(r) - b[1]) / n;
      System.out.printf(
          Locale.ROOT,
          row,
          profile,
          backend,
          n,
          fmt(score(r)),
          fmt(cpu(r)),
          fmt(net),
          fmt(1e9 / net),
          fmt((alloc(r) - b[2]) / n),
          String.format(Locale.ROOT, "%.2f", net / b[1]));
    }
    System.out.println(
        "wall/in, cpu/in: wall and thread-CPU ns per incoming packet (JMH score, cpu.ns/op);"
            + " cpu/fwd(net) = (cpu/in - protect) / consumers; fwd/s/core = 1e9 / cpu/fwd;"
            + " B/fwd = (gc.alloc.rate.norm - protect's) / consumers; x protect = cpu/fwd /"
            + " protect's cpu.");

    System.out.println();
    System.out.println(
        "Allocation on an event-loop thread (as in the server; JMH's B/fwd is on a plain thread):");
    for (String profile : profiles) {
      for (String n : consumers) {
        EventLoopAllocation.Result r =
            EventLoopAllocation.measure(
                io.parley.sfu.srtp.SrtpProfile.valueOf(profile),
                Integer.parseInt(n),
                400_000,
                200_000);
        System.out.printf(
            Locale.ROOT,
            "%-24s consumers %-3s %6.1f B per forwarded packet (%.2f us wall each)%n",
            profile,
            n,
            r.bytesPerForwarded(),
            r.nanosPerForwarded() / 1000);
      }
    }
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static double cpu(RunResult r) {
    Result<?> result = r.getSecondaryResults().get("cpu.ns/op");
    return result == null ? Double.NaN : result.getScore();
  }

  private static double score(RunResult r) {
    return r.getPrimaryResult().getScore();
  }

  private static double alloc(RunResult r) {
    Result<?> result = r.getSecondaryResults().get("gc.alloc.rate.norm");
    return result == null ? Double.NaN : result.getScore();
  }
}
