#!/usr/bin/env bash
# Side by side: the same parley-load scenarios against Parley and against Janus VideoRoom (Debian
# `janus`), each server started alone on this machine, one after the other, and a table of the
# results with Parley/Janus ratios.
#
#   load-tests/compare-janus.sh [--duration 10s] [--step-duration 8s] [--out DIR] [--only a,b,c,d]
#                               [--servers parley,janus] [--repeat N]
#
# --repeat N runs the whole comparison N times, the servers' order swapped every other time (so a
# machine that drifts favours neither), into DIR/run1 ... DIR/runN, and ends with each scenario's
# per-run figures, their medians and a sign test: on a shared machine one run of a few seconds can
# go either way, and whether N runs say more than a coin would is what the p value tells.
#
# SERVER_CPUS / TOOL_CPUS (e.g. 0 and 1) pin the server under test and parley-load to those CPUs
# with taskset, so that the tool does not take the server's CPU (this machine has no second host).
# SERVER_NICE / TOOL_NICE (e.g. -10 and 10) start them at that nice level (a negative one needs root).
# WARMUP (default 3s) and WARMUP_PARTICIPANTS (default 2) shape the unmeasured first run: long
# enough, and Parley's JIT has compiled the packet path before anything is measured (Janus needs none).
# Parley runs with the container image's collector settings (G1, 5 ms pause goal); PARLEY_JAVA_OPTS adds
# JVM options to Parley's server (e.g. -Xlog:gc:file=gc.log);
# PARLEY_SERVER_JAR runs Parley's server from another build (an A/B run with the same load tool);
# PARLEY_JAVA, from another Java runtime (e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java).
# TOOL_JAVA_OPTS adds JVM options to parley-load (e.g. -XX:TieredStopAtLevel=1: no C2 compiles of the
# tool's own during a run, which the CPUs otherwise share with the server under test).
# Where the kernel runs a DAMON monitor (kdamond; this sandbox VM runs one over all physical memory,
# sampling every 500 ms), each measured run reports the CPU it took meanwhile: its bursts of several
# ms hold a CPU, and it works harder the more memory the processes touch. DAMON_OFF=1 (root) pauses
# it for the comparison and turns it on again at the end, to see the servers without it.
# JANUS_EVENT_LOOPS=N runs Janus's media on N shared loop threads (janus-loopback.sh) instead of a
# thread per handle.
# PACKET_LOGS=1 writes each measured run's packets to DIR/<server>-<scenario>/packets.txt, for
# tail-anatomy.py with a capture of the run (its header says how).
# Needs load-tests/target/parley-load.jar (mvn -pl load-tests package) and /usr/bin/janus.
# Scenarios: (a) 1 room x 4 publishers, all receiving each other; (b) 1 publisher x 50
# subscribers; (c) 10 rooms x 5 participants; (d) capacity search on (c): rooms of 5 added until
# p99 > 100 ms, loss > 1 % or a freeze.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/parley-load.jar"
duration=10s
step_duration=8s
only="a,b,c,d"
servers="parley,janus"
repeat=1
out="$here/target/compare-janus"
server_cpus=()
tool_cpus=()
[[ -z "${SERVER_CPUS:-}" ]] || server_cpus=(taskset -c "$SERVER_CPUS")
[[ -z "${TOOL_CPUS:-}" ]] || tool_cpus=(taskset -c "$TOOL_CPUS")
[[ -z "${SERVER_NICE:-}" ]] || server_cpus=(nice -n "$SERVER_NICE" "${server_cpus[@]}")
[[ -z "${TOOL_NICE:-}" ]] || tool_cpus=(nice -n "$TOOL_NICE" "${tool_cpus[@]}")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --step-duration) step_duration="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --servers) servers="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
[[ -f "$jar" ]] || { echo "build it first: mvn -pl load-tests package -DskipTests" >&2; exit 1; }
[[ $servers != *janus* ]] || command -v janus >/dev/null || { echo "install Debian janus first: apt-get install -y janus" >&2; exit 1; }
mkdir -p "$out"
# Both servers are reached on the machine's own address (Janus gathers no loopback candidates).
host_ip=$(hostname -I | awk '{print $1}')
server_pid=""
janus_dir=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
  if [[ -n "$janus_dir" ]]; then rm -rf "$janus_dir"; janus_dir=""; fi
}
damon=/sys/kernel/mm/damon/admin/kdamonds/0
damon_paused=""
restore_damon() {
  if [[ -n "$damon_paused" ]]; then echo on >"$damon/state"; damon_paused=""; fi
}
trap 'stop_server; restore_damon' EXIT

