# shellcheck shell=bash
# Shared by the service benchmarks (sourced; needs repo_root): a stack of their own on spare ports, wiped first; the
# services in the background (the one under test, and any that run beside it); everything stopped on exit.
#   bench_stack_start RUN_DIR KAFKA_PORT REDIS_PORT
#   bench_service_start LOG PORT COMMAND... (environment as prefix assignments before the call; logs at
#     warn, or at $bench_log_level)
#   bench_secret: 32 random bytes, base64url
#   bench_wrk LABEL UNIT NAME CONNECTIONS DURATION_S SCRIPT PORT SCRIPT_ARGS... (below)

bench_secret() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

bench_stack_start() {
  export EXPO_RUN_DIR=$1 KAFKA_PORT=$2 KAFKA_CONTROLLER_PORT=$(($2 + 1)) REDIS_PORT=$3
  export EXPO_WITH_PROMETHEUS=0 EXPO_WITH_NGINX=0
  bench_stack=$repo_root/deploy/local/stack.sh
  "$bench_stack" wipe >/dev/null 2>&1 || true
  "$bench_stack" start
}

bench_service_pids=()
bench_service_names=()

bench_cleanup() {
  local pid
  for pid in "${bench_service_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  "$bench_stack" stop >/dev/null 2>&1 || true
}

# Starts the service (its environment given by the caller's exports) and waits for /readyz.
bench_service_start() {
  local log=$1 port=$2
  shift 2
  EXPO_HTTP_PORT=$port EXPO_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT EXPO_REDIS_PORT=$REDIS_PORT EXPO_LOG_LEVEL=${bench_log_level:-warn} \
    "$@" >"$log" 2>&1 &
  bench_service_pids+=($!)
  bench_service_names+=("$(basename "$1")")
  trap bench_cleanup EXIT
  for _ in $(seq 1 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]] && return 0
    sleep 0.2
  done
  echo "bench: the service did not become ready; see $log"
  exit 1
}

# CPU time (user + system, in clock ticks) of a process so far; 0 once it is gone.
bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The machine's busy and idle clock ticks so far (all cores).
bench_machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $6 + $7 + $8, $5}' /proc/stat; }

# Runs wrk on the service with a Lua script whose done() ends by printing "... <rate>/s", then one
# summary line "<label>: <name>: <rate> <unit>/s, p50 <p50>, p99 <p99>" and one of where the CPU went
# meanwhile: each service started here, the stack's broker and Redis, and wrk, in % of one core, and
# the machine's idle share (a saturation figure means little without it).
bench_wrk() {
  local label=$1 unit=$2 name=$3 connections=$4 seconds=$5 script=$6 port=$7
  shift 7
  echo "bench: $name: $connections kept-alive connections, ${seconds}s"
  local names=("${bench_service_names[@]}") pids=("${bench_service_pids[@]}") comp
  for comp in kafka redis; do
    if [[ -f $EXPO_RUN_DIR/$comp/$comp.pid ]]; then
      names+=("$comp")
      pids+=("$(cat "$EXPO_RUN_DIR/$comp/$comp.pid")")
    fi
  done
  local before=() after=() i machine_before machine_after started ended wrk_times
  for i in "${!pids[@]}"; do before+=("$(bench_cpu_ticks "${pids[$i]}")"); done
  machine_before=$(bench_machine_ticks)
  started=$(date +%s%N)
  local out rate p50 p99
  wrk_times=$(mktemp)
  out=$( { TIMEFORMAT='%U %S'; time wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$script" \
    "http://127.0.0.1:$port" -- "$@"; } 2>"$wrk_times")
  ended=$(date +%s%N)
  machine_after=$(bench_machine_ticks)
  for i in "${!pids[@]}"; do after+=("$(bench_cpu_ticks "${pids[$i]}")"); done
  echo "$out"
  rate=$(tail -n1 <<<"$out" | sed -n 's/.* \([0-9]*\)\/s$/\1/p')
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "$label: $name: ${rate} $unit/s, p50 ${p50}, p99 ${p99}"
  local ticks_per_s elapsed_cs cpu=""
  ticks_per_s=$(getconf CLK_TCK)
  elapsed_cs=$(( (ended - started) / 10000000 ))  # hundredths of a second
  for i in "${!pids[@]}"; do
    cpu+="${names[$i]} $(( (after[i] - before[i]) * 100 * 100 / ticks_per_s / elapsed_cs ))%, "
  done
  cpu+="wrk $(tail -n1 "$wrk_times" | awk -v cs="$elapsed_cs" '{printf "%d", ($1 + $2) * 10000 / cs}')%"
  rm -f "$wrk_times"
  local busy_before idle_before busy_after idle_after
  read -r busy_before idle_before <<<"$machine_before"
  read -r busy_after idle_after <<<"$machine_after"
  local idle=$(( (idle_after - idle_before) * 100 / (busy_after - busy_before + idle_after - idle_before) ))
  echo "$label: $name: CPU (% of one core) $cpu; machine idle ${idle}%"
}
