#!/usr/bin/env bash
# bench/credentials-soak.sh — does a download ever wait on a credential refresh? Two bounded wrk runs of the same load
# through the gateway (proxy mode, 1 KiB objects from an nginx upstream that ignores signatures), one with static keys
# and one whose keys come from the IMDSv2 fake (tests/TestStore/fakes/cloud.js) with a short life, so they are
# refreshed (at half life) several times during the run. Prints p50/p99/max and errors side by side, the number of
# key sets the fake issued during the run, and exits non-zero on any failed request.
#
# Usage: bench/credentials-soak.sh
# Environment (defaults in brackets): CRED_SOAK_SECONDS [60] per run, CRED_TTL [60] life of the fake's keys in seconds,
#   CRED_THREADS [1], CRED_CONNS [8], SKIP_BUILD [0], KEEP_WORK [0], BENCH_NICE [0]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH_DIR/lib.sh"

CRED_SOAK_SECONDS=${CRED_SOAK_SECONDS:-60}
CRED_TTL=${CRED_TTL:-60}
CRED_THREADS=${CRED_THREADS:-1}
CRED_CONNS=${CRED_CONNS:-8}
SKIP_BUILD=${SKIP_BUILD:-0}
[[ "$CRED_SOAK_SECONDS" =~ ^[0-9]+$ ]] && ((CRED_SOAK_SECONDS >= 10 && CRED_SOAK_SECONDS <= 300)) || die "CRED_SOAK_SECONDS must be 10..300"
[[ "$CRED_TTL" =~ ^[0-9]+$ ]] && ((CRED_TTL >= 10)) || die "CRED_TTL must be at least 10"

require dotnet node nginx wrk curl awk
warn_if_busy
make_work_dir
install_cleanup

build_gateway
[[ -d "$ROOT/tests/TestStore/node_modules" ]] || (cd "$ROOT/tests/TestStore" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

mkdir -p "$WORK/www/bench"
chmod 755 "$WORK/www" "$WORK/www/bench"
make_file "$WORK/www/bench/1k.bin" 1024
free_port UP_PORT
start_nginx upstream "" "$(upstream_conf "$UP_PORT" "$WORK/www")"
wait_http nginx-upstream "$LAST_PID" "http://127.0.0.1:$UP_PORT/bench/1k.bin"

# The IMDSv2 fake; without --store, since nginx checks no signature. It prints {"port":N} once listening.
start imds "" node "$ROOT/tests/TestStore/fakes/cloud.js" --kind imds --port 0 --no-stdin-watch --config-json "{\"ttlSeconds\":$CRED_TTL}"
IMDS_PID=$LAST_PID
IMDS_PORT=""
for _ in $(seq 100); do
  IMDS_PORT=$(sed -n 's/^{"port":\([0-9]*\)}$/\1/p' "$WORK/imds.log" | head -n 1)
  [[ -n "$IMDS_PORT" ]] && break
  kill -0 "$IMDS_PID" 2>/dev/null || { cat "$WORK/imds.log" >&2; die "the imds fake exited"; }
  sleep 0.1
done
[[ -n "$IMDS_PORT" ]] || die "the imds fake did not print its port"

# run_case NAME [extra settings...]: starts a gateway, checks a download, runs wrk, stops the gateway.
run_case() {
  local name=$1 port
  shift
  free_port port
  mapfile -t settings < <(gateway_settings "$UP_PORT")
  settings+=("$@")
  start "gateway-$name" "" env "${settings[@]}" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$port"
  local pid=$LAST_PID
  wait_http "gateway-$name" "$pid" "http://127.0.0.1:$port/healthz"
  for _ in $(seq 100); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]] && break
    sleep 0.1
  done
  local got
  got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$port/1k.bin")
  [[ "$got" == "200 1024" ]] || die "$name: GET /1k.bin gave '$got'"
  note "$name: wrk -t$CRED_THREADS -c$CRED_CONNS -d${CRED_SOAK_SECONDS}s"
  timeout --kill-after=5 $((CRED_SOAK_SECONDS + 60)) wrk -t"$CRED_THREADS" -c"$CRED_CONNS" -d"${CRED_SOAK_SECONDS}s" --timeout 10s --latency \
    "http://127.0.0.1:$port/1k.bin" >"$WORK/wrk-$name.txt" 2>&1 || die "$name: wrk failed: $(cat "$WORK/wrk-$name.txt")"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# latency NAME PERCENTILE: the value wrk --latency printed (as printed, with its unit).
latency() { awk -v p="$2" '$1 == p { print $2; exit }' "$WORK/wrk-$1.txt"; }
errors() {
  awk '/Non-2xx or 3xx responses/ { n += $NF } /Socket errors/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i } END { print n + 0 }' "$WORK/wrk-$1.txt"
}
rate() { awk '/^Requests\/sec/ { print $2 }' "$WORK/wrk-$1.txt"; }
max() { awk '$1 == "Latency" { print $4; exit }' "$WORK/wrk-$1.txt"; }

# issued_count: how many key sets the fake has issued so far.
issued_count() { curl -s "http://127.0.0.1:$IMDS_PORT/__fake/issued" | { grep -o '"accessKeyId"' || true; } | wc -l; }

run_case static
issued_before=$(issued_count)
run_case imds Gateway__Stores__bench__AccessKeyId= Gateway__Stores__bench__AccessKeySecret= \
  Gateway__Stores__bench__Credentials__Source=Imds Gateway__Stores__bench__Credentials__MetadataEndpoint="http://127.0.0.1:$IMDS_PORT"
issued=$(($(issued_count) - issued_before))

printf '\n%-8s %10s %10s %10s %10s %8s\n' keys req/s p50 p99 max errors
for name in static imds; do
  printf '%-8s %10s %10s %10s %10s %8s\n' "$name" "$(rate $name)" "$(latency $name 50%)" "$(latency $name 99%)" "$(max $name)" "$(errors $name)"
done
echo "imds: $issued key sets of ${CRED_TTL}s issued during its run (refreshed at half life)"
(($(errors static) == 0 && $(errors imds) == 0)) || die "some requests failed"
((issued >= 2)) || die "the keys were not refreshed during the run"
