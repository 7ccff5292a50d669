#!/usr/bin/env bash
# Idemgate and nginx side by side terminating TLS in front of the same upstream (the demo upstream,
# 201 with 256 bytes), with the same certificate (EC P-256, made here by openssl) and TLS 1.3, both with
# one worker/event loop, keep-alive to the upstream, no access logs; idemgate in pass-through.
# Modes (MODES, default all three), interleaved per round, each proxy in turn:
#   https     wrk -t2 -cCONNS over HTTPS/1.1 with keep-alive: req/s, p99, proxy CPU per request
#   h2        h2load -cH2_CONNS -mH2_STREAMS for DURATION s over h2 (ALPN): req/s, proxy CPU per request
#   handshake openssl s_time -new (full handshakes, no resumption), one client: handshakes/s
# Medians over the rounds and idemgate/nginx ratios in summary.txt. Proxies and upstream on core 0,
# clients on core 1; loopback only; bounded in time; stops what it started by PID.
#
#   loadtest/scenarios/tls-side-by-side.sh
#   ROUNDS=1 DURATION=3 WARMUP=2 loadtest/scenarios/tls-side-by-side.sh       # smoke
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-30}
CONNS=${CONNS:-16}
H2_CONNS=${H2_CONNS:-16}
H2_STREAMS=${H2_STREAMS:-10}
MODES=${MODES:-"https h2 handshake"}
UP_PORT=${UP_PORT:-18481}
GW_PORT=${GW_PORT:-18480}
ADMIN_PORT=${ADMIN_PORT:-19490}
NGINX_PORT=${NGINX_PORT:-18482}
OUT=${OUT:-results/tls-side-by-side-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/tmp"
OUT=$(cd "$OUT" && pwd)
TMP=$OUT/tmp
export PATH=$PATH:/usr/sbin
for tool in wrk nginx h2load openssl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y wrk nginx nghttp2-client openssl" >&2; exit 1; }
done
. scripts/lib/jars.sh
. loadtest/scenarios/lib/nginx.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m -XX:+UseParallelGC"}
{ echo "date: $(date -u +%FT%TZ)"; echo "host: $(uname -srm)"; nproc | sed 's/^/cpus: /'
  java -version 2>&1 | sed -n 1p; nginx -v 2>&1; openssl version; h2load --version | sed -n 1p
  uptime; echo "modes: $MODES; rounds $ROUNDS x ${DURATION}s"; } > "$OUT/machine.txt"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -keyout "$TMP/tls.key" \
  -out "$TMP/tls.pem" -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null

taskset -c 0 java $JAVA_OPTS -jar loadtest/target/idemgate-loadtest.jar upstream --port "$UP_PORT" \
  --response-bytes 256 --threads 1 --max-keys 1000 > "$OUT/upstream.log" 2>&1 &
pids+=($!)
cat > "$TMP/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT, io-threads = 1, tls { cert = "$TMP/tls.pem", key = "$TMP/tls.key" } }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  logging.access-log = false
  routes = [ { name = bench, match.path = "/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"], idempotency.mode = off } ]
}
CONF
{ nginx_conf_head "$TMP"; cat <<CONF
  # keepalive_requests: nginx closes a connection (h2: GOAWAY) after 1,000 requests by default; the
  # gateway does not, and h2load does not reconnect, so the default capped nginx at 1,000 requests per client.
  upstream backend { server 127.0.0.1:$UP_PORT; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGINX_PORT ssl http2;
    keepalive_requests 1000000;
    ssl_certificate $TMP/tls.pem;
    ssl_certificate_key $TMP/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
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
declare -A PID PORT
PORT[idemgate]=$GW_PORT; PORT[nginx]=$NGINX_PORT
taskset -c 0 java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$TMP/gateway.conf" > "$OUT/idemgate.log" 2>&1 &
PID[idemgate]=$!; pids+=($!)
taskset -c 0 nginx -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/nginx-error.log" > "$OUT/nginx.log" 2>&1 &
PID[nginx]=$!; pids+=($!)
for proxy in idemgate nginx; do
  url="https://127.0.0.1:${PORT[$proxy]}/v1/orders"
  for _ in $(seq 1 300); do curl -ksS -o /dev/null -X POST "$url" 2>/dev/null && break; sleep 0.1; done
  [ "$(curl -ks --http2 -o /dev/null -w '%{http_version}' -X POST "$url")" = 2 ] || { echo "$proxy does not answer over h2" >&2; exit 1; }
done
grep -o 'TLS [^)]*)' "$OUT/idemgate.log" | head -1 >> "$OUT/machine.txt" || true

ticks() {
  local sum=0 p
  for p in "$1" $(pgrep -P "$1" || true); do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$sum"
}
cat > "$TMP/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"sku":"tea","qty":1,"note":"benchmark"}'
wrk.headers["Content-Type"] = "application/json"
LUA
echo '{"sku":"tea","qty":1,"note":"benchmark"}' > "$TMP/body.json"

# One measurement: prints "req_s<TAB>p99_ms<TAB>cpu_us_per_req" for mode $1, proxy $2, seconds $3.
measure() {
  local mode=$1 proxy=$2 secs=$3 f="$OUT/$1-$2-$(date +%s%N).txt" c0 c1 req rate p99="-"
  local url="https://127.0.0.1:${PORT[$proxy]}/v1/orders"
  c0=$(ticks "${PID[$proxy]}")
  case $mode in
    https)
      taskset -c 1 wrk -t2 -c"$CONNS" -d"${secs}s" --latency -s "$TMP/post.lua" "$url" > "$f"
      req=$(awk '/requests in/ {print $1}' "$f"); rate=$(awk '/Requests\/sec/ {print $2}' "$f")
      p99=$(awk '$1=="99%" {v=$2; n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n*=1000; printf "%.3f", n}' "$f") ;;
    h2)
      taskset -c 1 h2load -c"$H2_CONNS" -m"$H2_STREAMS" -D "$secs" -d "$TMP/body.json" \
        -H 'Content-Type: application/json' "$url" > "$f" 2>&1
      req=$(awk '/^requests:/ {print $8}' "$f"); rate=$(awk '/^finished in/ {gsub(",", "", $4); print $4}' "$f") ;;
    handshake)
      taskset -c 1 openssl s_time -connect "127.0.0.1:${PORT[$proxy]}" -new -time "$secs" > "$f" 2>&1 || true
      req=$(awk '/connections in [0-9.]+s;/ {print $1; exit}' "$f")
      rate=$(awk '/connections\/user sec/ {print $1; exit}' "$f")
      rate=$(awk -v n="$req" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }') ;;
  esac
  c1=$(ticks "${PID[$proxy]}")
  printf "%s\t%s\t%s\n" "${rate:-0}" "$p99" "$(awk -v t=$((c1 - c0)) -v r="${req:-0}" 'BEGIN { printf "%.1f", (r > 0 ? t * 10000.0 / r : 0) }')"
}

