#!/usr/bin/env bash
# Soak: the gateway (-Xmx256m) under a steady open-loop load for DURATION seconds (default 10 min) at
# RATE req/s (default 5,000), unique keys plus DUPLICATES (30%) reusing a recent key; memory store by
# default, STORE=redis for a local redis-server. Every SAMPLE_EVERY seconds the gateway's RSS
# (/proc/PID/status VmRSS), thread count, heap used and Netty's direct memory (jvm_memory_used_bytes,
# jvm_buffer_pool_used_bytes from the admin port's /metrics; jstat -gc when that fails) go to
# samples.csv. The heap is pre-touched (-XX:+AlwaysPreTouch), so RSS grows only with what lives outside it. At the end: RSS at start, end and max, the least-squares slope of RSS over the second
# half (MiB/min; near 0 when nothing leaks), the heap maximum, and the exactly-once verdict against
# the ledger. Layout: upstream, gateway (and redis) on core 0, generator on core 1. Loopback only;
# bounded in time; stops everything it started by PID. Exits with the generator's code, or 4 when it
# held but the gateway answered errors.
#
#   loadtest/scenarios/soak.sh
#   DURATION=600 RATE=5000 STORE=redis SAMPLE_EVERY=10 loadtest/scenarios/soak.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-600}
RATE=${RATE:-5000}
DUPLICATES=${DUPLICATES:-0.3}
SAMPLE_EVERY=${SAMPLE_EVERY:-10}
STORE=${STORE:-memory}
GW_HEAP=${GW_HEAP:-256m}
UP_PORT=${UP_PORT:-18481}
GW_PORT=${GW_PORT:-18480}
ADMIN_PORT=${ADMIN_PORT:-19490}
REDIS_PORT=${REDIS_PORT:-16399}
OUT=${OUT:-results/soak-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
command -v jstat >/dev/null || { echo "jstat missing (a JDK, not a JRE, is needed)" >&2; exit 1; }
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The ledger and the generator remember every key (~400 bytes each): size both for the whole run.
KEYS=$(awk -v r="$RATE" -v d="$DURATION" 'BEGIN { printf "%d", r * d * 1.1 + 100000 }')
BIG_HEAP="-Xmx$((KEYS * 450 / 1048576 + 256))m -XX:+UseParallelGC"
taskset -c 0 java $BIG_HEAP -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" \
  --threads 1 --latency 1ms..5ms --max-keys "$KEYS" > "$OUT/upstream.log" 2>&1 &
pids+=($!)
# Records expire by the route's TTL. The memory store never drops a live record to make room (a full
# store answers new keys as a store failure), so its TTL is short enough that the live set stays well
# under max-entries: at 5,000 req/s with 30 % duplicates, TTL 20 s keeps ~70,000 live records, and the
# store's expiry runs all along, which is what a soak should exercise. Duplicates come from the 10,000
# most recent keys (~3 s), well within either TTL. With Redis, 10 minutes.
TTL=${TTL:-$([ "$STORE" = redis ] && echo 10m || echo 20s)}
LEASE=${LEASE:-10s}   # at most the TTL; the upstream answers in milliseconds
. loadtest/scenarios/lib/store.sh
start_store "store.memory.max-entries = 100000"
cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = 1 }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared   # the load generators send no scope header: one client
  $STORE_CONF
  routes = [ { name = soak, match.path = "/v1/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"]
               idempotency { ttl = $TTL, lease = $LEASE } } ]
}
CONF
taskset -c 0 java -Xms"$GW_HEAP" -Xmx"$GW_HEAP" -XX:+AlwaysPreTouch -XX:+UseParallelGC -jar gateway/target/idemgate.jar \
  --config "$OUT/gateway.conf" > "$OUT/gateway.log" 2>&1 &
GW_PID=$!
pids+=($GW_PID)
for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" || { echo "gateway not ready" >&2; exit 1; }

