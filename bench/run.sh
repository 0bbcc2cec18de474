#!/usr/bin/env bash
# bench/run.sh — PresignGateway side by side with nginx and raw YARP, against one nginx upstream on 127.0.0.1.
#
# Targets, all in front of the same upstream (nginx serving static files, query strings ignored):
#   nginx        the upstream itself (static files, sendfile): the floor of the stack
#   nginx-proxy  nginx proxy_pass to the upstream, HTTP/1.1 keepalive pool
#   yarp         bench/Passthrough: IHttpForwarder direct forwarding, default transformer (the YARP ceiling)
#   gateway      PresignGateway, proxy mode, warm presigned-URL cache
# and, for redirect mode (no body moves, so one object size):
#   gateway-302  PresignGateway, redirect mode, warm cache
#   aspnet-302   bench/Redirect302: a bare minimal-API endpoint answering 302 with a fixed Location
#   nginx-302    nginx `return 302` with the same Location
# Every case runs its targets interleaved (A B C D, B C D A, ...) for ROUNDS rounds so the noise between rounds shows.
#
# Usage: bench/run.sh                # full run, about 15 minutes on 2 cores
#        QUICK=1 bench/run.sh        # smoke run, 2 rounds of 2 s: about 3 minutes on 2 busy cores
# Environment (defaults in brackets; QUICK=1 changes the first four):
#   ROUNDS [3]  DURATION [8] seconds per small-object and redirect run  DURATION_BIG [10] per 100 MiB run
#   WARMUP [3] seconds per target before each case (not measured)
#   THREADS [2] CONNS [16] wrk threads/connections for small objects and redirects; BIG_CONNS ["1 8 64"] for 100 MiB (64: the memory case)
#   SIZES ["1k 64k 1m 100m"]   NGINX_WORKERS [auto]   PIN [0]: 1 = wrk on the last CPU, every server on the others
#   NGINX_MALLOC_TUNING [1]: run the nginx proxy with glibc malloc trimming relaxed (see below)
#   BENCH_NICE [0]: run every server and wrk at this nice level (e.g. -10, as root) to shield them from other work
#   SKIP_BUILD [0]   OUT [unset]: also write the Markdown report to this file   KEEP_WORK [0]: keep the temp dir
#   ACCESS_LOG [0]: 1 = the gateway writes its access log (JSON lines to its log file); 0 = off by log level, as before.
#   Its cost on the 1 KiB proxy case: run twice, e.g. SIZES=1k ACCESS_LOG=0 bench/run.sh, then ACCESS_LOG=1.
#
# CPU pinning: off by default. The machine this was written for has 2 cores; pinning wrk to one and all servers to
# the other starves whichever side needs more, and the proxies then share one core with the upstream. Unpinned,
# every target sees identical conditions (wrk + upstream + the target sharing both cores), and the per-round numbers
# show the noise that costs. PIN=1 is there for machines with more cores. Every run also records how much CPU
# processes outside the benchmark used meanwhile (builds, tests) and the hypervisor's steal time, so a noisy round
# can be told from a slow target.
#
# nginx proxy and glibc malloc: with stock glibc settings, nginx's per-request buffer pools make the heap grow and
# shrink through brk() on every request (strace: ~1,000 brk calls/s, ~45% of the worker's syscall time), so
# proxy_pass of 1 MiB objects ran at a third of its speed on the 2-core VM this was written on. The proxy nginx
# therefore runs with GLIBC_TUNABLES=glibc.malloc.trim_threshold=256MiB:glibc.malloc.top_pad=64MiB (only the proxy:
# it is the one allocating buffers per request). NGINX_MALLOC_TUNING=0 measures stock nginx instead.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH_DIR/lib.sh"

QUICK=${QUICK:-0}
if [[ "$QUICK" == 1 ]]; then
  ROUNDS=${ROUNDS:-2}; DURATION=${DURATION:-2}; DURATION_BIG=${DURATION_BIG:-2}; WARMUP=${WARMUP:-1}
