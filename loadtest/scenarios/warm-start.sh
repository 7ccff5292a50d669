#!/usr/bin/env bash
# Warm start: how fast a freshly started gateway reaches its steady pass-through throughput, with and
# without the archive the container image records at build time (deploy/container/aot-train), on
# Java 17 (class-data sharing archive) and Java 25 (AOT cache with method profiles).
# For each variant and round: start the gateway (pass-through, defaults) on core 0, start wrk -t2 -cCONNS
# on core 1 the moment its port answers, and count requests in 1 s windows for WINDOWS seconds (one wrk
# run per window, back to back); then the steady state of the same process after a further STEADY_WARMUP
# seconds of load. Reports per variant: time from launch to the first answer, each window's req/s as a
# share of steady, and the first window at or above 90 %. The upstream is nginx (echo module), which
# needs no warm-up. Loopback only; bounded in time; stops what it started.
#
#   loadtest/scenarios/warm-start.sh
#   VARIANTS="17-cold 17-cds" ROUNDS=1 loadtest/scenarios/warm-start.sh
#   JIT_LOG=1 VARIANTS="25-cold 25-warm" ROUNDS=1 loadtest/scenarios/warm-start.sh
# JIT_LOG=1: each run also logs the JIT's compilations (and on Java 25 its deoptimizations, with the
# reason) to VARIANT-rN.jit, and the summary counts what was compiled, made not entrant and deoptimized
# in each second after the port opened: what the JIT still does while the windows are measured.
# Variants: 17-cold, 17-cds (JAVA17 with -XX:SharedArchiveFile), 25-cold, 25-aot (JAVA25 with -XX:AOTCache);
# with -warm (17-warm, 17-cds-warm, 25-warm, 25-aot-warm) the gateway warms itself up for WARM_UP
# (server.warm-up) before its port opens, as the container image does: the windows count from its first
# answer, after the warm-up; first_answer_ms includes it.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
WINDOWS=${WINDOWS:-8}
STEADY_WARMUP=${STEADY_WARMUP:-40}
CONNS=${CONNS:-16}
JAVA17=${JAVA17:-java}
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
VARIANTS=${VARIANTS:-"17-cold 17-cds 25-cold 25-aot"}
JIT_LOG=${JIT_LOG:-0}
WARM_UP=${WARM_UP:-10s}   # in seconds ("10s"); the bound, as the image sets it; the warm-up ends earlier once the JIT settles
UP_PORT=${UP_PORT:-18681}
GW_PORT=${GW_PORT:-18680}
ADMIN_PORT=${ADMIN_PORT:-19690}
OUT=${OUT:-results/warm-start-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/tmp"
OUT=$(cd "$OUT" && pwd)
TMP=$OUT/tmp
export PATH=$PATH:/usr/sbin
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install -y wrk nginx libnginx-mod-http-echo curl" >&2; exit 1; }
done
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -f "$ECHO_MODULE" ] || { echo "nginx echo module missing: apt-get install -y libnginx-mod-http-echo" >&2; exit 1; }
. scripts/lib/jars.sh
. loadtest/scenarios/lib/nginx.sh
ensure_jars gateway/target/idemgate.jar loadtest/target/idemgate-loadtest.jar
JAR=$OUT/idemgate.jar   # archives are tied to the jar's path and modification time: a private copy
cp "${GATEWAY_JAR:-gateway/target/idemgate.jar}" "$JAR"   # GATEWAY_JAR: another build to compare

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

{ echo "load_module $ECHO_MODULE;"; nginx_conf_head "$TMP"; cat <<CONF
  server { listen 127.0.0.1:$UP_PORT;
    location / { echo_read_request_body; default_type application/json; return 201 '{"id":"ord_0000000001","status":"created"}'; } }
}
CONF
} > "$TMP/nginx.conf"
taskset -c 0 nginx -p "$TMP" -c "$TMP/nginx.conf" > "$OUT/nginx.log" 2>&1 &
pids+=($!)

