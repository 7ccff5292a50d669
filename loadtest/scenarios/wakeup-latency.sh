#!/usr/bin/env bash
# Cross-instance wake-up: two gateways on one local redis-server, the ledger upstream answering after a
# fixed LATENCY (default 100ms). REQUESTS times (default 200, after 50 unmeasured): POST a fresh key to
# gateway A, OFFSET ms later (default 20) the same key to gateway B, which waits for A's completion; the
# delay from A's response to B's response is reported (p50/p90/p99/max). Both clients are threads of one
# JVM (loadtest 'wakeup' subcommand), one clock. Loopback only; bounded in time; stops everything it
# started by PID.
#
#   loadtest/scenarios/wakeup-latency.sh [REQUESTS] [LATENCY] [OFFSET_MS]
set -euo pipefail
cd "$(dirname "$0")/../.."
REQUESTS=${1:-200}
LATENCY=${2:-100ms}
OFFSET=${3:-20}
UP_PORT=${UP_PORT:-18281}
GW_A=${GW_A:-18280}
GW_B=${GW_B:-18282}
ADMIN_A=${ADMIN_A:-19290}
ADMIN_B=${ADMIN_B:-19292}
REDIS_PORT=${REDIS_PORT:-16479}
OUT=${OUT:-results/wakeup-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/redis"
command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install -y redis-server" >&2; exit 1; }
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m -XX:+UseParallelGC"}

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/redis" \
  > "$OUT/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" \
  --threads 1 --latency "$LATENCY" > "$OUT/upstream.log" 2>&1 &
pids+=($!)
for side in A B; do
  port=$([ "$side" = A ] && echo "$GW_A" || echo "$GW_B")
  admin=$([ "$side" = A ] && echo "$ADMIN_A" || echo "$ADMIN_B")
  cat > "$OUT/gateway-$side.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $port }
  admin { host = "127.0.0.1", port = $admin }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared   # the load generators send no scope header: one client
  store { type = redis, redis.uri = "redis://127.0.0.1:$REDIS_PORT" }
  routes = [
    { name = orders, match.path = "/v1/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"] }
  ]
}
CONF
  java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$OUT/gateway-$side.conf" > "$OUT/gateway-$side.log" 2>&1 &
  pids+=($!)
done
for admin in "$ADMIN_A" "$ADMIN_B"; do
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$admin/readyz" 2>/dev/null && break; sleep 0.1; done
done
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$UP_PORT/stats" 2>/dev/null && break; sleep 0.1; done
for p in "${pids[@]}"; do
  kill -0 "$p" 2>/dev/null || { echo "a process exited early (port taken?): see $OUT/*.log" >&2; exit 1; }
done

set +e
timeout 600 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar wakeup \
  --a "http://127.0.0.1:$GW_A/v1/orders" --b "http://127.0.0.1:$GW_B/v1/orders" \
  --requests "$REQUESTS" --offset "$OFFSET" | tee "$OUT/wakeup.txt"
code=${PIPESTATUS[0]}
set -e
echo "ledger: $(curl -fsS "http://127.0.0.1:$UP_PORT/stats" || true)"
echo "results in $OUT (exit $code)"
exit "$code"