# CPU nanoseconds the kernel's DAMON monitor has used so far; empty where there is none.
kdamond_ns() {
  local pid
  pid=$(cat "$damon/pid" 2>/dev/null) || return 0
  if [[ $pid -gt 0 ]]; then cut -d' ' -f1 "/proc/$pid/schedstat" 2>/dev/null || true; fi
}

# The collector settings of the container image (deploy/Dockerfile), as Parley is shipped.
image_jvm_opts="-XX:+UseG1GC -XX:MaxGCPauseMillis=5"

start_parley() {
  local log="$dir/parley-server.log"
  PARLEY_HTTP_HOST=127.0.0.1 PARLEY_HTTP_PORT=0 PARLEY_UDP_BIND="$host_ip" PARLEY_UDP_PORT=0 \
    PARLEY_ADVERTISED_ADDRESSES="$host_ip" \
    "${server_cpus[@]}" "${PARLEY_JAVA:-java}" -Xmx1g $image_jvm_opts ${PARLEY_JAVA_OPTS:-} -cp "${PARLEY_SERVER_JAR:-$jar}" io.parley.signalling.Main >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    grep -q "Parley is up" "$log" && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  local port
  port=$(grep -o 'localhost:[0-9]*' "$log" | head -1 | cut -d: -f2)
  # Ready once its start-up warm-up has run (/readyz says "warming up" until then), as a load
  # balancer or Kubernetes would wait.
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
    sleep 0.1
  done
  grep -h 'warm-up' "$log" >&2 || true
  target=(--server "http://127.0.0.1:$port")
}

start_janus() {
  local line
  line=$("${server_cpus[@]}" "$here/janus-loopback.sh")
  read -r server_pid port janus_dir <<<"$line"
  target=(--janus "http://127.0.0.1:$port/janus")
}

run() { # server scenario args...
  local server="$1" scenario="$2"; shift 2
  echo "== $server: scenario $scenario"
  local log=()
  if [[ -n "${PACKET_LOGS:-}" ]]; then
    mkdir -p "$dir/$server-$scenario"
    log=(--packet-log "$dir/$server-$scenario/packets.txt")
  fi
  local k0 k1
  k0=$(kdamond_ns)
  "${tool_cpus[@]}" java ${TOOL_JAVA_OPTS:-} -jar "$jar" "${target[@]}" --server-pid "$server_pid" --bind "$host_ip" \
    --label "$scenario" --out "$dir/$server-$scenario" "${log[@]}" "$@" | grep -v '^\[' || true
  k1=$(kdamond_ns)
  if [[ -n "$k0" && -n "$k1" ]]; then
    local ms=$(((k1 - k0) / 1000000))
    mkdir -p "$dir/$server-$scenario"
    echo "$ms" >"$dir/$server-$scenario/kdamond-ms.txt"
    echo "  kernel memory monitor (kdamond): $ms ms of CPU during the run"
  fi
}

# One run of each server in $order, into $dir.
run_servers() {
  for server in $order; do
    if [[ $server == parley ]]; then start_parley; else start_janus; fi
    # A short unmeasured run first, so neither server is measured cold (JIT, crypto set-up).
    "${tool_cpus[@]}" java ${TOOL_JAVA_OPTS:-} -jar "$jar" "${target[@]}" --bind "$host_ip" -p "${WARMUP_PARTICIPANTS:-2}" --duration "${WARMUP:-3s}" --ramp-up 1s \
      --out "$dir/$server-warmup" >/dev/null 2>&1 || true
    [[ $only == *a* ]] && run $server a --rooms 1 -p 4 --duration "$duration" --ramp-up 2s
    [[ $only == *b* ]] && run $server b --rooms 1 -p 1 -s 50 --duration "$duration" --ramp-up 10s
    [[ $only == *c* ]] && run $server c --rooms 10 -p 5 --duration "$duration" --ramp-up 10s
    [[ $only == *d* ]] && run $server d --capacity --rooms 2 -p 5 --step-rooms 2 \
      --step-duration "$step_duration" --ramp-up 4s --step-ramp-up 4s --max-participants 200
    stop_server
  done
}

[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "--repeat takes a positive number" >&2; exit 64; }
if [[ -n "${DAMON_OFF:-}" && -w "$damon/state" && $(cat "$damon/state") == on ]]; then
  echo off >"$damon/state"
  damon_paused=1
  echo "DAMON monitor paused for the comparison (DAMON_OFF=1)"
fi
dir="$out"
order="${servers//,/ }"
if [[ $repeat -eq 1 ]]; then
  run_servers
else
  for rep in $(seq 1 "$repeat"); do
    dir="$out/run$rep"
    mkdir -p "$dir"
    order="${servers//,/ }"
    if (( rep % 2 == 0 )); then order=$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    echo "== run $rep of $repeat: $order"
    run_servers
  done
fi
python3 "$here/compare-runs.py" "$out" "$only" "$repeat"
