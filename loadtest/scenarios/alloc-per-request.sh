#!/usr/bin/env bash
# Bytes allocated per pass-through request (issue #12, target 5), a number that does not depend on how
# busy the machine is: the gateway (pass-through, access log on unless ACCESS_LOG=false) in front of
# nginx with the echo module (as cpu-per-request.sh), wrk -t2 -cCONNS with the same 200-byte JSON POST;
# after WARMUP seconds a JFR recording (lib/alloc.jfc: per-thread allocation counters and weighted
# allocation samples) covers one DURATION-second wrk run, then lib/JfrAllocationReport.java divides each
# thread's allocation by the run's requests and lists the event loops' allocation sites. With STRACE=N it
# then counts the gateway's socket syscalls per request over an N-second run (strace -c; strace slows the
# gateway, so that run's rate says nothing). Loopback only; bounded in time; stops what it started.
#
#   loadtest/scenarios/alloc-per-request.sh
#   DURATION=30 WARMUP=30 IO_THREADS=1 STRACE=5 loadtest/scenarios/alloc-per-request.sh
#   GATEWAY_JAR=/tmp/idemgate-main.jar loadtest/scenarios/alloc-per-request.sh     another build, same run shape
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-30}
CONNS=${CONNS:-16}
IO_THREADS=${IO_THREADS:-1}
ACCESS_LOG=${ACCESS_LOG:-true}
STRACE=${STRACE:-0}
SITES=${SITES:-25}
BASE=${BASE_PORT:-18700}
OUT=${OUT:-results/alloc-per-request-$(date +%Y%m%d-%H%M%S)}
# Small fixed TLABs: JFR samples an allocation when a thread takes a new TLAB, so at a few thousand requests
# a second the default (large, growing) TLABs would leave too few samples to name the sites. The counts
# per thread do not depend on it.
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m -XX:TLABSize=4k -XX:-ResizeTLAB"}
mkdir -p "$OUT/tmp"
OUT=$(cd "$OUT" && pwd)
TMP=$OUT/tmp
LIB=$(pwd)/loadtest/scenarios/lib
export PATH=$PATH:/usr/sbin
for tool in wrk nginx curl jcmd; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y wrk nginx libnginx-mod-http-echo curl" >&2; exit 1; }
done
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -f "$ECHO_MODULE" ] || { echo "nginx echo module missing: apt-get install -y libnginx-mod-http-echo" >&2; exit 1; }
# GATEWAY_JAR: another build to compare (e.g. a copy of main's jar); by default this checkout's, rebuilt if stale.
if [ -z "${GATEWAY_JAR:-}" ]; then
  . scripts/lib/jars.sh
  ensure_jars gateway/target/idemgate.jar
  GATEWAY_JAR=gateway/target/idemgate.jar
fi

UP_PORT=$BASE; GW_PORT=$((BASE + 1)); ADMIN_PORT=$((BASE + 2))
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

{ echo "date: $(date -u +%FT%TZ)"; echo "host: $(uname -srm)"; nproc | sed 's/^/cpus: /'
  grep -m1 'model name' /proc/cpuinfo || true; java -version 2>&1 | sed -n 1p; nginx -v 2>&1; uptime
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), jar: ${GATEWAY_JAR:-gateway/target/idemgate.jar}"
  echo "${DURATION}s measured after ${WARMUP}s warm-up, wrk -t2 -c$CONNS, io-threads $IO_THREADS, access-log $ACCESS_LOG, JAVA_OPTS $JAVA_OPTS"; } > "$OUT/machine.txt"

# The upstream: nginx, 201 with a fixed 160-byte JSON body, the request body read and dropped.
. loadtest/scenarios/lib/nginx.sh
{ echo "load_module $ECHO_MODULE;"; nginx_conf_head "$TMP"; cat <<CONF
  server { listen 127.0.0.1:$UP_PORT;
    location / { echo_read_request_body; default_type application/json; return 201 "{\"id\":\"ord_0000000001\",\"status\":\"created\",\"amount\":4200,\"currency\":\"EUR\",\"customer\":\"cus_000000000001\",\"created_at\":\"2026-12-02T10:00:00Z\",\"pad\":\"xxxxxxxxxxxxxxx\"}"; } }
}
CONF
} > "$TMP/nginx.conf"
taskset -c 0 nginx -p "$TMP" -c "$TMP/nginx.conf" > "$OUT/upstream.log" 2>&1 &
pids+=($!)

