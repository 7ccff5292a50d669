#!/usr/bin/env bash
# Redis killed (SIGKILL) under load and restarted DOWN_FOR seconds later, once per failure mode, on one
# gateway (store.type = redis) that is never restarted:
#   fail-closed (/closed/**, outcome-unknown = reject): during the outage requests get 503; afterwards
#     every key executed AT MOST ONCE and every 2xx answer for a key was byte for byte the first.
#   fail-open (/open/**): requests are proxied without deduplication during the outage; the script
#     reports the keys executed more than once (the documented trade-off) and requires zero errors.
# After each outage a short run must pass with zero errors: the gateway recovered by itself.
# Keys in flight when Redis died keep their claim (their completion could not be written) until the
# lease lapses: their duplicates wait, then get 409 after wait-timeout. They are counted as 409s, not errors;
# the generator's timeout (30 s) is well above wait-timeout (10 s) so they show as such.
# Redis runs with AOF and appendfsync always (REDIS_FSYNC), so a SIGKILL loses no acknowledged record;
# with everysec the last second of records may be lost and a fail-closed retry of them re-executes.
# Layout: ledger upstream, gateway and redis on core 0, the generator on core 1. Loopback only; bounded
# in time; stops everything it started by PID. Exit 0 when every check held.
#
#   loadtest/scenarios/redis-restart-under-load.sh
#   DURATION=60 RATE=2000 KILL_AT=20 DOWN_FOR=10 MODES="fail-closed fail-open" loadtest/scenarios/redis-restart-under-load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-60}        # seconds of load per mode
RATE=${RATE:-2000}              # requests/s, open loop
DUPLICATES=${DUPLICATES:-0.3}   # fraction of requests reusing a recent key
KILL_AT=${KILL_AT:-20}          # seconds into the run when redis-server gets SIGKILL
DOWN_FOR=${DOWN_FOR:-10}        # seconds until it is started again (same port, same AOF)
MODES=${MODES:-"fail-closed fail-open"}
REDIS_FSYNC=${REDIS_FSYNC:-always}
UP_PORT=${UP_PORT:-18281}
GW_PORT=${GW_PORT:-18280}
ADMIN_PORT=${ADMIN_PORT:-19290}
REDIS_PORT=${REDIS_PORT:-16389}
OUT=${OUT:-results/redis-restart-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/redis"
OUT=$(cd "$OUT" && pwd)
command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install -y redis-server" >&2; exit 1; }
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar
[ "$KILL_AT" -lt "$DURATION" ] || { echo "KILL_AT must be < DURATION" >&2; exit 2; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$OUT/redis.pid" ] && kill "$(cat "$OUT/redis.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
LOADTEST="java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar"

# Started by the script and, mid-run, by the generator: daemonized, so its PID is in redis.pid.
cat > "$OUT/start-redis.sh" <<SH
#!/bin/sh
exec taskset -c 0 redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly yes \
  --appendfsync $REDIS_FSYNC --dir "$OUT/redis" --daemonize yes --pidfile "$OUT/redis.pid" --logfile "$OUT/redis.log"
SH
chmod +x "$OUT/start-redis.sh"
"$OUT/start-redis.sh"
for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

taskset -c 0 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" \
  --threads 1 --latency 1ms..5ms --max-keys 2000000 > "$OUT/upstream.log" 2>&1 &
pids+=($!)
cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = 1 }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared   # the load generators send no scope header: one client
  store { type = redis, redis.uri = "redis://127.0.0.1:$REDIS_PORT" }
  routes = [
    { name = closed, match.path = "/closed/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"],
      idempotency { on-store-failure = fail-closed, outcome-unknown = reject } }
    { name = open, match.path = "/open/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"],
      idempotency { on-store-failure = fail-open } }
  ]
}
CONF
taskset -c 0 java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$OUT/gateway.conf" > "$OUT/gateway.log" 2>&1 &
GW_PID=$!
pids+=($GW_PID)
for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" || { echo "gateway not ready" >&2; exit 1; }

echo "warm-up: 5 s closed loop on each route (JIT; not measured, output in $OUT/warmup-*.txt) ..."
# Warm-up (JIT) on both routes with keys of their own.
for path in closed open; do
  taskset -c 1 $LOADTEST load --target "http://127.0.0.1:$GW_PORT/$path/orders" --closed-loop --connections 16 \
    --duration 5s --duplicate-ratio 0.3 > "$OUT/warmup-$path.txt" 2>&1 || true
done