# One sample: seconds since start, RSS KiB, threads, heap used KiB, direct buffers KiB.
sample() {
  local rss threads mem heap direct
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$GW_PID/status")
  threads=$(awk '/^Threads/ {print $2}' "/proc/$GW_PID/status")
  mem=$(curl -gfsS -m 5 "http://127.0.0.1:$ADMIN_PORT/metrics?name[]=jvm_memory_used_bytes&name[]=jvm_buffer_pool_used_bytes" || true)
  heap=$(awk '/^jvm_memory_used_bytes\{area="heap"/ { printf "%.0f", $2 / 1024 }' <<< "$mem")
  direct=$(awk '/^jvm_buffer_pool_used_bytes\{pool="direct"/ { printf "%.0f", $2 / 1024 }' <<< "$mem")
  if [ -z "$heap" ]; then
    heap=$(jstat -gc "$GW_PID" 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
      NR == 2 { printf "%.0f", $c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"] }')
  fi
  echo "$((SECONDS - T0)),$rss,$threads,${heap:-},${direct:-}"
}
echo "seconds,rss_kib,threads,heap_used_kib,direct_kib" > "$OUT/samples.csv"
T0=$SECONDS
# On a fixed schedule: a slow sample does not stretch the interval.
( next=0
  while [ $((SECONDS - T0)) -le $((DURATION + 5)) ] && kill -0 "$GW_PID" 2>/dev/null; do
    sample >> "$OUT/samples.csv"
    next=$((next + SAMPLE_EVERY))
    [ $((T0 + next - SECONDS)) -gt 0 ] && sleep $((T0 + next - SECONDS))
  done ) &
SAMPLER=$!
pids+=($SAMPLER)

set +e
timeout $((DURATION + 300)) taskset -c 1 java $BIG_HEAP -jar loadtest/target/idemgate-loadtest.jar load \
  --target "http://127.0.0.1:$GW_PORT/v1/orders" --rate "$RATE" --duration "${DURATION}s" --connections 256 \
  --duplicate-ratio "$DUPLICATES" --key-space 10000 --body-bytes 256 --ledger "http://127.0.0.1:$UP_PORT" \
  --results "$OUT/results.json" > "$OUT/load.txt" 2>&1
code=$?
set -e
kill "$SAMPLER" 2>/dev/null || true
sample >> "$OUT/samples.csv"
grep -v '^\[' "$OUT/load.txt" | tail -20

# RSS start/end/max, slope over the second half (least squares), heap max.
awk -F, -v d="$DURATION" 'NR > 1 && $2 != "" {
    n++; t[n] = $1; r[n] = $2 / 1024; if (r[n] > rmax) rmax = r[n]; if ($4 / 1024 > hmax) hmax = $4 / 1024
    if ($3 > thmax) thmax = $3; if ($5 / 1024 > dmax) dmax = $5 / 1024
  }
  END {
    for (i = 1; i <= n; i++) if (t[i] >= d / 2) { m++; sx += t[i]; sy += r[i]; sxx += t[i] * t[i]; sxy += t[i] * r[i] }
    slope = (m > 1 && m * sxx - sx * sx > 0) ? (m * sxy - sx * sy) / (m * sxx - sx * sx) * 60 : 0
    printf "samples %d over %d s; RSS start %.0f MiB, end %.0f MiB, max %.0f MiB; slope over the second half %.2f MiB/min (%d samples); heap used max %.0f MiB; direct buffers max %.0f MiB; threads max %d\n",
      n, t[n], r[1], r[n], rmax, slope, m, hmax, dmax, thmax
  }' "$OUT/samples.csv" | tee "$OUT/summary.txt"
grep -E 'exactly-once|WARNING' "$OUT/load.txt" | tee -a "$OUT/summary.txt" || true
# A soak that answers errors is not a soak: fail it even when exactly-once held.
if grep -qE '^errors: ' "$OUT/load.txt"; then
  echo "FAIL: the gateway answered errors: $(grep -E '^errors: ' "$OUT/load.txt")" | tee -a "$OUT/summary.txt"
  [ "$code" = 0 ] && code=4
fi
echo "results in $OUT (exit $code)"
exit "$code"
