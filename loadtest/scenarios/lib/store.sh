# Sourced by the scenarios (from the repository root): the gateway's store for STORE=memory (default) or
# STORE=redis, a local redis-server on REDIS_PORT pinned to core 0 with the gateway, no persistence,
# its directory and log under $OUT. Sets STORE_CONF (a HOCON line for the gateway config) and adds the
# server's PID to the caller's pids array, so the caller's cleanup trap stops it.
#
#   start_store "store.memory.max-entries = 100000"    # the memory-store line to use for STORE=memory
start_store() {
  STORE_CONF="$1"
  if [ "${STORE:-memory}" = redis ]; then
    command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install -y redis-server" >&2; exit 1; }
    mkdir -p "$OUT/redis"
    taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/redis" \
      > "$OUT/redis.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || { echo "redis-server did not start; see $OUT/redis.log" >&2; exit 1; }
    STORE_CONF="store { type = redis, redis.uri = \"redis://127.0.0.1:$REDIS_PORT\" }"
  fi
}
