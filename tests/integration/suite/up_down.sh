#!/usr/bin/env bash
# End-to-end test of `make up` / `make down`: deploy/local/up.sh with the binaries already built in
# BUILD_DIR, on a fresh run dir and on ports of its own (so it runs beside the integration test stack and
# a developer's `make up`), then deploy/local/down.sh. Checks readiness, metrics, Prometheus's view of
# the four services, that a second up changes nothing, and that down leaves no process or port behind.
# Cleans up whatever happens. Exits non-zero with the reason on the first failed check.
#
# Usage: tests/integration/suite/up_down.sh BUILD_DIR
set -euo pipefail

build_dir=$(realpath -m "${1:?usage: up_down.sh BUILD_DIR}")
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
local_dir=$repo_root/deploy/local
run_dir=$build_dir/suite-up-test
services=(registration checkin voting leaderboard)
# Ports below the ephemeral range (32768+), where client sockets of earlier tests could hold them.
declare -A port=([registration]=24081 [checkin]=24082 [voting]=24083 [leaderboard]=24084)

# Everything up.sh and down.sh read, set here so nothing from the caller's shell (tests/run.sh sources
# tests/integration-env.sh, for one) changes what is tested.
export EXPO_RUN_DIR=$run_dir
export KAFKA_PORT=24092 KAFKA_CONTROLLER_PORT=24093 REDIS_PORT=24379 PROMETHEUS_PORT=24090
export EXPO_REGISTRATION_PORT=${port[registration]} EXPO_CHECKIN_PORT=${port[checkin]}
export EXPO_VOTING_PORT=${port[voting]} EXPO_LEADERBOARD_PORT=${port[leaderboard]}
export EXPO_WITH_PROMETHEUS=1
unset EXPO_SERVICE_PORTS EXPO_HTTP_HOST EXPO_HTTP_PORT EXPO_LOG_LEVEL EXPO_BUILD_DIR \
  ADMIN_TOKEN EXPO_ADMIN_TOKEN EVENT_CLOCK_START EXPO_CLOCK_START EVENT_CLOCK_ANCHOR_MS EXPO_CLOCK_ANCHOR_MS
all_ports=("$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$REDIS_PORT" "$PROMETHEUS_PORT")
for svc in "${services[@]}"; do all_ports+=("${port[$svc]}"); done

now_ms() { date +%s%3N; }
check() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }

listening() { [[ -n $(ss -H -ltn "sport = :$1" 2>/dev/null) ]]; }

# Processes of this run dir: our programs with a file of the run dir on their command line.
our_pids() {
  local pid args
  for pid in $(pgrep -f -- "$run_dir/" || true); do
    args=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
    [[ $args =~ expo-(registration|checkin|voting|leaderboard)|kafka\.Kafka|redis-server|prometheus ]] &&
      printf '%s\n' "$pid"
  done
  return 0
}

