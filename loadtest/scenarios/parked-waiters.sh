#!/usr/bin/env bash
# Parked waiters cost no threads: an upstream that answers after UP_LATENCY (default 20 s), one first
# request with key K, then WAITERS (default 10,000) concurrent duplicates of K, one connection each
# (the loadtest 'waiters' command). While they wait, the gateway's thread count (/proc/PID/status
# Threads) must equal the count before; RSS and live heap (after a full GC, jcmd GC.run + jstat) are
# compared with before to give the memory per waiter (per client connection held, from /proc/PID/fd).
# After the upstream answers, all WAITERS + 1 must get the same 2xx body and the ledger must show one
# execution of K. Needs about WAITERS + 100 file descriptors per process (ulimit -n is raised to the
# hard limit). Layout: upstreams and gateway on core 0, the waiters on core 1. Loopback only; bounded
# in time; stops everything it started by PID. Exit 0 when every check held.
#
#   loadtest/scenarios/parked-waiters.sh
#   WAITERS=10000 UP_LATENCY=20s loadtest/scenarios/parked-waiters.sh
#   STORE=redis loadtest/scenarios/parked-waiters.sh    # a local redis-server as the store
set -euo pipefail
cd "$(dirname "$0")/../.."
WAITERS=${WAITERS:-10000}
UP_LATENCY=${UP_LATENCY:-20s}
SLOW_PORT=${SLOW_PORT:-18581}
FAST_PORT=${FAST_PORT:-18582}
GW_PORT=${GW_PORT:-18580}
ADMIN_PORT=${ADMIN_PORT:-19590}
OUT=${OUT:-results/parked-waiters-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((WAITERS + 200)) ] || { echo "ulimit -n $(ulimit -n) is too low for $WAITERS waiters" >&2; exit 1; }
LATENCY_S=$(awk -v l="$UP_LATENCY" 'BEGIN { n = l + 0; if (l ~ /ms$/) n /= 1000; else if (l ~ /m$/) n *= 60; printf "%d", n + 1 }')

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
LOADTEST="java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar"

taskset -c 0 $LOADTEST upstream --port "$SLOW_PORT" --threads 1 --latency "$UP_LATENCY" > "$OUT/upstream-slow.log" 2>&1 &
pids+=($!)
taskset -c 0 $LOADTEST upstream --port "$FAST_PORT" --threads 1 > "$OUT/upstream-fast.log" 2>&1 &
pids+=($!)
STORE=${STORE:-memory}
REDIS_PORT=${REDIS_PORT:-16679}
. loadtest/scenarios/lib/store.sh
start_store "store.memory.max-entries = 100000"
# /warm/** exercises every code path (store, upstream pool, replay) before the "before" sample.
cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = 1, idle-timeout = $((LATENCY_S + 120))s }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared   # the load generators send no scope header: one client
  $STORE_CONF
  routes = [
    { name = slow, match.path = "/v1/**", upstream { urls = ["http://127.0.0.1:$SLOW_PORT"], response-timeout = $((LATENCY_S + 60))s },
      idempotency { concurrent = wait, wait-timeout = $((LATENCY_S + 60))s } }
    { name = warm, match.path = "/warm/**", upstream.urls = ["http://127.0.0.1:$FAST_PORT"] }
  ]
}
CONF
taskset -c 0 java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$OUT/gateway.conf" > "$OUT/gateway.log" 2>&1 &
GW_PID=$!
pids+=($GW_PID)
for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" || { echo "gateway not ready" >&2; exit 1; }

echo "warm-up: 5 s closed loop and 500 waiters on /warm (not measured, output in $OUT/warmup*.txt) ..."
# Warm-up: keys, replays and parked waiters (a burst of one key) on the fast route.
taskset -c 1 $LOADTEST load --target "http://127.0.0.1:$GW_PORT/warm/orders" --closed-loop --connections 64 --duration 5s \
  --duplicate-ratio 0.3 --burst 50 --burst-every 200ms > "$OUT/warmup.txt" 2>&1 || true
taskset -c 1 $LOADTEST waiters --target "http://127.0.0.1:$GW_PORT/warm/orders" --waiters 500 --lead 0s > "$OUT/warmup-waiters.txt" 2>&1 || true

