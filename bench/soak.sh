#!/usr/bin/env bash
# bench/soak.sh — bounded load-and-soak of PresignGateway (proxy mode, with a share of redirect mode) on 127.0.0.1.
#
# Starts an nginx upstream (static files; query strings ignored, so signatures never matter), optionally Redis as
# the shared cache tier, and the gateway; then runs wrk in back-to-back invocations of 30-60 s until SOAK_MINUTES
# are up. The load mixes objects (1 KiB 55%, 64 KiB 30%, 1 MiB 13%, 16 MiB 2% of requests), sends SOAK_MISS_PCT%
# of requests to keys the gateway has never seen (each one a cache miss and a signing; u/<random>/<file>) and
# SOAK_REDIRECT_PCT% to the redirect-mode site. Every SAMPLE_SECONDS it records the request rate (requests sent, as
# counted by the wrk script), the errors wrk has reported so far (non-2xx/3xx and socket errors; wrk reports them
# when each invocation ends), and the gateway's RSS, CPU, threads and open files. At the end it prints the table
# over time and a summary, and exits non-zero if any request failed (non-2xx/3xx or a socket error), if the gateway
# died, or if its mean RSS over the last third of the samples is more than SOAK_RSS_GROWTH_PCT% above the first
# third's.
#
# The in-process URL cache is capped at SOAK_MAX_ENTRIES (Gateway:Cache:MaxEntries) so that it fills, and starts
# evicting, early in the soak: growth after that is not the cache filling up by design.
#
# Usage: bench/soak.sh                     # 10 minutes
#        SOAK_MINUTES=1 bench/soak.sh      # about 1.5 minutes including start-up
# Environment (defaults in brackets):
#   SOAK_MINUTES [10]  SOAK_WRK_SECONDS [45]: target length of one wrk invocation (kept within 30-60 s)
#   SOAK_WARMUP [15] seconds of load before sampling starts (JIT, heap growth; not judged)
#   SOAK_THREADS [2]  SOAK_CONNS [16]  SOAK_MISS_PCT [10]  SOAK_REDIRECT_PCT [5]  SOAK_MAX_ENTRIES [2000]
#   SOAK_REDIS [auto]: auto = use redis-server when installed, 1 = require it, 0 = in-process cache only
#   SOAK_RSS_GROWTH_PCT [25]  SAMPLE_SECONDS [10]  SKIP_BUILD [0]  KEEP_WORK [0]  BENCH_NICE [0] (as in run.sh)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH_DIR/lib.sh"

# The settings the caller gave, for the report (before this script exports any of its own).
CALLER_SETTINGS=$(env | grep -E '^(SOAK_[A-Z_]+|SAMPLE_SECONDS)=' | sort | tr '\n' ' ' || true)
SOAK_MINUTES=${SOAK_MINUTES:-10}
SOAK_WRK_SECONDS=${SOAK_WRK_SECONDS:-45}
SOAK_WARMUP=${SOAK_WARMUP:-15}
SOAK_THREADS=${SOAK_THREADS:-2}
SOAK_CONNS=${SOAK_CONNS:-16}
SOAK_MISS_PCT=${SOAK_MISS_PCT:-10}
SOAK_REDIRECT_PCT=${SOAK_REDIRECT_PCT:-5}
SOAK_MAX_ENTRIES=${SOAK_MAX_ENTRIES:-2000}
SOAK_REDIS=${SOAK_REDIS:-auto}
SOAK_RSS_GROWTH_PCT=${SOAK_RSS_GROWTH_PCT:-25}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-10}
SKIP_BUILD=${SKIP_BUILD:-0}

require dotnet nginx wrk curl awk head
[[ "$SOAK_MINUTES" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SOAK_MINUTES must be a number of minutes"
TOTAL_SECONDS=$(awk -v m="$SOAK_MINUTES" 'BEGIN { printf "%d", m * 60 }')
((TOTAL_SECONDS >= 30)) || die "SOAK_MINUTES must be at least 0.5 (one wrk invocation is 30-60 s)"
USE_REDIS=0
case "$SOAK_REDIS" in
  1) require redis-server; USE_REDIS=1 ;;
  auto) command -v redis-server >/dev/null 2>&1 && USE_REDIS=1 ;;
  0) ;;
  *) die "SOAK_REDIS must be auto, 1 or 0" ;;
