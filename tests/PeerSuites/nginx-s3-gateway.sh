#!/usr/bin/env bash
# Runs nginx-s3-gateway's own test/integration/test_api.sh against this gateway, with their listing, index-page and
# append-slash arguments mapped to Listing, IndexDocument=index.html and AppendSlash, over their test/data/bucket-1
# fixture loaded into the signature-checking test store (S3 SigV4).
#
#   tests/PeerSuites/nginx-s3-gateway.sh PATH_TO_NGINX_S3_GATEWAY_CHECKOUT [LIST INDEX SLASH ...]
#
# Each triple (default: 0 0 0, 1 0 0, 0 1 0, 1 0 1, 0 1 1, 1 1 1) is one run with a fresh gateway. Their script stops
# at its first failure; here it runs from a temporary copy in which a failed assertion is printed and counted instead,
# so one run lists every expectation that differs (see README, Directory listing, for why each one does).
# Only 127.0.0.1; stops what it started (by pid).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../bench/lib.sh
source "$ROOT/bench/lib.sh"
require dotnet node curl python3 md5sum
PEER=${1:?path to an nginx-s3-gateway checkout (a work tree, or a bare repository: its HEAD is used)}
shift
TRIPLES=("$@")
((${#TRIPLES[@]})) || TRIPLES=(0 0 0 1 0 0 0 1 0 1 0 1 0 1 1 1 1 1)
make_work_dir
install_cleanup

if [[ -f "$PEER/test/integration/test_api.sh" ]]; then
  cp -r "$PEER/test" "$WORK/test"
else
  git --git-dir "$PEER" archive HEAD test | tar -x -C "$WORK"
fi
# Count and report a failed assertion, then go on (their script exits at the first).
sed -e 's/exit \${test_fail_exit_code}/failures=$((failures + 1)); return 0/' "$WORK/test/integration/test_api.sh" >"$WORK/test_api.sh"
printf '\necho "failures: ${failures}"\n' >>"$WORK/test_api.sh"
sed -i '0,/^set -o nounset/s//failures=0\nset -o nounset/' "$WORK/test_api.sh"

# Their runner writes this one at run time (a name git can't keep on every system); so do we.
echo 'We are but selling water next to a river.' >"$WORK/test/data/bucket-1/a/%@!*()=\$#^&|.txt"

GATEWAY_DLL="$ROOT/src/PresignGateway/bin/Release/net10.0/PresignGateway.dll"
[[ -f "$GATEWAY_DLL" ]] || die "build first: dotnet build PresignGateway.sln -c Release"
free_port STORE_PORT
start store "" node "$ROOT/tests/TestStore/server.js" --no-stdin-watch --port "$STORE_PORT" --config-json \
  '{"credentials":[{"accessKeyId":"fake-s3-peer-0001","accessKeySecret":"fake-peer-secret"}],"buckets":["bucket-1"]}'
wait_http store "$LAST_PID" "http://127.0.0.1:$STORE_PORT/__store/requests"
(cd "$WORK/test/data/bucket-1" && find . -type f ! -name .gitignore -printf '%P\0') | while IFS= read -r -d '' key; do
  encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$key")
  curl -sf -X PUT --data-binary @"$WORK/test/data/bucket-1/$key" "http://127.0.0.1:$STORE_PORT/__store/objects?bucket=bucket-1&key=$encoded" >/dev/null
done

total=0
for ((i = 0; i < ${#TRIPLES[@]}; i += 3)); do
  list=${TRIPLES[i]} index=${TRIPLES[i + 1]} slash=${TRIPLES[i + 2]}
  free_port GW_PORT
  settings=(ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
    Gateway__Stores__peer__Provider=S3V4 "Gateway__Stores__peer__Endpoint=http://127.0.0.1:$STORE_PORT" Gateway__Stores__peer__Region=us-east-1
    Gateway__Stores__peer__Bucket=bucket-1 Gateway__Stores__peer__Addressing=Path Gateway__Stores__peer__AccessKeyId=fake-s3-peer-0001
    Gateway__Stores__peer__AccessKeySecret=fake-peer-secret Gateway__Sites__peer__Hosts__0=127.0.0.1
    Gateway__Sites__peer__PathPrefix=/ Gateway__Sites__peer__Store=peer Gateway__Sites__peer__ListingCacheDuration=00:00:00)
  ((list)) && settings+=(Gateway__Sites__peer__Listing=On)
  ((index)) && settings+=(Gateway__Sites__peer__IndexDocument=index.html)
  ((slash)) && settings+=(Gateway__Sites__peer__AppendSlash=true)
  start "gateway-$list$index$slash" "" env "${settings[@]}" dotnet "$GATEWAY_DLL" --urls "http://127.0.0.1:$GW_PORT"
  gw_pid=$LAST_PID
  wait_http "gateway-$list$index$slash" "$gw_pid" "http://127.0.0.1:$GW_PORT/healthz"
  echo "=== test_api.sh http://127.0.0.1:$GW_PORT test 4 $list $index $slash"
  out=$(bash "$WORK/test_api.sh" "http://127.0.0.1:$GW_PORT" "$WORK/test" 4 "$list" "$index" "$slash" "" "" 2>&1 || true)
  grep -E "didn't match|doesn't match|^failures:" <<<"$out" | sed -e "s#http://127.0.0.1:$GW_PORT##g" -e 's/^/  /'
  total=$((total + $(sed -n 's/^failures: //p' <<<"$out" | tail -n 1)))
  kill -TERM "$gw_pid" 2>/dev/null || true
  wait "$gw_pid" 2>/dev/null || true
done
echo "total differing expectations: $total"
