#!/usr/bin/env bash
# Runs every test of the project: the Node test tools' own suites (the test store, the browser driver),
# the deployment checks (manifests, and the Dockerfile's publish replayed and started), and the .NET suites (xunit).
# This is the one test command; README.md gives it and .ci/run calls it.
# On a fresh Debian machine it first installs what the tests need (tests/setup.sh).
# Usage: tests/run.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Cli]
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs what is missing (redis-server, chromium, wget, nginx, ...) when it can: as root, or with passwordless sudo.
tests/setup.sh

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

node_status=0
: > "$log_dir/node.log"
for tool in tests/TestStore tests/BrowserDownload; do
  echo "== $tool: npm ci and its own tests"
  (cd "$tool" && npm ci --no-audit --no-fund --loglevel=error)
  (cd "$tool" && npm test) 2>&1 | tee -a "$log_dir/node.log" || node_status=$?
done

deploy_status=0
for check in deploy/validate.sh deploy/check-container-build.sh; do
  echo "== $check"
  if "$check"; then deploy_passed=$((${deploy_passed:-0} + 1)); else deploy_status=1; deploy_failed=$((${deploy_failed:-0} + 1)); fi
done

echo "== .NET: build and test"
dotnet_status=0
dotnet test PresignGateway.sln -c Release "$@" 2>&1 | tee "$log_dir/dotnet.log" || dotnet_status=$?

# One closing line over both runners: 'N passed, N failed'.
passed=${deploy_passed:-0} failed=${deploy_failed:-0} skipped=0
read -r p f < <(awk '/^# pass /{p+=$3} /^# fail /{f+=$3} END{print p+0, f+0}' "$log_dir/node.log")
passed=$((passed + p)); failed=$((failed + f))
read -r p f s < <(sed -nE 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/p' "$log_dir/dotnet.log" \
  | awk '{p+=$1; f+=$2; s+=$3} END{print p+0, f+0, s+0}')
passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
if ((dotnet_status != 0 && failed == 0)); then
  failed=1  # the build or the test host failed before any test could report
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
if ((node_status != 0 || dotnet_status != 0 || deploy_status != 0 || failed != 0)); then
  exit 1
fi