esac

T_START=$(date +%s)
warn_if_busy
make_work_dir
install_cleanup

build_gateway

mkdir -p "$WORK/www/bench" "$WORK/counts"
chmod 755 "$WORK/www" "$WORK/www/bench"
make_file "$WORK/www/bench/1k.bin" 1024
make_file "$WORK/www/bench/64k.bin" $((64 * 1024))
make_file "$WORK/www/bench/1m.bin" $((1024 * 1024))
make_file "$WORK/www/bench/16m.bin" $((16 * 1024 * 1024))

free_port UP_PORT; free_port GW_PORT
start_nginx upstream "" "$(upstream_conf "$UP_PORT" "$WORK/www")"
UP_PID=$LAST_PID
wait_http nginx-upstream "$UP_PID" "http://127.0.0.1:$UP_PORT/bench/1k.bin"

mapfile -t gateway_env < <(gateway_settings "$UP_PORT")
gateway_env+=(Gateway__Cache__MaxEntries="$SOAK_MAX_ENTRIES")
REDIS_PID=""
if ((USE_REDIS)); then
  free_port REDIS_PORT
  start redis "" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$WORK" --protected-mode yes
  REDIS_PID=$LAST_PID
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; then break; fi
    kill -0 "$REDIS_PID" 2>/dev/null || { cat "$WORK/redis.log" >&2; die "redis-server exited during start-up"; }
    sleep 0.1
  done
  gateway_env+=(ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT")
fi
start gateway "" env "${gateway_env[@]}" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$GW_PORT"
GW_PID=$LAST_PID
wait_http gateway "$GW_PID" "http://127.0.0.1:$GW_PORT/healthz"

# Every kind of request answers as it should before the load starts.
for f in 1k 64k 1m 16m; do
  want=$(stat -c %s "$WORK/www/bench/$f.bin")
  for path in "/$f.bin" "/u/check-$RANDOM/$f.bin"; do
    got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$GW_PORT$path")
    [[ "$got" == "200 $want" ]] || die "GET $path gave '$got', expected '200 $want'"
  done
  got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW_PORT/r/$f.bin")
  [[ "$got" == 302 ]] || die "GET /r/$f.bin gave '$got', expected 302"
done
note "upstream :$UP_PORT, gateway :$GW_PORT (pid $GW_PID)$( ((USE_REDIS)) && echo ", redis :$REDIS_PORT" || echo ", in-process cache only")"

# --- load ------------------------------------------------------------------------------------------------------------
export SOAK_MISS_PCT SOAK_REDIRECT_PCT
export SOAK_COUNT_DIR="$WORK/counts"
URL="http://127.0.0.1:$GW_PORT"

run_wrk() { # id seconds -> output in $WORK/wrk-<id>.txt
  SOAK_RUN_ID=$1 timeout --kill-after=5 $(($2 + 60)) wrk -t"$SOAK_THREADS" -c"$SOAK_CONNS" -d"$2s" --timeout 30s --latency \
    -s "$BENCH_DIR/soak.lua" "$URL" >"$WORK/wrk-$1.txt" 2>&1
}

if ((SOAK_WARMUP > 0)); then
  note "warm-up: ${SOAK_WARMUP} s of load (not judged)"
  run_wrk 0 "$SOAK_WARMUP" || { cat "$WORK/wrk-0.txt" >&2; die "wrk failed during warm-up"; }
  rm -f "$WORK"/counts/count-0-*
fi

# Invocation length: as close to SOAK_WRK_SECONDS as divides the time evenly, within 30-60 s.
NRUNS=$(awk -v t="$TOTAL_SECONDS" -v w="$SOAK_WRK_SECONDS" 'BEGIN { n = int(t / w + 0.5); if (n < 1) n = 1;
  while (t / n > 60) n++; while (n > 1 && t / n < 30) n--; print n }')
RUN_SECONDS=$((TOTAL_SECONDS / NRUNS))

SAMPLES="$WORK/samples.tsv"
: >"$SAMPLES"
# sample_once T0 PREV_REQ PREV_TICKS PREV_TIME: appends one row to the table; echoes "req ticks time" for the next call.
sample_once() {
  local t0=$1 preq=$2 pticks=$3 ptime=$4 now req ticks rss threads fds redis_rss errs
  now=$(date +%s%N)
  req=$(cat "$WORK"/counts/count-*[0-9] 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
  ticks=$(cpu_ticks "$GW_PID")
  rss=$(rss_kb "$GW_PID")
  threads=$(awk '/^Threads:/ { print $2 }' /proc/"$GW_PID"/status 2>/dev/null || echo 0)
  fds=$(find /proc/"$GW_PID"/fd -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  redis_rss=$([[ -n "$REDIS_PID" ]] && rss_kb "$REDIS_PID" || echo 0)
  errs=$(cat "$WORK"/errors 2>/dev/null || echo 0)
  awk -v t="$(((now - t0) / 1000000000))" -v dt="$((now - ptime))" -v dr="$((req - preq))" \
    -v dc="$((ticks - pticks))" -v hz="$CLK_TCK" -v rss="$rss" -v th="$threads" -v fds="$fds" -v rr="$redis_rss" -v e="$errs" \
    'BEGIN { s = dt / 1e9; printf "%d\t%.0f\t%s\t%.1f\t%.2f\t%d\t%d\t%.1f\n", t, dr / s, e, rss / 1024, dc / hz / s, th, fds, rr / 1024 }' >>"$SAMPLES"
  echo "$req $ticks $now"
}
sampler() { # runs in the background until killed
  local t0=$1 state
  state="0 $(cpu_ticks "$GW_PID") $t0"
  while :; do
    sleep "$SAMPLE_SECONDS"
    kill -0 "$GW_PID" 2>/dev/null || { echo "gateway gone" >"$WORK/gateway-died"; return; }
    # shellcheck disable=SC2086
    state=$(sample_once "$t0" $state)
  done
}
CLK_TCK=$(getconf CLK_TCK)
echo 0 >"$WORK/errors"

note "soak: $NRUNS wrk invocation(s) of ${RUN_SECONDS} s, $SOAK_THREADS threads, $SOAK_CONNS connections, misses ${SOAK_MISS_PCT}%, redirects ${SOAK_REDIRECT_PCT}%"
T0=$(date +%s%N)
sampler "$T0" &
SAMPLER_PID=$!
STARTED_PIDS+=("$SAMPLER_PID")

TOTAL_REQ=0; TOTAL_STATUS=0; TOTAL_SOCKET=0; RUN_ROWS=""
for i in $(seq "$NRUNS"); do
  run_wrk "$i" "$RUN_SECONDS" || { cat "$WORK/wrk-$i.txt" >&2; die "wrk invocation $i failed"; }
  line=$(grep '^RESULT ' "$WORK/wrk-$i.txt") || { cat "$WORK/wrk-$i.txt" >&2; die "no RESULT line from wrk invocation $i"; }
  declare -A v=()
  for kv in ${line#RESULT }; do v[${kv%%=*}]=${kv#*=}; done
  socket=$((v[connect] + v[read] + v[write] + v[timeout]))
  TOTAL_REQ=$((TOTAL_REQ + v[requests])); TOTAL_STATUS=$((TOTAL_STATUS + v[status])); TOTAL_SOCKET=$((TOTAL_SOCKET + socket))
  echo "$((TOTAL_STATUS + TOTAL_SOCKET))" >"$WORK/errors"
  row=$(awk -v i="$i" -v r="${v[requests]}" -v us="${v[duration_us]}" -v b="${v[bytes]}" -v p50="${v[p50_us]}" -v p99="${v[p99_us]}" \
    -v st="${v[status]}" -v so="$socket" \
    'BEGIN { s = us / 1e6; printf "| %d | %.0f | %d | %.0f | %.1f | %.2f | %.1f | %d | %d |", i, s, r, r / s, b / s / 1048576, p50 / 1000, p99 / 1000, st, so }')
  RUN_ROWS+="$row"$'\n'
  note "wrk $i/$NRUNS: ${v[requests]} requests, non-2xx/3xx ${v[status]}, socket errors $socket"
  kill -0 "$GW_PID" 2>/dev/null || break
done
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
T_END=$(date +%s)

# --- report ----------------------------------------------------------------------------------------------------------
GW_ALIVE=1
kill -0 "$GW_PID" 2>/dev/null || GW_ALIVE=0
[[ -f "$WORK/gateway-died" ]] && GW_ALIVE=0
GW_HWM=$( ((GW_ALIVE)) && hwm_kb "$GW_PID" || echo 0)

echo "## PresignGateway soak"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo))"
echo "- command: \`${CALLER_SETTINGS}bench/soak.sh\`"
echo "- gateway: commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n "$(git -C "$ROOT" status --porcelain -- src appsettings.json 2>/dev/null)" ]] && echo " with uncommitted changes in src/ or appsettings.json")"
echo "- load: $NRUNS × ${RUN_SECONDS} s of wrk -t$SOAK_THREADS -c$SOAK_CONNS after ${SOAK_WARMUP} s warm-up; misses ${SOAK_MISS_PCT}%, redirects ${SOAK_REDIRECT_PCT}%; cache MaxEntries $SOAK_MAX_ENTRIES; shared tier: $( ((USE_REDIS)) && echo "Redis $(redis-server --version | awk '{ print $3 }' | sed 's/v=//')" || echo "none (in-process only)")"
echo "- the whole script took $((T_END - T_START)) s"
echo
echo "### Over time (every ${SAMPLE_SECONDS} s)"
echo
echo "| t s | req/s | errors so far | gateway RSS MiB | gateway CPU cores | threads | open fds | redis RSS MiB |"
echo "|--:|--:|--:|--:|--:|--:|--:|--:|"
awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$SAMPLES"
echo
echo "### wrk invocations"
echo
echo "| # | s | requests | req/s | MiB/s | p50 ms | p99 ms | non-2xx/3xx | socket errors |"
echo "|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
printf '%s' "$RUN_ROWS"
echo

read -r NS RSS_MIN RSS_MAX RSS_LAST RSS_FIRST3 RSS_LAST3 FD_FIRST FD_LAST TH_FIRST TH_LAST <<<"$(awk -F'\t' '
  { n++; rss[n] = $4; fd[n] = $7; th[n] = $6 }
  END {
    if (n == 0) { print "0 0 0 0 0 0 0 0 0 0"; exit }
    min = max = rss[1]
    for (i = 1; i <= n; i++) { if (rss[i] < min) min = rss[i]; if (rss[i] > max) max = rss[i] }
    third = int(n / 3); if (third < 1) third = 1
    for (i = 1; i <= third; i++) a += rss[i]
    for (i = n - third + 1; i <= n; i++) b += rss[i]
    printf "%d %.1f %.1f %.1f %.1f %.1f %d %d %d %d\n", n, min, max, rss[n], a / third, b / third, fd[1], fd[n], th[1], th[n]
  }' "$SAMPLES")"
GROWTH=$(awk -v a="$RSS_FIRST3" -v b="$RSS_LAST3" 'BEGIN { printf "%.1f", (a > 0 ? (b - a) / a * 100 : 0) }')
TOTAL_ERR=$((TOTAL_STATUS + TOTAL_SOCKET))

echo "### Summary"
echo
echo "- requests: $TOTAL_REQ in $NRUNS invocation(s); errors: $TOTAL_ERR (non-2xx/3xx $TOTAL_STATUS, socket $TOTAL_SOCKET)"
echo "- gateway RSS MiB over $NS samples: min $RSS_MIN, max $RSS_MAX, last $RSS_LAST; peak (VmHWM) $((GW_HWM / 1024))"
echo "- mean RSS, first third vs last third of the samples: $RSS_FIRST3 → $RSS_LAST3 MiB ($GROWTH%, limit ${SOAK_RSS_GROWTH_PCT}%)"
echo "- open fds $FD_FIRST → $FD_LAST, threads $TH_FIRST → $TH_LAST"

FAIL=()
((GW_ALIVE)) || FAIL+=("the gateway died (log: $(tail -n 5 "$WORK/gateway.log" | tr '\n' ' '))")
((TOTAL_ERR == 0)) || FAIL+=("$TOTAL_ERR failed requests")
((NS >= 3)) || FAIL+=("only $NS samples: too short to judge memory")
awk -v g="$GROWTH" -v lim="$SOAK_RSS_GROWTH_PCT" 'BEGIN { exit !(g > lim) }' && FAIL+=("RSS grew $GROWTH% (> ${SOAK_RSS_GROWTH_PCT}%)")
if ((${#FAIL[@]})); then
  echo "- result: FAIL — $(printf '%s; ' "${FAIL[@]}" | sed 's/; $//')"
  exit 1
fi
echo "- result: PASS"
