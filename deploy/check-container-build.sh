#!/usr/bin/env bash
# Checks the root Dockerfile on a machine with no Docker engine, in well under 90 s:
#   1. its runtime stage: the ASP.NET Core base image, a non-root USER, EXPOSE 8080, ASPNETCORE_HTTP_PORTS=8080, a
#      HEALTHCHECK on /healthz, `dotnet PresignGateway.dll` as entry point, and a copy of the build stage's output;
#   2. its build stage, replayed on the host: the COPY lines (with .dockerignore applied) into a scratch build
#      context, then the RUN lines word for word (dotnet restore, dotnet publish), only publish's `-o` moved to a temp
#      directory. Nothing is read from the Dockerfile's comments or copied by hand, so the two cannot drift apart;
#   3. the published gateway, started like the image starts it (`dotnet PresignGateway.dll`, the runtime stage's ENV,
#      nothing else from this shell) on 127.0.0.1 and a free port: /healthz and /readyz, the HEALTHCHECK command itself
#      (and that it fails when nothing listens), a demo link with Host localhost answered by the gateway with its own
#      502 problem+json, an unknown host with 421, and a clean exit on SIGTERM;
#   4. the same build started with the Kubernetes ConfigMap and Secret (the Secret laid out as kubelet mounts it, then
#      rotated as kubelet rotates it, which the gateway must pick up without a restart) and with the compose file's
#      gateway environment, each of which must pass the gateway's start-up validation and route a request to its store.
# Store endpoints and Redis are always moved to 127.0.0.1:1, where nothing listens: no traffic leaves this machine.
# Needs the .NET 10 SDK, bash and curl. Exit 0 when everything passes; otherwise a message naming what failed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dockerfile=$repo/Dockerfile
closed=http://127.0.0.1:1 # port 1 (tcpmux) is privileged and never served here: connections are refused at once
started=$SECONDS

