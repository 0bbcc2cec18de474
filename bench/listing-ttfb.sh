#!/usr/bin/env bash
# Time to first byte of a 1,000-entry listing page through the gateway, against the signature-checking test store
# (tests/TestStore): cold (ListingCacheDuration 0, so every request costs one ListObjectsV2 at the store) and warm
# (the page from the in-process listing cache). Medians and p90 of curl's time_starttransfer over N requests each.
#
#   bench/listing-ttfb.sh [N=50]
#
# Only 127.0.0.1; stops what it started (by pid).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
require dotnet node curl awk
N=${1:-50}
make_work_dir
install_cleanup

GATEWAY_DLL="$ROOT/src/PresignGateway/bin/Release/net10.0/PresignGateway.dll"
[[ -f "$GATEWAY_DLL" ]] || die "build first: dotnet build PresignGateway.sln -c Release"
[[ -d "$ROOT/tests/TestStore/node_modules" ]] || (cd "$ROOT/tests/TestStore" && npm ci --no-audit --no-fund >/dev/null)

free_port STORE_PORT
start store "" node "$ROOT/tests/TestStore/server.js" --no-stdin-watch --port "$STORE_PORT" --config-json \
  '{"credentials":[{"accessKeyId":"fake-s3-bench-0001","accessKeySecret":"fake-bench-secret"}],"buckets":["bench"]}'
wait_http store "$LAST_PID" "http://127.0.0.1:$STORE_PORT/__store/requests"

# 1,000 objects of 1 KiB under rel/, names about 40 characters long.
awk 'BEGIN { printf "["; for (i = 0; i < 1000; i++) printf "%s{\"key\":\"rel/app-1.4.%04d-linux-x86_64-release.tar.gz\",\"size\":1024}", (i ? "," : ""), i; printf "]" }' >"$WORK/objects.json"
curl -sf -X POST --data-binary @"$WORK/objects.json" "http://127.0.0.1:$STORE_PORT/__store/objects:batch?bucket=bench" >/dev/null

free_port GW_PORT
site() {
  printf '%s\n' "Gateway__Sites__$1__Hosts__0=127.0.0.1" "Gateway__Sites__$1__PathPrefix=/$1" "Gateway__Sites__$1__Store=bench" \
    "Gateway__Sites__$1__Listing=On" "Gateway__Sites__$1__ListingCacheDuration=$2"
}
mapfile -t env_vars < <(printf '%s\n' ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  Gateway__Stores__bench__Provider=S3V4 "Gateway__Stores__bench__Endpoint=http://127.0.0.1:$STORE_PORT" Gateway__Stores__bench__Region=us-east-1 \
  Gateway__Stores__bench__Bucket=bench Gateway__Stores__bench__Addressing=Path Gateway__Stores__bench__AccessKeyId=fake-s3-bench-0001 \
  Gateway__Stores__bench__AccessKeySecret=fake-bench-secret; site cold 00:00:00; site warm 01:00:00)
start gateway "" env "${env_vars[@]}" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$GW_PORT"
wait_http gateway "$LAST_PID" "http://127.0.0.1:$GW_PORT/healthz"

measure() { # URL -> N lines of time_starttransfer in ms
  for _ in $(seq "$N"); do curl -s -o /dev/null -w '%{time_starttransfer}\n' "$1" | awk '{ printf "%.2f\n", $1 * 1000 }'; done
}
summary() { sort -n | awk '{ v[NR] = $1 } END { printf "median %.2f ms, p90 %.2f ms, min %.2f ms (n=%d)\n", v[int((NR + 1) / 2)], v[int(NR * 0.9)], v[1], NR }'; }

for format in "" "?format=json"; do
  # One unmeasured request each, so JIT and connection set-up are not counted; it also fills the warm cache.
  curl -sf -o "$WORK/page.html" "http://127.0.0.1:$GW_PORT/cold/rel/$format"
  curl -sf -o /dev/null "http://127.0.0.1:$GW_PORT/warm/rel/$format"
  echo "page ${format:-(html)}: $(wc -c <"$WORK/page.html") bytes"
  echo "  cold (one ListObjectsV2 each): $(measure "http://127.0.0.1:$GW_PORT/cold/rel/$format" | summary)"
  echo "  warm (listing cache):          $(measure "http://127.0.0.1:$GW_PORT/warm/rel/$format" | summary)"
done
