#!/usr/bin/env bash
# Issue #13: Redis Sentinel failover under load, once per MIN_REPLICAS entry (store.redis.min-replicas).
# One master, one replica and one Sentinel (quorum 1, master down after 1 s), all redis-server processes on
# free loopback ports. Everything reaches the master through the fault proxy (Sentinel would otherwise
# "fix" a replica that replicates from another address than the one it monitors), but the faults are scoped
# to the replica, which connects from 127.0.0.2 (bind-source-addr): REPL_LAG each way on its link only,
# so replication trails the master, as it does across a real network. At KILL_AT the master host dies:
# the replication link freezes, the master is SIGKILLed and the link is reset, so what was still on the
# way to the replica is lost with it (a latency-only link would still deliver it). Sentinel promotes the
# replica and the gateway follows it; the generator keeps retrying recent keys. With min-replicas = 0 a
# completion the client already had may be missing on the promoted replica: its retry executes again
# (completion-lost in the checker). With min-replicas = 1 a completion is answered only once the replica
# holds it, or is counted in idemgate_store_unconfirmed_completions_total; the count when Sentinel has
# switched to the replica is the checker's allowance (it includes WAITs that failed when the master died;
# after the failover no replica is left, so every later completion is unconfirmed and costs
# replica-timeout, harmlessly). Duplicates reuse one of the last 1,000 keys, so keys completed just before
# the kill are still retried after the store is back. Loopback only, bounded, stops what it started by PID.
# Exit: 0 when every min-replicas >= 1 run is clean (the min-replicas = 0 run reports its loss, not judged).
#
#   loadtest/scenarios/fault-sentinel-failover.sh
#   DURATION=30 RATE=150 KILL_AT=10 REPL_LAG=200ms MIN_REPLICAS="0 1" loadtest/scenarios/fault-sentinel-failover.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-30}
RATE=${RATE:-100}
KILL_AT=${KILL_AT:-8}
REPL_LAG=${REPL_LAG:-200ms}
MIN_REPLICAS=${MIN_REPLICAS:-"0 1"}
REPLICA_TIMEOUT=${REPLICA_TIMEOUT:-1s}
OUT=${OUT:-results/fault-sentinel-failover-$(date +%Y%m%d-%H%M%S)}
. loadtest/scenarios/lib/faults.sh
fault_prepare