cat > "$TMP/gateway.conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  routes = [ { name = pass, match.path = "/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"], idempotency.mode = off } ]
}
CONF
BODY='{"sku":"tea-0001","qty":1,"amount":4200,"currency":"EUR","customer":"cus_000000000001","note":"benchmark payload, two hundred bytes of JSON in all","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}'
cat > "$TMP/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
LUA
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$UP_PORT/" 2>/dev/null && break; sleep 0.1; done

java_of() { case $1 in 17-*) echo "$JAVA17" ;; 25-*) echo "$JAVA25" ;; esac; }
flags_of() {
  case $1 in 17-cds*) echo "-XX:SharedArchiveFile=$TMP/idemgate.jsa" ;; 25-aot*) echo "-XX:AOTCache=$TMP/idemgate.aot" ;; esac
  case $1 in *-warm) echo "-Didemgate.server.warm-up=$WARM_UP" ;; *) echo "-Didemgate.server.warm-up=0s" ;; esac
  if [ "$JIT_LOG" = 1 ]; then  # Java 17 has no deoptimization tag; its "made not entrant" lines show the effect
    case $1 in 17-*) echo "-Xlog:jit+compilation=debug:file=$OUT/$1-r$2.jit:timemillis" ;;
               *) echo "-Xlog:jit+compilation=debug,deoptimization=debug:file=$OUT/$1-r$2.jit:timemillis" ;; esac
  fi
}

# Training runs, as the image build does them (pass-through and idempotent load, then SIGTERM).
train() { # java record-flag archive
  local conf=$TMP/train.conf
  cat > "$conf" <<CONF
idemgate {
  server { host = "127.0.0.1", port = $GW_PORT }
  admin { host = "127.0.0.1", port = $ADMIN_PORT }
  routes = [
    { name = pass, match.path = "/pass/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"], idempotency.mode = off }
    { name = orders, match.path = "/**", upstream.urls = ["http://127.0.0.1:$UP_PORT"], idempotency { mode = key, scope.when-missing = shared } }
  ]
}
CONF
  # Trained with the warm-up on, as the image is: the archive holds its classes too.
  "$1" "$2" -Didemgate.server.warm-up="$WARM_UP" -XX:MaxRAMPercentage=75 -jar "$JAR" --config "$conf" > "$OUT/train-$(basename "$3").log" 2>&1 &
  local gw=$!
  for _ in $(seq 1 200); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz" 2>/dev/null && break; sleep 0.1; done
  for path in /v1/orders /pass/orders; do
    java -jar loadtest/target/idemgate-loadtest.jar load --target "http://127.0.0.1:$GW_PORT$path" --rate 2000 \
      --duration 6s --connections 16 --duplicate-ratio 0 > "$OUT/train-load.log" 2>&1 || true
  done
  kill -TERM "$gw"; wait "$gw" || true
  [ -s "$3" ] || { echo "training wrote no $3; see $OUT/train-$(basename "$3").log" >&2; exit 1; }
}
[[ " $VARIANTS " == *" 17-cds"* ]] && train "$JAVA17" "-XX:ArchiveClassesAtExit=$TMP/idemgate.jsa" "$TMP/idemgate.jsa"
[[ " $VARIANTS " == *" 25-aot"* ]] && train "$JAVA25" "-XX:AOTCacheOutput=$TMP/idemgate.aot" "$TMP/idemgate.aot"

