#!/usr/bin/env bash
# What `make up` runs after the build: the local stack (Kafka, Redis, Prometheus and the TLS front),
# then the four services with the 2023 event, then a summary of where everything is. Idempotent:
# whatever already runs is left running, so a second `make up` only starts what is missing.
#
# Usage: deploy/local/up.sh [BUILD_DIR]     (default <repo>/build/release)
#
# Environment: as for stack.sh and services.sh (run dir, ports), and
#   ADMIN_TOKEN        [the one in <run dir>/admin-token, else 32 random hex characters, kept there]
#   EVENT_CLOCK_START  [""]: "" rehearsal (day 1 09:00 WIB is now), "real", or an RFC 3339 time
#   EXPO_WITH_NGINX    [1]: 0 runs no TLS front (the hall network then reaches nothing)
#   EXPO_LINKS_VOTE_BASE_URL  [the front's https URL]: where the badge's voting link points
set -euo pipefail

# shellcheck source=deploy/local/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

case ${1:-} in -h|--help) usage_from_header "${BASH_SOURCE[0]}"; exit 0 ;; esac
build_dir=$(realpath -m "${1:-$repo_root/build/release}")
local_dir=$deploy_dir/local
token_file=$run_dir/admin-token

started=$(now_ms)

# Before anything starts: a missing binary should not leave a stack running for nothing.
for svc in "${service_names[@]}"; do
  [[ -x $build_dir/services/$svc/expo-$svc ]] ||
    die "not built: $build_dir/services/$svc/expo-$svc; run: make build (or cmake --build --preset release)"
done

if [[ -z ${ADMIN_TOKEN:-} ]]; then
  if [[ -s $token_file ]]; then
    ADMIN_TOKEN=$(<"$token_file")
  else
    ADMIN_TOKEN=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  fi
fi
((${#ADMIN_TOKEN} >= 16)) || die "ADMIN_TOKEN must be at least 16 characters"
export ADMIN_TOKEN

"$local_dir/stack.sh" start

# The TLS front, when it runs: the hall network's one origin (deploy/local/nginx/).
stack_env=$("$local_dir/stack.sh" env)
stack_value() { sed -n "s/^$1=//p" <<<"$stack_env" | head -n1; }
front_url=$(stack_value EXPO_FRONT_URL)
# A badge's voting link must work on the visitor's phone: the front, not a loopback port.
if [[ -n $front_url && -z ${EXPO_LINKS_VOTE_BASE_URL:-} ]]; then
  export EXPO_LINKS_VOTE_BASE_URL=$front_url
fi

EXPO_BUILD_DIR=$build_dir "$local_dir/services.sh" start

# What the services actually run with (for services started earlier, their recorded settings).
suite_value() { sed -n "s/^$1=//p" "$run_dir/services/suite.env" | head -n1; }
token=$(suite_value ADMIN_TOKEN)
clock_start=$(suite_value EVENT_CLOCK_START)
anchor_ms=$(suite_value EVENT_CLOCK_ANCHOR_MS)
# Kept for the next `make up`, and for whoever needs it without scrolling back.
(umask 077 && printf '%s\n' "$token" >"$token_file")
chmod 600 "$token_file"

anchor_text=$(date -d "@$((anchor_ms / 1000))" '+%Y-%m-%d %H:%M:%S %Z')
case $clock_start in
  "")
    if [[ -n ${EXPO_EVENT_FILE:-} ]]; then day1="day 1 09:00 (event time zone)"; else day1="day 1 (2023-11-23) 09:00 WIB"; fi
    clock_text="rehearsal: event $day1 = $anchor_text, real speed" ;;
  real) clock_text="real: the wall clock" ;;
  *) clock_text="$clock_start = $anchor_text, real speed" ;;
esac

rel() { realpath -m --relative-to="$PWD" "$1"; }

# The hall network's addresses: what the tablets, phones and screens open.
front_summary() {
  [[ -n $front_url ]] || return 0
  local ca http_url
  ca=$(stack_value EXPO_FRONT_CA)
  http_url=$(stack_value EXPO_FRONT_HTTP_URL)
  cat <<EOT
  hall network  $front_url/             registration page (one https origin for everything below)
  (TLS front)   $front_url/booth        booth tablet app; /admin/devices tablets' admin page
                $front_url/vote?token=BADGE  voting; $front_url/screen  public screen
                $front_url/ops          operations page; API under /v1/..., WebSocket /v1/stream
                $http_url redirects to https
EOT
  if [[ -n $ca ]]; then
    local fingerprint
    fingerprint=$(openssl x509 -in "$ca" -noout -fingerprint -sha256 2>/dev/null | sed 's/^.*=//')
    cat <<EOT
  CA for tablets $(rel "$ca")  (also $http_url/expo-local-ca.crt)
                SHA-256 $fingerprint
                install it on each tablet once: docs/hall-network.md
EOT
  else
    printf "  certificate   the organiser's: %s\n" "$(stack_value EXPO_FRONT_CERT)"
  fi
}
url() { printf 'http://127.0.0.1:%s%s' "${service_port[$1]}" "$2"; }
front_block=$(front_summary)
[[ -z $front_block ]] || front_block+=$'\n'
cat <<EOF

The suite is up ($(elapsed "$started")).
  registration  $(url registration /)                  registration page
                $(url registration /v1/visitors)        API
  checkin       $(url checkin /booth)             booth tablet app
                $(url checkin /v1/checkins)       API; /v1/admin/devices (admin)
  voting        $(url voting '/vote?token=BADGE')  visitor's voting page
                $(url voting /v1/votes)          API; /v1/admin/voting/open|close (admin)
  leaderboard   $(url leaderboard /screen)            public screen
                $(url leaderboard /ops)               operations page (asks for the admin token)
                $(url leaderboard /v1/leaderboards/innovations)  API; /v1/stream (WebSocket)
  every service /healthz /readyz /metrics /v1/event
${front_block}  Prometheus    http://127.0.0.1:$prometheus_port  (targets: http://127.0.0.1:$prometheus_port/classic/targets, alerts: .../classic/alerts)
  Kafka         127.0.0.1:$kafka_port    Redis 127.0.0.1:$redis_port

  admin token   $token  (Authorization: Bearer ...; kept in $(rel "$token_file"))
  event clock   $clock_text
  logs          $(rel "$run_dir")/services/<name>.log, $(rel "$run_dir")/{kafka,redis,prometheus}/
                (deploy/local/services.sh logs, deploy/local/stack.sh logs)
  status        make status
  stop          make down
EOF
