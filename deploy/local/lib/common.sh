# Sourced (never run) by the deploy/local scripts: the settings of a local suite that every script must
# agree on (run dir, ports), messages, timing, and the run-dir lock.
# Messages start with `log_prefix` (default: the script's name without .sh).
# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
deploy_dir=$repo_root/deploy

# --- settings shared by stack.sh, services.sh, up.sh and down.sh ----------------------------------

run_dir=$(realpath -m "${EXPO_RUN_DIR:-$repo_root/run/local}")
kafka_port=${KAFKA_PORT:-19092}
kafka_controller_port=${KAFKA_CONTROLLER_PORT:-19093}
redis_port=${REDIS_PORT:-16379}
prometheus_port=${PROMETHEUS_PORT:-19090}

# The four services in the order EXPO_SERVICE_PORTS lists them. A service's port is
# EXPO_<NAME>_PORT, else its position in EXPO_SERVICE_PORTS, else the contract's default; the
# Prometheus scrape targets are made from the same values, so the two can never disagree.
service_names=(registration checkin voting leaderboard)
declare -A service_port=()
_expo_default_ports=(8081 8082 8083 8084)
read -r -a _expo_listed_ports <<<"${EXPO_SERVICE_PORTS:-}"
for _expo_i in "${!service_names[@]}"; do
  _expo_var=EXPO_${service_names[$_expo_i]^^}_PORT
  service_port[${service_names[$_expo_i]}]=${!_expo_var:-${_expo_listed_ports[$_expo_i]:-${_expo_default_ports[$_expo_i]}}}
done
service_ports="${service_port[registration]} ${service_port[checkin]} ${service_port[voting]} ${service_port[leaderboard]}"
unset _expo_default_ports _expo_listed_ports _expo_i _expo_var

# --- messages and time ------------------------------------------------------------------------------

log_prefix=${log_prefix:-$(basename "$0" .sh)}

say() { printf '%s: %s\n' "$log_prefix" "$*"; }
warn() { printf '%s: %s\n' "$log_prefix" "$*" >&2; }
die() { printf '%s: error: %s\n' "$log_prefix" "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }
elapsed() { local ms=$(($(now_ms) - $1)); printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100)); }

# Prints the comment block at the top of a script (after the #! line) as its usage text.
usage_from_header() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1"
}

# --- the run dir ------------------------------------------------------------------------------------

ensure_run_dir() {
  mkdir -p "$run_dir"
  # Marks the directory as ours, so `stack.sh wipe` never deletes a directory it did not create.
  [[ -f $run_dir/.expo-stack ]] || printf 'created by deploy/local/stack.sh\n' >"$run_dir/.expo-stack"
}

# Serialises commands on one run dir (two starts at once would race on pid files and formatting).
# Holds fd 9 until the calling script exits; `launch` keeps it from the daemons.
lock_run_dir() {
  ensure_run_dir
  exec 9>"$run_dir/.lock"
  flock -w 120 9 || die "another deploy/local script holds $run_dir/.lock"
}
