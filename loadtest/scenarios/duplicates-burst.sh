#!/usr/bin/env bash
# Exactly-once under duplicates and bursts: the ledger upstream behind the gateway (memory store),
# the load generator at RATE req/s (default 5,000), 30% of requests reusing a recent key with the same
# body, and every second a burst of 50 concurrent requests with one fresh key. Afterwards every key
# must have executed exactly once on the ledger and every 2xx answer for a key must be byte for byte
# the first. Exits with the generator's code (0 = exactly-once held), or 4 when it held but the
# gateway answered errors. Loopback only; bounded in
# time; stops everything it started by PID.
#
#   loadtest/scenarios/duplicates-burst.sh [DURATION_SECONDS] [RATE]
#   STORE=redis loadtest/scenarios/duplicates-burst.sh 30 5000    # a local redis-server as the store
# Upstream, gateway (and Redis) pinned to core 0, the generator to core 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20}
RATE=${2:-5000}
UP_PORT=${UP_PORT:-18181}
GW_PORT=${GW_PORT:-18180}
ADMIN_PORT=${ADMIN_PORT:-19190}
OUT=${OUT:-results/duplicates-burst-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}

taskset -c 0 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" \
  --threads 1 --latency 1ms..5ms --max-keys 1000000 > "$OUT/upstream.log" 2>&1 &
pids+=($!)
STORE=${STORE:-memory}
REDIS_PORT=${REDIS_PORT:-16579}
. loadtest/scenarios/lib/store.sh
start_store "store { type = memory, memory.max-entries = 1000000 }"
cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared   # the load generators send no scope header: one client
  $STORE_CONF
  routes = [
    { name = orders, match.path = "/v1/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"] }
  ]
}
CONF
taskset -c 0 java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$OUT/gateway.conf" > "$OUT/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz" 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$UP_PORT/stats" 2>/dev/null && break; sleep 0.1; done

echo "warm-up: 8 s closed loop through the gateway (JIT; not measured, output in $OUT/warmup.txt) ..."
# Closed-loop warm-up (JIT) with its own keys: unique per run, so they never collide with the measured run's.
taskset -c 1 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar load --target "http://127.0.0.1:$GW_PORT/v1/orders" \
  --closed-loop --connections 32 --duration 8s --duplicate-ratio 0.3 > "$OUT/warmup.txt" 2>&1 || true

set +e
timeout $((DURATION + 120)) taskset -c 1 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar load \
  --target "http://127.0.0.1:$GW_PORT/v1/orders" --rate "$RATE" --duration "${DURATION}s" --connections 128 \
  --duplicate-ratio 0.3 --key-space 10000 --burst 50 --burst-every 1s --body-bytes 256 \
  --ledger "http://127.0.0.1:$UP_PORT" --results "$OUT/results.json" | tee "$OUT/load.txt"
code=${PIPESTATUS[0]}
set -e
curl -fsS "http://127.0.0.1:$UP_PORT/stats" > "$OUT/ledger-stats.json" || true
echo "ledger: $(cat "$OUT/ledger-stats.json")"
# The target is exactly-once with zero errors: an error answer fails the run even when exactly-once held.
if grep -qE '^errors: ' "$OUT/load.txt"; then
  echo "FAIL: the gateway answered errors: $(grep -E '^errors: ' "$OUT/load.txt")"
  [ "$code" = 0 ] && code=4
fi
echo "results in $OUT (exit $code)"
exit "$code"
