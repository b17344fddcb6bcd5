#!/usr/bin/env bash
# Starts Debian's Janus on loopback with only the VideoRoom plugin and the HTTP transport, from a
# copy of /etc/janus in a temporary directory. Prints "PID HTTP_PORT DIR" and returns; stop Janus
# with `kill PID` and remove DIR.
#   usage: janus-loopback.sh [http-port]   (default: a free port)
set -euo pipefail
port="${1:-}"
if [[ -z "$port" ]]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
if [[ -n "${JANUS_EVENT_LOOPS:-}" && ! $JANUS_EVENT_LOOPS =~ ^[1-9][0-9]*$ ]]; then
  echo "JANUS_EVENT_LOOPS must be a positive number" >&2
  exit 64
fi
dir=$(mktemp -d /tmp/parley-janus.XXXXXX)
cp /etc/janus/janus.jcfg /etc/janus/janus.plugin.videoroom.jcfg /etc/janus/janus.transport.http.jcfg "$dir/"
plugins=$(cd /usr/lib/x86_64-linux-gnu/janus/plugins && ls *.so | grep -v videoroom | paste -sd, -)
transports=$(cd /usr/lib/x86_64-linux-gnu/janus/transports && ls *.so | grep -v 'janus_http' | paste -sd, -)
events=$(cd /usr/lib/x86_64-linux-gnu/janus/events 2>/dev/null && ls *.so 2>/dev/null | paste -sd, - || true)
loggers=$(cd /usr/lib/x86_64-linux-gnu/janus/loggers 2>/dev/null && ls *.so 2>/dev/null | paste -sd, - || true)
sed -i \
  -e "s|configs_folder = \"/etc/janus\"|configs_folder = \"$dir\"|" \
  -e "s|#disable = \"libjanus_voicemail.so,libjanus_recordplay.so\"|disable = \"$plugins\"|" \
  -e "s|#disable = \"libjanus_rabbitmq.so\"|disable = \"$transports\"|" \
  -e "s|#disable = \"libjanus_jsonlog.so\"|disable = \"$loggers\"|" \
  -e "s|#disable = \"libjanus_sampleevh.so\"|disable = \"$events\"|" \
  -e 's|ice_ignore_list = "vmnet"|ice_enforce_list = "lo"|' \
  -e 's|debug_level = 4|debug_level = 3|' \
  "$dir/janus.jcfg"
# JANUS_EVENT_LOOPS=N: N shared media loop threads instead of Janus's usual thread per handle (1
# runs a whole meeting on one thread, as Parley runs a room).
if [[ -n "${JANUS_EVENT_LOOPS:-}" ]]; then
  sed -i "s|#event_loops = 8|event_loops = $JANUS_EVENT_LOOPS|" "$dir/janus.jcfg"
fi
# HTTP on loopback only, on the chosen port; no HTTPS, no admin API.
sed -i \
  -e "s|^\(\s*\)port = 8088|\1port = $port|" \
  -e 's|^\(\s*\)#ip = "192.168.0.1"|\1ip = "127.0.0.1"|' \
  -e 's|^\(\s*\)admin_http = true|\1admin_http = false|' \
  "$dir/janus.transport.http.jcfg"
janus -F "$dir" -C "$dir/janus.jcfg" -o -L "$dir/janus.log" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/janus/info"; then
    echo "$pid $port $dir"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "janus exited; see $dir/janus.log" >&2
    exit 1
  fi
  sleep 0.1
done
kill "$pid"
echo "janus did not answer on port $port; see $dir/janus.log" >&2
exit 1
