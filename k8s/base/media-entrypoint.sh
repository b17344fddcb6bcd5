#!/bin/sh
# Starts a Parley media node in a StatefulSet pod.
#
# The SFU binds PARLEY_UDP_BIND:PARLEY_UDP_PORT (UDP, and TCP for ICE-TCP) inside the pod, but browsers
# reach it through an address and port of the cluster's edge. This script works out that pair and hands it to
# the server as PARLEY_ADVERTISED_ADDRESSES / PARLEY_ADVERTISED_PORT, which go into the SFU's ICE candidates.
#
# Inputs (Downward API and ConfigMaps, see media.yaml):
#   POD_NAME   parley-media-<ordinal>           NODE_NAME  the node the pod runs on
#   HOST_IP    the node's InternalIP            PARLEY_MEDIA_PORT_MODE  nodeport | hostport | loadbalancer
#   PARLEY_MEDIA_NODE_PORT_BASE  nodeport mode: pod N is reached on node port BASE+N (media-node-services.yaml)
#   PARLEY_ADDRESSES_DIR  files named after a pod or a node, holding the public address to advertise
# An explicit PARLEY_ADVERTISED_ADDRESSES / PARLEY_ADVERTISED_PORT wins over all of this.
set -eu

fail() {
  echo "media-entrypoint: $*" >&2
  exit 64
}

pod="${POD_NAME:?POD_NAME must come from the Downward API (metadata.name)}"
ordinal="${pod##*-}"
case "$ordinal" in
  '' | *[!0-9]*) fail "pod name '$pod' does not end in a StatefulSet ordinal" ;;
esac
bind_port="${PARLEY_UDP_PORT:-10000}"

if [ -z "${PARLEY_ADVERTISED_PORT:-}" ]; then
  case "${PARLEY_MEDIA_PORT_MODE:-nodeport}" in
    nodeport)
      base="${PARLEY_MEDIA_NODE_PORT_BASE:?nodeport mode needs PARLEY_MEDIA_NODE_PORT_BASE}"
      PARLEY_ADVERTISED_PORT=$((base + ordinal))
      ;;
    hostport | loadbalancer) PARLEY_ADVERTISED_PORT="$bind_port" ;;
    *) fail "unknown PARLEY_MEDIA_PORT_MODE '${PARLEY_MEDIA_PORT_MODE}' (nodeport, hostport, loadbalancer)" ;;
  esac
fi

if [ -z "${PARLEY_ADVERTISED_ADDRESSES:-}" ]; then
  dir="${PARLEY_ADDRESSES_DIR:-/etc/parley/addresses}"
  if [ -s "$dir/$pod" ]; then
    PARLEY_ADVERTISED_ADDRESSES="$(tr -d '[:space:]' <"$dir/$pod")"
  elif [ -n "${NODE_NAME:-}" ] && [ -s "$dir/$NODE_NAME" ]; then
    PARLEY_ADVERTISED_ADDRESSES="$(tr -d '[:space:]' <"$dir/$NODE_NAME")"
  elif [ -n "${HOST_IP:-}" ]; then
    PARLEY_ADVERTISED_ADDRESSES="$HOST_IP"
  else
    fail "no address to advertise: set PARLEY_ADVERTISED_ADDRESSES, an entry in $dir, or HOST_IP"
  fi
fi

export PARLEY_ADVERTISED_ADDRESSES PARLEY_ADVERTISED_PORT
echo "media-entrypoint: $pod advertises ${PARLEY_ADVERTISED_ADDRESSES} port ${PARLEY_ADVERTISED_PORT}" \
  "(binds ${PARLEY_UDP_BIND:-0.0.0.0}:${bind_port} udp+tcp)" >&2
exec java -jar "${PARLEY_JAR:-/opt/parley/parley-server.jar}" "$@"
