#!/usr/bin/env bash
# Issue #13: the link between the gateway and Redis is partitioned (the fault proxy blackholes it: nothing
# forwarded either way, held data delivered late when it heals) for PARTITION_FOR seconds while requests
# execute, then healed; the same gateway keeps serving. The ledger upstream records every execution with
# its fence and refuses stale ones; the load generator records every operation; the history checker then
# judges the run (outcome-unknown = MODE). Reports what the client saw, the gateway's counters and the
# checker's verdict. Loopback only, free ports, bounded in time, stops what it started by PID.
# Exit: the checker's (0 = the contract held).
#
#   loadtest/scenarios/fault-redis-partition.sh
#   DURATION=30 RATE=200 PARTITION_AT=8 PARTITION_FOR=6 MODE=reject loadtest/scenarios/fault-redis-partition.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}          # seconds of load
RATE=${RATE:-100}                 # requests/s, open loop; 40% reuse one of the last 300 keys
PARTITION_AT=${PARTITION_AT:-6}
PARTITION_FOR=${PARTITION_FOR:-5}
LEASE=${LEASE:-3s}                # short, so claims stranded by the partition resolve within the run
MODE=${MODE:-reexecute}           # the route's outcome-unknown
# Redis commands slower than this are store failures; the machine running the scenario may be busy, and the
# fault under test should be the only reason a store call fails.
COMMAND_TIMEOUT=${COMMAND_TIMEOUT:-1s}
OUT=${OUT:-results/fault-redis-partition-$(date +%Y%m%d-%H%M%S)}
. loadtest/scenarios/lib/faults.sh
fault_prepare

REDIS=$(free_port); PROXY=$(free_port); CTL=$(free_port); UP=$(free_port); GW=$(free_port); ADMIN=$(free_port)
start_redis redis "$REDIS"
start_proxy redis "$PROXY" "$REDIS" "$CTL"
start_upstream "$UP" "$OUT/ledger.tsv" --latency 20ms..300ms
cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW, io-threads = 2 }
  admin { host = "127.0.0.1", port = $ADMIN }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared
  store { type = redis, redis { uri = "redis://127.0.0.1:$PROXY", command-timeout = $COMMAND_TIMEOUT } }
  routes = [
    { name = orders, match.path = "/v1/**", upstream { urls = ["http://127.0.0.1:$UP"], response-timeout = 5s },
      idempotency { on-store-failure = fail-closed, outcome-unknown = $MODE, lease = $LEASE, wait-timeout = 5s,
                    fence-header = "Idempotency-Fence" } }
  ]
}
CONF
start_gateway a "$OUT/gateway.conf" "$ADMIN"

echo "== gateway <-> redis partitioned at ${PARTITION_AT}s for ${PARTITION_FOR}s, $RATE req/s for ${DURATION}s, outcome-unknown = $MODE" \
  | tee "$OUT/summary.txt"
set +e
timeout $((DURATION + 90)) $LOADTEST load --target "http://127.0.0.1:$GW/v1/orders" --rate "$RATE" --duration "${DURATION}s" \
  --connections 64 --duplicate-ratio 0.4 --key-space 300 --timeout 15s --history "$OUT/client.tsv" --results "$OUT/load.json" \
  --mid-run-cmd "${PARTITION_AT}s:curl -fsS -X POST http://127.0.0.1:$CTL/blackhole >/dev/null && echo partition on" \
  --mid-run-cmd "$((PARTITION_AT + PARTITION_FOR))s:curl -fsS -X POST http://127.0.0.1:$CTL/heal >/dev/null && echo partition healed" \
  > "$OUT/load.txt" 2>&1
set -e
grep -E "partition|errors:" "$OUT/load.txt" | sed 's/^/  /' | tee -a "$OUT/summary.txt" || true
echo "  client saw: $(client_view "$OUT/client.tsv")" | tee -a "$OUT/summary.txt"
echo "  gateway: store_unavailable $(metric "$ADMIN" 'idemgate_requests_total\{.*outcome="store_unavailable"'), outcome_unknown $(metric "$ADMIN" 'idemgate_requests_total\{.*outcome="outcome_unknown"'), lease_lost $(metric "$ADMIN" 'idemgate_lease_lost_total'), store_errors $(metric "$ADMIN" 'idemgate_store_errors_total')" \
  | tee -a "$OUT/summary.txt"
code=0
run_check partition --outcome-unknown "$MODE" || code=$?
sed 's/^/  /' "$OUT/check-partition.txt" | head -30 | tee -a "$OUT/summary.txt"
echo "results in $OUT (checker exit $code)"
exit "$code"
