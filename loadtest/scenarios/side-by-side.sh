#!/usr/bin/env bash
# Idemgate, nginx and haproxy side by side as reverse proxies in front of the same upstream (the demo
# upstream answering 201 with 256 bytes), configured alike: one worker/thread/event loop, keep-alive
# to the upstream (nginx: keepalive pool, no buffering; haproxy: http-reuse always), no access logs;
# idemgate with idempotency.mode = off (pass-through). Interleaved rounds, each proxy in turn:
# wrk -t2 -cCONNS --latency on core 1, proxies and upstream on core 0. Per proxy: req/s, p50, p99 and
# proxy CPU per request (utime + stime from /proc/PID/stat over the run, nginx's master and worker
# summed), then medians over the rounds and the ratios idemgate/nginx and idemgate/haproxy.
# The nginx and haproxy configs, pid files and error logs live in the results dir; both run in the
# foreground as children of this script. Loopback only; bounded in time; stops what it started by PID.
#
#   loadtest/scenarios/side-by-side.sh
#   ROUNDS=3 DURATION=20 CONNS=16 PROXIES="idemgate nginx haproxy" loadtest/scenarios/side-by-side.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-30}  # the JIT shares core 0: idemgate needs ~20-30 s of traffic before C2 settles
CONNS=${CONNS:-16}
PROXIES=${PROXIES:-"idemgate nginx haproxy"}
UP_PORT=${UP_PORT:-18381}
GW_PORT=${GW_PORT:-18380}
ADMIN_PORT=${ADMIN_PORT:-19390}
NGINX_PORT=${NGINX_PORT:-18382}
HAPROXY_PORT=${HAPROXY_PORT:-18383}
OUT=${OUT:-results/side-by-side-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/tmp"
OUT=$(cd "$OUT" && pwd)
TMP=$OUT/tmp
for tool in wrk nginx haproxy; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "$tool missing: apt-get install -y wrk nginx haproxy" >&2; exit 1; }
done
export PATH=$PATH:/usr/sbin
. scripts/lib/jars.sh
. loadtest/scenarios/lib/nginx.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m -XX:+UseParallelGC"}

{ echo "date: $(date -u +%FT%TZ)"; echo "host: $(uname -srm)"; nproc | sed 's/^/cpus: /'
  grep -m1 'model name' /proc/cpuinfo || true; java -version 2>&1 | sed -n 1p; nginx -v 2>&1; haproxy -v | sed -n 1p
  uptime; echo "rounds $ROUNDS x ${DURATION}s, wrk -t2 -c$CONNS"; } > "$OUT/machine.txt"

taskset -c 0 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" \
  --response-bytes 256 --threads 1 --max-keys 1000 > "$OUT/upstream.log" 2>&1 &
pids+=($!)

cat > "$TMP/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = 1 }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = false
  routes = [ { name = bench, match.path = "/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"], idempotency.mode = off } ]
}
CONF
{ nginx_conf_head "$TMP"; cat <<CONF
  upstream backend { server 127.0.0.1:$UP_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
CONF
} > "$TMP/nginx.conf"
cat > "$TMP/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
  pidfile $TMP/haproxy.pid
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 2s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend be
backend be
  server up 127.0.0.1:$UP_PORT
CONF

declare -A PID PORT
PORT[idemgate]=$GW_PORT; PORT[nginx]=$NGINX_PORT; PORT[haproxy]=$HAPROXY_PORT
for proxy in $PROXIES; do
  case $proxy in
    idemgate) taskset -c 0 java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$TMP/gateway.conf" > "$OUT/idemgate.log" 2>&1 & ;;
    nginx)    taskset -c 0 nginx -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/nginx-error.log" > "$OUT/nginx.log" 2>&1 & ;;
    haproxy)  taskset -c 0 haproxy -db -f "$TMP/haproxy.cfg" > "$TMP/haproxy-error.log" 2>&1 & ;;
    *) echo "unknown proxy $proxy" >&2; exit 2 ;;
  esac
  PID[$proxy]=$!
  pids+=($!)
