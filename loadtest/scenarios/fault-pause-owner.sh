#!/usr/bin/env bash
# Issue #13: two gateways (A, B) on one Redis in front of one ledger upstream; the generator spreads its
# connections over both, so a key's duplicates reach both. At PAUSE_AT gateway A gets SIGSTOP (a long GC
# pause) for PAUSE_FOR seconds, well past its LEASE: its claims lapse, B takes their keys over (outcome
# unknown: re-executed with a higher fence), then A gets SIGCONT and finishes what it held: its late requests
# carry stale fences, which the ledger (opting in to fences) refuses, and its late completions are refused by
# the store. The history checker judges the run. Loopback only, free ports, bounded, stops what it started
# by PID (a paused gateway is continued before it is stopped).
# Exit: the checker's.
#
#   loadtest/scenarios/fault-pause-owner.sh
#   DURATION=30 PAUSE_AT=8 PAUSE_FOR=10 LEASE=2s loadtest/scenarios/fault-pause-owner.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}
RATE=${RATE:-60}
PAUSE_AT=${PAUSE_AT:-6}
PAUSE_FOR=${PAUSE_FOR:-8}
LEASE=${LEASE:-2s}
# Redis commands slower than this are store failures; the machine running the scenario may be busy, and the
# fault under test should be the only reason a store call fails.
COMMAND_TIMEOUT=${COMMAND_TIMEOUT:-1s}
OUT=${OUT:-results/fault-pause-owner-$(date +%Y%m%d-%H%M%S)}
. loadtest/scenarios/lib/faults.sh
fault_prepare

REDIS=$(free_port); UP=$(free_port)
start_redis redis "$REDIS"
# Slow enough that many of A's requests are at the upstream when it stops.
start_upstream "$UP" "$OUT/ledger.tsv" --latency 100ms..1s
for gw in a b; do
  port=$(free_port); admin=$(free_port)
  eval "GW_$gw=$port; ADMIN_$gw=$admin"
  cat > "$OUT/gateway-$gw.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $port, io-threads = 1 }
  admin { host = "127.0.0.1", port = $admin }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared
  store { type = redis, redis { uri = "redis://127.0.0.1:$REDIS", command-timeout = $COMMAND_TIMEOUT } }
  routes = [
    { name = orders, match.path = "/v1/**", upstream { urls = ["http://127.0.0.1:$UP"], response-timeout = 10s },
      idempotency { on-store-failure = fail-closed, outcome-unknown = reexecute, lease = $LEASE, wait-timeout = 5s,
                    fence-header = "Idempotency-Fence" } }
  ]
}
CONF
  start_gateway "$gw" "$OUT/gateway-$gw.conf" "$admin"
done

echo "== gateway A SIGSTOPped at ${PAUSE_AT}s for ${PAUSE_FOR}s (lease $LEASE), B serves its keys; $RATE req/s for ${DURATION}s" \
  | tee "$OUT/summary.txt"
set +e
timeout $((DURATION + 90)) $LOADTEST load --target "http://127.0.0.1:$GW_a/v1/orders" --also-target "http://127.0.0.1:$GW_b/v1/orders" \
  --rate "$RATE" --duration "${DURATION}s" --connections 32 --duplicate-ratio 0.5 --key-space 200 --timeout 20s \
  --history "$OUT/client.tsv" --results "$OUT/load.json" \
  --mid-run-cmd "${PAUSE_AT}s:kill -STOP $GW_PID_a && echo gateway A stopped" \
  --mid-run-cmd "$((PAUSE_AT + PAUSE_FOR))s:kill -CONT $GW_PID_a && echo gateway A continued" > "$OUT/load.txt" 2>&1
set -e
kill -CONT "$GW_PID_a" 2>/dev/null || true
grep -E "gateway A|errors:" "$OUT/load.txt" | sed 's/^/  /' | tee -a "$OUT/summary.txt" || true
echo "  client saw: $(client_view "$OUT/client.tsv")" | tee -a "$OUT/summary.txt"
for gw in a b; do
  admin=$(eval echo "\$ADMIN_$gw")
  echo "  gateway $gw: outcome_unknown (took over) $(metric "$admin" 'idemgate_requests_total\{.*outcome="outcome_unknown"'), lease_lost $(metric "$admin" 'idemgate_lease_lost_total')" \
    | tee -a "$OUT/summary.txt"
done
echo "  ledger: $(curl -fsS "http://127.0.0.1:$UP/stats" | jq -c '{executions, duplicated_keys, stale_fences_refused}')" | tee -a "$OUT/summary.txt"
code=0
run_check pause --outcome-unknown reexecute || code=$?
sed 's/^/  /' "$OUT/check-pause.txt" | head -30 | tee -a "$OUT/summary.txt"
echo "results in $OUT (checker exit $code)"
exit "$code"