down_done=0
cleanup() {
  local status=$?
  trap - EXIT
  if ((status != 0)); then
    local f
    for f in "$run_dir"/services/*.log; do
      [[ -s $f ]] && { printf '\n--- last 15 lines of %s\n' "$f" >&2; tail -n 15 "$f" >&2; }
    done
  fi
  if ((down_done == 0)); then
    printf '\ncleanup: deploy/local/down.sh\n'
    "$local_dir/down.sh" || true
  fi
  # Last resort, only for processes this test started: down.sh failed to stop them.
  local pid
  for pid in $(our_pids); do
    printf 'cleanup: killing leftover pid %s\n' "$pid" >&2
    kill -KILL "$pid" 2>/dev/null || true
  done
  exit "$status"
}
trap cleanup EXIT

check "the four binaries are built in $build_dir"
for svc in "${services[@]}"; do
  bin=$build_dir/services/$svc/expo-$svc
  [[ -x $bin ]] || fail "missing binary $bin (build it: cmake --build --preset release); this test does not skip"
done
ok "all four present"

check "no process of $run_dir runs and ports ${all_ports[*]} are free"
leftover=$(our_pids)
[[ -z $leftover ]] || "$local_dir/down.sh" || true
for p in "${all_ports[@]}"; do
  listening "$p" && fail "port $p is in use before the test: $(ss -H -ltnp "sport = :$p")"
done
ok "ports free"
# A fresh run dir, as on a new machine: Kafka storage is formatted and the topics created.
"$local_dir/stack.sh" wipe >/dev/null

check "up.sh $build_dir (fresh run dir)"
t0=$(now_ms)
up_log=$(mktemp)
if ! "$local_dir/up.sh" "$build_dir" 2>&1 | tee "$up_log"; then
  fail "up.sh exited non-zero"
fi
up_ms=$(($(now_ms) - t0))
ok "up.sh finished in $((up_ms / 1000)).$((up_ms % 1000 / 100))s"

check "admin token generated, 32 hex characters, in $run_dir/admin-token with mode 0600, printed"
token_file=$run_dir/admin-token
[[ -f $token_file ]] || fail "no $token_file"
[[ $(stat -c %a "$token_file") == 600 ]] || fail "$token_file has mode $(stat -c %a "$token_file"), not 600"
token=$(<"$token_file")
[[ $token =~ ^[0-9a-f]{32}$ ]] || fail "token in $token_file is not 32 hex characters: '$token'"
grep -qF "$token" "$up_log" || fail "up.sh did not print the admin token"
ok "token ok"

check "each service: /readyz 200, /metrics is Prometheus text with expo_build_info"
for svc in "${services[@]}"; do
  base=http://127.0.0.1:${port[$svc]}
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/readyz" || true)
  [[ $code == 200 ]] || fail "$svc: GET $base/readyz answered $code, not 200"
  metrics=$(curl -sf --max-time 5 -D "$run_dir/metrics-headers" "$base/metrics") ||
    fail "$svc: GET $base/metrics failed"
  grep -qi '^content-type: text/plain' "$run_dir/metrics-headers" ||
    fail "$svc: /metrics content type is not text/plain: $(grep -i '^content-type' "$run_dir/metrics-headers")"
  grep -q "^# TYPE expo_build_info gauge" <<<"$metrics" || fail "$svc: /metrics has no '# TYPE expo_build_info gauge'"
  grep -q "^expo_build_info{.*service=\"$svc\"" <<<"$metrics" ||
    fail "$svc: /metrics has no expo_build_info sample for service=\"$svc\""
  ok "$svc on ${port[$svc]}: ready, metrics ok"
done
rm -f "$run_dir/metrics-headers"

check "Prometheus on $PROMETHEUS_PORT scrapes the four services (health up), within 30 s"
targets_summary() {
  curl -sf --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/targets?state=active" | python3 -c '
import json, sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    print(t["labels"].get("job", "?"), t["scrapeUrl"], t["health"], t.get("lastError", "") or "-")
' 2>/dev/null || true
}
want=""
for svc in "${services[@]}"; do want+="$svc http://127.0.0.1:${port[$svc]}/metrics up"$'\n'; done
deadline=$((SECONDS + 30))
while :; do
  summary=$(targets_summary)
  got=$(awk '{ print $1, $2, $3 }' <<<"$summary" | sort)
  [[ $got == "$(sort <<<"${want%$'\n'}")" ]] && break
  ((SECONDS < deadline)) || fail "Prometheus targets after 30 s (job url health last error):"$'\n'"$summary"
  sleep 1
done
while read -r line; do ok "target $line"; done <<<"$got"

check "a second up.sh leaves everything running as it was"
declare -A pid_before=()
for svc in "${services[@]}"; do pid_before[$svc]=$(<"$run_dir/services/$svc.pid"); done
for comp in kafka redis prometheus; do pid_before[$comp]=$(<"$run_dir/$comp/$comp.pid"); done
"$local_dir/up.sh" "$build_dir" >"$up_log" 2>&1 || { cat "$up_log"; fail "second up.sh exited non-zero"; }
for svc in "${services[@]}"; do
  [[ $(<"$run_dir/services/$svc.pid") == "${pid_before[$svc]}" ]] || fail "second up.sh restarted $svc"
done
for comp in kafka redis prometheus; do
  [[ $(<"$run_dir/$comp/$comp.pid") == "${pid_before[$comp]}" ]] || fail "second up.sh restarted $comp"
done
[[ $(<"$token_file") == "$token" ]] || fail "second up.sh changed the admin token"
grep -qF "$token" "$up_log" || fail "second up.sh did not print the same admin token"
ok "same pids, same token"
rm -f "$up_log"

check "down.sh stops everything"
down_done=1
"$local_dir/down.sh" || fail "down.sh exited non-zero"
left=$(our_pids)
[[ -z $left ]] || fail "processes of $run_dir still running after down.sh: $(tr '\n' ' ' <<<"$left")"
ok "no process of $run_dir"
for p in "${all_ports[@]}"; do
  listening "$p" && fail "port $p still listens after down.sh: $(ss -H -ltnp "sport = :$p")"
done
ok "none of ${all_ports[*]} listens"
for f in "$run_dir"/services/*.pid "$run_dir"/{kafka,redis,prometheus}/*.pid; do
  [[ -e $f ]] && fail "pid file left: $f"
done
ok "no pid file left"

printf '\nPASS: make up (fresh, %d.%ds) and make down\n' $((up_ms / 1000)) $((up_ms % 1000 / 100))