else
  ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-8}; DURATION_BIG=${DURATION_BIG:-10}; WARMUP=${WARMUP:-3}
fi
THREADS=${THREADS:-2}
CONNS=${CONNS:-16}
BIG_CONNS=${BIG_CONNS:-"1 8 64"}
SIZES=${SIZES:-"1k 64k 1m 100m"}
PIN=${PIN:-0}
NGINX_MALLOC_TUNING=${NGINX_MALLOC_TUNING:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
RSS_INTERVAL=0.2

require dotnet nginx wrk curl awk head getconf
[[ -x /usr/bin/time ]] || die "missing prerequisite: /usr/bin/time (Debian: apt-get install -y time)"
[[ "$PIN" == 1 ]] && require taskset
[[ -f "$ROOT/src/PresignGateway/PresignGateway.csproj" ]] || die "run me from a PresignGateway checkout (bench/run.sh)"

NCPU=$(nproc)
SERVER_CPUS=""; CLIENT_CPUS=""
if [[ "$PIN" == 1 ]]; then
  ((NCPU >= 2)) || die "PIN=1 needs at least 2 CPUs"
  SERVER_CPUS="0-$((NCPU - 2))"; CLIENT_CPUS="$((NCPU - 1))"
fi
CLK_TCK=$(getconf CLK_TCK)

size_bytes() {
  case "$1" in
    *k) echo $(( ${1%k} * 1024 )) ;;
    *m) echo $(( ${1%m} * 1024 * 1024 )) ;;
    *) echo "$1" ;;
  esac
}
size_label() {
  case "$1" in
    *k) echo "${1%k} KiB" ;;
    *m) echo "${1%m} MiB" ;;
    *) echo "$1 B" ;;
  esac
}

T_START=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
warn_if_busy
make_work_dir
install_cleanup

# --- build -----------------------------------------------------------------------------------------------------------
GATEWAY_DLL="$ROOT/src/PresignGateway/bin/Release/net10.0/PresignGateway.dll"
PASSTHROUGH_DLL="$BENCH_DIR/Passthrough/bin/Release/net10.0/Passthrough.dll"
REDIRECT_DLL="$BENCH_DIR/Redirect302/bin/Release/net10.0/Redirect302.dll"
if [[ "$SKIP_BUILD" != 1 ]]; then
  for proj in "$ROOT/src/PresignGateway" "$BENCH_DIR/Passthrough" "$BENCH_DIR/Redirect302"; do
    note "building $proj (Release)"
    dotnet build -c Release -nologo -v q "$proj" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "build failed: $proj"; }
  done
fi
for dll in "$GATEWAY_DLL" "$PASSTHROUGH_DLL" "$REDIRECT_DLL"; do [[ -f "$dll" ]] || die "missing $dll (build failed?)"; done

# --- objects ---------------------------------------------------------------------------------------------------------
mkdir -p "$WORK/www/bench"
chmod 755 "$WORK/www" "$WORK/www/bench"
for s in $SIZES; do make_file "$WORK/www/bench/$s.bin" "$(size_bytes "$s")"; done
[[ " $SIZES " == *" 1k "* ]] || make_file "$WORK/www/bench/1k.bin" 1024   # the redirect cases use 1k.bin

# --- upstream, gateway ----------------------------------------------------------------------------------------------
free_port UP_PORT; free_port GW_PORT; free_port NP_PORT; free_port YP_PORT; free_port RP_PORT

start_nginx upstream "$SERVER_CPUS" "$(upstream_conf "$UP_PORT" "$WORK/www")"
UP_PID=$LAST_PID
wait_http nginx-upstream "$UP_PID" "http://127.0.0.1:$UP_PORT/bench/1k.bin"

