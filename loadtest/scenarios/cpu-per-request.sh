#!/usr/bin/env bash
# CPU per request, side by side: what each proxy (and Redis) spends on one 200-byte JSON POST, as a user
# comparing proxies would measure it. The upstream is nginx with the echo module (it answers from memory
# and costs the same for everyone); every target runs at once, idle except during its own turn.
#
# Targets (TARGETS, any subset, in this order of turns):
#   nginx-off        nginx reverse proxy, access_log off, keepalive to the upstream
#   nginx-log        the same with access_log on (buffer=64k flush=1s), as a fair peer for the gateway's default
#   haproxy          haproxy, http-reuse always, no log
#   gw-defaults      the gateway with every default (access log on, one event loop per core), pass-through
#   gw-log1          the gateway pass-through with the access log on (the default) and io-threads = 1:
#                    against gw-lean, the access log's own cost on the same single event loop
#   gw-lean          the gateway pass-through with access-log = false and io-threads = 1
#   gw-first-redis   first requests on Redis: a fresh Idempotency-Key per request (every one executes)
#   gw-replay-redis  replays on Redis: 100 keys, each executed once in the warm-up, replayed ever after
# Interleaved rounds, each target in turn: wrk -t2 -cCONNS on core 1; proxies, upstream and Redis on
# core 0. Per target and round: req/s, p50, p99, the proxy's CPU per request (utime+stime of its process
# tree from /proc over the run) and, for Redis targets, Redis's CPU per request and its command stats.
# Then medians over the rounds and each target's ratio to nginx-off. Loopback only; bounded in time;
# stops what it started.
#
#   loadtest/scenarios/cpu-per-request.sh
#   ROUNDS=3 DURATION=8 WARMUP=40 TARGETS="nginx-off gw-defaults gw-lean" loadtest/scenarios/cpu-per-request.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-40}   # per target, before the first round: the JIT needs it (C2 on a shared core)
CONNS=${CONNS:-16}
TARGETS=${TARGETS:-"nginx-off nginx-log haproxy gw-defaults gw-log1 gw-lean gw-first-redis gw-replay-redis"}
BASE=${BASE_PORT:-18400}
OUT=${OUT:-results/cpu-per-request-$(date +%Y%m%d-%H%M%S)}
JAVA_OPTS=${JAVA_OPTS:-""}
mkdir -p "$OUT/tmp"
OUT=$(cd "$OUT" && pwd)
TMP=$OUT/tmp
export PATH=$PATH:/usr/sbin
for tool in wrk nginx haproxy redis-server redis-cli curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y wrk nginx libnginx-mod-http-echo haproxy redis-server redis-tools curl" >&2; exit 1; }
done
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -f "$ECHO_MODULE" ] || { echo "nginx echo module missing: apt-get install -y libnginx-mod-http-echo" >&2; exit 1; }
. scripts/lib/jars.sh
ensure_jars gateway/target/idemgate.jar

UP_PORT=$BASE; REDIS_PORT=$((BASE + 1))
declare -A PORT ADMIN PID
i=10
for t in $TARGETS; do PORT[$t]=$((BASE + i)); ADMIN[$t]=$((BASE + i + 50)); i=$((i + 1)); done

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

{ echo "date: $(date -u +%FT%TZ)"; echo "host: $(uname -srm)"; nproc | sed 's/^/cpus: /'
  grep -m1 'model name' /proc/cpuinfo || true; java -version 2>&1 | sed -n 1p; nginx -v 2>&1
  haproxy -v | sed -n 1p; redis-server --version; uptime
  echo "rounds $ROUNDS x ${DURATION}s after ${WARMUP}s warm-up each, wrk -t2 -c$CONNS, targets: $TARGETS"; } > "$OUT/machine.txt"

nginx_conf() { # name port body-of-server-block [http-level lines]
  mkdir -p "$TMP/$1"; chmod 777 "$TMP/$1"
  cat > "$TMP/$1.conf" <<CONF
load_module $ECHO_MODULE;
daemon off;
master_process on;
worker_processes 1;
pid $TMP/$1.pid;
error_log $TMP/$1-error.log warn;
events { worker_connections 4096; }
http {
  ${4:-access_log off;}
  client_body_temp_path $TMP/$1/body; proxy_temp_path $TMP/$1/proxy; fastcgi_temp_path $TMP/$1/fastcgi;
  uwsgi_temp_path $TMP/$1/uwsgi; scgi_temp_path $TMP/$1/scgi;
  # keepalive_requests: by default nginx closes a connection after 1,000 requests; the gateway does not.
  upstream backend { server 127.0.0.1:$UP_PORT; keepalive 64; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$2; keepalive_requests 1000000; $3 }
}
CONF
}
start() { # name command...
  local name=$1; shift
  taskset -c 0 "$@" > "$OUT/$name.log" 2>&1 &
  PID[$name]=$!; pids+=($!)
}