# threads, RSS KiB and live heap KiB (after a full GC) of the gateway
measure() {
  jcmd "$GW_PID" GC.run > /dev/null
  echo "$(awk '/^Threads/ {print $2}' "/proc/$GW_PID/status") $(awk '/^VmRSS/ {print $2}' "/proc/$GW_PID/status")" \
    "$(jstat -gc "$GW_PID" | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { printf "%.0f", $c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"] }')"
}
# Client connections the gateway holds: its open file descriptors beyond the count before. (No metric
# counts parked waiters while they wait: idemgate_inflight_requests counts the executing request only;
# idemgate_requests_total{outcome="waited"} and idemgate_wait_seconds count them when they end.)
fds() { ls "/proc/$GW_PID/fd" | wc -l; }
inflight() {
  curl -gfsS "http://127.0.0.1:$ADMIN_PORT/metrics?name[]=idemgate_inflight_requests" |
    awk '/^idemgate_inflight_requests\{.*route="slow"/ {printf "%d", $2}'
}
read -r th0 rss0 heap0 <<< "$(measure)"
fd0=$(fds)
echo "before: threads $th0, RSS $((rss0 / 1024)) MiB, live heap $((heap0 / 1024)) MiB" | tee "$OUT/summary.txt"

KEY="pw-$(date +%s%N)"
taskset -c 1 $LOADTEST waiters --target "http://127.0.0.1:$GW_PORT/v1/orders" --waiters "$WAITERS" --key "$KEY" \
  --lead 1s --timeout "$((LATENCY_S + 90))s" --ready-file "$OUT/sent" > "$OUT/waiters.txt" 2>&1 &
WAITERS_PID=$!
pids+=($WAITERS_PID)
# Sample while they wait: once the gateway holds WAITERS + 1 more connections (+1 to the upstream), or
# at the latest a few seconds before the upstream answers (a slow machine may not accept all by then).
sample_by=$((SECONDS + LATENCY_S - 4))
while [ $SECONDS -lt $sample_by ] && kill -0 "$WAITERS_PID" 2>/dev/null; do
  [ $(($(fds) - fd0)) -ge $((WAITERS + 2)) ] && break
  sleep 0.2
done
parked=$(($(fds) - fd0 - 1))
executing=$(inflight)
read -r th1 rss1 heap1 <<< "$(measure)"
echo "during: $parked client connections held (the first + waiters; in-flight gauge ${executing:-?}); threads $th1, RSS $((rss1 / 1024)) MiB, live heap $((heap1 / 1024)) MiB" | tee -a "$OUT/summary.txt"
awk -v w="$parked" -v r=$((rss1 - rss0)) -v h=$((heap1 - heap0)) 'BEGIN { if (w > 0)
  printf "per parked waiter: %.1f KiB RSS, %.1f KiB live heap (deltas over %d)\n", r / w, h / w, w }' | tee -a "$OUT/summary.txt"

set +e
wait "$WAITERS_PID"
code=$?
set -e
grep -E 'answered|same body' "$OUT/waiters.txt" | tee -a "$OUT/summary.txt"
executions=$(curl -fsS "http://127.0.0.1:$SLOW_PORT/stats/keys?key=$KEY" | jq -r .executions)
curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" > "$OUT/metrics.txt"
grep -E '^idemgate_(requests_total\{.*route="slow".*outcome="(executed|waited)"|wait_seconds_count\{.*route="slow")' "$OUT/metrics.txt" \
  | tee -a "$OUT/summary.txt" || true

failed=0
check() { local what=$1 verdict=PASS; shift; test "$@" || { verdict=FAIL; failed=1; }; echo "$verdict $what" | tee -a "$OUT/summary.txt"; }
check "all $((WAITERS + 1)) answered with the same 2xx body (waiters exit $code)" "$code" -eq 0
check "the upstream executed the key once ($executions)" "$executions" = 1
waited=$(awk '/^idemgate_requests_total\{.*outcome="waited".*route="slow"|^idemgate_requests_total\{.*route="slow".*outcome="waited"/ {printf "%d", $2}' "$OUT/metrics.txt")
check "all held at once ($parked of $((WAITERS + 1)) connections)" "$parked" -ge $((WAITERS + 1))
check "all duplicates waited (outcome waited: ${waited:-0})" "${waited:-0}" -eq "$WAITERS"
check "no extra threads while they waited ($th0 before, $th1 during)" "$th0" -eq "$th1"
echo "results in $OUT"
exit "$failed"
