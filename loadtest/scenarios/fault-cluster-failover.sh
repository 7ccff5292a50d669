#!/usr/bin/env bash
# Issue #13: Redis Cluster replica failover under load. Three masters, each with one replica (six
# redis-server processes on free loopback ports, cluster-node-timeout 1 s); the gateway runs in cluster mode.
# At KILL_AT one master is SIGKILLed; its replica takes its slots over and the gateway follows the new
# topology. Cluster replication is asynchronous and min-replicas is not available in cluster mode, so
# completions acknowledged just before the kill may be lost (completion-lost in the checker), as with
# Sentinel and min-replicas = 0. Reports the client's view and the checker's verdict; not judged on the
# loss, only on the failover happening and the run finishing. Loopback only, bounded, stops what it started.
#
#   loadtest/scenarios/fault-cluster-failover.sh
#   DURATION=30 RATE=100 KILL_AT=8 loadtest/scenarios/fault-cluster-failover.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-30}
RATE=${RATE:-80}
KILL_AT=${KILL_AT:-8}
OUT=${OUT:-results/fault-cluster-failover-$(date +%Y%m%d-%H%M%S)}
. loadtest/scenarios/lib/faults.sh
fault_prepare

# A cluster node also listens on port + 10000 (its bus): pick ports below 55536 with both free.
free_cluster_port() {
  python3 -c '
import random, socket
for _ in range(200):
    p = random.randint(20000, 50000)
    try:
        for q in (p, p + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError:
        pass'
}
ports=()
for i in 1 2 3 4 5 6; do
  p=$(free_cluster_port)
  ports+=("$p")
  start_redis "node$i" "$p" --cluster-enabled yes --cluster-config-file "$OUT/node$i/nodes.conf" --cluster-node-timeout 1000
done
redis-cli --cluster create $(for p in "${ports[@]}"; do printf '127.0.0.1:%s ' "$p"; done) --cluster-replicas 1 --cluster-yes \
  > "$OUT/cluster-create.log" 2>&1
wait_until 60 "cluster ok" sh -c "redis-cli -p ${ports[0]} cluster info | grep -q cluster_state:ok"
# The master serving slot 0, and its replica.
victim=$(redis-cli -p "${ports[0]}" cluster nodes | awk '/master/ && / 0-/ { split($2, a, "[:@]"); print a[2] }')
victim_node=""
for i in 1 2 3 4 5 6; do if [ "${ports[$((i - 1))]}" = "$victim" ]; then victim_node="node$i"; fi; done
[ -n "$victim_node" ] || { echo "no master for slot 0 found" >&2; exit 1; }
UP=$(free_port); GW=$(free_port); ADMIN=$(free_port)
start_upstream "$UP" "$OUT/ledger.tsv" --latency 5ms..50ms
cat > "$OUT/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW, io-threads = 2 }
  admin { host = "127.0.0.1", port = $ADMIN }
  logging.access-log = false
  defaults.idempotency.scope.when-missing = shared
  store { type = redis, redis { mode = cluster, command-timeout = 1s,
          uri = [$(for p in "${ports[@]}"; do printf '"redis://127.0.0.1:%s",' "$p"; done | sed 's/,$//')] } }
  routes = [
    { name = orders, match.path = "/v1/**", upstream.urls = ["http://127.0.0.1:$UP"],
      idempotency { on-store-failure = fail-closed, outcome-unknown = reexecute, lease = 5s, wait-timeout = 5s,
                    fence-header = "Idempotency-Fence" } }
  ]
}
CONF
start_gateway c "$OUT/gateway.conf" "$ADMIN"
echo "== cluster: master :$victim ($victim_node, slot 0) SIGKILLed at ${KILL_AT}s, $RATE req/s for ${DURATION}s" | tee "$OUT/summary.txt"
set +e
timeout $((DURATION + 90)) $LOADTEST load --target "http://127.0.0.1:$GW/v1/orders" --rate "$RATE" --duration "${DURATION}s" \
  --connections 64 --duplicate-ratio 0.7 --key-space 1000 --timeout 15s --history "$OUT/client.tsv" --results "$OUT/load.json" \
  --mid-run-cmd "${KILL_AT}s:kill -9 \$(cat '$OUT/$victim_node.redis.pid') && echo master SIGKILLed" > "$OUT/load.txt" 2>&1
set -e
other=${ports[1]}; [ "$other" = "$victim" ] && other=${ports[2]}
failed_over=$(redis-cli -p "$other" cluster nodes | grep -c "master.*fail" || true)
echo "  masters marked failed: $failed_over; state: $(redis-cli -p "$other" cluster info | grep cluster_state | tr -d '\r')" | tee -a "$OUT/summary.txt"
echo "  client saw: $(client_view "$OUT/client.tsv")" | tee -a "$OUT/summary.txt"
echo "  gateway: store_unavailable $(metric "$ADMIN" 'idemgate_requests_total\{.*outcome="store_unavailable"'), outcome_unknown $(metric "$ADMIN" 'idemgate_requests_total\{.*outcome="outcome_unknown"')" \
  | tee -a "$OUT/summary.txt"
code=0
run_check cluster --outcome-unknown reexecute || code=$?
sed 's/^/  /' "$OUT/check-cluster.txt" | head -8 | tee -a "$OUT/summary.txt"
echo "  completions lost: $(jq '.violations["completion-lost"]' "$OUT/check-cluster.json") keys" | tee -a "$OUT/summary.txt"
echo "results in $OUT (checker exit $code)"
[ "$failed_over" -ge 1 ]
