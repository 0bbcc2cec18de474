# shellcheck shell=bash
# Shared helpers for bench/run.sh and bench/soak.sh (sourced, not executed).
# Everything here only touches 127.0.0.1, processes this shell started (by pid) and the temp dir in $WORK.

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

require() {
  local missing=() cmd
  for cmd in "$@"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
  ((${#missing[@]} == 0)) || die "missing prerequisite(s): ${missing[*]} (Debian: apt-get install -y nginx wrk curl; .NET 10 SDK for dotnet)"
}

# --- temp dir, started processes, cleanup -------------------------------------------------------------------------
STARTED_PIDS=()
WORK=""

make_work_dir() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/presign-bench.XXXXXX")
  # nginx workers run as nobody when the master runs as root: they must be able to read the files.
  chmod 755 "$WORK"
}

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${STARTED_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${STARTED_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    if [[ "${KEEP_WORK:-0}" == 1 ]]; then note "kept $WORK (KEEP_WORK=1)"; else rm -rf "$WORK"; fi
  fi
  exit "$rc"
}

install_cleanup() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# run_prefix CPUS: the command prefix for pinning (taskset, when CPUS is set) and priority (nice, when BENCH_NICE is
# set and not 0), one word per line.
run_prefix() {
  [[ -n "$1" ]] && printf '%s\n' taskset -c "$1"
  [[ "${BENCH_NICE:-0}" != 0 ]] && printf '%s\n' nice -n "$BENCH_NICE"
  return 0
}

# start NAME CPUS CMD...: runs CMD in the background with stdout/stderr in $WORK/NAME.log; sets LAST_PID.
start() {
  local name=$1 cpus=$2 prefix=()
  shift 2
  mapfile -t prefix < <(run_prefix "$cpus")
  "${prefix[@]}" "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

# --- ports ---------------------------------------------------------------------------------------------------------
CHOSEN_PORTS=" "
# free_port VAR: a port on 127.0.0.1 below the ephemeral range that nothing listens on.
free_port() {
  local p _
  for _ in $(seq 500); do
    p=$((20000 + RANDOM % 12000))
    [[ "$CHOSEN_PORTS" == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      CHOSEN_PORTS+="$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  die "no free port found"
}

# wait_http NAME PID URL [SECONDS]: until URL answers (any status) or the process dies.
wait_http() {
  local name=$1 pid=$2 url=$3 limit=${4:-60}
  for _ in $(seq $((limit * 10))); do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$WORK/$name.log" >&2; die "$name exited during start-up (log above)"; }
    curl -s -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.1
  done
  tail -n 30 "$WORK/$name.log" >&2
  die "$name did not answer $url within ${limit}s"
}

# --- files and nginx -----------------------------------------------------------------------------------------------
# make_file PATH SIZE_BYTES: incompressible content, generated once.
make_file() {
  head -c "$2" /dev/urandom >"$1"
  chmod 644 "$1"
}

# nginx_common NAME: the top of an nginx config whose pid, logs and temp paths all live in $WORK.
nginx_common() {
  local name=$1 workers=${NGINX_WORKERS:-auto}
  mkdir -p "$WORK/nginx-$name"
  cat <<EOF
daemon off;
master_process on;
worker_processes $workers;
pid $WORK/nginx-$name/nginx.pid;
error_log $WORK/nginx-$name/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-$name/client_body;
  proxy_temp_path $WORK/nginx-$name/proxy;
  fastcgi_temp_path $WORK/nginx-$name/fastcgi;
  uwsgi_temp_path $WORK/nginx-$name/uwsgi;
  scgi_temp_path $WORK/nginx-$name/scgi;
  types { application/octet-stream bin; }
  default_type application/octet-stream;
EOF
}

# upstream_conf PORT ROOT: the object store stand-in. Serves ROOT statically and ignores query strings (so signatures
# never matter); /bench/u/<anything>/<file> serves /bench/<file>, so a soak can ask for endless distinct keys.
upstream_conf() {
  nginx_common upstream
  cat <<EOF
  server {
    listen 127.0.0.1:$1 backlog=4096;
    root $2;
    location / { }
    location ~ ^/bench/u/[^/]+/([^/]+)\$ { try_files /bench/\$1 =404; }
    location = /nginx_status { stub_status; }
  }
}
EOF
}

# start_nginx NAME CPUS CONF_TEXT [VAR=VALUE...]: writes the config and runs nginx in the foreground (as our child),
# with the given extra environment.
start_nginx() {
  local name=$1 cpus=$2 conf=$3
  shift 3
  mkdir -p "$WORK/nginx-$name"
  printf '%s\n' "$conf" >"$WORK/nginx-$name/nginx.conf"
  nginx -t -q -p "$WORK/nginx-$name" -e "$WORK/nginx-$name/error.log" -c "$WORK/nginx-$name/nginx.conf" \
    || die "nginx config for $name is invalid: $WORK/nginx-$name/nginx.conf"
  start "nginx-$name" "$cpus" env "$@" nginx -p "$WORK/nginx-$name" -e "$WORK/nginx-$name/error.log" -c "$WORK/nginx-$name/nginx.conf"
}

# build_gateway: sets GATEWAY_DLL and builds it in Release unless SKIP_BUILD=1 (then it must exist). Needs $WORK.
build_gateway() {
  GATEWAY_DLL="$ROOT/src/PresignGateway/bin/Release/net10.0/PresignGateway.dll"
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    note "building $ROOT/src/PresignGateway (Release)"
    dotnet build -c Release -nologo -v q "$ROOT/src/PresignGateway" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "build failed"; }
  fi
  [[ -f "$GATEWAY_DLL" ]] || die "missing $GATEWAY_DLL (build failed?)"
}

# gateway_settings UPSTREAM_PORT: the gateway's environment for both scripts, one VAR=VALUE per line: an S3 SigV4 store
# on the upstream (which ignores signatures), a proxy-mode site at / and a redirect-mode site at /r, on host 127.0.0.1.
# Logs at Warning, so the access log (Information) is off; ACCESS_LOG=1 turns it on, as JSON lines to the gateway's
# log file in the work directory (about 400 bytes a request), the way a deployment with the defaults writes it.
gateway_settings() {
  if [[ "${ACCESS_LOG:-0}" == 1 ]]; then
    printf '%s\n' Logging__LogLevel__PresignGateway.Access=Information
  fi
  printf '%s\n' \
    ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Warning \
    Gateway__Stores__bench__Provider=S3V4 \
    Gateway__Stores__bench__Endpoint="http://127.0.0.1:$1" \
    Gateway__Stores__bench__Region=us-east-1 \
    Gateway__Stores__bench__Bucket=bench \
    Gateway__Stores__bench__Addressing=Path \
    Gateway__Stores__bench__AccessKeyId=AKIDBENCH \
    Gateway__Stores__bench__AccessKeySecret=benchsecret \
    Gateway__Sites__proxy__Hosts__0=127.0.0.1 \
    Gateway__Sites__proxy__PathPrefix=/ \
    Gateway__Sites__proxy__Store=bench \
    Gateway__Sites__proxy__Mode=Proxy \
    Gateway__Sites__redirect__Hosts__0=127.0.0.1 \
    Gateway__Sites__redirect__PathPrefix=/r \
    Gateway__Sites__redirect__Store=bench \
    Gateway__Sites__redirect__Mode=Redirect
}

# --- process accounting --------------------------------------------------------------------------------------------
# pid_tree PID: PID and all its descendants (nginx master + workers).
pid_tree() {
  local p=$1 c
  echo "$p"
  # shellcheck disable=SC2013 # the children files hold space-separated pids
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do pid_tree "$c"; done
}

# rss_kb PID...: summed VmRSS in KiB.
rss_kb() {
  local sum=0 p v
  for p in "$@"; do
    v=$(awk '/^VmRSS:/ { print $2 }' /proc/"$p"/status 2>/dev/null || true)
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}

# hwm_kb PID...: summed VmHWM (peak RSS over the life of each process) in KiB.
hwm_kb() {
  local sum=0 p v
  for p in "$@"; do
    v=$(awk '/^VmHWM:/ { print $2 }' /proc/"$p"/status 2>/dev/null || true)
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}

# cpu_ticks PID...: summed user+system CPU time in clock ticks.
cpu_ticks() {
  local sum=0 p line f
  for p in "$@"; do
    line=$(cat /proc/"$p"/stat 2>/dev/null) || continue
    read -r -a f <<<"${line##*) }"
    sum=$((sum + f[11] + f[12]))
  done
  echo "$sum"
}

# rss_sampler OUT INTERVAL PID...: writes the peak summed VmRSS (KiB) seen so far to OUT; run in the background.
rss_sampler() {
  local out=$1 interval=$2 peak=0 now
  shift 2
  echo 0 >"$out"
  while :; do
    now=$(rss_kb "$@")
    if ((now > peak)); then peak=$now; echo "$peak" >"$out"; fi
    sleep "$interval"
  done
}

# system_ticks: "busy steal" clock ticks over all CPUs since boot (busy = user + nice + system + irq + softirq).
system_ticks() {
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $9 }' /proc/stat
}

# warn_if_busy: the benchmark needs an otherwise idle machine; say so when it is not.
warn_if_busy() {
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    note "WARNING: load average is $load on $(nproc) CPUs before starting: other work on this machine will add noise"
  fi
}
