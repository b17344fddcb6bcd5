#!/usr/bin/env python3
"""Sums up compare-janus.sh: one run's table, or N runs' medians and a sign test.

  load-tests/compare-runs.py DIR ONLY        # DIR/<server>-<scenario>/report.json: one run's table
  load-tests/compare-runs.py DIR ONLY N      # DIR/run1 .. DIR/runN, each laid out as one run

One run: each scenario's figures for both servers and their ratio (> 1 = Parley better).

N runs: they are paired by their number (each holds one run of each server, one after the other).
For a figure where lower is better, a run counts for Parley when Parley's figure is lower, for
Janus when Janus's is, and as level when they differ by less than the figure's tie width. The sign
test's p value (two-sided, levels left out) is the chance that a coin would split the runs at least
this unevenly: a small p says one server really is ahead on this machine, a large one that N runs
cannot tell them apart.
"""

import json
import math
import os
import statistics
import sys


def load(path):
    """A run's report.json, with the CPU the kernel's DAMON monitor took during the run if
    compare-janus.sh measured it (kdamond-ms.txt beside the report)."""
    if not os.path.exists(path):
        return None
    report = json.load(open(path))
    kdamond = os.path.join(os.path.dirname(path), "kdamond-ms.txt")
    if os.path.exists(kdamond):
        report["kdamondMs"] = num(open(kdamond).read().strip())
    return report


def num(v):
    try:
        v = float(v)
        return None if math.isnan(v) else v
    except (TypeError, ValueError):
        return None


def sign_test(wins, losses):
    """Two-sided exact binomial test of wins against losses with p = 1/2."""
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


# name, value in report.json, tie width, decimals (all lower is better)
METRICS = [
    ("p99 latency ms", lambda r: num(r["latencyMs"]["p99"]), 0.05, 2),
    ("p50 latency ms", lambda r: num(r["latencyMs"]["p50"]), 0.01, 2),
    ("join p99 ms", lambda r: num(r["joinMs"]["p99"]), 5, 0),
    ("server cpu %", lambda r: num(r["serverUse"]["cpuPercentMean"]), 0.5, 1),
    ("kernel memory monitor ms", lambda r: num(r.get("kdamondMs")), 5, 0),
]


def fmt(v, d=1):
    return "-" if v is None else f"{v:.{d}f}"


def ratio(p, j, lower_better):
    if p is None or j is None or p == 0 or j == 0:
        return "-"
    return f"{(j / p) if lower_better else (p / j):.2f}x"


# name, value in report.json, lower is better, decimals
TABLE = [
    ("connected", lambda r: r["participantsConnected"], False, 0),
    ("streams", lambda r: r["totals"]["streams"], False, 0),
    ("p50 latency ms", lambda r: num(r["latencyMs"]["p50"]), True, 1),
    ("p99 latency ms", lambda r: num(r["latencyMs"]["p99"]), True, 1),
    ("join p50 ms", lambda r: num(r["joinMs"]["p50"]), True, 0),
    ("join p99 ms", lambda r: num(r["joinMs"]["p99"]), True, 0),
    ("loss %", lambda r: num(r["totals"]["lossPercent"]), True, 3),
    ("freezes", lambda r: r["totals"]["freezes"], True, 0),
    ("server cpu %", lambda r: num(r["serverUse"]["cpuPercentMean"]), True, 0),
    ("server RSS MB/participant", lambda r: num(r["serverUse"]["rssMbPerParticipant"]), True, 2),
    ("server heap MB/participant (max-start)",
     lambda r: num(r["serverUse"].get("heapMbPerParticipant")), True, 2),
    ("server heap floor MB/participant",
     lambda r: num(r["serverUse"].get("heapFloorMbPerParticipant")), True, 2),
    ("inside the SFU p99 ms", lambda r: num((r.get("sfuDelayMs") or {}).get("p99")), True, 3),
    ("Mbit/s in (received)", lambda r: num(r["totals"]["mbitPerSecondIn"]), False, 1),
]


def one_run(out, only):
    def report(server, s):
        return load(os.path.join(out, f"{server}-{s}", "report.json"))

    print("| scenario | metric | Parley | Janus | Parley advantage |")
    print("|---|---|---|---|---|")
    for s in "abc":
        if s not in only:
            continue
        p, j = report("parley", s), report("janus", s)
        for name, f, lower, d in TABLE:
            pv = num(f(p)) if p else None
            jv = num(f(j)) if j else None
            print(f"| {s} | {name} | {fmt(pv, d)} | {fmt(jv, d)} | {ratio(pv, jv, lower)} |")
    if "d" in only:
        p, j = report("parley", "d"), report("janus", "d")
        pc = p and p.get("capacity")
        jc = j and j.get("capacity")
        pv = pc["lastGoodParticipants"] if pc else None
        jv = jc["lastGoodParticipants"] if jc else None
        print(f"| d | participants within SLO | {pv if pv is not None else '-'} | "
              f"{jv if jv is not None else '-'} | {ratio(pv, jv, False)} |")
        print(f"| d | stopped because | {pc['stopReason'] if pc else '-'} | "
              f"{jc['stopReason'] if jc else '-'} | |")
    print()
    print("Parley advantage: Janus/Parley for lower-is-better figures, Parley/Janus otherwise "
          "(> 1 = Parley better).")


def runs(out, only, n):
    print(f"{n} runs of each server, paired by run; order swapped every other run.")
    print()
    print("| scenario | figure | Parley median | Janus median | Parley lower / level / Janus lower | sign test p |")
    print("|---|---|---|---|---|---|")
    details = []
    for s in "abc":
        if s not in only:
            continue
        runs = [
            (load(os.path.join(out, f"run{i}", f"parley-{s}", "report.json")),
             load(os.path.join(out, f"run{i}", f"janus-{s}", "report.json")))
            for i in range(1, n + 1)
        ]
        for name, f, tie, d in METRICS:
            pairs = [(f(p), f(j)) for p, j in runs if p and j]
            pairs = [(p, j) for p, j in pairs if p is not None and j is not None]
            if not pairs:
                continue
            wins = sum(1 for p, j in pairs if j - p >= tie)
            losses = sum(1 for p, j in pairs if p - j >= tie)
            level = len(pairs) - wins - losses
            pm = statistics.median(p for p, _ in pairs)
            jm = statistics.median(j for _, j in pairs)
            p = sign_test(wins, losses)
            print(f"| {s} | {name} | {pm:.{d}f} | {jm:.{d}f} | {wins} / {level} / {losses} | "
                  f"{'< 0.01' if p < 0.01 else f'{p:.2f}'} |")
            if name == "p99 latency ms":
                details.append((s, pairs))
    for s, pairs in details:
        print()
        print(f"({s}) p99 latency per run, ms (Parley / Janus): "
              + ", ".join(f"{p:.2f} / {j:.2f}" for p, j in pairs))


def main():
    out, only = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if n > 1:
        runs(out, only, n)
    else:
        one_run(out, only)


if __name__ == "__main__":
    main()
