#!/usr/bin/env bash
# The suite's four services as background processes on this machine, using the local stack of the same
# run dir (deploy/local/stack.sh). Pid files, logs and generated configs go to <run dir>/services/.
#
# Usage: deploy/local/services.sh COMMAND [registration|checkin|voting|leaderboard ...]
#   start     start the named services (default: all) that are not running, wait until each /readyz
#             answers 200; services already running are left as they are
#   stop      stop them (default: all): SIGTERM, SIGKILL after 15 s
#   status    one line each; exit 0 only if every one asked about is running and ready
#   logs      print the last lines of each service's log
#
# Environment (defaults in brackets):
#   EXPO_BUILD_DIR [<repo>/build/release]  binaries: <dir>/services/<name>/expo-<name>
#   EXPO_RUN_DIR, KAFKA_PORT, REDIS_PORT   as for stack.sh: the services use that stack on 127.0.0.1
#   EXPO_REGISTRATION_PORT [8081]  EXPO_CHECKIN_PORT [8082]  EXPO_VOTING_PORT [8083]
#   EXPO_LEADERBOARD_PORT [8084]   (or EXPO_SERVICE_PORTS, four ports in that order)
#   EXPO_HTTP_HOST [127.0.0.1]  EXPO_LOG_LEVEL [info]
#   EXPO_SERVICE_READY_TIMEOUT [60]       seconds for all started services to become ready
#   ADMIN_TOKEN [<run dir>/admin-token when it exists, else none: admin routes off]
#   EVENT_CLOCK_START [""]: "" rehearsal (day 1 09:00 WIB is now), "real", or an RFC 3339 time
#   EVENT_CLOCK_ANCHOR_MS [now]: Unix ms at which EVENT_CLOCK_START applies
#   Any other EXPO_* setting (see <binary> --help) reaches every service unchanged.
# While a service of this run dir runs, the ones started later get its admin token and event clock
# (kept in <run dir>/services/suite.env), so all four always agree; asking for different ones then
# is an error.
set -euo pipefail

# shellcheck source=deploy/local/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=deploy/local/lib/process.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/process.sh"

build_dir=$(realpath -m "${EXPO_BUILD_DIR:-$repo_root/build/release}")
services_dir=$run_dir/services
suite_file=$services_dir/suite.env
http_host=${EXPO_HTTP_HOST:-127.0.0.1}
log_level=${EXPO_LOG_LEVEL:-info}
ready_timeout=${EXPO_SERVICE_READY_TIMEOUT:-60}
# The services stop within a few seconds; 15 s leaves room on a loaded machine.
stop_grace_seconds=15

# --- per-service facts (the hooks lib/process.sh calls) --------------------------------------------

binary() { printf '%s/services/%s/expo-%s' "$build_dir" "$1" "$1"; }
pid_file() { printf '%s/%s.pid' "$services_dir" "$1"; }
config_file() { printf '%s/%s.json' "$services_dir" "$1"; }
log_file() { printf '%s/%s.log' "$services_dir" "$1"; }
proc_program() { printf 'expo-%s' "$1"; }
# The generated config file is passed with --config, so the run dir shows in the command line.
proc_marker() { config_file "$1"; }
comp_ports() { printf '%s' "${service_port[$1]}"; }
comp_logs() { printf '%s\n' "$(log_file "$1")"; }

# The address to probe: a wildcard listen address is reached through loopback.
probe_url() {
  local host=$http_host
  [[ $host == 0.0.0.0 || $host == "::" ]] && host=127.0.0.1
  printf 'http://%s:%s%s' "$host" "${service_port[$1]}" "$2"
}

# HTTP status of GET URL ("000" when nothing answers).
http_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

# --- suite settings --------------------------------------------------------------------------------

any_running() {
  local svc
  for svc in "${service_names[@]}"; do
    [[ -n $(running_pid "$svc") ]] && return 0
  done
  return 1
}

