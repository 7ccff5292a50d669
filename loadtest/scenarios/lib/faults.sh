# Sourced by the fault scenarios (from the repository root, after OUT is set): `fault_prepare` makes OUT,
# checks the tools, builds the jars when needed and arms the EXIT trap; then start the pieces of a fault
# run on free loopback ports, each recorded by PID so `fault_cleanup` stops exactly what was started, and
# read the gateway's counters. Every wait is bounded.
#
#   OUT=${OUT:-results/fault-NAME-$(date +%Y%m%d-%H%M%S)}
#   . loadtest/scenarios/lib/faults.sh ; fault_prepare
fault_pids=()
LOADTEST_JAVA=${LOADTEST_JAVA:-"java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"}
LOADTEST="$LOADTEST_JAVA -jar loadtest/target/idemgate-loadtest.jar"

fault_prepare() {
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd)
  command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install -y redis-server" >&2; exit 1; }
  . scripts/lib/jars.sh
  ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar
  trap fault_cleanup EXIT
}

fault_cleanup() {
  local p
  for p in "${fault_pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  for f in "$OUT"/*.redis.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_until() { # seconds description command...
  local limit=$1 what=$2 i
  shift 2
  for i in $(seq 1 $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out after ${limit}s waiting for $what" >&2
  return 1
}

# start_redis NAME PORT [redis-server args...]: daemonized, pid in $OUT/NAME.redis.pid
start_redis() {
  local name=$1 port=$2
  shift 2
  mkdir -p "$OUT/$name"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/$name" --daemonize yes \
    --pidfile "$OUT/$name.redis.pid" --logfile "$OUT/$name.log" "$@"
  wait_until 20 "redis $name on $port" redis-cli -p "$port" ping
}

# start_sentinel NAME PORT MASTER_NAME MASTER_PORT: quorum 1, master down after 1 s
start_sentinel() {
  local name=$1 port=$2 master=$3 mport=$4
  mkdir -p "$OUT/$name"
  cat > "$OUT/$name/sentinel.conf" <<CONF
port $port
bind 127.0.0.1
dir $OUT/$name
daemonize yes
pidfile $OUT/$name.redis.pid
logfile $OUT/$name.log
sentinel monitor $master 127.0.0.1 $mport 1
sentinel down-after-milliseconds $master 1000
sentinel failover-timeout $master 10000
CONF
  redis-server "$OUT/$name/sentinel.conf" --sentinel
  wait_until 20 "sentinel $name on $port" redis-cli -p "$port" ping
}

# start_upstream PORT HISTORY [upstream flags...]: the ledger upstream, fences enforced, history recorded
start_upstream() {
  local port=$1 history=$2
  shift 2
  $LOADTEST upstream --port "$port" --threads 1 --history "$history" --stale-fences reject "$@" \
    > "$OUT/upstream.log" 2>&1 &
  fault_pids+=($!)
  wait_until 60 "upstream on $port" curl -fsS "http://127.0.0.1:$port/stats"
}

# start_proxy NAME LISTEN_PORT TARGET_PORT CONTROL_PORT: the fault proxy to 127.0.0.1:TARGET_PORT
start_proxy() {
  $LOADTEST proxy --name "$1" --listen "$2" --target "127.0.0.1:$3" --control "$4" > "$OUT/proxy-$1.log" 2>&1 &
  fault_pids+=($!)
  wait_until 60 "proxy $1" curl -fsS "http://127.0.0.1:$4/status"
}

proxy_ctl() { # CONTROL_PORT ACTION[?value=...]
  curl -fsS -X POST "http://127.0.0.1:$1/$2" > /dev/null && echo "$(date +%T.%N | cut -c1-12) proxy :$1 $2"
}

# start_gateway NAME CONF ADMIN_PORT: sets GW_PID_<NAME>
GATEWAY_JAVA=${GATEWAY_JAVA:-"-Xms128m -Xmx256m -XX:+UseSerialGC"}
start_gateway() {
  java $GATEWAY_JAVA -jar gateway/target/idemgate.jar --config "$2" > "$OUT/gateway-$1.log" 2>&1 &
  local pid=$!
  fault_pids+=($pid)
  eval "GW_PID_$1=$pid"
  wait_until 90 "gateway $1 ready" sh -c "kill -0 $pid && curl -fsS http://127.0.0.1:$3/readyz" \
    && kill -0 "$pid" || { echo "gateway $1 did not start; see $OUT/gateway-$1.log:" >&2; tail -5 "$OUT/gateway-$1.log" >&2; exit 1; }
}

# metric ADMIN_PORT PATTERN: the sum of the samples whose line matches PATTERN (a grep -E regex), 0 if none
metric() {
  curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null | grep -E "^$2" | awk '{ s += $NF } END { printf "%d\n", s }'
}

# client_view HISTORY: what the client saw, one line: answers by status (and problem type), replays, no answers
client_view() {
  awk -F'\t' '!/^#/ {
      if ($4 == -1) k = "no answer (" $7 ")"; else if ($7 != "-") k = $4 " " $7; else k = $4;
      n[k]++; if ($5 == 1) r++ }
    END { s = ""; for (k in n) s = s (s == "" ? "" : ", ") k ": " n[k]; printf "%s; replayed %d\n", s, r }' "$1"
}

# run_check NAME [check flags...]: the history checker over $OUT/client*.tsv and $OUT/ledger.tsv, saved under NAME
run_check() {
  local name=$1 c args=()
  shift
  for c in "$OUT"/client*.tsv; do args+=(--client "$c"); done
  set +e
  $LOADTEST check "${args[@]}" --ledger "$OUT/ledger.tsv" --results "$OUT/check-$name.json" "$@" > "$OUT/check-$name.txt" 2>&1
  local code=$?
  set -e
  return $code
}