failed=0
for n in $MIN_REPLICAS; do
  RUN="$OUT/min-replicas-$n"
  mkdir -p "$RUN"
  OUT_SAVED=$OUT; OUT=$RUN
  MASTER=$(free_port); LINK=$(free_port); CTL=$(free_port); REPLICA=$(free_port); SENTINEL=$(free_port)
  UP=$(free_port); GW=$(free_port); ADMIN=$(free_port)
  start_redis master "$MASTER"
  start_proxy replication "$LINK" "$MASTER" "$CTL"
  curl -fsS -X POST "http://127.0.0.1:$CTL/scope?value=127.0.0.2" > /dev/null
  curl -fsS -X POST "http://127.0.0.1:$CTL/latency?value=$REPL_LAG" > /dev/null
  # The replica announces its own port, so Sentinel and the gateway reach it directly once promoted.
  start_redis replica "$REPLICA" --replicaof 127.0.0.1 "$LINK" --replica-announce-ip 127.0.0.1 \
    --bind-source-addr 127.0.0.2
  wait_until 30 "replica in sync" sh -c "redis-cli -p $REPLICA info replication | grep -q 'master_link_status:up'"
  start_sentinel sentinel "$SENTINEL" idem "$LINK"
  wait_until 30 "sentinel sees the replica" sh -c "redis-cli -p $SENTINEL sentinel replicas idem | grep -q $REPLICA"
  start_upstream "$UP" "$RUN/ledger.tsv" --latency 5ms..50ms
  cat > "$RUN/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW, io-threads = 2 }
  admin { host = "127.0.0.1", port = $ADMIN }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared
  store { type = redis, redis { mode = sentinel, uri = "redis-sentinel://127.0.0.1:$SENTINEL/#idem",
                                min-replicas = $n, replica-timeout = $REPLICA_TIMEOUT, command-timeout = 3s } }
  routes = [
    { name = orders, match.path = "/v1/**", upstream.urls = ["http://127.0.0.1:$UP"],
      idempotency { on-store-failure = fail-closed, outcome-unknown = reexecute, lease = 5s, wait-timeout = 5s,
                    fence-header = "Idempotency-Fence" } }
  ]
}
CONF
  start_gateway "m$n" "$RUN/gateway.conf" "$ADMIN"
  echo "== min-replicas = $n: master SIGKILLed at ${KILL_AT}s, replication lag $REPL_LAG, $RATE req/s for ${DURATION}s" \
    | tee -a "$OUT_SAVED/summary.txt"
  # When Sentinel has switched, the unconfirmed count so far is what the contract allows to be lost.
  ( for _ in $(seq 1 $(((DURATION + 60) * 10))); do
      [ "$(redis-cli -p "$SENTINEL" sentinel get-master-addr-by-name idem 2>/dev/null | tail -1)" = "$REPLICA" ] && break
      sleep 0.1
    done
    metric "$ADMIN" 'idemgate_store_unconfirmed_completions_total' > "$RUN/unconfirmed-at-failover.txt" ) &
  watcher=$!
  set +e
  timeout $((DURATION + 90)) $LOADTEST load --target "http://127.0.0.1:$GW/v1/orders" --rate "$RATE" --duration "${DURATION}s" \
    --connections 64 --duplicate-ratio 0.7 --key-space 1000 --timeout 15s --history "$RUN/client.tsv" --results "$RUN/load.json" \
    --mid-run-cmd "${KILL_AT}s:curl -fsS http://127.0.0.1:$ADMIN/metrics | grep '^idemgate_store_unconfirmed' > '$RUN/unconfirmed-at-kill.txt'; curl -fsS -X POST http://127.0.0.1:$CTL/blackhole > /dev/null && kill -9 \$(cat '$RUN/master.redis.pid') && curl -fsS -X POST http://127.0.0.1:$CTL/reset > /dev/null && echo master SIGKILLed, replication link cut" \
    > "$RUN/load.txt" 2>&1
  set -e
  wait "$watcher" || true
  promoted=$(redis-cli -p "$SENTINEL" sentinel get-master-addr-by-name idem | tail -1)
  unconfirmed=$(metric "$ADMIN" 'idemgate_store_unconfirmed_completions_total')
  at_kill=$(awk '{ s += $NF } END { printf "%d\n", s }' "$RUN/unconfirmed-at-kill.txt" 2>/dev/null || echo 0)
  at_failover=$(cat "$RUN/unconfirmed-at-failover.txt" 2>/dev/null || echo 0)
  echo "  sentinel master now :$promoted (replica :$REPLICA); client saw: $(client_view "$RUN/client.tsv")" | tee -a "$OUT_SAVED/summary.txt"
  echo "  gateway: unconfirmed completions $at_kill before the kill, $at_failover when Sentinel switched ($unconfirmed in all), store_unavailable $(metric "$ADMIN" 'idemgate_requests_total\{.*outcome="store_unavailable"'), outcome_unknown $(metric "$ADMIN" 'idemgate_requests_total\{.*outcome="outcome_unknown"')" \
    | tee -a "$OUT_SAVED/summary.txt"
  code=0
  run_check "m$n" --outcome-unknown reexecute  --allow "unconfirmed-wait=$at_failover" || code=$?
  sed 's/^/  /' "$RUN/check-m$n.txt" | head -14 | tee -a "$OUT_SAVED/summary.txt"
  echo "  completions lost: $(jq '.violations["completion-lost"]' "$RUN/check-m$n.json") keys outside the contract; keys re-executed within it: $(jq -c '.allowed_keys' "$RUN/check-m$n.json")" | tee -a "$OUT_SAVED/summary.txt"
  if [ "$n" -ge 1 ] && [ "$code" != 0 ]; then failed=1; fi
  [ "$promoted" = "$REPLICA" ] || { echo "  FAIL: no failover to the replica" | tee -a "$OUT_SAVED/summary.txt"; failed=1; }
  fault_cleanup
  fault_pids=()
  OUT=$OUT_SAVED
done
echo "results in $OUT ($([ $failed = 0 ] && echo every min-replicas '>=' 1 run lost nothing || echo A CHECK FAILED))"
exit "$failed"
