#!/usr/bin/env bash
# What `make down` runs: stops the four services, then the local stack (the run dir and ports are the
# same environment variables as for up.sh), then checks that no process of this run dir is left and
# that none of its ports still listens. Data stays in the run dir (`stack.sh wipe` deletes it).
#
# Usage: deploy/local/down.sh
set -euo pipefail

# shellcheck source=deploy/local/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=deploy/local/lib/process.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/process.sh"

case ${1:-} in -h|--help) usage_from_header "${BASH_SOURCE[0]}"; exit 0 ;; esac
local_dir=$deploy_dir/local

if [[ ! -d $run_dir ]]; then
  say "nothing to stop: no $run_dir"
  exit 0
fi

started=$(now_ms)
failed=0
# The stack is stopped even when a service would not stop: it is what holds the data.
"$local_dir/services.sh" stop || failed=1
"$local_dir/stack.sh" stop || failed=1

# Every process of ours names a file in the run dir on its command line (a `tail -f` of a log there
# is not ours, hence the program check).
left=()
for pid in $(pgrep -f -- "$run_dir/" || true); do
  args=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
  [[ $args =~ expo-(registration|checkin|voting|leaderboard)|kafka\.Kafka|redis-server|prometheus ]] || continue
  left+=("$pid")
  warn "still running: pid $pid: $args"
done
((${#left[@]} == 0)) || failed=1
for port in "$kafka_port" "$kafka_controller_port" "$redis_port" "$prometheus_port" $service_ports; do
  if port_listening "$port"; then
    warn "port $port still listens ($(port_owner "$port")); it is not a process of $run_dir"
  fi
done

((failed == 0)) || die "not everything stopped (see above)"
say "everything stopped in $(elapsed "$started")"
