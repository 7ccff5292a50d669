#!/usr/bin/env bash
# Issue #13: the upstream is blackholed after it received requests (the fault proxy between gateway and
# upstream holds everything either way: answers of executed requests never come back, requests sent
# meanwhile arrive late, after the gateway gave up on them), for BLACKHOLE_FOR seconds, then healed. Run once
# per MODES entry (the route's outcome-unknown): reexecute may run a key again after its 504 (each
# re-execution must follow an unknown outcome the client saw, with a higher fence; the late stale ones are
# refused by the ledger); reject must never run a key twice (retries get 409 outcome-unknown). The history
# checker judges each run. Loopback only, free ports, bounded, stops what it started by PID.
# Exit: 0 when every mode's checker verdict is OK.
#
#   loadtest/scenarios/fault-upstream-blackhole.sh
#   DURATION=30 RATE=100 BLACKHOLE_AT=8 BLACKHOLE_FOR=6 MODES=reject loadtest/scenarios/fault-upstream-blackhole.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}
RATE=${RATE:-60}
BLACKHOLE_AT=${BLACKHOLE_AT:-6}
BLACKHOLE_FOR=${BLACKHOLE_FOR:-5}
RESPONSE_TIMEOUT=${RESPONSE_TIMEOUT:-2s}   # the gateway gives up on the upstream after this: 504, outcome unknown
MODES=${MODES:-"reexecute reject"}
# Redis commands slower than this are store failures; the machine running the scenario may be busy, and the
# fault under test should be the only reason a store call fails.
COMMAND_TIMEOUT=${COMMAND_TIMEOUT:-1s}
OUT=${OUT:-results/fault-upstream-blackhole-$(date +%Y%m%d-%H%M%S)}
. loadtest/scenarios/lib/faults.sh
fault_prepare

failed=0
for mode in $MODES; do
  RUN="$OUT/$mode"
  mkdir -p "$RUN"
  REDIS=$(free_port); PROXY=$(free_port); CTL=$(free_port); UP=$(free_port); GW=$(free_port); ADMIN=$(free_port)
  OUT_SAVED=$OUT; OUT=$RUN
  start_redis redis "$REDIS"
  start_upstream "$UP" "$RUN/ledger.tsv" --latency 20ms..200ms
  start_proxy upstream "$PROXY" "$UP" "$CTL"
  cat > "$RUN/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW, io-threads = 2 }
  admin { host = "127.0.0.1", port = $ADMIN }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared
  store { type = redis, redis { uri = "redis://127.0.0.1:$REDIS", command-timeout = $COMMAND_TIMEOUT } }
  routes = [
    { name = orders, match.path = "/v1/**",
      upstream { urls = ["http://127.0.0.1:$PROXY"], response-timeout = $RESPONSE_TIMEOUT },
      idempotency { on-store-failure = fail-closed, outcome-unknown = $mode, lease = 5s, wait-timeout = 5s,
                    fence-header = "Idempotency-Fence" } }
  ]
}
CONF
  start_gateway "$mode" "$RUN/gateway.conf" "$ADMIN"
  echo "== outcome-unknown = $mode: upstream blackholed at ${BLACKHOLE_AT}s for ${BLACKHOLE_FOR}s, $RATE req/s for ${DURATION}s" \
    | tee -a "$OUT_SAVED/summary.txt"
  set +e
  timeout $((DURATION + 90)) $LOADTEST load --target "http://127.0.0.1:$GW/v1/orders" --rate "$RATE" --duration "${DURATION}s" \
    --connections 64 --duplicate-ratio 0.4 --key-space 300 --timeout 15s --history "$RUN/client.tsv" --results "$RUN/load.json" \
    --mid-run-cmd "${BLACKHOLE_AT}s:curl -fsS -X POST http://127.0.0.1:$CTL/blackhole >/dev/null && echo upstream blackholed" \
    --mid-run-cmd "$((BLACKHOLE_AT + BLACKHOLE_FOR))s:curl -fsS -X POST http://127.0.0.1:$CTL/heal >/dev/null && echo upstream healed" \
    > "$RUN/load.txt" 2>&1
  set -e
  echo "  client saw: $(client_view "$RUN/client.tsv")" | tee -a "$OUT_SAVED/summary.txt"
  echo "  gateway: outcome_unknown $(metric "$ADMIN" 'idemgate_requests_total\{.*outcome="outcome_unknown"'); ledger: $(curl -fsS "http://127.0.0.1:$UP/stats" | jq -c '{executions, duplicated_keys, stale_fences_refused}')" \
    | tee -a "$OUT_SAVED/summary.txt"
  code=0
  run_check "$mode" --outcome-unknown "$mode" || code=$?
  sed 's/^/  /' "$RUN/check-$mode.txt" | head -30 | tee -a "$OUT_SAVED/summary.txt"
  [ "$code" = 0 ] || failed=1
  fault_cleanup
  fault_pids=()
  OUT=$OUT_SAVED
done
echo "results in $OUT ($([ $failed = 0 ] && echo every verdict OK || echo A VERDICT FAILED))"
exit "$failed"