work=$(mktemp -d "${TMPDIR:-/tmp}/check-container-build.XXXXXX")
app_pid=""
cleanup() {
  if [[ -n $app_pid ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill -KILL "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "check-container-build: FAIL: $*" >&2
  exit 1
}
step() { printf '== [%3ds] %s\n' "$((SECONDS - started))" "$*"; }

for tool in dotnet curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is needed but not installed."
done
[[ -f $dockerfile ]] || fail "no Dockerfile at $dockerfile."

# ---------------------------------------------------------------------------------------------------------------
# 1. Read the Dockerfile: instructions with their continuation lines joined, comments and parser directives dropped.
step "reading $dockerfile"
mapfile -t instructions < <(awk '
  { sub(/\r$/, "") }
  /^[[:space:]]*#/ { next }
  {
    if (sub(/\\[[:space:]]*$/, "")) { buffer = buffer $0 " "; next }
    line = buffer $0; buffer = ""
    if (line ~ /[^[:space:]]/) { sub(/^[[:space:]]+/, "", line); print line }
  }
  END { if (buffer ~ /[^[:space:]]/) print buffer }
' "$dockerfile")

stage_names=() stage_images=() stage_of=()
for index in "${!instructions[@]}"; do
  line=${instructions[index]}
  keyword=${line%%[[:space:]]*}
  if [[ ${keyword^^} == FROM ]]; then
    read -ra words <<<"$line"
    words=("${words[@]:1}")
    [[ ${words[0]} == --platform=* ]] && words=("${words[@]:1}")
    stage_images+=("${words[0]}")
    if ((${#words[@]} >= 3)) && [[ ${words[1],,} == as ]]; then stage_names+=("${words[2]}"); else stage_names+=(""); fi
  fi
  ((${#stage_images[@]} > 0)) || fail "Dockerfile: '$keyword' comes before the first FROM."
  stage_of[index]=$((${#stage_images[@]} - 1))
done
((${#stage_images[@]} >= 2)) || fail "Dockerfile: expected a multi-stage build (an SDK build stage and a runtime stage)."
final=$((${#stage_images[@]} - 1))

stage_lines() { # stage index -> the stage's instructions after its FROM, one per line
  local index
  for index in "${!instructions[@]}"; do
    if ((stage_of[index] == $1)) && [[ ${instructions[index]^^} != FROM* ]]; then printf '%s\n' "${instructions[index]}"; fi
  done
}

# The runtime stage.
runtime_image=${stage_images[final]}
[[ $runtime_image == mcr.microsoft.com/dotnet/aspnet:10.0* ]] \
  || fail "Dockerfile: the runtime stage is FROM '$runtime_image'; expected mcr.microsoft.com/dotnet/aspnet:10.0 (any variant)."
runtime_env=() user="" exposed="" healthcheck="" entrypoint="" runtime_workdir="/" copy_from="" copy_source="" copy_dest=""
while IFS= read -r line; do
  keyword=${line%%[[:space:]]*}
  rest=${line#"$keyword"}
  rest=${rest#"${rest%%[![:space:]]*}"}
  case ${keyword^^} in
    ENV)
      read -ra pairs <<<"$rest"
      for pair in "${pairs[@]}"; do
        [[ $pair == *=* ]] || fail "Dockerfile: runtime ENV '$rest' must use KEY=value pairs without spaces."
        runtime_env+=("$pair")
      done
      ;;
    USER) user=$rest ;;
    EXPOSE) exposed+=" $rest " ;;
    HEALTHCHECK) healthcheck=$rest ;;
    ENTRYPOINT) entrypoint=$rest ;;
    WORKDIR) runtime_workdir=$rest ;;
    COPY)
      if [[ $rest == --from=* ]]; then
        read -ra words <<<"$rest"
        copy_from=${words[0]#--from=}
        copy_source=${words[1]}
        copy_dest=${words[2]}
      fi
      ;;
  esac
done < <(stage_lines "$final")

[[ -n $user ]] || fail "Dockerfile: the runtime stage has no USER line, so the gateway would run as root."
case $user in
  '$APP_UID' | '${APP_UID}') ;; # the aspnet images' `app` user, UID 1654
  root | 0 | root:* | 0:*) fail "Dockerfile: the runtime stage runs as root (USER $user)." ;;
  *) [[ $user =~ ^[0-9]+(:[0-9]+)?$ || $user =~ ^[a-z_][a-z0-9_-]*$ ]] || fail "Dockerfile: USER '$user' is not a user this script understands." ;;
esac
[[ $exposed == *" 8080 "* || $exposed == *" 8080/tcp "* ]] || fail "Dockerfile: the runtime stage does not EXPOSE 8080."
printf '%s\n' "${runtime_env[@]}" | grep -qx 'ASPNETCORE_HTTP_PORTS=8080' \
  || fail "Dockerfile: the runtime stage does not set ENV ASPNETCORE_HTTP_PORTS=8080."
[[ -n $healthcheck && ${healthcheck^^} != NONE* ]] || fail "Dockerfile: the runtime stage has no HEALTHCHECK."
[[ $healthcheck == *'CMD ["bash", "-c", "'*'"]' ]] \
  || fail "Dockerfile: expected HEALTHCHECK ... CMD [\"bash\", \"-c\", \"...\"] (the form this script can run)."
probe=${healthcheck#*'CMD ["bash", "-c", "'}
probe=${probe%'"]'}
probe=${probe//\\\\/\\} # JSON string -> shell text (the command holds no other escapes)
[[ $probe == *"/healthz"* ]] || fail "Dockerfile: the HEALTHCHECK does not probe /healthz."
[[ $entrypoint == '["dotnet", "PresignGateway.dll"]' ]] \
  || fail "Dockerfile: ENTRYPOINT is '$entrypoint'; expected [\"dotnet\", \"PresignGateway.dll\"]."
[[ -n $copy_from ]] || fail "Dockerfile: the runtime stage copies nothing from the build stage (COPY --from=...)."
[[ $copy_dest == ./ || $copy_dest == . || ${copy_dest%/} == "${runtime_workdir%/}" ]] \
  || fail "Dockerfile: COPY --from puts the build output in '$copy_dest', not in WORKDIR $runtime_workdir where the entry point runs."

build=-1
for index in "${!stage_names[@]}"; do
  [[ ${stage_names[index]} == "$copy_from" || $index == "$copy_from" ]] && build=$index
done
((build >= 0 && build < final)) || fail "Dockerfile: COPY --from=$copy_from names no earlier stage."
[[ ${stage_images[build]} == mcr.microsoft.com/dotnet/sdk:10.0* ]] \
  || fail "Dockerfile: the build stage is FROM '${stage_images[build]}'; expected mcr.microsoft.com/dotnet/sdk:10.0 (any variant)."
echo "   runtime: $runtime_image, USER $user, EXPOSE 8080, HEALTHCHECK on /healthz, ENTRYPOINT $entrypoint"

# ---------------------------------------------------------------------------------------------------------------
# 2. Replay the build stage. Container paths live under $root; the build context is the repository with
#    .dockerignore applied.
ignore_patterns=() ignore_included=()
glob_to_regex() { # Docker's pattern syntax: '**' any number of directories, '*' and '?' within one name
  local glob=$1 regex="" i char
  for ((i = 0; i < ${#glob}; i++)); do
    char=${glob:i:1}
    if [[ $char == '*' && ${glob:i+1:1} == '*' ]]; then
      if [[ ${glob:i+2:1} == / ]]; then regex+='(.*/)?'; i=$((i + 2)); else regex+='.*'; i=$((i + 1)); fi
    elif [[ $char == '*' ]]; then
      regex+='[^/]*'
    elif [[ $char == '?' ]]; then
      regex+='[^/]'
    else
      case $char in
        . | + | '(' | ')' | '|' | '^' | '$' | '{' | '}' | '\') regex+="\\$char" ;;
        *) regex+=$char ;;
      esac
    fi
  done
  printf '^%s$' "$regex"
}
if [[ -f $repo/.dockerignore ]]; then
  while IFS= read -r pattern || [[ -n $pattern ]]; do
    pattern=${pattern%$'\r'}
    pattern=${pattern#"${pattern%%[![:space:]]*}"}
    pattern=${pattern%"${pattern##*[![:space:]]}"}
    [[ -z $pattern || $pattern == \#* ]] && continue
    included=0
    if [[ $pattern == '!'* ]]; then included=1 pattern=${pattern:1}; fi
    pattern=${pattern#/}
    pattern=${pattern%/}
    ignore_patterns+=("$(glob_to_regex "$pattern")")
    ignore_included+=("$included")
  done <"$repo/.dockerignore"
fi
ignored() { # context-relative path: true when .dockerignore leaves it (or a directory above it) out
  local prefix="" part k verdict=1
  local -a parts
  IFS=/ read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    prefix=${prefix:+$prefix/}$part
    for k in "${!ignore_patterns[@]}"; do
      if [[ $prefix =~ ${ignore_patterns[k]} ]]; then verdict=${ignore_included[k]}; fi
    done
  done
  return "$verdict"
}

root=$work/root
context_copy() { # context-relative source, destination path under $root, whether the destination is a directory
  local source=${1%/} destination=$2 into_directory=$3 path relative skipped=""
  [[ $source == *[*?[]* ]] && fail "Dockerfile: COPY source '$1' has a wildcard; this script replays plain paths only."
  [[ -e $repo/$source ]] || fail "Dockerfile: COPY source '$1' is not in the build context."
  ignored "$source" && fail "Dockerfile: COPY source '$1' is excluded by .dockerignore."
  if [[ -d $repo/$source ]]; then
    mkdir -p "$destination"
    while IFS= read -r -d '' path; do
      relative=${path#"$repo/"}
      if [[ -n $skipped && $relative == "$skipped"/* ]]; then continue; fi
      if ignored "$relative"; then
        skipped=$relative
        continue
      fi
      if [[ -d $path ]]; then
        mkdir -p "$destination/${path#"$repo/$source/"}"
      else
        cp -p "$path" "$destination/${path#"$repo/$source/"}"
      fi
    done < <(find "$repo/$source" -mindepth 1 -print0 | sort -z)
  elif [[ $into_directory == yes ]]; then
    mkdir -p "$destination"
    cp -p "$repo/$source" "$destination/"
  else
    mkdir -p "$(dirname "$destination")"
    cp -p "$repo/$source" "$destination"
  fi
}

step "replaying the build stage (FROM ${stage_images[build]})"
publish=$work/publish
publish_dir=""
workdir=/
# The Dockerfile's ENV, and no build servers that would outlive this script.
build_env=(MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false)
mkdir -p "$root"
while IFS= read -r line; do
  keyword=${line%%[[:space:]]*}
  rest=${line#"$keyword"}
  rest=${rest#"${rest%%[![:space:]]*}"}
  read -ra words <<<"$rest"
  case ${keyword^^} in
    WORKDIR)
      [[ $rest == /* ]] && workdir=$rest || workdir=${workdir%/}/$rest
      mkdir -p "$root$workdir"
      ;;
    ENV)
      for pair in "${words[@]}"; do
        [[ $pair == *=* ]] || fail "Dockerfile: build ENV '$rest' must use KEY=value pairs without spaces."
        build_env+=("$pair")
      done
      ;;
    COPY)
      while [[ ${words[0]} == --* ]]; do
        [[ ${words[0]} == --from=* ]] && fail "Dockerfile: the build stage copies from another stage; this script can't replay that."
        words=("${words[@]:1}")
      done
      ((${#words[@]} >= 2)) || fail "Dockerfile: 'COPY $rest' needs a source and a destination."
      target=${words[-1]}
      [[ $target == /* ]] || target=${workdir%/}/$target
      into=no
      if [[ ${words[-1]} == */ || ${words[-1]} == . ]] || ((${#words[@]} > 2)); then into=yes; fi
      for source in "${words[@]:0:${#words[@]}-1}"; do
        context_copy "$source" "$root$target" "$into"
      done
      ;;
    RUN)
      [[ $rest == \[* ]] && fail "Dockerfile: 'RUN $rest': this script replays shell-form RUN lines only."
      [[ $rest == *['&|;$`<>']* ]] && fail "Dockerfile: 'RUN $rest': keep each RUN one plain command so this script can replay it."
      case "${words[0]} ${words[1]:-}" in
        "dotnet restore") ;;
        "dotnet publish")
          for k in "${!words[@]}"; do
            if [[ ${words[k]} == -o || ${words[k]} == --output ]]; then
              publish_dir=${words[k + 1]}
              words[k + 1]=$publish
            fi
          done
          [[ -n $publish_dir ]] || fail "Dockerfile: 'RUN $rest' has no -o: the runtime stage can't know where the output is."
          ;;
        *) fail "Dockerfile: 'RUN $rest' is not a dotnet restore or publish; teach deploy/check-container-build.sh to replay it." ;;
      esac
      echo "   RUN ${words[*]}   (in $workdir)"
      if ! (cd "$root$workdir" && env "${build_env[@]}" "${words[@]}") >"$work/run.log" 2>&1; then
        tail -n 30 "$work/run.log" >&2
        fail "Dockerfile: 'RUN $rest' failed when replayed (output above)."
      fi
      ;;
    ARG | SHELL | ONBUILD) fail "Dockerfile: the build stage uses $keyword; teach deploy/check-container-build.sh to replay it." ;;
    *) ;; # LABEL and the like change nothing in the output
  esac
done < <(stage_lines "$build")

[[ -n $publish_dir ]] || fail "Dockerfile: the build stage runs no dotnet publish."
[[ ${copy_source%/} == "${publish_dir%/}" ]] \
  || fail "Dockerfile: the runtime stage copies '$copy_source' but dotnet publish writes to '$publish_dir'."
[[ -f $publish/PresignGateway.dll ]] || fail "the publish output has no PresignGateway.dll."
cmp -s "$publish/appsettings.json" "$repo/appsettings.json" \
  || fail "the publish output's appsettings.json is missing or differs from the repository's."
echo "   published $(find "$publish" -type f | wc -l) files ($(du -sh "$publish" | cut -f1)) with appsettings.json"

# ---------------------------------------------------------------------------------------------------------------
# 3 and 4. Run the published gateway like the image does.
start_gateway() { # log name, then extra KEY=value settings; sets app_pid and base
  local name=$1 deadline
  shift
  log=$work/$name.log
  mkdir -p "$work/home" "$work/tmp"
  # Only what the image would have: its ENV, the listen address, and the given settings.
  env -i PATH="$PATH" HOME="$work/home" TMPDIR="$work/tmp" DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    "${runtime_env[@]}" ASPNETCORE_URLS=http://127.0.0.1:0 Gateway__Telemetry__MetricsUrl=http://127.0.0.1:0 \
    'Logging__LogLevel__Microsoft.Hosting.Lifetime=Information' "$@" \
    dotnet "$publish/PresignGateway.dll" >"$log" 2>&1 &
  app_pid=$!
  deadline=$((SECONDS + 30))
  base=""
  while [[ -z $base ]]; do
    if ! kill -0 "$app_pid" 2>/dev/null; then
      tail -n 20 "$log" >&2
      fail "$name: the gateway exited during start-up (log above)."
    fi
    ((SECONDS < deadline)) || fail "$name: the gateway did not start listening within 30 s."
    sleep 0.2
    base=$(grep -o 'Now listening on: http://127\.0\.0\.1:[0-9]*' "$log" | head -n 1 | sed 's/^Now listening on: //') || true
  done
  port=${base##*:}
  deadline=$((SECONDS + 30))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/healthz") == 200 ]]; do
    ((SECONDS < deadline)) || fail "$name: /healthz did not answer 200 within 30 s."
    kill -0 "$app_pid" 2>/dev/null || fail "$name: the gateway exited before /healthz answered."
    sleep 0.2
  done
}

stop_gateway() { # name
  local deadline=$((SECONDS + 15)) status=0
  kill -TERM "$app_pid"
  while kill -0 "$app_pid" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "$1: the gateway did not stop within 15 s of SIGTERM."
    sleep 0.1
  done
  wait "$app_pid" || status=$?
  app_pid=""
  ((status == 0)) || fail "$1: the gateway exited with status $status on SIGTERM (expected a clean 0)."
}

expect() { # name, expected status pattern, Host header, path: the gateway's own problem+json answer
  local name=$1 statuses=$2 host=$3 path=$4 status type cache
  status=$(curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' --max-time 15 -H "Host: $host" "$base$path") || true
  type=$(tr -d '\r' <"$work/headers" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p' | head -n 1)
  cache=$(tr -d '\r' <"$work/headers" | sed -n 's/^[Cc]ache-[Cc]ontrol: *//p' | head -n 1)
  [[ $status =~ ^($statuses)$ ]] || fail "$name: GET $path with Host $host answered $status; expected $statuses from the gateway."
  [[ $type == application/problem+json* ]] || fail "$name: GET $path with Host $host answered Content-Type '$type', not application/problem+json."
  [[ $cache == no-store ]] || fail "$name: GET $path with Host $host answered Cache-Control '$cache', not no-store."
  grep -q "\"status\":$status" "$work/body" || fail "$name: GET $path: the problem+json body does not carry status $status."
  echo "   GET $path (Host $host) -> $status $type"
}

expect_ok() { # name, path
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base$2") || true
  [[ $status == 200 ]] || fail "$1: GET $2 answered $status, not 200."
  echo "   GET $2 -> 200"
}

step "starting the published gateway (demo configuration from appsettings.json)"
start_gateway image Gateway__Stores__demo__Endpoint=$closed
expect_ok image /healthz
expect_ok image /readyz
env -i PATH="$PATH" ASPNETCORE_HTTP_PORTS="$port" bash -c "$probe" \
  || fail "image: the Dockerfile's HEALTHCHECK command failed against a healthy gateway on port $port."
if env -i PATH="$PATH" ASPNETCORE_HTTP_PORTS=1 bash -c "$probe" 2>/dev/null; then
  fail "image: the Dockerfile's HEALTHCHECK command passed with nothing listening: it can't detect a dead gateway."
fi
echo "   HEALTHCHECK command -> healthy on port $port, unhealthy on a closed port"
expect image '502|504' localhost /hello.txt
expect image 421 unknown.invalid /hello.txt # no site serves the host
stop_gateway image
echo "   SIGTERM -> exit 0"

flat_map() { # file, then the keys leading to a map of one-line scalars; prints KEY=value lines
  awk -v want="${*:2}" -v file="$1" '
    function fail(message) { printf "%s:%d: %s\n", file, NR, message > "/dev/stderr"; failed = 1; exit 1 }
    function unquote(value) {
      sub(/[[:space:]]+#.*$/, "", value); sub(/[[:space:]]+$/, "", value)
      if (value ~ /^".*"$/) { value = substr(value, 2, length(value) - 2); if (value ~ /\\/) fail("escapes in double quotes are not supported here") }
      else if (value ~ /^'\''.*'\''$/) value = substr(value, 2, length(value) - 2)
      else if (value ~ /^[|>&*!\[{]/) fail("keep this map flat: one plain or quoted one-line value per key")
      return value
    }
    BEGIN { count = split(want, path, " "); depth = 0 }
    /^[[:space:]]*(#|$)/ { next }
    /^---/ { depth = 0; next }
    {
      match($0, /^ */); indent = RLENGTH; text = substr($0, indent + 1)
      if (depth == count) {
        if (indent <= path_indent[depth]) { depth = count + 1; next }
        if (text !~ /^[^:[:space:]]+:[[:space:]]/) fail("unexpected line in the map: " text)
        key = substr(text, 1, index(text, ":") - 1); value = substr(text, index(text, ":") + 1)
        sub(/^[[:space:]]+/, "", value); print key "=" unquote(value); next
      }
      if (depth > count) next
      while (depth > 0 && indent <= path_indent[depth]) depth--
      if (text ~ ("^" path[depth + 1] ":[[:space:]]*$")) { depth++; path_indent[depth] = indent }
    }
    END { if (!failed && depth < count) { printf "%s: no map at %s\n", file, want > "/dev/stderr"; exit 1 } }
  ' "$1"
}

moved_to_loopback() { # KEY=value lines on stdin -> the same, store endpoints and Redis moved to 127.0.0.1:1
  local pair key
  local -a addressing=()
  while IFS= read -r pair; do
    key=${pair%%=*}
    case $key in
      Gateway__Stores__*__Endpoint)
        echo "$key=$closed"
        # A bucket can't be a subdomain of an IP address: path-style for the loopback run, last so that it wins.
        addressing+=("${key%__Endpoint}__Addressing=Path")
        ;;
      ConnectionStrings__Redis | Gateway__Cache__Redis) echo "$key=127.0.0.1:1" ;;
      Gateway__Telemetry__MetricsUrl) echo "$key=http://127.0.0.1:0" ;; # a free loopback port, found in the log
      *) echo "$pair" ;;
    esac
  done
  if ((${#addressing[@]} > 0)); then printf '%s\n' "${addressing[@]}"; fi
}

first_host() { # KEY=value lines on stdin -> the first concrete host a site answers
  sed -n 's/^Gateway__Sites__[^=]*__Hosts__[0-9]*=//p' | grep -v '\*' | head -n 1
}

step "starting it with the Kubernetes ConfigMap and Secret (deploy/kubernetes)"
kubernetes=$repo/deploy/kubernetes
flat_map "$kubernetes/configmap.yaml" data >"$work/configmap.env" || fail "can't read the ConfigMap's data (see above)."
mapfile -t settings < <(moved_to_loopback <"$work/configmap.env")
((${#settings[@]} > 0)) || fail "the ConfigMap has no data."
# kubelet's layout for a Secret volume: a timestamped directory, ..data pointing at it, one symlink per key.
secrets=$work/secrets
mkdir -p "$secrets/..2030_01_01_00_00_00.000000000"
ln -s ..2030_01_01_00_00_00.000000000 "$secrets/..data"
flat_map "$kubernetes/secret.yaml" stringData >"$work/secret.env" || fail "can't read the Secret's stringData (see above)."
secret_count=0
while IFS= read -r pair; do
  printf '%s' "${pair#*=}" >"$secrets/..data/${pair%%=*}"
  ln -s "..data/${pair%%=*}" "$secrets/${pair%%=*}"
  secret_count=$((secret_count + 1))
done <"$work/secret.env"
((secret_count > 0)) || fail "the Secret has no stringData."
grep -q 'name: Gateway__SecretsDirectory' "$kubernetes/deployment.yaml" \
  || fail "deployment.yaml does not set Gateway__SecretsDirectory, so the mounted Secret would be ignored."
start_gateway kubernetes "${settings[@]}" Gateway__SecretsDirectory="$secrets"
expect_ok kubernetes /readyz
host=$(printf '%s\n' "${settings[@]}" | first_host) || true
[[ -n $host ]] || fail "the ConfigMap's sites name no concrete host."
expect kubernetes '502|504' "$host" /some/file.zip
# The ConfigMap turns Prometheus on: /metrics on its own listener, with no-store; on the download port it's a download.
metrics=$(grep -o 'served at http://127\.0\.0\.1:[0-9]*/metrics' "$log" | head -n 1 | sed 's/^served at //') || true
[[ -n $metrics ]] || fail "kubernetes: the ConfigMap enables Prometheus, but the log names no metrics listener."
curl -sSf --max-time 5 -D "$work/metrics.headers" -o "$work/metrics" "$metrics" || fail "kubernetes: GET $metrics failed."
grep -q '^presign_gateway_' "$work/metrics" || fail "kubernetes: $metrics has no presign_gateway_ series."
tr -d '\r' <"$work/metrics.headers" | grep -qi '^cache-control: no-store$' || fail "kubernetes: $metrics is not Cache-Control: no-store."
expect kubernetes '502|504' "$host" /metrics
echo "   GET $metrics -> 200 (no-store); /metrics on the download port is a download"
# A Secret update as kubelet makes it: a new timestamped directory, then ..data swapped to it in one rename.
mkdir "$secrets/..2030_01_01_00_01_00.000000000"
while IFS= read -r pair; do
  printf '%s' "${pair#*=}-rotated" >"$secrets/..2030_01_01_00_01_00.000000000/${pair%%=*}"
done <"$work/secret.env"
ln -s ..2030_01_01_00_01_00.000000000 "$secrets/..data.new"
mv -T "$secrets/..data.new" "$secrets/..data"
deadline=$((SECONDS + 20))
until grep -q 'Configuration reloaded' "$log"; do
  ((SECONDS < deadline)) || fail "kubernetes: the gateway did not reload the rotated Secret within 20 s."
  sleep 0.2
done
echo "   Secret rotated (..data swapped): reloaded without a restart"
expect kubernetes '502|504' "$host" /some/file.zip
stop_gateway kubernetes
echo "   $((${#settings[@]})) settings from the ConfigMap, $secret_count keys from the mounted Secret: accepted"

step "starting it with the compose file's gateway environment (deploy/docker-compose.yml)"
resolve_compose() { # compose interpolation: ${NAME:-default} and ${NAME-default} from this shell's environment, $$ -> $
  local pair value name default
  while IFS= read -r pair; do
    value=${pair#*=}
    while [[ $value =~ \$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\} ]]; do
      name=${BASH_REMATCH[1]}
      default=${BASH_REMATCH[2]}
      value=${value/"${BASH_REMATCH[0]}"/${!name:-$default}}
    done
    echo "${pair%%=*}=${value//\$\$/\$}"
  done
}
flat_map "$repo/deploy/docker-compose.yml" services gateway environment >"$work/compose.env" \
  || fail "can't read the gateway's environment in deploy/docker-compose.yml (see above)."
mapfile -t settings < <(resolve_compose <"$work/compose.env" | moved_to_loopback)
((${#settings[@]} > 0)) || fail "deploy/docker-compose.yml gives the gateway no environment."
start_gateway compose "${settings[@]}"
expect_ok compose /readyz
expect compose '502|504' localhost /hello.txt
expect compose '502|504' downloads.test /hello.txt
stop_gateway compose
echo "   $((${#settings[@]})) settings from the compose file: accepted"

step "passed in $((SECONDS - started)) s"
