#!/usr/bin/env bash
# Summarises a JFR recording: the hottest frames of execution samples, and where allocation goes.
#   load-tests/bench/jfr-top.sh recording.jfr [thread-name-part] [frames]
# Only events of threads whose name contains thread-name-part (default: all) are counted.
set -euo pipefail
file=$1
thread=${2:-}
depth=${3:-3}

summarise() { # $1 = event, $2 = weight field or empty
  jfr print --events "$1" --stack-depth "$depth" "$file" | awk -v want="$thread" -v depth="$depth" -v wfield="$2" '
    /^jdk\./ { inev = 1; keep = (want == ""); w = 1; n = 0; key = ""; next }
    inev && /eventThread|sampledThread/ { if (want != "" && index($0, want) > 0) keep = 1 }
    inev && wfield != "" && $1 == wfield { w = $3; gsub(/[^0-9.]/, "", w); if ($4 ~ /kB/) w *= 1024; if ($4 ~ /MB/) w *= 1048576 }
    inev && /line:/ && n < depth { sub(/^ +/, ""); sub(/ +line:.*/, ""); key = key (n ? " < " : "") $0; n++ }
    inev && /^}/ { if (keep && key != "") { sum[key] += w; total += w } inev = 0 }
    END { for (k in sum) printf "%6.1f%%  %s\n", 100 * sum[k] / total, k }' | sort -rn | head -15
}

echo "== hottest stacks (jdk.ExecutionSample, top $depth frames)"
summarise jdk.ExecutionSample ""
echo "== allocation by stack (jdk.ObjectAllocationSample, by weight)"
summarise jdk.ObjectAllocationSample weight
