#!/usr/bin/env bash
# bench/flood.sh — a hostile flood of never-seen objects with long CJK names against PresignGateway, on 127.0.0.1.
#
# For each mode (proxy: every request a 404 from the upstream; redirect: every request a 302) it starts a fresh
# gateway under the deploy/kubernetes heap limit (DOTNET_GCHeapHardLimit, 512 MiB) with the Prometheus endpoint on and
# the default cache limits, then sends FLOOD_KEYS distinct keys, each a 320-character CJK path with a 200-character CJK
# ?filename= (about 4.7 KB of request line), over FLOOD_CONNS connections. Every SAMPLE_SECONDS it records the request
# rate, the gateway's RSS, the bytes and entries its in-process URL tier accounts for, and the managed heap after the
# last GC. It prints a table per mode and exits non-zero if the gateway died, if the accounted bytes ever passed
# Gateway:Cache:MaxBytes, or if a mode did not finish within FLOOD_MAX_SECONDS.
#
# Usage: bench/flood.sh                          # 1,000,000 keys per mode: about 10 minutes on 2 busy cores
#        FLOOD_KEYS=100000 bench/flood.sh         # a quick look
# Environment (defaults in brackets):
#   FLOOD_KEYS [1000000] per mode   FLOOD_MODES ["proxy redirect"]   FLOOD_THREADS [2]   FLOOD_CONNS [8]
#   FLOOD_MAX_SECONDS [420] per mode   FLOOD_MAX_BYTES [unset: the gateway's default, 64 MiB]
#   HEAP_LIMIT [0x20000000]   SAMPLE_SECONDS [5]   SKIP_BUILD [0]   KEEP_WORK [0]   BENCH_NICE [0] (as in run.sh)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH_DIR/lib.sh"

CALLER_SETTINGS=$(env | grep -E '^(FLOOD_[A-Z_]+|HEAP_LIMIT|SAMPLE_SECONDS)=' | sort | tr '\n' ' ' || true)
FLOOD_KEYS=${FLOOD_KEYS:-1000000}
FLOOD_MODES=${FLOOD_MODES:-"proxy redirect"}
FLOOD_THREADS=${FLOOD_THREADS:-2}
FLOOD_CONNS=${FLOOD_CONNS:-8}
FLOOD_MAX_SECONDS=${FLOOD_MAX_SECONDS:-420}
FLOOD_MAX_BYTES=${FLOOD_MAX_BYTES:-}
HEAP_LIMIT=${HEAP_LIMIT:-0x20000000}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-5}
SKIP_BUILD=${SKIP_BUILD:-0}
DEFAULT_MAX_BYTES=67108864

require dotnet nginx wrk curl awk
[[ "$FLOOD_KEYS" =~ ^[0-9]+$ ]] || die "FLOOD_KEYS must be a whole number"
for m in $FLOOD_MODES; do [[ "$m" == proxy || "$m" == redirect ]] || die "FLOOD_MODES holds proxy and/or redirect, not '$m'"; done
MAX_BYTES=${FLOOD_MAX_BYTES:-$DEFAULT_MAX_BYTES}

T_START=$(date +%s)
warn_if_busy
make_work_dir
install_cleanup

build_gateway

mkdir -p "$WORK/www/bench"
chmod 755 "$WORK/www" "$WORK/www/bench"
make_file "$WORK/www/bench/1k.bin" 1024
free_port UP_PORT
start_nginx upstream "" "$(upstream_conf "$UP_PORT" "$WORK/www")"
UP_PID=$LAST_PID
wait_http nginx-upstream "$UP_PID" "http://127.0.0.1:$UP_PORT/bench/1k.bin"
CLK_TCK=$(getconf CLK_TCK)

# scrape_metrics PORT: the gateway's Prometheus text, from its metrics listener (Gateway:Telemetry:MetricsUrl).
scrape_metrics() {
  curl -s --max-time 3 "http://127.0.0.1:$1/metrics" || true
}

# gauge NAME < metrics: the sum of a gauge's series (the heap size comes per generation).
gauge() {
  awk -v n="$1" 'index($0, n) == 1 && (substr($0, length(n) + 1, 1) == "{" || substr($0, length(n) + 1, 1) == " ") { s += $NF } END { printf "%.0f", s }'
}