now_ms() { date +%s%3N; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime of the gateway, in clock ticks
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
# One 1 s wrk window on core 1: win=(req/s, gateway CPU µs per request). The CPU per request does not
# depend on how busy the machine is, so on a shared machine it shows the ramp when req/s cannot.
window() {
  local before after out
  before=$(cpu_ticks "$1")
  out=$(taskset -c 1 wrk -t2 -c"$CONNS" -d1s -s "$TMP/post.lua" "http://127.0.0.1:$GW_PORT/v1/orders")
  after=$(cpu_ticks "$1")
  win=("$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')"
       "$(echo "$out" | awk -v c=$(( (after - before) * TICK_US )) '/requests in/ {printf "%d", ($1 > 0 ? c / $1 : 0)}')")
}
printf "variant\tround\tsteady_cpu_us\n" > "$OUT/cpu.tsv"
printf "variant\tround\tfirst_answer_ms\tsteady_req_s%s\n" "$(for w in $(seq 1 "$WINDOWS"); do printf '\tw%d' "$w"; done)" > "$OUT/rounds.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for v in $VARIANTS; do
    t0=$(now_ms)
    # shellcheck disable=SC2046
    taskset -c 0 "$(java_of "$v")" $(flags_of "$v" "$round") -XX:MaxRAMPercentage=75 -jar "$JAR" --config "$TMP/gateway.conf" \
      > "$OUT/$v-r$round.log" 2>&1 &
    gw=$!
    pids+=($gw)
    patience=30; [[ $v == *-warm ]] && patience=$(( 30 + ${WARM_UP%s} ))   # a loaded machine starts slowly
    deadline=$(( $(now_ms) + patience * 1000 ))
    until curl -fsS -o /dev/null -X POST -d '{}' "http://127.0.0.1:$GW_PORT/v1/orders" 2>/dev/null; do
      [ "$(now_ms)" -lt "$deadline" ] || { echo "$v did not answer in $patience s; see $OUT/$v-r$round.log" >&2; exit 1; }
      sleep 0.02
    done
    first=$(( $(now_ms) - t0 ))
    echo "$(now_ms)" > "$OUT/$v-r$round.open"
    rates=(); cpus=()
    for w in $(seq 1 "$WINDOWS"); do
      window "$gw"; rates+=("${win[0]}"); cpus+=("${win[1]}")
    done
    taskset -c 1 wrk -t2 -c"$CONNS" -d"${STEADY_WARMUP}s" -s "$TMP/post.lua" "http://127.0.0.1:$GW_PORT/v1/orders" > /dev/null
    steady=0; steady_cpu=0
    for _ in 1 2 3; do  # the median of three 1 s windows, measured as the early ones are
      window "$gw"; steady="$steady ${win[0]}"; steady_cpu="$steady_cpu ${win[1]}"
    done
    steady=$(echo "$steady" | tr ' ' '\n' | grep -v '^0$' | sort -n | sed -n 2p)
    steady_cpu=$(echo "$steady_cpu" | tr ' ' '\n' | grep -v '^0$' | sort -n | sed -n 2p)
    kill "$gw"; wait "$gw" 2>/dev/null || true
    row=$(printf "%s\t%s\t%s\t%s" "$v" "$round" "$first" "$steady"; for r in "${rates[@]}"; do printf '\t%s' "$r"; done)
    echo "$row" | tee -a "$OUT/rounds.tsv"
    printf "%s\t%s\t%s%s\n" "$v" "$round" "$steady_cpu" "$(for c in "${cpus[@]}"; do printf '\t%s' "$c"; done)" >> "$OUT/cpu.tsv"
  done
done

# What the JIT did per second after the port opened (from the JIT_LOG=1 logs): C2 compilations of the
# gateway's and Netty's methods, compilations of any method at tiers 1-3 and 4, nmethods made not entrant
# (not counting "not used": a C1 version replaced by C2's), and uncommon traps (Java 25 only).
jit_summary() {
  echo
  echo "JIT per second after the port opened (round 1): app C2 = io.idemgate/io.netty methods compiled by C2;"
  echo "C1, C2 = all methods compiled at tiers 1-3 and 4; mne = made not entrant (not 'not used'); traps = deoptimizations"
  for v in $VARIANTS; do
    [ -f "$OUT/$v-r1.jit" ] || continue
    python3 - "$OUT/$v-r1.jit" "$(cat "$OUT/$v-r1.open")" "$WINDOWS" "$v" <<'PY'
import collections, re, sys
path, opened, windows, variant = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
app = re.compile(r'io\.idemgate|io\.netty')
rows = collections.defaultdict(collections.Counter)
reasons = collections.Counter()
for line in open(path, errors='replace'):
    m = re.match(r'\[(\d+)ms\](.*)', line)
    if not m:
        continue
    t, rest = int(m.group(1)), m.group(2)
    s = (t - opened) // 1000 if t >= opened else -1
    if s >= windows:
        continue
    if 'made not entrant' in rest:
        rows[s]['mne'] += 'not used' not in rest
    elif 'trap_bci=' in rest:
        rows[s]['traps'] += 1
        if s >= 0:
            r = re.search(r'level=\d (\S+) trap_bci=\d+ (\w+)', rest)
            if r and app.search(r.group(1)):
                reasons[r.group(2) + ' ' + r.group(1).split('(')[0]] += 1
    else:
        c = re.match(r'\s+\d+\s+[%sbn! ]*?\s*([0-4])\s+(\S+)', rest)
        if c:
            tier = 'C2' if c.group(1) == '4' else 'C1'
            rows[s][tier] += 1
            rows[s]['app ' + tier] += tier == 'C2' and bool(app.search(c.group(2)))
print('%-12s %6s %6s %6s %6s %6s' % (variant, 'app C2', 'C1', 'C2', 'mne', 'traps'))
for s in range(-1, windows):
    r = rows[s]
    print('%-12s %6d %6d %6d %6d %6d' % ('before open' if s < 0 else '%ds' % (s + 1), r['app C2'], r['C1'], r['C2'], r['mne'], r['traps']))
for k, n in reasons.most_common(8):
    print('  trap after open: %dx %s' % (n, k))
PY
  done
}

{
  echo
  echo "windows of 1 s from the first answer, as % of the same process's steady req/s (medians over $ROUNDS rounds)"
  awk -F'\t' -v W="$WINDOWS" 'NR > 1 {
      n[$1]++; first[$1, n[$1]] = $3; st[$1, n[$1]] = $4
      for (w = 1; w <= W; w++) pct[$1, w, n[$1]] = ($4 > 0 ? 100 * $(4 + w) / $4 : 0)
      if (!seen[$1]++) order[++k] = $1 }
    function med(a, key, m,   i, j, t, v) { for (i = 1; i <= m; i++) v[i] = a[key, i]
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return v[int((m + 1) / 2)] }
    END {
      printf "%-12s %8s %8s", "variant", "first ms", "steady"; for (w = 1; w <= W; w++) printf " %5s", w "s"; printf " %s\n", "  >=90% from"
      for (i = 1; i <= k; i++) { v = order[i]; m = n[v]; printf "%-12s %8d %8d", v, med(first, v, m), med(st, v, m); at = "-"
        for (w = 1; w <= W; w++) { delete tmp; for (r = 1; r <= m; r++) tmp[v, r] = pct[v, w, r]; p = med(tmp, v, m)
          printf " %4d%%", p; if (at == "-" && p >= 90) at = w "s" }
        printf "   %s\n", at } }' "$OUT/rounds.tsv"
  echo "first ms: launch to the first answered request; window N: req/s in the Nth second of load after it."
  echo
  echo "gateway CPU µs per request in the same windows, and steady (medians over $ROUNDS rounds; 10 ms ticks)"
  awk -F'\t' -v W="$WINDOWS" 'NR > 1 { n[$1]++; for (w = 0; w <= W; w++) c[$1, w, n[$1]] = $(3 + w); if (!seen[$1]++) order[++k] = $1 }
    function med(v, m,   i, j, t) { for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return v[int((m + 1) / 2)] }
    END { printf "%-12s %7s", "variant", "steady"; for (w = 1; w <= W; w++) printf " %6s", w "s"; printf "\n"
      for (i = 1; i <= k; i++) { v = order[i]; m = n[v]
        for (w = 0; w <= W; w++) { delete t; for (r = 1; r <= m; r++) t[r] = c[v, w, r]; printf (w == 0 ? "%-12s %7d" : " %6d"), (w == 0 ? v : med(t, m)), med(t, m) }
        printf "\n" } }' "$OUT/cpu.tsv"
  [ "$JIT_LOG" = 1 ] && jit_summary
} | tee "$OUT/summary.txt"
echo "results in $OUT"