done
cat > "$TMP/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"sku":"tea","qty":1,"note":"benchmark"}'
wrk.headers["Content-Type"] = "application/json"
LUA
for proxy in $PROXIES; do
  for _ in $(seq 1 200); do curl -fsS -o /dev/null -X POST "http://127.0.0.1:${PORT[$proxy]}/v1/orders" 2>/dev/null && break; sleep 0.1; done
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:${PORT[$proxy]}/v1/orders" || { echo "$proxy does not answer" >&2; exit 1; }
done

# CPU ticks (1/100 s) of a proxy: the process and its children (nginx's worker).
ticks() {
  local sum=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$sum"
}
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

echo "warm-up: ${WARMUP} s of wrk per proxy ($PROXIES; JIT and caches; not measured) ..."
for proxy in $PROXIES; do
  taskset -c 1 wrk -t2 -c"$CONNS" -d"${WARMUP}s" -s "$TMP/post.lua" "http://127.0.0.1:${PORT[$proxy]}/v1/orders" > /dev/null
done
printf "proxy\tround\treq_s\tp50_ms\tp99_ms\tcpu_us_per_req\tnon2xx\n" > "$OUT/rounds.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for proxy in $PROXIES; do
    f="$OUT/$proxy-r$round.txt"
    c0=$(ticks "${PID[$proxy]}")
    taskset -c 1 wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$TMP/post.lua" "http://127.0.0.1:${PORT[$proxy]}/v1/orders" > "$f"
    c1=$(ticks "${PID[$proxy]}")
    req=$(awk '/requests in/ {print $1}' "$f")
    row=$(printf "%s\t%s\t%s\t%s\t%s\t%s\t%s" "$proxy" "$round" "$(awk '/Requests\/sec/ {print $2}' "$f")" \
      "$(to_ms "$(awk '$1=="50%" {print $2}' "$f")")" "$(to_ms "$(awk '$1=="99%" {print $2}' "$f")")" \
      "$(awk -v t=$((c1 - c0)) -v r="$req" 'BEGIN { printf "%.1f", (r > 0 ? t * 10000.0 / r : 0) }')" \
      "$(awk '/Non-2xx/ {print $4}' "$f" | grep . || echo 0)")
    echo "$row" >> "$OUT/rounds.tsv"
    echo "$row"
  done
done

# Medians per proxy and metric, then idemgate's ratio to each other proxy.
median() { awk -F'\t' -v p="$1" -v c="$2" '$1 == p { print $c }' "$OUT/rounds.tsv" | sort -g |
  awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo
  echo "medians over $ROUNDS rounds of ${DURATION}s, wrk -t2 -c$CONNS (proxy and upstream on core 0, wrk on core 1)"
  printf "%-18s %10s %8s %8s %11s\n" proxy "req/s" "p50 ms" "p99 ms" "CPU us/req"
  declare -A MED
  for proxy in $PROXIES; do
    for col in 3 4 5 6; do MED[$proxy,$col]=$(median "$proxy" "$col"); done
    printf "%-18s %10s %8s %8s %11s\n" "$proxy" "${MED[$proxy,3]}" "${MED[$proxy,4]}" "${MED[$proxy,5]}" "${MED[$proxy,6]}"
  done
  for other in nginx haproxy; do
    [[ " $PROXIES " == *" idemgate "* && " $PROXIES " == *" $other "* ]] || continue
    ratio() { awk -v a="${MED[idemgate,$1]}" -v b="${MED[$other,$1]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
    printf "%-18s %10s %8s %8s %11s\n" "idemgate/$other" "$(ratio 3)" "$(ratio 4)" "$(ratio 5)" "$(ratio 6)"
  done
  echo "(req/s: higher is better; latency and CPU: lower is better. Per-round numbers in rounds.tsv.)"
} | tee "$OUT/summary.txt"
echo "results in $OUT"
