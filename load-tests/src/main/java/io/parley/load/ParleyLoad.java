package io.parley.load;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parley-load}: synthetic WebRTC participants against a Parley server (or, for comparison, a
 * Janus VideoRoom), with a live progress line and a report (terminal table, JSON, HTML).
 */
@Command(
    name = "parley-load",
    mixinStandardHelpOptions = true,
    version = "parley-load 0.1",
    sortOptions = false,
    description = {
      "Starts synthetic WebRTC participants (real ICE, DTLS-SRTP and RTP) against a Parley server,"
          + " or a Janus VideoRoom with --janus, and reports what they received.",
      ""
    })
public final class ParleyLoad implements Callable<Integer> {

  @Option(
      names = "--server",
      description = "Parley's URL (default ${DEFAULT-VALUE})",
      defaultValue = "http://127.0.0.1:8080")
  URI server;

  @Option(
      names = "--janus",
      description = "Janus's HTTP API URL instead of Parley, e.g. http://127.0.0.1:8088/janus")
  URI janus;

  @Option(names = "--rooms", description = "rooms (default ${DEFAULT-VALUE})", defaultValue = "1")
  int rooms;

  @Option(
      names = {"--publishers", "-p"},
      description = "publishers per room; each also receives the others (default ${DEFAULT-VALUE})",
      defaultValue = "2")
  int publishers;

  @Option(
      names = {"--subscribers", "-s"},
      description = "participants per room that only receive (default ${DEFAULT-VALUE})",
      defaultValue = "0")
  int subscribers;

  @Option(
      names = {"--duration", "-d"},
      description = "how long to measure once everyone joined: 30s, 2m (default ${DEFAULT-VALUE})",
      defaultValue = "30s")
  String duration;

  @Option(
      names = "--ramp-up",
      description = "time over which participants join (default ${DEFAULT-VALUE})",
      defaultValue = "5s")
  String rampUp;

  @Option(
      names = "--video-bitrate",
      description = "video bitrate of the top layer: 500k, 1.5M (default ${DEFAULT-VALUE})",
      defaultValue = "500k")
  String videoBitrate;

  @Option(
      names = "--fps",
      description = "video frames/s (default ${DEFAULT-VALUE})",
      defaultValue = "25")
  int fps;

  @Option(names = "--simulcast", description = "send three video layers (q, h, f) by rid")
  boolean simulcast;

  @Option(
      names = "--no-audio",
      negatable = false,
      description = "publish no audio (Opus-shaped, 50 packets/s, with audio level)")
  boolean noAudio;

  @Option(names = "--no-video", negatable = false, description = "publish no video")
  boolean noVideo;

  @Option(
      names = "--keyframe-interval",
      description = "time between keyframes (default ${DEFAULT-VALUE})",
      defaultValue = "2500ms")
  String keyframeInterval;

  @Option(
      names = "--loss",
      description =
          "fraction of outgoing RTP each participant drops, 0..1 (default ${DEFAULT-VALUE})",
      defaultValue = "0")
  double loss;

  @Option(
      names = "--receive-loss",
      description =
          "fraction of incoming SRTP each participant drops, 0..1 (default ${DEFAULT-VALUE})",
      defaultValue = "0")
  double receiveLoss;

  @Option(
      names = "--delay",
      description = "extra delay on everything participants send, ms (default ${DEFAULT-VALUE})",
      defaultValue = "0")
  int delay;

  @Option(
      names = "--jitter",
      description =
          "random extra delay 0..N ms on what participants send (default ${DEFAULT-VALUE})",
      defaultValue = "0")
  int jitter;

  @Option(
      names = "--capacity",
      description = "capacity search: add --step-rooms rooms per step until the SLO breaks")
  boolean capacity;

  @Option(
      names = "--step-rooms",
      defaultValue = "1",
      description = "rooms added per step (default ${DEFAULT-VALUE})")
  int stepRooms;

  @Option(
      names = "--step-duration",
      defaultValue = "10s",
      description = "how long each step holds before it is judged (default ${DEFAULT-VALUE})")
  String stepDuration;

  @Option(
      names = "--step-ramp-up",
      defaultValue = "2s",
      description = "ramp-up of each added step (default ${DEFAULT-VALUE})")
  String stepRampUp;

  @Option(
      names = "--max-participants",
      defaultValue = "500",
      description = "capacity search stops here (default ${DEFAULT-VALUE})")
  int maxParticipants;

  @Option(
      names = "--slo-p99",
      defaultValue = "100",
      description = "SLO: p99 latency, ms (default ${DEFAULT-VALUE})")
  double sloP99;

  @Option(
      names = "--slo-loss",
      defaultValue = "1",
      description = "SLO: loss, percent (default ${DEFAULT-VALUE})")
  double sloLoss;

  @Option(
      names = "--slo-freezes",
      defaultValue = "true",
      negatable = true,
      description = "SLO: no video freezes > 500 ms (default ${DEFAULT-VALUE})")
  boolean sloFreezes;

  @Option(
      names = "--server-pid",
      defaultValue = "0",
      description = "the server's process id: its CPU and memory go into the report")
  long serverPid;

