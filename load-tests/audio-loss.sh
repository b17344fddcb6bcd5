#!/usr/bin/env bash
# What redundant audio buys on a lossy network, with real browsers: Parley is started with
# PARLEY_AUDIO_RED=true and then false, random loss is put on its media port (both directions, with
# nftables on this machine's loopback; needs root and the `nftables` package), two Chromium
# participants talk for a while, and each one's received audio is read from getStats (packets lost,
# and the share of played samples the decoder had to make up). Audio lost either way is also asked
# for again (NACK), and on loopback the resend comes within a millisecond: what is left lost is what
# neither redundancy nor a resend in time saved.
#
#   load-tests/audio-loss.sh [--loss PERCENT] [--seconds N] [--repeat N]
#
# Needs signalling/target/parley-server.jar (mvn package) and /usr/bin/chromium with the e2e
# node modules (load-tests/e2e: npm ci). Prints one line per run and a summary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../signalling/target/parley-server.jar"
loss=10
seconds=20
repeat=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --loss) loss="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
[[ $loss =~ ^[0-9]+$ && $loss -le 100 ]] || { echo "--loss takes 0..100" >&2; exit 64; }
command -v nft >/dev/null || { echo "needs nft (apt-get install nftables) and root" >&2; exit 1; }
table="parley_audio_loss_$$"
server_pid=""
log="$(mktemp)"
cleanup() {
  nft delete table inet "$table" 2>/dev/null || true
  [[ -z "$server_pid" ]] || { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  rm -f "$log"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run() { # red
  local http udp
  http=$(free_port)
  udp=$(free_port)
  PARLEY_AUDIO_RED="$1" PARLEY_HTTP_HOST=127.0.0.1 PARLEY_HTTP_PORT="$http" PARLEY_UDP_BIND=127.0.0.1 \
    PARLEY_UDP_PORT="$udp" PARLEY_TCP_PORT=0 PARLEY_ADVERTISED_ADDRESSES=127.0.0.1 \
    java -jar "$jar" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$http/readyz" >/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  # Loss on the media port, both ways: every datagram to or from it passes loopback's input hook.
  nft add table inet "$table"
  nft add chain inet "$table" input '{ type filter hook input priority 0; }'
  nft add rule inet "$table" input udp dport "$udp" numgen random mod 100 '<' "$loss" counter drop
  nft add rule inet "$table" input udp sport "$udp" numgen random mod 100 '<' "$loss" counter drop
  local out
  out=$(cd "$here/e2e" && node audio-loss.mjs "http://127.0.0.1:$http" "$seconds")
  local dropped
  dropped=$(nft list table inet "$table" | grep -o 'packets [0-9]*' | cut -d' ' -f2 | paste -sd/)
  nft delete table inet "$table"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  echo "red=$1 loss=$loss% $out (datagrams dropped to/from the media port: $dropped)"
}

results=()
for i in $(seq 1 "$repeat"); do
  for red in true false; do
    line=$(run "$red")
    echo "$line"
    results+=("$line")
  done
done
printf '%s\n' "${results[@]}" | python3 -c '
import json, statistics, sys
by = {}
for line in sys.stdin:
    red = line.split()[0]
    for r in json.loads(line.split(" ", 2)[2].split(" (datagrams")[0]):
        by.setdefault(red, []).append(r)
for red, rs in by.items():
    each = ", ".join(str(r["concealedPercent"]) for r in rs)
    loss = statistics.median(r["lossPercent"] for r in rs)
    hidden = statistics.median(r["concealedPercent"] for r in rs)
    print(f"{red}: receivers {len(rs)}, packets lost median {loss:.1f} %, concealed audio median {hidden:.2f} % (each: {each})")
'
