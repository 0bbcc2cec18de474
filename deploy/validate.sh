#!/usr/bin/env bash
# Validates deploy/kubernetes/*.yaml and deploy/docker-compose.yml offline: no cluster, no Docker, no network beyond
# the npm registry for `npm ci`. What it checks: deploy/validate/validate.js.
# Needs Node.js 20.19 or later with npm. Usage: deploy/validate.sh [DEPLOY_DIR]   (default: this deploy/ folder)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "validate: $tool is needed but not installed." >&2; exit 1; }
done
# The validator's packages, exactly as package-lock.json pins them.
(cd "$here/validate" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
exec node "$here/validate/validate.js" "$@"