REPORT="$WORK/report.md"
FAIL=()
: >"$REPORT"
for MODE in $FLOOD_MODES; do
  free_port GW_PORT
  free_port METRICS_PORT
  mapfile -t gateway_env < <(gateway_settings "$UP_PORT")
  gateway_env+=(DOTNET_GCHeapHardLimit="$HEAP_LIMIT" Gateway__Telemetry__PrometheusEndpoint=true
    Gateway__Telemetry__MetricsUrl="http://127.0.0.1:$METRICS_PORT"
    Gateway__Sites__proxy__AllowedQuery__0=filename Gateway__Sites__redirect__AllowedQuery__0=filename)
  [[ -n "$FLOOD_MAX_BYTES" ]] && gateway_env+=(Gateway__Cache__MaxBytes="$FLOOD_MAX_BYTES")
  start "gateway-$MODE" "" env "${gateway_env[@]}" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$GW_PORT"
  GW_PID=$LAST_PID
  wait_http "gateway-$MODE" "$GW_PID" "http://127.0.0.1:$GW_PORT/healthz"
  prefix=/; expect=404
  [[ "$MODE" == redirect ]] && { prefix=/r/; expect=302; }
  got=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW_PORT${prefix}flood/check/%E4%B8%80?filename=%E4%B8%80.txt")
  [[ "$got" == "$expect" ]] || die "$MODE: a flood request gave $got, expected $expect"
  [[ -n "$(scrape_metrics "$METRICS_PORT" | gauge presign_gateway_cache_memory_entries)" ]] || die "$MODE: no /metrics"

  mkdir -p "$WORK/counts-$MODE"
  SAMPLES="$WORK/samples-$MODE.tsv"
  : >"$SAMPLES"
  note "$MODE: $FLOOD_KEYS keys, wrk -t$FLOOD_THREADS -c$FLOOD_CONNS, at most ${FLOOD_MAX_SECONDS} s; gateway pid $GW_PID"
  T0=$(date +%s%N)
  FLOOD_KEYS=$FLOOD_KEYS FLOOD_THREADS=$FLOOD_THREADS FLOOD_PREFIX=$prefix FLOOD_COUNT_DIR="$WORK/counts-$MODE" \
    timeout --kill-after=5 $((FLOOD_MAX_SECONDS + 30)) wrk -t"$FLOOD_THREADS" -c"$FLOOD_CONNS" -d"${FLOOD_MAX_SECONDS}s" --timeout 10s \
    -s "$BENCH_DIR/flood.lua" "http://127.0.0.1:$GW_PORT" >"$WORK/wrk-$MODE.txt" 2>&1 &
  WRK_PID=$!
  STARTED_PIDS+=("$WRK_PID")
  prev_req=0; prev_t=$T0; prev_ticks=$(cpu_ticks "$GW_PID"); next_sample=$((T0 + SAMPLE_SECONDS * 1000000000)); stopped=0
  # wrk runs for its whole -d even after every thread has stopped: end it (SIGINT: it still reports) once all
  # responses are in. Checked twice a second; sampled every SAMPLE_SECONDS.
  while kill -0 "$WRK_PID" 2>/dev/null; do
    sleep 0.5
    kill -0 "$GW_PID" 2>/dev/null || { echo "gone" >"$WORK/died-$MODE"; kill -INT "$WRK_PID" 2>/dev/null || true; break; }
    req=$(cat "$WORK/counts-$MODE"/count-*[0-9] 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
    if ((req >= FLOOD_KEYS && !stopped)); then
      stopped=1
      kill -INT "$WRK_PID" 2>/dev/null || true
    fi
    now=$(date +%s%N)
    ((now >= next_sample || stopped)) || continue
    next_sample=$((next_sample + SAMPLE_SECONDS * 1000000000))
    ticks=$(cpu_ticks "$GW_PID")
    metrics=$(scrape_metrics "$METRICS_PORT")
    tier=$(gauge presign_gateway_cache_memory_bytes <<<"$metrics")
    entries=$(gauge presign_gateway_cache_memory_entries <<<"$metrics")
    heap=$(gauge dotnet_gc_last_collection_heap_size_bytes <<<"$metrics")
    awk -v t="$(((now - T0) / 1000000000))" -v dt="$((now - prev_t))" -v dr="$((req - prev_req))" -v req="$req" \
      -v rss="$(rss_kb "$GW_PID")" -v tier="${tier:-0}" -v ent="${entries:-0}" -v heap="${heap:-0}" -v dc="$((ticks - prev_ticks))" -v hz="$CLK_TCK" \
      'BEGIN { s = dt / 1e9; printf "%d\t%d\t%.0f\t%.1f\t%.1f\t%d\t%.1f\t%.2f\n", t, req, dr / s, rss / 1024, tier / 1048576, ent, heap / 1048576, dc / hz / s }' >>"$SAMPLES"
    prev_req=$req; prev_t=$now; prev_ticks=$ticks
    ((stopped)) && break
  done
  wait "$WRK_PID" 2>/dev/null || true
  T1=${prev_t}
  ALIVE=1
  kill -0 "$GW_PID" 2>/dev/null || ALIVE=0
  [[ -f "$WORK/died-$MODE" ]] && ALIVE=0
  HEALTH=$( ((ALIVE)) && curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$GW_PORT/healthz" || echo none)
  HWM=$( ((ALIVE)) && hwm_kb "$GW_PID" || echo 0)
  line=$(grep '^RESULT ' "$WORK/wrk-$MODE.txt" || true)
  declare -A v=([requests]=0 [duration_us]=1 [p50_us]=0 [p99_us]=0 [connect]=0 [read]=0 [write]=0 [status]=0 [timeout]=0)
  for kv in ${line#RESULT }; do v[${kv%%=*}]=${kv#*=}; done
  socket=$((v[connect] + v[read] + v[write] + v[timeout]))
  read -r TIER_MAX RSS_MAX HEAP_MAX <<<"$(awk -F'\t' '{ if ($5 > t) t = $5; if ($4 > r) r = $4; if ($7 > h) h = $7 } END { printf "%.1f %.1f %.1f", t, r, h }' "$SAMPLES")"
  {
    echo "### $MODE mode: $FLOOD_KEYS keys"
    echo
    echo "| t s | responses | req/s | RSS MiB | tier MiB | tier entries | heap after GC MiB | CPU cores |"
    echo "|--:|--:|--:|--:|--:|--:|--:|--:|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$SAMPLES"
    echo
    awk -v r="${v[requests]}" -v us="$(( (T1 - T0) / 1000 ))" -v p50="${v[p50_us]}" -v p99="${v[p99_us]}" \
      'BEGIN { printf "- %d responses in %.0f s: %.0f req/s; p50 %.1f ms, p99 %.1f ms\n", r, us / 1e6, r / (us / 1e6), p50 / 1000, p99 / 1000 }'
    echo "- responses other than 2xx/3xx (wrk's count; every proxy-mode answer is a 404 by design): ${v[status]}; socket errors: $socket"
    echo "- gateway: $( ((ALIVE)) && echo "alive, /healthz $HEALTH" || echo "DIED: $(tail -n 3 "$WORK/gateway-$MODE.log" | tr '\n' ' ' | cut -c1-300)"); peak RSS (VmHWM) $((HWM / 1024)) MiB; max sampled RSS $RSS_MAX MiB"
    echo "- tier: at most $TIER_MAX MiB accounted (limit $((MAX_BYTES / 1048576)) MiB); heap after GC at most $HEAP_MAX MiB"
    echo
  } >>"$REPORT"
  ((ALIVE)) || FAIL+=("$MODE: the gateway died")
  [[ "$HEALTH" == 200 || "$ALIVE" == 0 ]] || FAIL+=("$MODE: /healthz gave $HEALTH")
  awk -v t="$TIER_MAX" -v m="$MAX_BYTES" 'BEGIN { exit !(t * 1048576 > m + 0.05 * 1048576) }' && FAIL+=("$MODE: the tier passed MaxBytes")
  ((v[requests] >= FLOOD_KEYS)) || FAIL+=("$MODE: only ${v[requests]} of $FLOOD_KEYS responses within ${FLOOD_MAX_SECONDS} s")
  kill -TERM "$GW_PID" 2>/dev/null || true
  wait "$GW_PID" 2>/dev/null || true
done
T_END=$(date +%s)

echo "## PresignGateway hostile flood"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo))"
echo "- command: \`${CALLER_SETTINGS}bench/flood.sh\`"
echo "- gateway: commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null)" ]] && echo " with uncommitted changes in src/")"
echo "- load: wrk -t$FLOOD_THREADS -c$FLOOD_CONNS; each key a 320-character CJK path and a 200-character CJK ?filename=; DOTNET_GCHeapHardLimit=$HEAP_LIMIT; Gateway:Cache:MaxBytes $MAX_BYTES; upstream nginx (404 for every flood key)"
echo "- the whole script took $((T_END - T_START)) s"
echo
cat "$REPORT"
if ((${#FAIL[@]})); then
  echo "- result: FAIL — $(printf '%s; ' "${FAIL[@]}" | sed 's/; $//')"
  exit 1
fi
echo "- result: PASS"
