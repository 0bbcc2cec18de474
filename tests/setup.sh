#!/usr/bin/env bash
# Installs what the test suite needs and is missing, on Debian or Ubuntu: redis-server, chromium, curl, wget,
# nginx and Varnish (the CDN stand-ins of the cache tests), Node.js with npm, and libnss-myhostname (so that
# *.localhost names, the virtual-hosted test stores, resolve to loopback without a DNS query). Called by tests/run.sh (and so by .ci/run); safe to
# run again (it installs nothing when everything is there). The .NET 10 SDK is not installed here: see README.md.
# Exit status: 0 when everything is there afterwards, 1 otherwise (with the missing tools and how to get them).
set -euo pipefail

declare -A package_of=([redis-server]=redis-server [chromium]=chromium [curl]=curl [wget]=wget [nginx]=nginx [varnishd]=varnish [node]=nodejs [npm]=npm)
# The virtual-hosted tests sign for <bucket>.localhost:PORT. glibc resolves plain 'localhost' from /etc/hosts but not
# its subdomains; nss-myhostname answers every *.localhost name with 127.0.0.1 and ::1 (RFC 6761), and .NET resolves
# through getaddrinfo, so it follows /etc/nsswitch.conf. Checked before any lookup, so no query goes to DNS.
hosts_line_has_myhostname() { grep -Eq '^hosts:.*[[:space:]]myhostname([[:space:]]|$)' /etc/nsswitch.conf 2>/dev/null; }
localhost_names_resolve() {
  hosts_line_has_myhostname && [ "$(getent ahostsv4 presign-check.localhost | awk 'NR == 1 { print $1 }')" = 127.0.0.1 ]
}

missing_tools() {
  local tool
  {
    for tool in "${!package_of[@]}"; do
      command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || printf '%s\n' "$tool"
    done
    localhost_names_resolve || printf '%s\n' libnss-myhostname
  } | sort
}

mapfile -t missing < <(missing_tools)
command -v dotnet >/dev/null 2>&1 || dotnet_missing=1
if ((${#missing[@]})); then
  packages=(ca-certificates)
  for tool in "${missing[@]}"; do packages+=("${package_of[$tool]:-$tool}"); done
  as_root=()
  if ((EUID != 0)) && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); fi
  if command -v apt-get >/dev/null 2>&1 && { ((EUID == 0)) || ((${#as_root[@]})); }; then
    echo "tests/setup.sh: installing ${packages[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    # Debian's package adds myhostname to the hosts line itself; a hand-edited nsswitch.conf may have kept it out.
    if ! hosts_line_has_myhostname && [ -f /etc/nsswitch.conf ]; then
      "${as_root[@]}" sed -i -E '/^hosts:/ s/^(hosts:[[:space:]]*files)([[:space:]]|$)/\1 myhostname\2/' /etc/nsswitch.conf
    fi
    # The tests start their own redis-server, nginx and varnishd on free ports; the distribution's services are not used.
    if command -v systemctl >/dev/null 2>&1; then
      "${as_root[@]}" systemctl disable --now redis-server nginx varnish >/dev/null 2>&1 || true
    fi
    mapfile -t missing < <(missing_tools)
  fi
fi

if ((${#missing[@]})) || ((${dotnet_missing:-0})); then
  echo "tests/setup.sh: missing ${missing[*]}${dotnet_missing:+ dotnet}." >&2
  echo "  On Debian/Ubuntu, as root (or with sudo): apt-get install -y redis-server chromium curl wget nginx varnish nodejs npm libnss-myhostname" >&2
  echo "  (and 'myhostname' after 'files' on the hosts line of /etc/nsswitch.conf, so that *.localhost names resolve to loopback);" >&2
  echo "  the .NET 10 SDK from https://dot.net (or your distribution's dotnet-sdk-10.0 package)." >&2
  exit 1
fi
