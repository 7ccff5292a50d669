#!/usr/bin/env bash
# Pass-through benchmark: wrk against the demo upstream directly, then through the gateway, same load.
# Layout like the peers' measurements: upstream and gateway pinned to core 0, wrk to core 1.
# Loopback only; bounded in time; stops everything it started by PID.
#
#   loadtest/scenarios/passthrough-wrk.sh [DURATION_SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-20}
CONNS=${2:-16}
UP_PORT=${UP_PORT:-18081}
GW_PORT=${GW_PORT:-18080}
ADMIN_PORT=${ADMIN_PORT:-19090}
OUT=${OUT:-results/passthrough-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m -XX:+UseParallelGC"}
taskset -c 0 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" --response-bytes 256 --threads 1 \
  > "$OUT/upstream.log" 2>&1 &
pids+=($!)

cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = 1 }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = false
  routes = [ { name = bench, match { path = "/**" }, upstream { urls = ["http://127.0.0.1:$UP_PORT"] },
               idempotency { mode = off } } ]
}
CONF
taskset -c 0 java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$OUT/gateway.conf" > "$OUT/gateway.log" 2>&1 &
GW_PID=$!
pids+=($GW_PID)

for _ in $(seq 1 200); do
  curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz" 2>/dev/null && break
  sleep 0.1
done

cat > "$OUT/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"sku":"tea","qty":1,"note":"benchmark"}'
wrk.headers["Content-Type"] = "application/json"
LUA

run() { # name port
  echo "$1: 5 s warm-up (not measured), then ${DURATION} s measured ..."
  taskset -c 1 wrk -t2 -c"$CONNS" -d5s -s "$OUT/post.lua" "http://127.0.0.1:$2/v1/orders" > /dev/null # warm-up
  local cpu0; cpu0=$(awk '{print $14+$15}' "/proc/$GW_PID/stat")
  taskset -c 1 wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$OUT/post.lua" "http://127.0.0.1:$2/v1/orders" | tee "$OUT/$1.txt"
  local cpu1; cpu1=$(awk '{print $14+$15}' "/proc/$GW_PID/stat")
  echo "gateway_cpu_ticks $((cpu1 - cpu0))" >> "$OUT/$1.txt"
}
echo "== direct to upstream"; run direct "$UP_PORT"
echo "== through gateway";    run gateway "$GW_PORT"

# Gateway CPU per request: CPU ticks (1/100 s) spent by the gateway process during the measured run.
req=$(awk '/requests in/ {print $1}' "$OUT/gateway.txt")
ticks=$(awk '/gateway_cpu_ticks/ {print $2}' "$OUT/gateway.txt")
awk -v t="$ticks" -v r="$req" 'BEGIN { if (r > 0) printf "gateway CPU per request: %.1f us\n", t * 10000.0 / r }' | tee -a "$OUT/gateway.txt"
echo "results in $OUT"
