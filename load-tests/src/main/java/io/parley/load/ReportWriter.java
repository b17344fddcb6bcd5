package io.parley.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Renders a {@link Report}: a terminal table, JSON, and a self-contained HTML page with SVG charts.
 */
final class ReportWriter {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportWriter() {}

  static void writeJson(Report r, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writeValue(file.toFile(), r);
  }

  static Report readJson(Path file) throws IOException {
    return JSON.readValue(file.toFile(), Report.class);
  }

  // ---- terminal ----

  static void printTable(Report r, PrintStream out) {
    Report.Totals t = r.totals();
    out.println();
    out.printf("parley-load report: %s %s (%s)%n", r.target(), r.serverUrl(), r.label());
    out.printf("  machine: %s%n", r.machine());
    Report.Setup s = r.setup();
    out.printf(
        Locale.ROOT,
        "  setup: %d rooms x (%d publishers + %d subscribers); audio %s, video %s%s at %d kbit/s,"
            + " %d fps; loss %.1f%%/%.1f%%, delay %d±%d ms%n",
        s.rooms(),
        s.publishersPerRoom(),
        s.subscribersPerRoom(),
        s.audio() ? "on" : "off",
        s.video() ? "on" : "off",
        s.simulcast() ? " (3 simulcast layers)" : "",
        s.videoBitrate() / 1000,
        s.fps(),
        s.sendLoss() * 100,
        s.receiveLoss() * 100,
        s.delayMs(),
        s.jitterMs());
    String[][] rows = {
      {"participants connected", r.participantsConnected() + " / " + r.participantsPlanned()},
      {"participants failed", String.valueOf(r.participantsFailed())},
      {"streams received", t.streams() + " / " + t.streamsExpected() + " expected"},
      {"packets sent / received", t.packetsSent() + " / " + t.packetsReceived()},
      {"throughput out / in", f("%.2f / %.2f Mbit/s", t.mbitPerSecondOut(), t.mbitPerSecondIn())},
      {"loss", f("%.3f %% (%d of %d)", t.lossPercent(), t.lost(), t.expected())},
      {"corrupt packets", String.valueOf(t.corrupt())},
      {"latency p50 / p90 / p99 / max", pct(r.latencyMs(), "ms")},
      {"inside the SFU p50 / p99 / p99.9", sfu(r.sfuDelayMs())},
      {"join -> first frame p50 / p90 / p99 / max", pct(r.joinMs(), "ms")},
      {"jitter (mean of streams)", f("%.2f ms", t.meanJitterMs())},
      {"freezes (> 500 ms)", String.valueOf(t.freezes())},
      {"layer switches", String.valueOf(t.layerSwitches())},
      {
        "server cpu mean / max",
        f("%.0f %% / %.0f %%", r.serverUse().cpuPercentMean(), r.serverUse().cpuPercentMax())
      },
      {
        "server RSS start / max / per participant",
        f(
            "%.0f / %.0f MB / %.2f MB",
            r.serverUse().rssMbStart(),
            r.serverUse().rssMbMax(),
            r.serverUse().rssMbPerParticipant())
      },
      {
        "server heap start / max / per participant",
        f(
            "%.0f / %.0f MB / %.2f MB",
            r.serverUse().heapMbStart(),
            r.serverUse().heapMbMax(),
            r.serverUse().heapMbPerParticipant())
      },
      {
        "server heap before joins / floor at end / per participant",
        f(
            "%.0f / %.0f MB / %.2f MB",
            r.serverUse().heapMbBeforeJoins(),
            r.serverUse().heapFloorMbAtEnd(),
            r.serverUse().heapFloorMbPerParticipant())
      },
    };
    int width = 0;
    for (String[] row : rows) {
      width = Math.max(width, row[0].length());
    }
    out.println("  " + "-".repeat(width + 40));
    for (String[] row : rows) {
      out.printf("  %-" + width + "s  %s%n", row[0], row[1]);
    }
    out.println("  " + "-".repeat(width + 40));
    if (r.capacity() != null) {
      Report.Capacity c = r.capacity();
      out.printf(
          Locale.ROOT,
          "  capacity (SLO p99 <= %.0f ms, loss <= %.1f %%%s):%n",
          c.sloP99Ms(),
          c.sloLossPercent(),
          c.sloFreezes() ? ", no freezes" : "");
      out.printf(
          "  %6s %12s %10s %10s %12s %9s %8s %9s  %s%n",
          "rooms",
          "participants",
          "p50 ms",
          "p99 ms",
          "sfu p99 ms",
          "loss %",
          "freezes",
          "cpu %",
          "verdict");
      for (Report.Step st : c.steps()) {
        out.printf(
            Locale.ROOT,
            "  %6d %7d (%3d) %10.1f %10.1f %12.3f %9.2f %8d %9.0f  %s%n",
            st.rooms(),
            st.participants(),
            st.connected(),
            st.p50Ms(),
            st.p99Ms(),
            st.sfuP99Ms(),
            st.lossPercent(),
            st.freezes(),
            st.serverCpuPercent(),
            st.good() ? "ok" : st.breach());
      }
      out.printf(
          "  last good step: %d participants in %d rooms (stopped: %s)%n",
          c.lastGoodParticipants(), c.lastGoodRooms(), c.stopReason());
    }
    if (!r.errors().isEmpty()) {
      out.println("  errors (first " + Math.min(5, r.errors().size()) + "):");
      r.errors().stream().limit(5).forEach(e -> out.println("    " + e));
    }
    // The worst streams, to see where trouble is.
    List<Report.StreamRow> worst = new ArrayList<>(r.streams());
    worst.sort(Comparator.comparingDouble(Report.StreamRow::latencyP99Ms).reversed());
    if (!worst.isEmpty()) {
      out.println("  worst streams by p99 latency:");
      out.printf(
          "    %-12s %-12s %-6s %8s %7s %8s %8s %8s %7s%n",
          "receiver",
          "publisher",
          "kind",
          "packets",
          "loss %",
          "p50 ms",
          "p99 ms",
          "join ms",
          "freezes");
      for (Report.StreamRow w : worst.subList(0, Math.min(5, worst.size()))) {
        out.printf(
            Locale.ROOT,
            "    %-12s %-12s %-6s %8d %7.2f %8.1f %8.1f %8d %7d%n",
            w.receiver(),
            w.publisher(),
            w.kind(),
            w.packets(),
            w.lossPercent(),
            w.latencyP50Ms(),
            w.latencyP99Ms(),
            w.joinMs(),
            w.freezes());
      }
    }
  }

