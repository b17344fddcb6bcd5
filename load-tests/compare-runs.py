#!/usr/bin/env python3
"""Sums up `compare-janus.sh --repeat N`: per scenario, each run's figures for both servers, their
medians, and a sign test over the runs.

  load-tests/compare-runs.py DIR ONLY N      # DIR/run1 .. DIR/runN, each as one compare-janus.sh run

Runs are paired by their number (each holds one run of each server, one after the other). For a
figure where lower is better, a run counts for Parley when Parley's figure is lower, for Janus when
Janus's is, and as level when they differ by less than the figure's tie width. The sign test's p
value (two-sided, levels left out) is the chance that a coin would split the runs at least this
unevenly: a small p says one server really is ahead on this machine, a large one that N runs cannot
tell them apart.
"""

import json
import math
import os
import statistics
import sys


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


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


# name, value in report.json, tie width, decimals (all lower-is-better)
METRICS = [
    ("p99 latency ms", lambda r: num(r["latencyMs"]["p99"]), 0.05, 2),
    ("p50 latency ms", lambda r: num(r["latencyMs"]["p50"]), 0.01, 2),
    ("join p99 ms", lambda r: num(r["joinMs"]["p99"]), 5, 0),
    ("server cpu %", lambda r: num(r["serverUse"]["cpuPercentMean"]), 0.5, 1),
]


def main():
    out, only, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
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


if __name__ == "__main__":
    main()
