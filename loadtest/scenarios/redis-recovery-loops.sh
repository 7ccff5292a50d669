#!/usr/bin/env bash
# Issue #17, as a client sees it, RUNS times in a row on one gateway with LOOPS event loops (each its own
# Redis link) under a background load of new keys: Redis is SIGKILLed, stays away DOWN_FOR seconds, is
# started again (no persistence), and the gateway gets RECOVER_WITHIN seconds for /readyz to say ready.
# From that moment, PROBES keys are each posted on a fresh connection (new connections are spread over the
# event loops) and retried at once on another fresh connection: every first POST must get 201 and every
# retry 201 with Idempotent-Replayed: true. One 503 store-unavailable (a loop whose link was still down)
# fails the run. Exit 0 when all RUNS passed in a row.
# Loopback only; bounded in time; stops everything it started by PID.
#
#   loadtest/scenarios/redis-recovery-loops.sh
#   RUNS=10 LOOPS=2 DOWN_FOR=1 COMMAND_TIMEOUT=250ms loadtest/scenarios/redis-recovery-loops.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-50}
LOOPS=${LOOPS:-4}                   # gateway event loops (server.io-threads)
DOWN_FOR=${DOWN_FOR:-1.5}           # seconds Redis stays away: long enough for reconnect waits to reach 1 s
RECOVER_WITHIN=${RECOVER_WITHIN:-10}
PROBES=${PROBES:-16}                # keys posted and retried after each recovery
LOAD_WORKERS=${LOAD_WORKERS:-4}     # background curl loops posting new keys all along
# The scenario is about links that are down, not slow: on a busy machine a single command can outlast the
# 250 ms default and answer 503 for that reason alone (a failed run says which cause the gateway logged).
COMMAND_TIMEOUT=${COMMAND_TIMEOUT:-2s}
UP_PORT=${UP_PORT:-18381}
GW_PORT=${GW_PORT:-18380}
ADMIN_PORT=${ADMIN_PORT:-19390}
REDIS_PORT=${REDIS_PORT:-16390}
OUT=${OUT:-results/redis-recovery-loops-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/redis"
OUT=$(cd "$OUT" && pwd)
command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install -y redis-server" >&2; exit 1; }
[ -f gateway/target/idemgate.jar ] && [ -f loadtest/target/idemgate-loadtest.jar ] || mvn -B -q package -DskipTests

pids=()
cleanup() {
  rm -f "$OUT/load.on"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$OUT/redis.pid" ] && kill "$(cat "$OUT/redis.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m -XX:+UseParallelGC"}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/redis" \
    --daemonize yes --pidfile "$OUT/redis.pid" --logfile "$OUT/redis.log"
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis-server did not start; see $OUT/redis.log" >&2
  return 1
}
ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$ADMIN_PORT/readyz" 2>/dev/null; }
uuid() { cat /proc/sys/kernel/random/uuid; }
post() { # key headers-file: prints the status; a fresh connection each time
  curl -s -o /dev/null -D "$2" -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/json' \
    -H "Idempotency-Key: $1" --data '{"amount":1}' "http://127.0.0.1:$GW_PORT/pay/orders" || echo 000
}

start_redis
java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" --threads 1 \
  --latency 1ms..2ms > "$OUT/upstream.log" 2>&1 &
pids+=($!)
cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = $LOOPS }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared
  store { type = redis, redis { uri = "redis://127.0.0.1:$REDIS_PORT", command-timeout = $COMMAND_TIMEOUT } }
  routes = [ { name = pay, match.path = "/pay/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"],
               idempotency.on-store-failure = fail-closed } ]
}
CONF
java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$OUT/gateway.conf" > "$OUT/gateway.log" 2>&1 &
GW_PID=$!
pids+=($GW_PID)
for _ in $(seq 1 300); do ready && break; sleep 0.1; done
ready || { echo "gateway not ready; see $OUT/gateway.log" >&2; exit 1; }

