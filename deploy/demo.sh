#!/usr/bin/env bash
# Runs PresignGateway on a working demo: a local OSS-compatible store (tests/TestStore, which checks every
# signature) seeded with a few files, the gateway in front of it with the in-memory cache, and the URLs to try.
# Ctrl-C stops both. Needs the .NET 10 SDK, Node.js 20 with npm, and curl.
#   DEMO_STORE_PORT   the store's port on 127.0.0.1 (default 9000)
#   DEMO_GATEWAY_URL  where the gateway listens (default http://localhost:8080); the demo sites answer on host localhost
set -euo pipefail
cd "$(dirname "$0")/.."

store_port=${DEMO_STORE_PORT:-9000}
gateway_url=${DEMO_GATEWAY_URL:-http://localhost:8080}
for tool in dotnet node npm curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "demo: $tool is needed but not installed." >&2; exit 1; }
done

if [ ! -d tests/TestStore/node_modules/ali-oss ]; then
  echo "demo: installing the local store (npm ci in tests/TestStore)..."
  (cd tests/TestStore && npm ci --no-audit --no-fund --loglevel=error)
fi

# The demo store's keys are the ones in appsettings.json (Gateway:Stores:demo); they are for this demo only.
data_dir=$(mktemp -d)
store_config='{"credentials":[{"accessKeyId":"demo-access-key-id","accessKeySecret":"demo-secret-not-for-production"}],"buckets":["demo-bucket"],"dialect":"oss"}'
# A coprocess keeps the store's stdin open; the store exits when this script does.
coproc STORE { exec node tests/TestStore/server.js --port "$store_port" --data "$data_dir" --config-json "$store_config"; }
store_pid=$STORE_PID
cleanup() { kill "$store_pid" 2>/dev/null || true; rm -rf "$data_dir"; }
trap cleanup EXIT
if ! read -r -t 20 ready <&"${STORE[0]}"; then
  echo "demo: the store did not start on 127.0.0.1:$store_port (is the port taken? set DEMO_STORE_PORT)." >&2
  exit 1
fi
store="http://127.0.0.1:$store_port"

put() { # key content-type file
  curl -sSf -o /dev/null -X PUT -H "Content-Type: $2" --data-binary "@$3" \
    "$store/__store/objects?bucket=demo-bucket&key=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1")"
}
seed="$data_dir/seed"
mkdir -p "$seed"
printf 'Hello from PresignGateway.\n' > "$seed/hello.txt"
printf '%%PDF-1.4\n%% demo report\n' > "$seed/report.pdf"
head -c 8388608 /dev/urandom > "$seed/big.bin"
head -c 65536 /dev/urandom > "$seed/app.zip"
put "public/hello.txt" "text/plain; charset=utf-8" "$seed/hello.txt"
put "public/报告 2024.pdf" "application/pdf" "$seed/report.pdf"
put "public/big.bin" "application/octet-stream" "$seed/big.bin"
put "releases/1.4.2/app-1.4.2.zip" "application/zip" "$seed/app.zip"

cat <<TRY

PresignGateway demo: store on $store, gateway on $gateway_url (in-memory cache, no Redis), configured by
$PWD/appsettings.json (edits apply without a restart).
Try, from another terminal:
  curl -i $gateway_url/hello.txt
  curl -OJ $gateway_url/latest/app.zip                          # saved as app.zip (an alias of releases/1.4.2/app-1.4.2.zip)
  wget --content-disposition $gateway_url/%E6%8A%A5%E5%91%8A%202024.pdf    # saved as 报告 2024.pdf
  curl -C - -o big.bin $gateway_url/big.bin                     # run twice, or after an interrupt: it resumes
  curl -o hello.txt "$gateway_url/hello.txt?filename=greeting.txt" -D -
  curl -I $gateway_url/r/hello.txt                              # redirect mode: 302 to a presigned URL
  curl -L -OJ $gateway_url/r/hello.txt
Ctrl-C stops the demo.

TRY

export Gateway__Stores__demo__Endpoint="$store"
# Logs for a person at a terminal; deployments keep the default JSON lines.
export Logging__Console__FormatterName=${Logging__Console__FormatterName:-simple}
# --config: the gateway loads and watches the repository's appsettings.json itself (on top of the copy in bin/), so
# an edit to it applies while the demo runs.
dotnet run --project src/PresignGateway -c Release -- --urls "$gateway_url" --config "$PWD/appsettings.json"