# The upstream: 201 with a fixed 160-byte JSON body, the request body read and dropped.
nginx_conf upstream "$UP_PORT" 'location / { echo_read_request_body; default_type application/json; return 201 "{\"id\":\"ord_0000000001\",\"status\":\"created\",\"amount\":4200,\"currency\":\"EUR\",\"customer\":\"cus_000000000001\",\"created_at\":\"2026-12-02T10:00:00Z\",\"pad\":\"xxxxxxxxxxxxxxx\"}"; }'
start upstream nginx -p "$TMP" -c "$TMP/upstream.conf"

PROXY_LOCATION='location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }'
need_redis=no
for t in $TARGETS; do
  case $t in
    nginx-off) nginx_conf "$t" "${PORT[$t]}" "$PROXY_LOCATION"; start "$t" nginx -p "$TMP" -c "$TMP/$t.conf" ;;
    nginx-log) nginx_conf "$t" "${PORT[$t]}" "$PROXY_LOCATION" "access_log $TMP/nginx-access.log combined buffer=64k flush=1s;"
               start "$t" nginx -p "$TMP" -c "$TMP/$t.conf" ;;
    haproxy)
      cat > "$TMP/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 2s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:${PORT[$t]}
  default_backend be
backend be
  server up 127.0.0.1:$UP_PORT
CONF
      start "$t" haproxy -db -f "$TMP/haproxy.cfg" ;;
    gw-*)
      extra=""; route_idem="idempotency.mode = off"
      case $t in
        gw-lean) extra="logging.access-log = false
  server.io-threads = 1" ;;
        gw-log1) extra="server.io-threads = 1" ;;
        gw-first-redis|gw-replay-redis)
          need_redis=yes
          extra="store { type = redis, redis.uri = \"redis://127.0.0.1:$REDIS_PORT\" }"
          route_idem="idempotency { methods = [POST] }" ;;
      esac
      cat > "$TMP/$t.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = ${PORT[$t]} }
  admin { host = "127.0.0.1", port = ${ADMIN[$t]} }
  $extra
  routes = [ { name = bench, match.path = "/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"], $route_idem } ]
}
CONF
      ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done
if [ $need_redis = yes ]; then
  mkdir -p "$OUT/redis"
  start redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT/redis"
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
for t in $TARGETS; do
  # shellcheck disable=SC2086
  [[ $t == gw-* ]] && start "$t" java $JAVA_OPTS -jar gateway/target/idemgate.jar --config "$TMP/$t.conf"
done

# Request scripts: a 200-byte JSON POST; the Redis targets add a key (fresh per request, or one of 100).
BODY='{"sku":"tea-0001","qty":1,"amount":4200,"currency":"EUR","customer":"cus_000000000001","note":"benchmark payload, two hundred bytes of JSON in all","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}'
for kind in plain unique replay; do
  cat > "$TMP/$kind.lua" <<LUA
local kind = "$kind"
local counter = 0
local prefix = ""
function setup(thread) thread:set("tid", tostring(math.random(1, 1e9))) end
function init(args) prefix = (tid or "0") .. "-" .. os.time() .. "-" end
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-client"
function request()
  counter = counter + 1
  if kind == "unique" then wrk.headers["Idempotency-Key"] = prefix .. counter
  elseif kind == "replay" then wrk.headers["Idempotency-Key"] = "replay-" .. (counter % 100) end
  return wrk.format()
end
LUA
done
script_of() { case $1 in gw-first-redis) echo unique ;; gw-replay-redis) echo replay ;; *) echo plain ;; esac; }

for t in $TARGETS upstream; do
  p=${PORT[$t]:-$UP_PORT}
  for _ in $(seq 1 300); do curl -fsS -o /dev/null -X POST -H 'Authorization: Bearer x' -H "Idempotency-Key: probe-$RANDOM$RANDOM" \
    -d '{}' "http://127.0.0.1:$p/v1/orders" 2>/dev/null && break; sleep 0.1; done
  curl -fsS -o /dev/null -X POST -H 'Authorization: Bearer x' -H "Idempotency-Key: probe-$RANDOM$RANDOM" -d '{}' \
    "http://127.0.0.1:$p/v1/orders" || { echo "$t does not answer; see $OUT/$t.log" >&2; exit 1; }