echo "warm-up: ${WARMUP} s per proxy and mode (not measured) ..."
for mode in $MODES; do for proxy in idemgate nginx; do measure "$mode" "$proxy" "$WARMUP" > /dev/null; done; done
printf "mode\tproxy\tround\trate_per_s\tp99_ms\tcpu_us_per_req\n" > "$OUT/rounds.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for mode in $MODES; do
    for proxy in idemgate nginx; do
      row=$(printf "%s\t%s\t%s\t%s" "$mode" "$proxy" "$round" "$(measure "$mode" "$proxy" "$DURATION")")
      echo "$row" | tee -a "$OUT/rounds.tsv"
    done
  done
done

median() { awk -F'\t' -v m="$1" -v p="$2" -v c="$3" '$1 == m && $2 == p { print $c }' "$OUT/rounds.tsv" | sort -g |
  awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo
  echo "medians over $ROUNDS rounds of ${DURATION}s (https: wrk -c$CONNS; h2: h2load -c$H2_CONNS -m$H2_STREAMS; handshake: openssl s_time -new)"
  printf "%-10s %-15s %12s %8s %11s\n" mode proxy "rate/s" "p99 ms" "CPU us/req"
  for mode in $MODES; do
    for proxy in idemgate nginx; do
      printf "%-10s %-15s %12s %8s %11s\n" "$mode" "$proxy" "$(median "$mode" "$proxy" 4)" "$(median "$mode" "$proxy" 5)" "$(median "$mode" "$proxy" 6)"
    done
    printf "%-10s %-15s %12s %8s %11s\n" "$mode" "idemgate/nginx" \
      "$(awk -v a="$(median "$mode" idemgate 4)" -v b="$(median "$mode" nginx 4)" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" "" \
      "$(awk -v a="$(median "$mode" idemgate 6)" -v b="$(median "$mode" nginx 6)" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
  done
  echo "(rate: higher is better; p99 and CPU per request: lower is better. Targets, issue #14: https and h2 rate >= 1.0x"
  echo " nginx and CPU/req <= 1.0x; handshakes/s >= 0.8x. Per-round numbers in rounds.tsv.)"
} | tee "$OUT/summary.txt"
echo "results in $OUT"