touch "$OUT/load.on"
for w in $(seq 1 "$LOAD_WORKERS"); do
  ( while [ -f "$OUT/load.on" ]; do post "load-$(uuid)" /dev/null >> "$OUT/load-$w.status"; echo >> "$OUT/load-$w.status"; done ) &
  pids+=($!)
done

passed=0
in_a_row=0
for run in $(seq 1 "$RUNS"); do
  kill -9 "$(cat "$OUT/redis.pid")"
  for _ in $(seq 1 100); do ready || break; sleep 0.1; done
  sleep "$DOWN_FOR"
  start_redis
  t0=$(date +%s.%N)
  deadline=$(( $(date +%s) + RECOVER_WITHIN ))
  until ready; do
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 0.01
  done
  verdict=PASS
  if ! ready; then
    verdict="FAIL (not ready within ${RECOVER_WITHIN}s)"
  fi
  log_from=$(( $(wc -l < "$OUT/gateway.log") + 1 ))
  took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  bad=0
  if [ "$verdict" = PASS ]; then
    # The keys side by side (each its own pair of fresh connections), every key's retry right after its first.
    rm -f "$OUT"/probe-*.result
    for i in $(seq 1 "$PROBES"); do
      (
        key="run$run-$i-$(uuid)"
        first=$(post "$key" /dev/null)
        retry=$(post "$key" "$OUT/probe-$i.headers")
        replayed=$(grep -i '^idempotent-replayed:' "$OUT/probe-$i.headers" | tr -d '\r' | awk '{print $2}' || true)
        echo "$first $retry ${replayed:-no}" > "$OUT/probe-$i.tmp" && mv "$OUT/probe-$i.tmp" "$OUT/probe-$i.result"
      ) &
    done
    for i in $(seq 1 "$PROBES"); do
      for _ in $(seq 1 300); do [ -s "$OUT/probe-$i.result" ] && break; sleep 0.2; done   # each curl: 10 s at most
      read -r first retry replayed < "$OUT/probe-$i.result" || { first=none; retry=none; replayed=no; }
      if [ "$first" != 201 ] || [ "$retry" != 201 ] || [ "$replayed" != true ]; then
        bad=$((bad + 1))
        echo "  run $run key $i: first $first, retry $retry (replayed: $replayed)" >> "$OUT/failures.txt"
      fi
    done
    if [ "$bad" != 0 ]; then
      # What the gateway logged since /readyz said ready: a link not connected, the breaker, or command timeouts.
      since=$(tail -n +"$log_from" "$OUT/gateway.log")
      causes="not connected $(grep -c 'not connected' <<< "$since" || true), circuit $(grep -c 'circuit open' <<< "$since" || true), timed out $(grep -c 'timed out' <<< "$since" || true)"
      verdict="FAIL ($bad of $PROBES keys; logged since ready: $causes)"
    fi
  fi
  if [ "$verdict" = PASS ]; then passed=$((passed + 1)); in_a_row=$((in_a_row + 1)); else in_a_row=0; fi
  echo "run $run: ready ${took}s after redis answered; $verdict" | tee -a "$OUT/summary.txt"
done
rm -f "$OUT/load.on"
curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" > "$OUT/metrics.txt" || true
grep -E '^idemgate_store_link|^idemgate_requests_total\{.*outcome="store_unavailable"' "$OUT/metrics.txt" \
  | tee -a "$OUT/summary.txt" || true
load_total=$(cat "$OUT"/load-*.status 2>/dev/null | grep -c . || true)
load_503=$(cat "$OUT"/load-*.status 2>/dev/null | grep -c '^503$' || true)
echo "background load: $load_total requests, $load_503 answered 503 (during the outages)" | tee -a "$OUT/summary.txt"
kill -0 "$GW_PID" && echo "gateway PID $GW_PID still the same process" | tee -a "$OUT/summary.txt"
echo "$passed/$RUNS runs passed, last $in_a_row in a row; results in $OUT" | tee -a "$OUT/summary.txt"
[ "$passed" = "$RUNS" ]
