#!/usr/bin/env bash
# The idempotent path against pass-through on the same gateway and upstream, interleaved:
#   pass-through (mode = off), first requests with unique keys (memory store), replays of one key;
# at saturation (wrk -t2 -c16) and at low rate (wrk -t1 -c1). Upstream and gateway pinned to core 0,
# wrk to core 1. Loopback only; bounded in time; stops everything it started by PID.
#
#   loadtest/scenarios/idempotent-wrk.sh [DURATION_SECONDS]
#   STORE=redis loadtest/scenarios/idempotent-wrk.sh 10    # a local redis-server (pinned to core 0) as the store
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
UP_PORT=${UP_PORT:-18081}
GW_PORT=${GW_PORT:-18080}
ADMIN_PORT=${ADMIN_PORT:-19090}
OUT=${OUT:-results/idempotent-$(date +%Y%m%d-%H%M%S)}
LUA=loadtest/scenarios/lua
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}

taskset -c 0 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" \
  --response-bytes 256 --threads 1 --max-keys 100000 > "$OUT/upstream.log" 2>&1 &
pids+=($!)
STORE=${STORE:-memory}
REDIS_PORT=${REDIS_PORT:-16379}
. loadtest/scenarios/lib/store.sh
start_store "store.memory.max-entries = 200000"
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
GW_PID=$!
pids+=($GW_PID)
for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz" 2>/dev/null && break; sleep 0.1; done

# name conns script path
run() {
  local c0 c1 req
  c0=$(awk '{print $14+$15}' "/proc/$GW_PID/stat")
  taskset -c 1 wrk -t"$([ "$2" = 1 ] && echo 1 || echo 2)" -c"$2" -d"${DURATION}s" --latency -s "$LUA/$3" \
    "http://127.0.0.1:$GW_PORT$4" > "$OUT/$1.txt"
  c1=$(awk '{print $14+$15}' "/proc/$GW_PID/stat")
  req=$(awk '/requests in/ {print $1}' "$OUT/$1.txt")
  printf "%-22s %10s req/s  p50 %9s  p99 %9s  gateway CPU %s us/req\n" "$1" \
    "$(awk '/Requests\/sec/ {print $2}' "$OUT/$1.txt")" \
    "$(awk '$1=="50%" {print $2}' "$OUT/$1.txt")" "$(awk '$1=="99%" {print $2}' "$OUT/$1.txt")" \
    "$(awk -v t=$((c1 - c0)) -v r="$req" 'BEGIN { printf "%.1f", t * 10000.0 / r }')" | tee -a "$OUT/summary.txt"
}
# Warm-up of every path, twice over: the JIT (C2) shares core 0 with the gateway and keeps compiling
# for about 20 s of traffic; measured before it settles, the Redis path showed half its steady rate.
echo "warm-up: 6 x ${WARMUP:-10} s of wrk over every path (JIT; not measured) ..."
for s in "pt 16 post.lua /pt/orders" "idem 16 unique-keys.lua /v1/orders" "replay 16 replay.lua /v1/orders" \
         "pt 16 post.lua /pt/orders" "idem 16 unique-keys.lua /v1/orders" "replay 16 replay.lua /v1/orders"; do
  set -- $s; taskset -c 1 wrk -t2 -c"$2" -d"${WARMUP:-10}s" -s "$LUA/$3" "http://127.0.0.1:$GW_PORT$4" > /dev/null
done
for round in 1 2; do
  run "passthrough-c16-r$round" 16 post.lua /pt/orders
  run "unique-keys-c16-r$round" 16 unique-keys.lua /v1/orders
  run "replay-c16-r$round" 16 replay.lua /v1/orders
  run "passthrough-c1-r$round" 1 post.lua /pt/orders
  run "unique-keys-c1-r$round" 1 unique-keys.lua /v1/orders
done
echo "results in $OUT"