mapfile -t gateway_env < <(gateway_settings "$UP_PORT")
start gateway "$SERVER_CPUS" env "${gateway_env[@]}" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$GW_PORT"
GW_PID=$LAST_PID
wait_http gateway "$GW_PID" "http://127.0.0.1:$GW_PORT/healthz"

# The gateway's own redirect for 1k.bin is the Location the other 302 targets answer with (same header size).
LOCATION=$(curl -s -o /dev/null -D - "http://127.0.0.1:$GW_PORT/r/1k.bin" | tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
[[ "$LOCATION" == http://127.0.0.1:"$UP_PORT"/bench/1k.bin\?* ]] || die "gateway redirect mode gave an unexpected Location: '$LOCATION'"
[[ "$LOCATION" != *'"'* && "$LOCATION" != *'$'* ]] || die "the Location cannot be put in an nginx config: $LOCATION"

# --- nginx proxy_pass and return 302, YARP passthrough, bare 302 -------------------------------------------------
nginx_proxy_conf() {
  nginx_common proxy
  cat <<EOF
  upstream store {
    server 127.0.0.1:$UP_PORT;
    keepalive 256;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:$NP_PORT backlog=4096;
    location / {
      proxy_pass http://store;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # Stream through memory only: never spool a big object to a temp file (a download proxy's usual setting);
      # 64 KiB buffers, like YARP's copy buffer.
      proxy_buffering on;
      proxy_max_temp_file_size 0;
      proxy_buffer_size 64k;
      proxy_buffers 8 64k;
      proxy_busy_buffers_size 128k;
    }
    location /r/ {
      add_header Cache-Control "private, max-age=3300" always;
      return 302 "$LOCATION";
    }
  }
}
EOF
}
proxy_env=()
[[ "$NGINX_MALLOC_TUNING" == 1 ]] && proxy_env=(GLIBC_TUNABLES=glibc.malloc.trim_threshold=268435456:glibc.malloc.top_pad=67108864)
start_nginx proxy "$SERVER_CPUS" "$(nginx_proxy_conf)" "${proxy_env[@]}"
NP_PID=$LAST_PID
start yarp "$SERVER_CPUS" env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  dotnet "$PASSTHROUGH_DLL" --urls "http://127.0.0.1:$YP_PORT" --Upstream "http://127.0.0.1:$UP_PORT"
YP_PID=$LAST_PID
start aspnet-302 "$SERVER_CPUS" env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  dotnet "$REDIRECT_DLL" --urls "http://127.0.0.1:$RP_PORT" --Location "$LOCATION"
RP_PID=$LAST_PID
wait_http nginx-proxy "$NP_PID" "http://127.0.0.1:$NP_PORT/bench/1k.bin"
wait_http yarp "$YP_PID" "http://127.0.0.1:$YP_PORT/bench/1k.bin"
wait_http aspnet-302 "$RP_PID" "http://127.0.0.1:$RP_PORT/1k.bin"
read -r -a ALL_PIDS <<<"$(for p in "$UP_PID" "$NP_PID" "$YP_PID" "$GW_PID" "$RP_PID"; do pid_tree "$p"; done | tr '\n' ' ')"

target_pid() {
  case "$1" in
    nginx) echo "$UP_PID" ;;
    nginx-proxy | nginx-302) echo "$NP_PID" ;;
    yarp) echo "$YP_PID" ;;
    gateway | gateway-302) echo "$GW_PID" ;;
    aspnet-302) echo "$RP_PID" ;;
  esac
}
target_url() { # target file
  case "$1" in
    nginx) echo "http://127.0.0.1:$UP_PORT/bench/$2" ;;
    nginx-proxy) echo "http://127.0.0.1:$NP_PORT/bench/$2" ;;
    yarp) echo "http://127.0.0.1:$YP_PORT/bench/$2" ;;
    gateway) echo "http://127.0.0.1:$GW_PORT/$2" ;;
    gateway-302) echo "http://127.0.0.1:$GW_PORT/r/$2" ;;
    aspnet-302) echo "http://127.0.0.1:$RP_PORT/r/$2" ;;
    nginx-302) echo "http://127.0.0.1:$NP_PORT/r/$2" ;;
  esac
}

