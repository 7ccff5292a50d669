#!/usr/bin/env bash
# Tail latency with a big live memory store: fill the gateway's memory store with RECORDS live records
# (default 1,000,000; wrk with unique keys, 256-byte responses), then an open-loop load at RATE req/s
# (default 5,000; 30 % duplicates) for DURATION seconds, and report
#   - every stop-the-world pause from the JVM's safepoint log (collector-agnostic: G1, Parallel and ZGC
#     pauses are all safepoints): count, max, p99, and how many exceed 10 ms — fill and measured phase apart;
#   - the generator's latency (p50/p99/p99.9 of all outcomes) and the exactly-once verdict;
#   - the live heap after the fill (records' footprint per record), and with HISTOGRAM=1 its class histogram
#     (histogram.txt; a stop-the-world heap walk of ~1 s, so off by default: it lands in the fill's pauses);
#   - where the slow seconds come from (stalls.txt): the generator's per-second timeline (timeline.csv) against
#     the safepoint and GC logs of all three JVMs (gateway, upstream, generator; all decorated with epoch ms)
#     and the gateway's access log (upstream_ms, duration_ms).
# The harness's own JVMs (upstream on the gateway's core, generator on the other) must not be what stalls:
# HARNESS_JAVA / HARNESS_GC_OPTS pick their JDK and collector, and LEDGER_RESET=1 (default) empties the
# upstream's ledger after the fill, so the fill's 1,000,000 keys are not evicted (old-generation garbage,
# full collections of the upstream) during the measured phase.
# Collector and JDK are parameters, so collectors can be compared on the same machine:
#   loadtest/scenarios/tail-latency.sh
#   GC_OPTS="-XX:+UseG1GC" loadtest/scenarios/tail-latency.sh
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java GC_OPTS="-XX:+UseZGC" loadtest/scenarios/tail-latency.sh
# Layout: upstream and gateway on core 0, wrk / generator on core 1 (GW_CPUS, UP_CPUS, LOAD_CPUS: taskset lists;
# UP_CPUS=1 takes the upstream off the gateway's core). Loopback only; bounded in time;
# stops everything it started by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORDS=${RECORDS:-1000000}
RATE=${RATE:-5000}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-20s}   # the generator's own warm-up at RATE before the measured DURATION (its latencies not counted)
JAVA=${JAVA:-java}
GC_OPTS=${GC_OPTS:-"-XX:+UseZGC"}
GW_HEAP=${GW_HEAP:-3g}
STORE_BYTES=${STORE_BYTES:-2g}   # the memory store's max-bytes: room for every record of the run within GW_HEAP
UP_PORT=${UP_PORT:-18581}
GW_PORT=${GW_PORT:-18580}
ADMIN_PORT=${ADMIN_PORT:-19590}
GW_CPUS=${GW_CPUS:-0}
UP_CPUS=${UP_CPUS:-0}
LOAD_CPUS=${LOAD_CPUS:-1}
GW_JAR=${GW_JAR:-gateway/target/idemgate.jar}   # another build of the gateway, for before/after runs
# The upstream's ledger and the generator's key book keep every key of the run: with a stop-the-world
# collector their young pauses (tens of ms) and full collections (hundreds) were most of the measured p99
# (docs/performance.md, "Target 5: where the p99 comes from"). Same JDK as the gateway, concurrent collector.
HARNESS_JAVA=${HARNESS_JAVA:-$JAVA}
HARNESS_GC_OPTS=${HARNESS_GC_OPTS:-"-XX:+UseZGC"}
LEDGER_RESET=${LEDGER_RESET:-1}
HISTOGRAM=${HISTOGRAM:-0}
OUT=${OUT:-results/tail-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

MEASURED=$((RATE * DURATION))
LEDGER_KEYS=$((MEASURED + 100000))
# shellcheck disable=SC2086
taskset -c "$UP_CPUS" "$HARNESS_JAVA" -Xmx$((LEDGER_KEYS * 450 / 1048576 + 256))m $HARNESS_GC_OPTS \
  -Xlog:safepoint,gc:file="$OUT/upstream-jvm.log":uptime,timemillis -jar loadtest/target/idemgate-loadtest.jar \
  upstream --port "$UP_PORT" --threads 1 --response-bytes 256 --max-keys "$LEDGER_KEYS" > "$OUT/upstream.log" 2>&1 &
UP_PID=$!
pids+=($UP_PID)
# Room for the fill and every new key of the measured phase: nothing is evicted during the run.
MAX_ENTRIES=$((RECORDS + MEASURED + 100000))
cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = 1 }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  store.memory { max-entries = $MAX_ENTRIES, max-bytes = $STORE_BYTES }
  defaults.idempotency.scope.when-missing = shared   # the load generators send no scope header: one client
  routes = [ { name = tail, match.path = "/v1/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"], idempotency.ttl = 1h } ]
}
CONF
"$JAVA" -version 2>&1 | head -1 | tee "$OUT/java.txt"
taskset -c "$GW_CPUS" "$JAVA" -Xms"$GW_HEAP" -Xmx"$GW_HEAP" -XX:+AlwaysPreTouch $GC_OPTS \
  -Xlog:safepoint:file="$OUT/safepoints.log":uptime,timemillis -Xlog:gc:file="$OUT/gc.log":uptime,timemillis \
  -jar "$GW_JAR" --config "$OUT/gateway.conf" > "$OUT/gateway.log" 2>&1 &