cat > "$TMP/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = $IO_THREADS }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = $ACCESS_LOG
  routes = [ { name = bench, match.path = "/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"], idempotency.mode = off } ]
}
CONF
# shellcheck disable=SC2086
taskset -c 0 java $JAVA_OPTS -jar "$GATEWAY_JAR" --config "$TMP/gateway.conf" > "$OUT/gateway.log" 2>&1 &
GW_PID=$!
pids+=($GW_PID)
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null -X POST -d '{}' "http://127.0.0.1:$GW_PORT/v1/orders" 2>/dev/null && break; sleep 0.1
done
curl -fsS -o /dev/null -X POST -d '{}' "http://127.0.0.1:$GW_PORT/v1/orders" || { echo "gateway does not answer; see $OUT/gateway.log" >&2; exit 1; }

BODY='{"sku":"tea-0001","qty":1,"amount":4200,"currency":"EUR","customer":"cus_000000000001","note":"benchmark payload, two hundred bytes of JSON in all","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}'
cat > "$TMP/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-client"
LUA
run_wrk() { taskset -c 1 wrk -t2 -c"$CONNS" -d"$1s" --latency -s "$TMP/post.lua" "http://127.0.0.1:$GW_PORT/v1/orders"; }
requests_of() { awk '/requests in/ { print $1 }' "$1"; }
# Each thread's CPU time in ns (schedstat's first field: time on a CPU), one "tid name ns" line per thread.
thread_cpu() {
  for t in /proc/"$GW_PID"/task/*; do
    printf '%s %s %s\n' "$(basename "$t")" "$(tr ' ' '_' < "$t/comm")" "$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null || echo 0)"
  done
}

echo "warm-up ${WARMUP}s"
run_wrk "$WARMUP" > "$OUT/warmup.txt"
jcmd "$GW_PID" JFR.start name=alloc settings="$LIB/alloc.jfc" filename="$OUT/alloc.jfr" > "$OUT/jfr-start.txt"
cpu0=$(awk '{print $14 + $15}' "/proc/$GW_PID/stat")
thread_cpu > "$OUT/threads-before.txt"
echo "measured run ${DURATION}s"
run_wrk "$DURATION" > "$OUT/wrk.txt"
thread_cpu > "$OUT/threads-after.txt"
cpu1=$(awk '{print $14 + $15}' "/proc/$GW_PID/stat")
jcmd "$GW_PID" JFR.stop name=alloc > "$OUT/jfr-stop.txt"
REQUESTS=$(requests_of "$OUT/wrk.txt")
java "$LIB/JfrAllocationReport.java" "$OUT/alloc.jfr" "$REQUESTS" "$SITES" > "$OUT/allocation.txt"
{ cat "$OUT/allocation.txt"
  echo
  grep -E 'Requests/sec|Non-2xx' "$OUT/wrk.txt" || true
  awk -v t=$((cpu1 - cpu0)) -v n="$REQUESTS" 'BEGIN { printf "gateway CPU per request: %.1f us (utime+stime; noisy on a shared machine)\n", t * 10000 / n }'
  # Per thread group: the event loops, the access-log writer (comm is cut to 15 characters), the JIT, GC, the rest.
  echo "CPU per request by thread (schedstat, us):"
  awk -v n="$REQUESTS" 'NR == FNR { before[$1] = $3; next }
    { d = $3 - before[$1]; if (d <= 0) next
      g = $2 ~ /^idemgate-io/ ? "event loops" : $2 ~ /^idemgate-access/ ? "access-log writer" : $2 ~ /^C[12]_Compiler/ ? "JIT compilers" : $2 ~ /^(GC_|G1_|VM_Thread)/ ? "GC and VM" : "other"
      sum[g] += d; all += d }
    END { for (g in sum) printf "  %-18s %8.2f\n", g, sum[g] / 1000 / n; printf "  %-18s %8.2f\n", "all threads", all / 1000 / n }' \
    "$OUT/threads-before.txt" "$OUT/threads-after.txt"
} | tee "$OUT/summary.txt"

if [ "$STRACE" -gt 0 ] && command -v strace >/dev/null; then
  echo "syscalls over a ${STRACE}s run under strace"
  # The event loops only (their names are the kernel's comm), so other threads' futex calls do not count.
  LOOPS=$(for t in /proc/"$GW_PID"/task/*; do if grep -q '^idemgate-io' "$t/comm"; then basename "$t"; fi; done | paste -sd, -)
  strace -c -o "$OUT/strace.txt" -p "$LOOPS" &
  ST_PID=$!
  sleep 1
  run_wrk "$STRACE" > "$OUT/wrk-strace.txt"
  kill -TERM "$ST_PID"; wait "$ST_PID" 2>/dev/null || true
  sleep 1
  N=$(requests_of "$OUT/wrk-strace.txt")
  # strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall
  { echo; echo "event-loop syscalls per request under strace ($N requests):"
    awk -v n="$N" '$1 ~ /^[0-9.]+$/ && $NF ~ /^[a-z_0-9]+$/ && $NF != "total" { printf "  %-14s %8.3f\n", $NF, $4 / n }' "$OUT/strace.txt"
  } | tee -a "$OUT/summary.txt"
fi
echo "results in $OUT"
