#!/usr/bin/env bash
# Latency the idempotent path adds over pass-through at a moderate, constant rate (the issue's target 2:
# ~1,000 req/s, open loop, coordinated omission corrected): the same gateway, upstream and generator,
# pass-through (mode = off) and first requests with unique keys, interleaved, ROUNDS times each.
# Upstream, gateway (and Redis) pinned to core 0, the generator to core 1. Loopback only; bounded in
# time; stops everything it started by PID.
#
#   loadtest/scenarios/added-latency.sh [DURATION_SECONDS] [RATE]
#   STORE=redis loadtest/scenarios/added-latency.sh 20 1000
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20}
RATE=${2:-1000}
ROUNDS=${ROUNDS:-3}
UP_PORT=${UP_PORT:-18281}
GW_PORT=${GW_PORT:-18280}
ADMIN_PORT=${ADMIN_PORT:-19290}
REDIS_PORT=${REDIS_PORT:-16479}
STORE=${STORE:-memory}
OUT=${OUT:-results/added-latency-$STORE-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
GEN_OPTS=${GEN_OPTS:-"-Xms256m -Xmx256m"}

taskset -c 0 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" \
  --response-bytes 256 --threads 1 --max-keys 1000000 > "$OUT/upstream.log" 2>&1 &
pids+=($!)
. loadtest/scenarios/lib/store.sh
start_store "store.memory.max-entries = 1000000"
cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = 1 }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared   # the load generators send no scope header: one client
  $STORE_CONF
  routes = [
    { name = pt, match.path = "/pt/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"], idempotency.mode = off }
    { name = idem, match.path = "/v1/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"] }
  ]
}
CONF
taskset -c 0 java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$OUT/gateway.conf" > "$OUT/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz" || { echo "gateway did not start; see $OUT/gateway.log" >&2; exit 1; }

gen() { # name path duration; every run is a fresh generator JVM, so it warms itself up (not measured)
  taskset -c 1 java $GEN_OPTS -jar loadtest/target/idemgate-loadtest.jar load --target "http://127.0.0.1:$GW_PORT$2" \
    --rate "$RATE" --warmup "${GEN_WARMUP:-15s}" --duration "$3" --connections 16 --body-bytes 128 \
    --results "$OUT/$1.json" > "$OUT/$1.txt" 2>&1 || true
}
field() { grep -o '"all":{[^}]*}' "$1" | grep -o "\"$2\":[0-9.]*" | cut -d: -f2; }
gen warm-pt /pt/orders 20s
gen warm-idem /v1/orders 20s
printf "%-12s %10s %10s %10s\n" run p50_ms p99_ms p999_ms | tee "$OUT/summary.txt"
for r in $(seq 1 "$ROUNDS"); do
  for kind in pt idem; do
    path=$([ $kind = pt ] && echo /pt/orders || echo /v1/orders)
    gen "$kind-r$r" "$path" "${DURATION}s"
    printf "%-12s %10s %10s %10s\n" "$kind-r$r" "$(field "$OUT/$kind-r$r.json" p50_ms)" \
      "$(field "$OUT/$kind-r$r.json" p99_ms)" "$(field "$OUT/$kind-r$r.json" p999_ms)" | tee -a "$OUT/summary.txt"
  done
done
awk 'NR>1 { split($1, a, "-"); n[a[1]]++; p50[a[1]] += $2; p99[a[1]] += $3 }
     END { printf "mean over rounds: pass-through p50 %.3f p99 %.3f ms; idempotent p50 %.3f p99 %.3f ms; added p50 %+.3f p99 %+.3f ms\n",
           p50["pt"]/n["pt"], p99["pt"]/n["pt"], p50["idem"]/n["idem"], p99["idem"]/n["idem"],
           p50["idem"]/n["idem"] - p50["pt"]/n["pt"], p99["idem"]/n["idem"] - p99["pt"]/n["pt"] }' "$OUT/summary.txt" \
  | tee -a "$OUT/summary.txt"
echo "results in $OUT"