# --- check every target once (this also warms the gateway's presigned-URL cache) --------------------------------
PROXY_TARGETS="nginx nginx-proxy yarp gateway"
REDIRECT_TARGETS="gateway-302 aspnet-302 nginx-302"
for s in $SIZES; do
  want=$(size_bytes "$s")
  for t in $PROXY_TARGETS; do
    got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$(target_url "$t" "$s.bin")")
    [[ "$got" == "200 $want" ]] || die "$t: GET $s.bin gave '$got', expected '200 $want'"
  done
done
for t in $REDIRECT_TARGETS; do
  got=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$(target_url "$t" 1k.bin)")
  [[ "$got" == "302 $LOCATION" ]] || die "$t: GET 1k.bin gave '$got', expected 302 to the gateway's Location"
done
note "all targets answer correctly; upstream :$UP_PORT gateway :$GW_PORT nginx-proxy :$NP_PORT yarp :$YP_PORT aspnet-302 :$RP_PORT"

# --- cases -----------------------------------------------------------------------------------------------------------
# case id | title | file | wrk threads | connections | seconds | targets | ratio references
CASES=()
for s in $SIZES; do
  if [[ "$s" == 100m ]]; then
    for c in $BIG_CONNS; do
      th=$((c < THREADS ? c : THREADS))
      CASES+=("$s-c$c|$(size_label "$s") objects, $c stream(s): wrk -t$th -c$c, $ROUNDS × ${DURATION_BIG} s|$s.bin|$th|$c|$DURATION_BIG|$PROXY_TARGETS|yarp nginx-proxy|rss")
    done
  else
    CASES+=("$s|$(size_label "$s") objects: wrk -t$THREADS -c$CONNS, $ROUNDS × ${DURATION} s|$s.bin|$THREADS|$CONNS|$DURATION|$PROXY_TARGETS|yarp nginx-proxy|")
  fi
done
CASES+=("302|Redirect mode (302, no body): wrk -t$THREADS -c$CONNS, $ROUNDS × ${DURATION} s|1k.bin|$THREADS|$CONNS|$DURATION|$REDIRECT_TARGETS|aspnet-302 nginx-302|")

RESULTS="$WORK/results.tsv"
CASES_TSV="$WORK/cases.tsv"
: >"$RESULTS"; : >"$CASES_TSV"
mkdir -p "$WORK/wrk"

wrk_cmd() { # threads conns seconds url -> runs wrk (bounded in time), output on stdout; wrk's CPU time in $WORK/wrk.time
  local th=$1 c=$2 d=$3 url=$4
  local prefix=()
  mapfile -t prefix < <(run_prefix "$CLIENT_CPUS")
  timeout --kill-after=5 $((d + 60)) "${prefix[@]}" /usr/bin/time -o "$WORK/wrk.time" -f '%U %S' \
    wrk -t"$th" -c"$c" -d"${d}s" --timeout 30s --latency -s "$BENCH_DIR/wrk-report.lua" "$url"
}