GW_PID=$!
pids+=($GW_PID)
for _ in $(seq 1 900); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" || { echo "gateway not ready; see $OUT/gateway.log" >&2; exit 1; }
uptime_s() { awk '{print $1}' /proc/uptime; }
jvm_uptime() { # seconds since the JVM started, the clock of the -Xlog uptime decoration
  awk -v now="$(uptime_s)" -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", now - $22 / hz }' "/proc/$GW_PID/stat"
}

# Fill: unique keys back to back until RECORDS are stored (wrk runs for a bounded time, then we check).
echo "filling $RECORDS records ..."
FILL_START=$(jvm_uptime)
records() { # every 201 of the fill is one stored record (unique keys)
  awk '/requests in/ { s += $1 } /Non-2xx/ { s -= $NF } END { printf "%d", s }' "$OUT/fill.txt" 2>/dev/null || echo 0
}
deadline=$((SECONDS + 900))
while [ "$(records)" -lt "$RECORDS" ] && [ $SECONDS -lt $deadline ]; do
  taskset -c "$LOAD_CPUS" wrk -t2 -c32 -d10s -s loadtest/scenarios/lua/unique-keys.lua "http://127.0.0.1:$GW_PORT/v1/orders" \
    >> "$OUT/fill.txt" 2>&1
done
have=$(records)
echo "records after fill: $have"
[ "$have" -ge "$RECORDS" ] || { echo "fill did not reach $RECORDS records in 900 s" >&2; exit 1; }
jcmd "$GW_PID" GC.run >/dev/null 2>&1 || true
# Live heap in KiB from the first "used N{K,M,G}" of GC.heap_info (G1, Parallel and ZGC print it differently).
live=$(jcmd "$GW_PID" GC.heap_info 2>/dev/null | awk '/ used / { for (i = 1; i <= NF; i++) if ($i == "used") {
  v = $(i + 1); sub(/,$/, "", v); u = substr(v, length(v)); n = substr(v, 1, length(v) - 1) + 0
  print int(u == "G" ? n * 1048576 : u == "M" ? n * 1024 : n); exit } }')
[ -n "$live" ] && echo "live heap after fill and a full GC: $((live / 1024)) MiB (~$((live * 1024 / have)) bytes per record)" \
  | tee "$OUT/summary.txt"
