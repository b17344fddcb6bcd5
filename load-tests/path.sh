#!/usr/bin/env bash
# Two Chromium participants on a long, lossy path: Parley's media port is reached through the
# user-space path emulator (io.parley.load.PathEmulator: a UDP relay that delays and drops each
# way; this kernel has no netem), the server advertising the relay's port. Both talk and show their
# fake cameras for a while; each one's getStats gives what it received: audio packets lost and the
# share of played sound the decoder made up, video packets lost after every resend, NACKs and PLIs
# it sent, frames per second decoded, and freezes. No root needed.
#
#   load-tests/path.sh [--rtt MS] [--jitter MS] [--loss PERCENT] [--seconds N] [--repeat N]
#                      [--down-rate KBIT] [--jar PATH] [--env NAME=VALUE]...
#
# --rtt is the round trip the path adds (half each way), --loss the share dropped each way,
# --jitter a random extra delay up to MS each way, --down-rate a bottleneck towards each browser
# (kbit/s, a 300 ms queue: the loss then comes on top of what the bottleneck drops). --jar runs another build of the server (to
# compare), --env sets a server variable (e.g. PARLEY_AUDIO_RED=false). Needs
# signalling/target/parley-server.jar and load-tests/target/parley-load.jar (mvn package) and
# /usr/bin/chromium with the e2e node modules (load-tests/e2e: npm ci). Prints one line per run
# and medians over the receivers of all runs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../signalling/target/parley-server.jar"
load_jar="$here/target/parley-load.jar"
rtt=200
jitter=0
loss=5
seconds=20
repeat=1
down_rate=0
envs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rtt) rtt="$2"; shift 2 ;;
    --jitter) jitter="$2"; shift 2 ;;
    --loss) loss="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --down-rate) down_rate="$2"; shift 2 ;;
    --jar) jar="$2"; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
[[ $rtt =~ ^[0-9]+$ && $jitter =~ ^[0-9]+$ ]] || { echo "--rtt and --jitter take milliseconds" >&2; exit 64; }
[[ $down_rate =~ ^[0-9]+$ ]] || { echo "--down-rate takes kbit/s" >&2; exit 64; }
rate_args=()
[[ $down_rate -eq 0 ]] || rate_args=(--down-rate "$down_rate")
[[ $loss =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "--loss takes a percentage" >&2; exit 64; }
[[ -f "$jar" && -f "$load_jar" ]] || { echo "needs $jar and $load_jar (mvn -B package -DskipTests)" >&2; exit 1; }

server_pid=""
relay_pid=""
log="$(mktemp)"
relay_log="$(mktemp)"
cleanup() {
  for pid in "$relay_pid" "$server_pid"; do
    [[ -z "$pid" ]] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  done
  rm -f "$log" "$relay_log"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run() {
  # run is called as $(run), a subshell the EXIT trap above does not reach: stop what this run
  # started however it ends (a failed page left the relay running).
  trap 'for pid in "$relay_pid" "$server_pid"; do [[ -z "$pid" ]] || kill "$pid" 2>/dev/null || true; done' EXIT
  local http udp relay
  http=$(free_port)
  udp=$(free_port)
  relay=$(free_port)
  env ${envs[@]+"${envs[@]}"} PARLEY_HTTP_HOST=127.0.0.1 PARLEY_HTTP_PORT="$http" \
    PARLEY_UDP_BIND=127.0.0.1 PARLEY_UDP_PORT="$udp" PARLEY_TCP_PORT=0 \
    PARLEY_ADVERTISED_ADDRESSES=127.0.0.1 PARLEY_ADVERTISED_PORT="$relay" \
    java -jar "$jar" >"$log" 2>&1 &
  server_pid=$!
  java -cp "$load_jar" io.parley.load.PathEmulator --listen "127.0.0.1:$relay" --to "127.0.0.1:$udp" \
    --delay $((rtt / 2)) --jitter "$jitter" --loss "$loss" \
    ${rate_args[@]+"${rate_args[@]}"} >"$relay_log" 2>&1 &
  relay_pid=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$http/readyz" >/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  local out
  out=$(cd "$here/e2e" && node audio-loss.mjs "http://127.0.0.1:$http" "$seconds")
  local counters
  counters=$(curl -sf "http://127.0.0.1:$http/metrics" | grep -E '^parley_(rtp_packets_sent|rtp_bytes_sent|nacks_sent|nacks_received|retransmissions|retransmission_misses|uplink_losses|dropped_packets|keyframe_requests_received|keyframe_requests_sent|downlink_congestion|downlink_layer_changes|downlink_video_pauses|layer_switches|playout_delay_changes)_total' \
    | sed -E 's/^parley_//; s/_total//; s/\{(outcome|reason|kind)="([a-z_]*)"\}/_\2/; s/\{[^}]*\}//' | awk '{a[$1]+=$2} END {for (k in a) printf "%s=%d ", k, a[k]}')
  kill "$relay_pid"
  wait "$relay_pid" 2>/dev/null || true
  relay_pid=""
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  echo "rtt=${rtt}ms loss=${loss}% down-rate=${down_rate}kbit/s $out (path: $(grep -o 'up:.*' "$relay_log"); server: $counters)"
}

results=()
for i in $(seq 1 "$repeat"); do
  line=$(run)
  echo "$line"
  results+=("$line")
done
printf '%s\n' "${results[@]}" | python3 -c '
import json, statistics, sys
rs = []
for line in sys.stdin:
    rs += json.loads(line.split(" ", 3)[3].split(" (path:")[0])
def med(*keys):
    def get(r):
        for k in keys:
            r = r[k]
        return r
    return statistics.median(get(r) for r in rs)
print("receivers %d; audio: lost %.2f %%, made up %.2f %%, buffered %s ms; video: lost %.2f %%, %.1f frames/s,"
      " %s freezes, %.2f s frozen, buffered %s ms (aimed at %s), NACKs %s, PLIs %s (medians)" % (len(rs),
      med("lossPercent"), med("concealedPercent"), med("delayMs"), med("video", "lossPercent"), med("video", "fps"),
      med("video", "freezes"), med("video", "frozenSeconds"), med("video", "delayMs"), med("video", "targetMs"),
      med("video", "nacks"), med("video", "plis")))
'