done

# CPU ticks (1/100 s) of a process and its children (nginx's worker).
ticks() {
  local sum=0 p
  for p in "$1" $(pgrep -P "$1" || true); do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$sum"
}
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }
redis_usec() { redis-cli -p "$REDIS_PORT" info commandstats | awk -F'[:=,]' '/^cmdstat_/ { s += $5 } END { print s + 0 }'; }
run_wrk() { # target seconds file
  taskset -c 1 wrk -t2 -c"$CONNS" -d"$2s" --latency -s "$TMP/$(script_of "$1").lua" "http://127.0.0.1:${PORT[$1]}/v1/orders" > "$3"
}

for t in $TARGETS; do
  echo "warm-up $t (${WARMUP}s)"
  run_wrk "$t" "$WARMUP" /dev/null
done
printf "target\tround\treq_s\tp50_ms\tp99_ms\tproxy_cpu_us\tredis_cpu_us\tredis_cmd_us\tnon2xx\n" > "$OUT/rounds.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for t in $TARGETS; do
    f="$OUT/$t-r$round.txt"
    c0=$(ticks "${PID[$t]}"); r0=0; u0=0
    if [[ $t == *redis ]]; then r0=$(ticks "${PID[redis]}"); redis-cli -p "$REDIS_PORT" config resetstat >/dev/null; fi
    run_wrk "$t" "$DURATION" "$f"
    c1=$(ticks "${PID[$t]}"); r1=$r0; u1=0
    if [[ $t == *redis ]]; then r1=$(ticks "${PID[redis]}"); u1=$(redis_usec); redis-cli -p "$REDIS_PORT" info commandstats > "$OUT/$t-r$round-commandstats.txt"; fi
    req=$(awk '/requests in/ {print $1}' "$f")
    per() { awk -v t="$1" -v r="$req" -v k="$2" 'BEGIN { printf "%.1f", (r > 0 ? t * k / r : 0) }'; }
    row=$(printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s" "$t" "$round" "$(awk '/Requests\/sec/ {print $2}' "$f")" \
      "$(to_ms "$(awk '$1=="50%" {print $2}' "$f")")" "$(to_ms "$(awk '$1=="99%" {print $2}' "$f")")" \
      "$(per $((c1 - c0)) 10000)" "$(per $((r1 - r0)) 10000)" "$(per "$u1" 1)" \
      "$(awk '/Non-2xx/ {print $4}' "$f" | grep . || echo 0)")
    echo "$row" >> "$OUT/rounds.tsv"
    echo "$row"
  done
done

median() { awk -F'\t' -v p="$1" -v c="$2" '$1 == p { print $c }' "$OUT/rounds.tsv" | sort -g |
  awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  echo
  echo "medians over $ROUNDS rounds of ${DURATION}s, wrk -t2 -c$CONNS (targets, upstream, Redis on core 0; wrk on core 1)"
  printf "%-16s %9s %7s %7s %10s %10s %10s | %7s %7s %7s\n" target "req/s" "p50 ms" "p99 ms" "proxy us" "redis us" "cmd us" \
    "x req/s" "x p99" "x cpu"
  declare -A MED
  for t in $TARGETS; do for c in 3 4 5 6 7 8; do MED[$t,$c]=$(median "$t" "$c"); done; done
  for t in $TARGETS; do
    ratio() { [[ " $TARGETS " == *" nginx-off "* ]] && awk -v a="${MED[$t,$1]}" -v b="${MED[nginx-off,$1]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }' || echo "-"; }
    printf "%-16s %9s %7s %7s %10s %10s %10s | %7s %7s %7s\n" "$t" "${MED[$t,3]}" "${MED[$t,4]}" "${MED[$t,5]}" "${MED[$t,6]}" \
      "${MED[$t,7]}" "${MED[$t,8]}" "$(ratio 3)" "$(ratio 5)" "$(ratio 6)"
  done
  echo "proxy us / redis us: CPU time per request from /proc (utime+stime); cmd us: Redis's own usec per request from"
  echo "INFO commandstats; x: ratio to nginx-off (req/s higher is better; p99 and CPU lower is better)."
} | tee "$OUT/summary.txt"
echo "results in $OUT"