suite_value() {
  sed -n "s/^$1=//p" "$suite_file" 2>/dev/null | head -n1
}

# Sets admin_token, clock_start and clock_anchor_ms for the services about to start.
resolve_suite_settings() {
  if any_running && [[ -f $suite_file ]]; then
    admin_token=$(suite_value ADMIN_TOKEN)
    clock_start=$(suite_value EVENT_CLOCK_START)
    clock_anchor_ms=$(suite_value EVENT_CLOCK_ANCHOR_MS)
    if [[ -n ${ADMIN_TOKEN:-} && $ADMIN_TOKEN != "$admin_token" ]]; then
      die "services of $run_dir are running with another ADMIN_TOKEN; stop them first (services.sh stop, or make down)"
    fi
    if [[ -n ${EVENT_CLOCK_START+set} && $EVENT_CLOCK_START != "$clock_start" ]]; then
      die "services of $run_dir are running with EVENT_CLOCK_START='$clock_start', not '$EVENT_CLOCK_START'; stop them first"
    fi
    if [[ -n ${EVENT_CLOCK_ANCHOR_MS:-} && $EVENT_CLOCK_ANCHOR_MS != "$clock_anchor_ms" ]]; then
      die "services of $run_dir are running with EVENT_CLOCK_ANCHOR_MS=$clock_anchor_ms, not $EVENT_CLOCK_ANCHOR_MS; stop them first"
    fi
    return 0
  fi
  admin_token=${ADMIN_TOKEN:-}
  if [[ -z $admin_token && -f $run_dir/admin-token ]]; then
    admin_token=$(<"$run_dir/admin-token")
  fi
  if [[ -n $admin_token && ${#admin_token} -lt 16 ]]; then
    die "ADMIN_TOKEN must be at least 16 characters"
  fi
  clock_start=${EVENT_CLOCK_START:-}
  clock_anchor_ms=${EVENT_CLOCK_ANCHOR_MS:-$(now_ms)}
  [[ $clock_anchor_ms =~ ^[0-9]+$ ]] || die "EVENT_CLOCK_ANCHOR_MS must be Unix milliseconds, got '$clock_anchor_ms'"
  mkdir -p "$services_dir"
  (
    umask 077
    printf 'ADMIN_TOKEN=%s\nEVENT_CLOCK_START=%s\nEVENT_CLOCK_ANCHOR_MS=%s\n' \
      "$admin_token" "$clock_start" "$clock_anchor_ms" >"$suite_file"
  )
}

random_base64url() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

# The suite's secrets (badge signing keys, the lookup pepper, the data-key wrapping key), made once
# per run dir and kept with its Kafka data: badges issued and data sealed earlier stay readable
# across `make down` / `make up`. Variables set by the caller win.
secrets_file=$run_dir/secrets.env
load_secrets() {
  if [[ ! -s $secrets_file ]]; then
    mkdir -p "$run_dir"
    (
      umask 077
      printf 'BADGE_SIGNING_KEYS=k1:%s\nEXPO_PRIVACY_LOOKUP_PEPPER=%s\nEXPO_PRIVACY_WRAPPING_KEY=w1:%s\n' \
        "$(random_base64url)" "$(random_base64url)" "$(random_base64url)" >"$secrets_file"
    )
  fi
  badge_signing_keys=${BADGE_SIGNING_KEYS:-$(sed -n 's/^BADGE_SIGNING_KEYS=//p' "$secrets_file")}
  lookup_pepper=${EXPO_PRIVACY_LOOKUP_PEPPER:-$(sed -n 's/^EXPO_PRIVACY_LOOKUP_PEPPER=//p' "$secrets_file")}
  wrapping_key=${EXPO_PRIVACY_WRAPPING_KEY:-$(sed -n 's/^EXPO_PRIVACY_WRAPPING_KEY=//p' "$secrets_file")}
}

json_string() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

# The non-secret settings, as the record of what the service was started with (and so that
# `<binary> --config <file>` reproduces it by hand). The same values go in the environment, which
# takes precedence over the file, so a stray EXPO_HTTP_PORT in the caller's shell cannot move them.
write_config() {
  local svc=$1
  cat >"$(config_file "$svc")" <<EOF
{
  "http": {"host": $(json_string "$http_host"), "port": ${service_port[$svc]}},
  "kafka": {"brokers": "127.0.0.1:$kafka_port"},
  "redis": {"host": "127.0.0.1", "port": $redis_port},
  "clock": {"start": $(json_string "$clock_start"), "anchor_ms": $clock_anchor_ms},
  "log": {"level": $(json_string "$log_level")}
}
EOF
}

# Sets svc_cmd to the service's command line: `env` with explicit values for everything this script
# decides, and without the EXPO_ spellings of the aliased keys (they would win over the aliases).
service_command() {
  local svc=$1
  svc_cmd=(env -u EXPO_CLOCK_START -u EXPO_CLOCK_ANCHOR_MS -u EXPO_ADMIN_TOKEN
    EXPO_HTTP_HOST="$http_host" EXPO_HTTP_PORT="${service_port[$svc]}"
    EXPO_KAFKA_BROKERS="127.0.0.1:$kafka_port"
    EXPO_REDIS_HOST=127.0.0.1 EXPO_REDIS_PORT="$redis_port"
    EXPO_LOG_LEVEL="$log_level"
    EVENT_CLOCK_START="$clock_start" EVENT_CLOCK_ANCHOR_MS="$clock_anchor_ms"
    ADMIN_TOKEN="$admin_token"
    BADGE_SIGNING_KEYS="$badge_signing_keys" EXPO_PRIVACY_LOOKUP_PEPPER="$lookup_pepper"
    EXPO_PRIVACY_WRAPPING_KEY="$wrapping_key"
    "$(binary "$svc")" --config "$(config_file "$svc")")
}

# --- commands --------------------------------------------------------------------------------------

check_stack() {
  port_open "$kafka_port" ||
    die "Kafka is not accepting on 127.0.0.1:$kafka_port; start the stack first: deploy/local/stack.sh start"
  port_open "$redis_port" ||
    die "Redis is not accepting on 127.0.0.1:$redis_port; start the stack first: deploy/local/stack.sh start"
}

# Waits for every service in the arguments to answer /readyz 200; stops the ones that do not.
wait_ready() {
  local deadline=$((SECONDS + ready_timeout)) svc pid code failed=0
  local -A pending=() t0=()
  for svc in "$@"; do pending[$svc]=1; t0[$svc]=$(now_ms); done
  while ((${#pending[@]})); do
    for svc in "${!pending[@]}"; do
      pid=$(running_pid "$svc")
      if [[ -z $pid ]]; then
        warn "$svc: exited during start"
        show_log_tail "$svc"
        unset "pending[$svc]"
        failed=1
        continue
      fi
      code=$(http_status "$(probe_url "$svc" /readyz)")
      if [[ $code == 200 ]]; then
        say "$svc: ready (pid $pid, port ${service_port[$svc]}) $(elapsed "${t0[$svc]}") after launch"
        unset "pending[$svc]"
      fi
    done
    ((${#pending[@]})) || break
    if ((SECONDS >= deadline)); then
      for svc in "${!pending[@]}"; do
        code=$(http_status "$(probe_url "$svc" /readyz)")
        warn "$svc: /readyz answered $code, not 200, ${ready_timeout}s after launch"
        show_log_tail "$svc"
        stop_component "$svc" >/dev/null
      done
      failed=1
      break
    fi
    sleep 0.2
  done
  return "$failed"
}

cmd_start() {
  local svc pid started check to_start=() missing=() svc_cmd=()
  lock_run_dir
  started=$(now_ms)
  for svc in "$@"; do
    pid=$(running_pid "$svc")
    if [[ -n $pid ]]; then
      say "$svc: already running (pid $pid, port ${service_port[$svc]})"
    else
      to_start+=("$svc")
      [[ -x $(binary "$svc") ]] || missing+=("$(binary "$svc")")
    fi
  done
  ((${#to_start[@]})) || return 0
  ((${#missing[@]} == 0)) ||
    die "not built: ${missing[*]}; build first: make build (or cmake --build --preset release)"
  check_stack
  resolve_suite_settings
  load_secrets
  # Every configuration is checked before the first launch: a mistake is then a line or two here,
  # not a half-started suite.
  for svc in "${to_start[@]}"; do
    prepare_start "$svc"
    write_config "$svc"
    service_command "$svc"
    if ! check=$("${svc_cmd[@]}" --check-config 2>&1); then
      printf '%s\n' "$check" >&2
      die "$svc: configuration rejected (see above)"
    fi
  done
  for svc in "${to_start[@]}"; do
    service_command "$svc"
    # One log per run (the previous one kept as .1), so a failure's log tail is this run's.
    [[ -s $(log_file "$svc") ]] && mv -f "$(log_file "$svc")" "$(log_file "$svc").1"
    launch "$svc" "$(log_file "$svc")" "${svc_cmd[@]}"
  done
  if ! wait_ready "${to_start[@]}"; then
    warn "start failed; logs under $services_dir; anything else started is left running (stop: $0 stop)"
    return 1
  fi
  say "started ${to_start[*]} in $(elapsed "$started")"
}

cmd_stop() {
  local svc pids=()
  [[ -d $services_dir ]] || { say "nothing to stop: no $services_dir"; return 0; }
  lock_run_dir
  # In parallel: each takes a few seconds to drain.
  for svc in "$@"; do
    stop_component "$svc" &
    pids+=("$!")
  done
  wait "${pids[@]}"
  any_running || rm -f "$suite_file"
}

cmd_status() {
  local svc pid code ok=0
  for svc in "$@"; do
    pid=$(running_pid "$svc")
    if [[ -z $pid ]]; then
      local orphans
      orphans=$(orphan_pids "$svc" | tr '\n' ' ')
      if [[ -n $orphans ]]; then
        printf '%-12s untracked (pid %sof this run dir has no pid file; run stop)\n' "$svc" "$orphans"
      else
        printf '%-12s stopped\n' "$svc"
      fi
      ok=1
      continue
    fi
    code=$(http_status "$(probe_url "$svc" /readyz)")
    if [[ $code == 200 ]]; then
      printf '%-12s running (pid %s, port %s, ready)\n' "$svc" "$pid" "${service_port[$svc]}"
    else
      printf '%-12s running, not ready (pid %s, port %s, /readyz %s)\n' "$svc" "$pid" "${service_port[$svc]}" "$code"
      ok=1
    fi
  done
  return "$ok"
}

cmd_logs() {
  local svc f
  for svc in "$@"; do
    f=$(log_file "$svc")
    [[ -s $f ]] || continue
    printf '=== %s ===\n' "$f"
    tail -n 30 "$f"
  done
}

usage() { usage_from_header "${BASH_SOURCE[0]}"; }

main() {
  local cmd=${1:-}
  [[ -n $cmd ]] || { usage >&2; exit 2; }
  shift
  local svcs=() s
  for s in "$@"; do
    [[ -n ${service_port[$s]:-} ]] || die "unknown service '$s' (${service_names[*]})"
    svcs+=("$s")
  done
  (($#)) || svcs=("${service_names[@]}")
  case $cmd in
    start) cmd_start "${svcs[@]}" ;;
    stop) cmd_stop "${svcs[@]}" ;;
    status) cmd_status "${svcs[@]}" ;;
    logs) cmd_logs "${svcs[@]}" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
