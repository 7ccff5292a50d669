#!/usr/bin/env bash
# JMH micro-benchmarks of the gateway's hot paths (microbench module), short run: one fork, 2 x 1 s
# warm-up and 3 x 1 s measurement per benchmark, about 90 s in all; killed after MAX_SECONDS.
# Results as JSON (and the text table) in results/jmh-<time>/.
#
#   loadtest/scenarios/jmh.sh [JMH ARGS...]     e.g. loadtest/scenarios/jmh.sh RouteMatch -prof gc
#   JMH_OPTS="-f 1 -wi 5 -w 1s -i 5 -r 1s" loadtest/scenarios/jmh.sh    longer runs
# JMH refuses an option given twice, so iteration settings are changed through JMH_OPTS, not arguments.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-results/jmh-$(date +%Y%m%d-%H%M%S)}
MAX_SECONDS=${MAX_SECONDS:-600}
JAR=microbench/target/idemgate-microbench.jar
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 2 -w 1s -i 3 -r 1s"}
mkdir -p "$OUT"

[ -f "$JAR" ] || mvn -B -q package -DskipTests -pl microbench -am

{ echo "date: $(date -u +%FT%TZ)"; echo "host: $(uname -srm)"; nproc | sed 's/^/cpus: /'
  grep -m1 'model name' /proc/cpuinfo || true; java -version 2>&1 | head -1; uptime; echo "jmh: $JMH_OPTS $*"; } > "$OUT/machine.txt"

# timeout ends the JMH JVM it started (and its forks) if the run overstays.
timeout --kill-after=10 "$MAX_SECONDS" \
  java -jar "$JAR" $JMH_OPTS -rf json -rff "$OUT/jmh.json" "$@" | tee "$OUT/jmh.txt"
echo "results in $OUT"