# What the live heap is made of: objects and bytes per class (docs/performance.md, target 5 footprint).
# A stop-the-world heap walk (~1 s with 1,000,000 records): only when asked.
if [ "$HISTOGRAM" = 1 ]; then
  jcmd "$GW_PID" GC.class_histogram 2>/dev/null | head -30 > "$OUT/histogram.txt" || true
fi
# The fill's keys are of no use to the verification (wrk checks nothing); forgetting them now means the
# measured phase's new keys do not evict them, which would be old-generation garbage in the upstream.
if [ "$LEDGER_RESET" = 1 ]; then
  curl -fsS -X POST -o /dev/null "http://127.0.0.1:$UP_PORT/stats/reset" || true
  jcmd "$UP_PID" GC.run >/dev/null 2>&1 || true
fi
sleep 5  # let the forced collection's aftermath settle before the measured phase
MEASURE_START=$(jvm_uptime)

set +e
# shellcheck disable=SC2086
timeout $((DURATION + 120)) taskset -c "$LOAD_CPUS" "$HARNESS_JAVA" -Xmx$((LEDGER_KEYS * 450 / 1048576 + 512))m $HARNESS_GC_OPTS \
  -Xlog:safepoint,gc:file="$OUT/generator-jvm.log":uptime,timemillis \
  -jar loadtest/target/idemgate-loadtest.jar load --target "http://127.0.0.1:$GW_PORT/v1/orders" --rate "$RATE" \
  --duration "${DURATION}s" --warmup "$WARMUP" --connections 128 --duplicate-ratio 0.3 --key-space 10000 --body-bytes 256 \
  --ledger "http://127.0.0.1:$UP_PORT" --results "$OUT/results.json" --timeline "$OUT/timeline.csv" > "$OUT/load.txt" 2>&1
code=$?
set -e
MEASURE_END=$(jvm_uptime)
grep -v '^\[' "$OUT/load.txt" | tail -25

# Safepoint log lines: "[12.345s] Safepoint "G1CollectForAllocation", ... Total: 1234567 ns"
pauses() { # from to label
  local ms
  ms=$(awk -v from="$1" -v to="$2" '
    match($0, /^\[ *[0-9.]+s\]/) { t = substr($0, 2, RLENGTH - 3) + 0 }
    /Total: [0-9]+ ns/ && t >= from && t <= to { match($0, /Total: [0-9]+ ns/); printf "%.3f\n", substr($0, RSTART + 7, RLENGTH - 10) / 1e6 }
  ' "$OUT/safepoints.log" | sort -n)
  awk -v label="$3" '{ v[NR] = $1 } $1 > 10 { over++ }
    END { i = int(NR * 0.99); if (i < 1) i = 1
          printf "%s: %d stop-the-world pauses, max %.2f ms, p99 %.2f ms, over 10 ms: %d\n", label, NR, v[NR], v[i], over }' <<< "$ms"
}
pauses "$FILL_START" "$MEASURE_START" "fill phase" | tee -a "$OUT/summary.txt"
pauses "$MEASURE_START" "$MEASURE_END" "measured phase ($RATE req/s, ${DURATION} s)" | tee -a "$OUT/summary.txt"
grep -E '^(open loop|outcome|all|first|replayed|waited) |exactly-once|WARNING' "$OUT/load.txt" | tee -a "$OUT/summary.txt" || true
# Where the slow seconds come from: every JVM's pauses and cycles, and the gateway's own times, per slow second.
if [ -f "$OUT/timeline.csv" ]; then
  "$HARNESS_JAVA" loadtest/scenarios/lib/StallReport.java "$OUT/timeline.csv" "${STALL_MS:-10}" \
    gateway="$OUT/safepoints.log" gateway="$OUT/gc.log" upstream="$OUT/upstream-jvm.log" \
    generator="$OUT/generator-jvm.log" access="$OUT/gateway.log" > "$OUT/stalls.txt" 2>&1 || true
  head -8 "$OUT/stalls.txt" | tee -a "$OUT/summary.txt"
fi
echo "results in $OUT (exit $code)"
exit "$code"