failed=0
check() { # description test-arguments...
  local what=$1 verdict=PASS; shift
  test "$@" || { verdict=FAIL; failed=1; }
  echo "  $verdict $what" | tee -a "$OUT/summary.txt"
}
jqr() { jq -r "$1" "$2"; }
now() { date +%s.%N; }
# In the background during a run: when Redis went away, when it answered again, and when the gateway's
# /readyz turned 200 again (the circuit closed and the store answered), each polled every 100 ms.
watch_recovery() { # mode
  local deadline=$((SECONDS + DURATION + 60)) down up ready
  while redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do [ $SECONDS -lt $deadline ] || return 0; sleep 0.1; done
  down=$(now)
  until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do [ $SECONDS -lt $deadline ] || return 0; sleep 0.1; done
  up=$(now)
  until curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null; do [ $SECONDS -lt $deadline ] || return 0; sleep 0.1; done
  ready=$(now)
  awk -v d="$down" -v u="$up" -v r="$ready" 'BEGIN { printf "  redis away %.1f s; gateway ready again %.2f s after redis answered (no restart)\n", u - d, r - u }' \
    > "$OUT/$1-recovery.txt"
}

for mode in $MODES; do
  path=${mode#fail-}
  echo "== $mode: $RATE req/s for ${DURATION}s, redis SIGKILLed at ${KILL_AT}s, restarted at $((KILL_AT + DOWN_FOR))s" | tee -a "$OUT/summary.txt"
  allow=()
  [ "$mode" = fail-open ] && allow=(--allow-reexecution)
  watch_recovery "$mode" &
  watcher=$!
  set +e
  timeout $((DURATION + 120)) taskset -c 1 $LOADTEST load --target "http://127.0.0.1:$GW_PORT/$path/orders" \
    --rate "$RATE" --duration "${DURATION}s" --connections 256 --duplicate-ratio "$DUPLICATES" --key-space 10000 \
    --body-bytes 256 --timeout 30s --ledger "http://127.0.0.1:$UP_PORT" --results "$OUT/$mode.json" "${allow[@]}" \
    --mid-run-cmd "${KILL_AT}s:kill -9 \$(cat '$OUT/redis.pid') && echo redis-server SIGKILLed" \
    --mid-run-cmd "$((KILL_AT + DOWN_FOR))s:'$OUT/start-redis.sh' && echo redis-server restarted" > "$OUT/$mode.txt" 2>&1
  code=$?
  set -e
  wait "$watcher" || true
  cat "$OUT/$mode-recovery.txt" 2>/dev/null | tee -a "$OUT/summary.txt" || echo "  (recovery not observed)"
  grep -E 'exactly-once|at-most-once|errors:|redis-server|WARNING' "$OUT/$mode.txt" | sed 's/^/  /' | tee -a "$OUT/summary.txt"
  r="$OUT/$mode.json"
  [ -f "$r" ] || { check "$mode: generator wrote results (exit $code)" -f "$r"; continue; }
  s503=$(jqr '.errors.status_503 // 0' "$r")
  other=$(jqr '[.errors | to_entries[] | select(.key != "status_503") | .value] | add // 0' "$r")
  conflicts=$(jqr '.latency.conflict.count // 0' "$r")
  printf "  sent %s, answered %s; 503 %s, other errors %s, 409 %s; keys %s, executed more than once %s (%s extra executions)\n" \
    "$(jqr .sent "$r")" "$(jqr .completed "$r")" "$s503" "$other" "$conflicts" "$(jqr .keys "$r")" \
    "$(jqr .exactly_once.reexecuted_keys "$r")" "$(jqr .exactly_once.extra_executions "$r")" | tee -a "$OUT/summary.txt"
  check "$mode: generator verdict (exit $code)" "$code" -eq 0
  if [ "$mode" = fail-closed ]; then
    check "$mode: the outage was seen as 503s ($s503)" "$s503" -gt 0
    check "$mode: no key executed more than once" "$(jqr .exactly_once.reexecuted_keys "$r")" -eq 0
  else
    check "$mode: zero errors (5xx, timeouts, closed connections) during and after the outage" "$((s503 + other))" -eq 0
  fi
  # Recovery without a restart: the same gateway serves again, deduplicating, with zero errors.
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null && break; sleep 0.1; done
  set +e
  timeout 60 taskset -c 1 $LOADTEST load --target "http://127.0.0.1:$GW_PORT/$path/orders" --rate $((RATE / 4 + 1)) \
    --duration 5s --connections 64 --duplicate-ratio "$DUPLICATES" --ledger "http://127.0.0.1:$UP_PORT" \
    --results "$OUT/$mode-after.json" > "$OUT/$mode-after.txt" 2>&1
  code=$?
  set -e
  after_errors=$(jqr '[.errors[]] | add // 0' "$OUT/$mode-after.json" 2>/dev/null || echo unknown)
  check "$mode: recovered without a gateway restart (after-run exit $code, $after_errors errors)" "$code/$after_errors" = 0/0
done
kill -0 "$GW_PID" && echo "gateway PID $GW_PID still the same process" | tee -a "$OUT/summary.txt"
curl -fsS "http://127.0.0.1:$UP_PORT/stats" > "$OUT/ledger-stats.json" || true
curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" > "$OUT/metrics.txt" || true
grep -E '^idemgate_requests_total\{.*outcome="(store_unavailable|fail_open)"' "$OUT/metrics.txt" | tee -a "$OUT/summary.txt" || true
echo "results in $OUT ($([ $failed = 0 ] && echo all checks passed || echo SOME CHECKS FAILED))"
exit "$failed"
