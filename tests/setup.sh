#!/usr/bin/env bash
# Installs what the test suite needs and is missing, on Debian or Ubuntu: redis-server, chromium, curl, wget,
# nginx and Varnish (the CDN stand-ins of the cache tests), Node.js with npm. Called by tests/run.sh (and so by .ci/run); safe to
# run again (it installs nothing when everything is there). The .NET 10 SDK is not installed here: see README.md.
# Exit status: 0 when everything is there afterwards, 1 otherwise (with the missing tools and how to get them).
set -euo pipefail

declare -A package_of=([redis-server]=redis-server [chromium]=chromium [curl]=curl [wget]=wget [nginx]=nginx [varnishd]=varnish [node]=nodejs [npm]=npm)
missing_tools() {
  local tool
  for tool in "${!package_of[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || printf '%s\n' "$tool"
  done | sort
}

mapfile -t missing < <(missing_tools)
command -v dotnet >/dev/null 2>&1 || dotnet_missing=1
if ((${#missing[@]})); then
  packages=(ca-certificates)
  for tool in "${missing[@]}"; do packages+=("${package_of[$tool]}"); done
  as_root=()
  if ((EUID != 0)) && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); fi
  if command -v apt-get >/dev/null 2>&1 && { ((EUID == 0)) || ((${#as_root[@]})); }; then
    echo "tests/setup.sh: installing ${packages[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    # The tests start their own redis-server, nginx and varnishd on free ports; the distribution's services are not used.
    if command -v systemctl >/dev/null 2>&1; then
      "${as_root[@]}" systemctl disable --now redis-server nginx varnish >/dev/null 2>&1 || true
    fi
    mapfile -t missing < <(missing_tools)
  fi
fi

if ((${#missing[@]})) || ((${dotnet_missing:-0})); then
  echo "tests/setup.sh: missing ${missing[*]}${dotnet_missing:+ dotnet}." >&2
  echo "  On Debian/Ubuntu, as root (or with sudo): apt-get install -y redis-server chromium curl wget nginx varnish nodejs npm;" >&2
  echo "  the .NET 10 SDK from https://dot.net (or your distribution's dotnet-sdk-10.0 package)." >&2
  exit 1
fi
