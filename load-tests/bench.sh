#!/usr/bin/env bash
# Runs Parley's two benchmarks with short settings and prints their figures:
#   1. the forwarding path in memory (JMH: ForwardingBenchmark + SrtpBaselineBenchmark, -prof gc
#      and thread CPU time), 1, 10 and 50 consumers, AES-GCM and AES-CM;
#   2. the whole server on loopback (LoopbackThroughput), forwarded packets per server CPU-second.
# Usage: load-tests/bench.sh [jmh|loopback|all] (default all). Not part of `mvn verify`.
# Other processes on the machine change the figures: the load average is printed before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/.*: *//'), $(date -u +%FT%TZ)"
echo "before: $(uptime)"
# One reactor build (-am: the sibling modules come from this tree, never from ~/.m2), and the
# load-tests module's classpath as the reactor resolved it.
nice -n 10 mvn -B -q -o -pl load-tests -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
cd load-tests
cp="target/classes:target/test-classes:$(cat target/classpath.txt)"
log=-Dlogback.configurationFile=bench/logback.xml

if [[ $what == all || $what == jmh ]]; then
  java $log -cp "$cp" io.parley.bench.ForwardingReport \
    warmup="${WARMUP:-3}" iterations="${ITERATIONS:-3}" seconds="${SECONDS_PER:-2}" \
    consumers="${CONSUMERS:-1,10,50}" backends="${BACKENDS:-default}" > target/jmh.txt 2>&1
  sed -n '/^Forwarding path/,$p' target/jmh.txt
fi
if [[ $what == all || $what == loopback ]]; then
  java $log -cp "$cp" io.parley.bench.LoopbackThroughput \
    subscribers="${SUBSCRIBERS:-10}" seconds=3 rates="${RATES:-500,1000,2000,5000,10000}"
fi
echo "after: $(uptime)"