  @Option(
      names = "--metrics-url",
      description =
          "the server's Prometheus /metrics (JVM heap, time inside the SFU); default for Parley:"
              + " --server + /metrics")
  URI metricsUrl;

  @Option(
      names = "--out",
      defaultValue = "parley-load-report",
      description = "directory for report.json and report.html (default ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--label", defaultValue = "", description = "a name for this run in the report")
  String label;

  @Option(
      names = "--packet-log",
      description =
          "write every received media packet to this file at the end (send and arrival time in"
              + " wall-clock ns, receiver, publisher, SSRC, sequence number), to line up with a"
              + " packet capture: load-tests/tail-anatomy.py")
  Path packetLog;

  @Option(
      names = "--io-threads",
      defaultValue = "2",
      description = "event-loop threads for all participants' sockets (default ${DEFAULT-VALUE})")
  int ioThreads;

  @Option(
      names = "--bind",
      defaultValue = "auto",
      description =
          "local address the participants' UDP sockets bind; auto: the address the server's"
              + " candidates use (default ${DEFAULT-VALUE})")
  String bind;

  private PrintStream stdout = System.out;

  public static void main(String[] args) {
    // jitsi-srtp and ice4j log through java.util.logging: keep their start-up chatter out.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (var h : java.util.logging.Logger.getLogger("").getHandlers()) {
      h.setLevel(java.util.logging.Level.WARNING);
    }
    System.exit(run(System.out, args));
  }

  /** Runs the command with {@code args}, printing to {@code out}; returns the exit code. */
  public static int run(PrintStream out, String... args) {
    ParleyLoad command = new ParleyLoad();
    command.stdout = out;
    return new CommandLine(command).execute(args);
  }

  @Override
  public Integer call() throws Exception {
    RunSettings settings = settings();
    Report report;
    try (LoadRun run = new LoadRun(settings, stdout)) {
      report =
          capacity
              ? run.capacity(
                  new LoadRun.CapacitySettings(
                      stepRooms,
                      duration(stepDuration),
                      duration(stepRampUp),
                      maxParticipants,
                      sloP99,
                      sloLoss,
                      sloFreezes))
              : run.run();
      PacketLog log = run.packetLog();
      if (log != null) {
        log.write(packetLog);
        stdout.println(
            "  wrote "
                + log.size()
                + " packets to "
                + packetLog
                + (log.dropped() > 0 ? " (" + log.dropped() + " more not kept)" : ""));
      }
    }
    ReportWriter.printTable(report, stdout);
    ReportWriter.writeJson(report, out.resolve("report.json"));
    ReportWriter.writeHtml(report, out.resolve("report.html"));
    stdout.println("  wrote " + out.resolve("report.json") + " and " + out.resolve("report.html"));
    boolean ok =
        report.participantsConnected() == report.participantsPlanned()
            && report.totals().corrupt() == 0;
    return ok || capacity ? 0 : 2;
  }

  RunSettings settings() {
    MediaSettings media =
        new MediaSettings(
            !noAudio,
            !noVideo,
            simulcast,
            bitrate(videoBitrate),
            fps,
            (int) duration(keyframeInterval).toMillis());
    return new RunSettings(
        janus != null ? RunSettings.Target.JANUS : RunSettings.Target.PARLEY,
        janus != null ? janus : server,
        rooms,
        publishers,
        subscribers,
        media,
        new Impairment(loss, receiveLoss, delay, jitter),
        duration(duration),
        duration(rampUp),
        ioThreads,
        bind,
        serverPid,
        metricsUrl != null || janus != null ? metricsUrl : server.resolve("/metrics"),
        label.isEmpty() ? (capacity ? "capacity search" : "run") : label,
        packetLog);
  }

  /** "30s", "2m", "500ms", "1h", or plain seconds. */
  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      char unit = t.charAt(t.length() - 1);
      if (Character.isDigit(unit)) {
        return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
      }
      double v = Double.parseDouble(t.substring(0, t.length() - 1));
      return switch (unit) {
        case 's' -> Duration.ofMillis(Math.round(v * 1000));
        case 'm' -> Duration.ofMillis(Math.round(v * 60_000));
        case 'h' -> Duration.ofMillis(Math.round(v * 3_600_000));
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new CommandLine.ParameterException(
          new CommandLine(new ParleyLoad()), "not a duration: '" + text + "' (try 30s, 2m, 500ms)");
    }
  }

  /** "500k", "1.5M", "800000". */
  static int bitrate(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      double factor = 1;
      if (t.endsWith("k")) {
        factor = 1e3;
        t = t.substring(0, t.length() - 1);
      } else if (t.endsWith("m")) {
        factor = 1e6;
        t = t.substring(0, t.length() - 1);
      }
      return (int) Math.round(Double.parseDouble(t) * factor);
    } catch (RuntimeException e) {
      throw new CommandLine.ParameterException(
          new CommandLine(new ParleyLoad()), "not a bitrate: '" + text + "' (try 500k, 1.5M)");
    }
  }
}
