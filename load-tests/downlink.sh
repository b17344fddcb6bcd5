#!/usr/bin/env bash
# What a viewer on a narrow downlink sees, with real browsers over a real bottleneck: Parley listens
# on one end of a veth pair, a viewer's Chromium runs in a network namespace at the other end, and
# the link from the server to the viewer is shaped with a token bucket (tc tbf: RATE kbit/s, a
# queue of at most 300 ms). A publisher's Chromium on this host sends its fake camera as three
# simulcast layers (~0.15, 0.5 and 1.5 Mbit/s) and the viewer shows it large. After --settle
# seconds the viewer's received video is read from getStats for --seconds (node e2e/downlink.mjs).
# Needs root, iproute2, /usr/bin/chromium with the e2e node modules, and a server jar (by default
# signalling/target/parley-server.jar; --jar runs another build, e.g. one from before a change).
#
#   load-tests/downlink.sh [--rate KBIT] [--settle N] [--seconds N] [--repeat N] [--jar JAR]
#                          [--publishers N]   (N publishers' Chromium pages; the viewer shows all)
#                          [--viewer firefox] (the viewer is Firefox ESR, not Chromium)
#
# PARLEY_JAVA_OPTS goes to the server's JVM; SERVER_LOG=FILE keeps the last run's server log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../signalling/target/parley-server.jar"
rate=700
settle=10
seconds=20
repeat=1
publishers=1
viewer=chromium
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) rate="$2"; shift 2 ;;
    --settle) settle="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --jar) jar="$2"; shift 2 ;;
    --publishers) publishers="$2"; shift 2 ;;
    --viewer) viewer="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
[[ $rate =~ ^[0-9]+$ ]] || { echo "--rate takes kbit/s" >&2; exit 64; }
ns="parleybw$$"
near="pbw$$a"
far="pbw$$b"
server_pid=""
log="$(mktemp)"
wrapper="$(mktemp)"
cleanup() {
  [[ -z "$server_pid" ]] || { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  ip link delete "$near" 2>/dev/null || true
  ip netns delete "$ns" 2>/dev/null || true
  rm -f "$log" "$wrapper"
}
trap cleanup EXIT

ip netns add "$ns"
ip link add "$near" type veth peer name "$far"
ip link set "$far" netns "$ns"
ip addr add 10.77.0.1/24 dev "$near"
ip link set "$near" up
ip netns exec "$ns" ip addr add 10.77.0.2/24 dev "$far"
ip netns exec "$ns" ip link set "$far" up
ip netns exec "$ns" ip link set lo up
# Server → viewer: a token bucket at RATE with a queue of at most 300 ms (the bottleneck).
tc qdisc add dev "$near" root tbf rate "${rate}kbit" burst 16kb latency 300ms
case "$viewer" in
  chromium) browser=/usr/bin/chromium ;;
  firefox) browser=/usr/bin/firefox-esr ;;
  *) echo "--viewer takes chromium or firefox" >&2; exit 64 ;;
esac
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$ns" "$browser" >"$wrapper"
chmod +x "$wrapper"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("10.77.0.1",0)); print(s.getsockname()[1])'; }
counter() { curl -sf "http://10.77.0.1:$1/metrics" | awk -v n="$2" '$1==n {print $2+0}'; }

run() {
  local http udp
  http=$(free_port)
  udp=$(free_port)
  PARLEY_HTTP_HOST=10.77.0.1 PARLEY_HTTP_PORT="$http" PARLEY_UDP_BIND=10.77.0.1 \
    PARLEY_UDP_PORT="$udp" PARLEY_TCP_PORT=0 PARLEY_ADVERTISED_ADDRESSES=10.77.0.1 \
    java ${PARLEY_JAVA_OPTS:-} -jar "$jar" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -sf "http://10.77.0.1:$http/readyz" >/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  local before out after
  before="$(counter "$http" parley_downlink_congestion_total)/$(counter "$http" parley_downlink_probes_total)"
  out=$(cd "$here/e2e" && VIEWER="$viewer" NETNS="$ns" node downlink.mjs "http://10.77.0.1:$http" "$wrapper" "$settle" "$seconds" "$publishers")
  after="$(counter "$http" parley_downlink_congestion_total)/$(counter "$http" parley_downlink_probes_total)"
  video="$(counter "$http" parley_downlink_video_pauses_total)/$(counter "$http" parley_downlink_video_resumes_total)"
  red="$(counter "$http" parley_red_packets_forwarded_total)/$(counter "$http" parley_red_packets_stripped_total)"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  [[ -z "${SERVER_LOG:-}" ]] || cp "$log" "$SERVER_LOG"
  echo "rate=${rate}kbit viewer=$viewer $out congestion/probes: $before -> $after video pauses/resumes: $video red forwarded/stripped: $red"
}

for i in $(seq 1 "$repeat"); do
  run
done