  private static String sfu(Report.SfuDelay d) {
    if (d == null || d.count() == 0) {
      return "- (not exported by the server)";
    }
    return f("%.3f / %.3f / %.3f ms (%d packets)", d.p50(), d.p99(), d.p999(), d.count());
  }

  private static String pct(Report.Percentiles p, String unit) {
    if (p.count() == 0) {
      return "-";
    }
    return f("%.1f / %.1f / %.1f / %.1f %s", p.p50(), p.p90(), p.p99(), p.max(), unit);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args).replace("NaN", "-");
  }

  // ---- HTML ----

  static void writeHtml(Report r, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>parley-load: ")
        .append(esc(r.target()))
        .append("</title><style>")
        .append("body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}")
        .append("table{border-collapse:collapse;margin:8px 0 24px}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
        .append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}")
        .append(".chart{margin:8px 0 24px}.bad{color:#b00}")
        .append("</style></head><body>");
    b.append("<h1>parley-load: ").append(esc(r.target())).append("</h1>");
    b.append("<p>")
        .append(esc(r.serverUrl()))
        .append(" &middot; ")
        .append(esc(r.label()))
        .append(" &middot; started ")
        .append(esc(r.startedAt()))
        .append(" &middot; ")
        .append(esc(r.machine()))
        .append("</p>");
    b.append("<h2>Summary</h2><table>");
    Report.Totals t = r.totals();
    row(b, "participants connected", r.participantsConnected() + " / " + r.participantsPlanned());
    row(b, "streams received", t.streams() + " / " + t.streamsExpected());
    row(
        b,
        "throughput out / in",
        f("%.2f / %.2f Mbit/s", t.mbitPerSecondOut(), t.mbitPerSecondIn()));
    row(b, "loss", f("%.3f %%", t.lossPercent()));
    row(b, "corrupt packets", String.valueOf(t.corrupt()));
    row(b, "latency p50 / p90 / p99 / max", pct(r.latencyMs(), "ms"));
    row(b, "inside the SFU p50 / p99 / p99.9", sfu(r.sfuDelayMs()));
    row(b, "join &rarr; first frame p50 / p90 / p99 / max", pct(r.joinMs(), "ms"));
    row(b, "freezes (&gt; 500 ms)", String.valueOf(t.freezes()));
    row(b, "layer switches", String.valueOf(t.layerSwitches()));
    row(
        b,
        "server cpu mean / max",
        f("%.0f %% / %.0f %%", r.serverUse().cpuPercentMean(), r.serverUse().cpuPercentMax()));
    row(
        b,
        "server RSS per participant",
        f(
            "%.2f MB (%.0f → %.0f MB)",
            r.serverUse().rssMbPerParticipant(),
            r.serverUse().rssMbStart(),
            r.serverUse().rssMbMax()));
    row(
        b,
        "server heap per participant",
        f(
            "%.2f MB (%.0f → %.0f MB)",
            r.serverUse().heapMbPerParticipant(),
            r.serverUse().heapMbStart(),
            r.serverUse().heapMbMax()));
    row(
        b,
        "server heap floor per participant",
        f(
            "%.2f MB (%.0f → %.0f MB)",
            r.serverUse().heapFloorMbPerParticipant(),
            r.serverUse().heapMbBeforeJoins(),
            r.serverUse().heapFloorMbAtEnd()));
    b.append("</table>");

    List<Report.Sample> tl = r.timeline();
    b.append("<h2>Latency over time</h2>");
    chart(
        b,
        tl,
        "ms",
        new Series("p50", "#1f77b4", Report.Sample::p50Ms),
        new Series("p99", "#d62728", Report.Sample::p99Ms));
    b.append("<h2>Throughput</h2>");
    chart(
        b,
        tl,
        "Mbit/s",
        new Series("out", "#2ca02c", Report.Sample::mbitOut),
        new Series("in", "#9467bd", Report.Sample::mbitIn));
    b.append("<h2>Participants connected</h2>");
    chart(b, tl, "", new Series("connected", "#8c564b", s -> s.connected()));
    b.append("<h2>Server CPU and memory</h2>");
    chart(b, tl, "%", new Series("cpu %", "#ff7f0e", Report.Sample::serverCpuPercent));
    chart(
        b,
        tl,
        "MB",
        new Series("RSS", "#17becf", Report.Sample::serverRssMb),
        new Series("heap", "#7f7f7f", Report.Sample::serverHeapMb));
    if (r.capacity() != null) {
      Report.Capacity c = r.capacity();
      b.append("<h2>Capacity search</h2><p>Last good step: <b>")
          .append(c.lastGoodParticipants())
          .append(" participants</b> in ")
          .append(c.lastGoodRooms())
          .append(" rooms; stopped: ")
          .append(esc(c.stopReason()))
          .append("</p><table><tr><th>rooms</th><th>participants</th><th>connected</th>")
          .append("<th>p50 ms</th><th>p99 ms</th><th>SFU p99 ms</th><th>loss %</th>")
          .append("<th>freezes</th>")
          .append("<th>server cpu %</th><th>verdict</th></tr>");
      for (Report.Step st : c.steps()) {
        b.append("<tr><td>")
            .append(st.rooms())
            .append("</td><td>")
            .append(st.participants())
            .append("</td><td>")
            .append(st.connected())
            .append("</td><td>")
            .append(f("%.1f", st.p50Ms()))
            .append("</td><td>")
            .append(f("%.1f", st.p99Ms()))
            .append("</td><td>")
            .append(f("%.3f", st.sfuP99Ms()))
            .append("</td><td>")
            .append(f("%.2f", st.lossPercent()))
            .append("</td><td>")
            .append(st.freezes())
            .append("</td><td>")
            .append(f("%.0f", st.serverCpuPercent()))
            .append("</td><td")
            .append(st.good() ? ">ok" : " class=\"bad\">" + esc(st.breach()))
            .append("</td></tr>");
      }
      b.append("</table>");
    }
    b.append("<h2>Streams</h2><table><tr><th>receiver</th><th>publisher</th><th>kind</th>")
        .append("<th>packets</th><th>loss %</th><th>corrupt</th><th>jitter ms</th>")
        .append("<th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>join ms</th>")
        .append("<th>freezes</th><th>layer switches</th></tr>");
    for (Report.StreamRow s : r.streams()) {
      b.append("<tr><td>")
          .append(esc(s.receiver()))
          .append("</td><td>")
          .append(esc(String.valueOf(s.publisher())))
          .append("</td><td>")
          .append(s.kind())
          .append("</td><td>")
          .append(s.packets())
          .append("</td><td>")
          .append(f("%.2f", s.lossPercent()))
          .append("</td><td>")
          .append(s.corrupt())
          .append("</td><td>")
          .append(f("%.2f", s.jitterMs()))
          .append("</td><td>")
          .append(f("%.1f", s.latencyP50Ms()))
          .append("</td><td>")
          .append(f("%.1f", s.latencyP99Ms()))
          .append("</td><td>")
          .append(f("%.1f", s.latencyMaxMs()))
          .append("</td><td>")
          .append(s.joinMs())
          .append("</td><td>")
          .append(s.freezes())
          .append("</td><td>")
          .append(s.layerSwitches())
          .append("</td></tr>");
    }
    b.append("</table>");
    if (!r.errors().isEmpty()) {
      b.append("<h2>Errors</h2><ul>");
      r.errors().forEach(e -> b.append("<li>").append(esc(e)).append("</li>"));
      b.append("</ul>");
    }
    b.append("</body></html>\n");
    Files.writeString(file, b.toString());
  }

  private record Series(String name, String color, ToDoubleFunction<Report.Sample> value) {}

  /** A line chart as inline SVG: time on x, the series on y, NaN points skipped. */
  private static void chart(
      StringBuilder b, List<Report.Sample> samples, String unit, Series... series) {
    int w = 900;
    int h = 220;
    int left = 60;
    int right = 20;
    int top = 16;
    int bottom = 30;
    double tMax = samples.isEmpty() ? 1 : samples.get(samples.size() - 1).t();
    double yMax = 0;
    for (Series s : series) {
      for (Report.Sample p : samples) {
        double v = s.value().applyAsDouble(p);
        if (!Double.isNaN(v) && !Double.isInfinite(v)) {
          yMax = Math.max(yMax, v);
        }
      }
    }
    yMax = yMax <= 0 ? 1 : niceCeil(yMax);
    double tm = Math.max(tMax, 1);
    double ym = yMax;
    b.append("<svg class=\"chart\" width=\"")
        .append(w)
        .append("\" height=\"")
        .append(h)
        .append("\" viewBox=\"0 0 ")
        .append(w)
        .append(' ')
        .append(h)
        .append("\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">");
    int plotW = w - left - right;
    int plotH = h - top - bottom;
    for (int i = 0; i <= 4; i++) {
      double y = top + plotH - plotH * i / 4.0;
      b.append(
          f(
              "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>",
              left, w - right, y, y));
      b.append(
          f(
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
              left - 6, y + 4, trim(ym * i / 4)));
    }
    for (int i = 0; i <= 5; i++) {
      double x = left + plotW * i / 5.0;
      b.append(
          f(
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ss</text>",
              x, h - 10, trim(tm * i / 5)));
    }
    b.append(f("<text x=\"4\" y=\"12\">%s</text>", esc(unit)));
    b.append(
        f(
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
            left, top, plotW, plotH));
    int legendX = left + 10;
    for (Series s : series) {
      StringBuilder path = new StringBuilder();
      boolean pen = false;
      for (Report.Sample p : samples) {
        double v = s.value().applyAsDouble(p);
        if (Double.isNaN(v) || Double.isInfinite(v)) {
          pen = false;
          continue;
        }
        double x = left + plotW * p.t() / tm;
        double y = top + plotH - plotH * Math.min(v, ym) / ym;
        path.append(pen ? " L" : " M").append(f("%.1f %.1f", x, y));
        pen = true;
      }
      b.append("<path d=\"")
          .append(path)
          .append("\" fill=\"none\" stroke=\"")
          .append(s.color())
          .append("\" stroke-width=\"1.5\"/>");
      b.append(
          f(
              "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>",
              legendX, top + 6, s.color()));
      b.append(f("<text x=\"%d\" y=\"%d\">%s</text>", legendX + 14, top + 15, esc(s.name())));
      legendX += 20 + 8 * s.name().length();
    }
    b.append("</svg>");
  }

  private static double niceCeil(double v) {
    double mag = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * mag >= v) {
        return m * mag;
      }
    }
    return 10 * mag;
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }

  private static void row(StringBuilder b, String k, String v) {
    b.append("<tr><td>").append(k).append("</td><td>").append(esc(v)).append("</td></tr>");
  }

  private static String esc(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