run_one() { # case target round file threads conns seconds sample_rss
  local cs=$1 t=$2 r=$3 file=$4 th=$5 c=$6 d=$7 sample=$8
  local url pids cpu0 cpu1 out line sampler="" peak="-"
  url=$(target_url "$t" "$file")
  read -r -a pids <<<"$(pid_tree "$(target_pid "$t")" | tr '\n' ' ')"
  if [[ "$sample" == rss ]]; then
    rss_sampler "$WORK/peak.kb" "$RSS_INTERVAL" "${pids[@]}" &
    sampler=$!
  fi
  local sys0 sys1 all0 all1 steal0 steal1 wrk_ticks wall0 wall1
  wall0=$(date +%s%N)
  read -r sys0 steal0 <<<"$(system_ticks)"
  all0=$(cpu_ticks "${ALL_PIDS[@]}")
  cpu0=$(cpu_ticks "${pids[@]}")
  out="$WORK/wrk/$cs-$t-$r.txt"
  wrk_cmd "$th" "$c" "$d" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $t ($cs, round $r)"; }
  cpu1=$(cpu_ticks "${pids[@]}")
  all1=$(cpu_ticks "${ALL_PIDS[@]}")
  read -r sys1 steal1 <<<"$(system_ticks)"
  wall1=$(date +%s%N)
  wrk_ticks=$(awk -v hz="$CLK_TCK" '{ printf "%d", ($1 + $2) * hz + 0.5 }' "$WORK/wrk.time")
  if [[ -n "$sampler" ]]; then
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    peak=$(cat "$WORK/peak.kb")
  fi
  line=$(grep '^RESULT ' "$out") || { cat "$out" >&2; die "no RESULT line from wrk for $t ($cs, round $r)"; }
  # RESULT requests= duration_us= bytes= p50_us= p99_us= connect= read= write= status= timeout=
  local -A v=()
  local kv
  for kv in ${line#RESULT }; do v[${kv%%=*}]=${kv#*=}; done
  local errors=$((v[connect] + v[read] + v[write] + v[status] + v[timeout]))
  local cpu_us=$(((cpu1 - cpu0) * 1000000 / CLK_TCK))
  # CPU used meanwhile by everything that is neither a benchmark server nor wrk (other builds and tests), and steal,
  # both scaled to wrk's measured duration (the window they were counted in is a little longer).
  local window_us=$(((wall1 - wall0) / 1000))
  local other_us=$(((sys1 - sys0 - (all1 - all0) - wrk_ticks) * 1000000 * v[duration_us] / CLK_TCK / window_us))
  local steal_us=$(((steal1 - steal0) * 1000000 * v[duration_us] / CLK_TCK / window_us))
  ((other_us > 0)) || other_us=0
  [[ -n "${BENCH_DEBUG:-}" ]] && note "debug: window ${window_us}us busy $((sys1 - sys0)) servers $((all1 - all0)) target $((cpu1 - cpu0)) wrk $wrk_ticks ticks"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$cs" "$t" "$r" "${v[requests]}" "${v[duration_us]}" "${v[bytes]}" \
    "${v[p50_us]}" "${v[p99_us]}" "$errors" "$cpu_us" "$peak" "$other_us" "$steal_us" >>"$RESULTS"
  awk -v t="$t" -v cs="$cs" -v r="$r" -v req="${v[requests]}" -v us="${v[duration_us]}" -v b="${v[bytes]}" -v e="$errors" \
    -v o="$other_us" -v st="$steal_us" \
    'BEGIN { s = us / 1e6; printf "  %-8s round %s  %-12s %10.1f req/s %9.1f MiB/s  errors %d  other load %.2f cores  steal %.2f\n", cs, r, t, req / s, b / s / 1048576, e, o / us, st / us }' >&2
  ((errors == 0)) || note "WARNING: $t had $errors errors in $cs round $r ($out)"
}

T_BENCH=$(date +%s)
for spec in "${CASES[@]}"; do
  IFS='|' read -r cs title file th c d targets refs sample <<<"$spec"
  read -r -a tl <<<"$targets"
  read -r ref1 ref2 <<<"$refs"
  # 100 MiB cases compare MiB/s: a 10 s window completes only a handful of such downloads (with 64 streams, often
  # none in a round), while wrk counts every byte received. Smaller objects compare req/s (same objects, but the
  # targets' response headers differ in size).
  basis=rps; [[ "$sample" == rss ]] && basis=mibs
  printf '%s\t%s\t%s\t%s\t%s\n' "$cs" "$title" "$ref1" "$ref2" "$basis" >>"$CASES_TSV"
  note "case $cs: $title"
  for t in "${tl[@]}"; do wrk_cmd "$th" "$c" "$WARMUP" "$(target_url "$t" "$file")" >/dev/null 2>&1 || die "warm-up failed for $t"; done
  for r in $(seq "$ROUNDS"); do
    n=${#tl[@]}
    for i in $(seq 0 $((n - 1))); do
      t=${tl[$(((i + r - 1) % n))]}   # rotate the order every round: A B C D, B C D A, ...
      run_one "$cs" "$t" "$r" "$file" "$th" "$c" "$d" "$sample"
    done
  done
done
T_END=$(date +%s)

# --- report ----------------------------------------------------------------------------------------------------------
proc_mem() { # name pid
  local pids
  read -r -a pids <<<"$(pid_tree "$2" | tr '\n' ' ')"
  printf '| %s | %s | %.0f | %.0f |\n' "$1" "${#pids[@]}" "$(($(rss_kb "${pids[@]}") / 1024))" "$(($(hwm_kb "${pids[@]}") / 1024))"
}
report() {
  echo "## PresignGateway side-by-side benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- machine: $NCPU CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
  echo "- gateway: commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n "$(git -C "$ROOT" status --porcelain -- src appsettings.json 2>/dev/null)" ]] && echo " with uncommitted changes in src/ or appsettings.json")"
  echo "- software: $(nginx -v 2>&1 | sed 's/^nginx version: //'), wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }'), .NET $(dotnet --version) SDK"
  echo "- command: \`$(env | grep -E '^(QUICK|ROUNDS|DURATION|DURATION_BIG|WARMUP|THREADS|CONNS|BIG_CONNS|SIZES|PIN|NGINX_WORKERS|ACCESS_LOG)=' | sort | tr '\n' ' ')bench/run.sh\`"
  echo "- settings: $ROUNDS rounds, targets interleaved and rotated each round; ${WARMUP} s warm-up per target per case; CPU pinning: $([[ "$PIN" == 1 ]] && echo "wrk on CPU $CLIENT_CPUS, servers on $SERVER_CPUS" || echo "none (all processes share all CPUs)"); nice ${BENCH_NICE:-0}; nginx worker_processes ${NGINX_WORKERS:-auto}; nginx proxy malloc tuning: $([[ "$NGINX_MALLOC_TUNING" == 1 ]] && echo on || echo off); gateway access log: $([[ "${ACCESS_LOG:-0}" == 1 ]] && echo on || echo off)"
  echo "- load average before the run: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- measuring took $((T_END - T_BENCH)) s; the whole script $(($(date +%s) - T_START)) s"
  echo
  echo "Columns: req/s, p50/p99 and MiB/s are medians over the rounds; \"req/s per round\" shows the noise; the two ratio"
  echo "columns divide the median req/s (MiB/s for 100 MiB objects) by the reference's; CPU per req and CPU cores are the user+system time of the"
  echo "target's own processes (nginx master+workers, or the one dotnet process; not the upstream's, except for the"
  echo "\`nginx\` row, which is the upstream) over all rounds; peak RSS is sampled every ${RSS_INTERVAL} s during the 100 MiB runs."
  awk -f "$BENCH_DIR/report.awk" "$CASES_TSV" "$RESULTS"
  echo
  echo "### Process memory at the end of the run"
  echo
  echo "| process | processes | RSS MiB now | peak RSS MiB (VmHWM, whole run) |"
  echo "|---|--:|--:|--:|"
  proc_mem "nginx (upstream)" "$UP_PID"
  proc_mem "nginx proxy + 302" "$NP_PID"
  proc_mem "yarp passthrough" "$YP_PID"
  proc_mem "gateway (proxy + 302)" "$GW_PID"
  proc_mem "aspnet-302" "$RP_PID"
}
REPORT=$(report)
echo "$REPORT"
if [[ -n "${OUT:-}" ]]; then printf '%s\n' "$REPORT" >"$OUT"; note "report written to $OUT"; fi
