#!/usr/bin/env bash
# Builds Idemgate if a jar is missing or older than the sources (REBUILD=1 forces it), then runs the demo upstream (:8081) and the gateway (:8080, admin :9090)
# in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

java -jar loadtest/target/idemgate-loadtest.jar upstream --port 8081 &
pids+=($!)
java -jar gateway/target/idemgate.jar --config config/gateway.conf &
pids+=($!)

for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null http://127.0.0.1:9090/healthz 2>/dev/null; then
    echo
    echo "Idemgate is up: proxy http://127.0.0.1:8080 -> demo upstream http://127.0.0.1:8081"
    # A key of its own: the README's session sends order-1 with another body (that would be a 422).
    echo "  try: curl -i -X POST http://127.0.0.1:8080/v1/orders -H 'Idempotency-Key: try-1' -H 'Authorization: Bearer demo-client' -d '{\"sku\":\"tea\"}'"
    echo "       (run it twice: the second answer is replayed; README.md walks through a whole session)"
    echo "  metrics: curl http://127.0.0.1:9090/metrics"
    break
  fi
  sleep 0.1
done
wait -n "${pids[@]}"
