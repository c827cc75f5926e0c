#!/usr/bin/env bash
# Single-machine stack for development, tests and CI: a real Apache Kafka broker (KRaft), Redis and
# Prometheus, all on 127.0.0.1, all state under one run directory.
#
# Usage: deploy/local/stack.sh COMMAND [kafka|redis|prometheus ...]
#   start     start the named components (default: all), wait until each is ready, create topics
#   stop      stop them (default: all, in reverse order); leaves no process or port of ours behind
#   restart   stop, then start
#   status    one line per component; exit 0 only if every one asked about is running
#   env       print shell assignments for the endpoints (eval "$(stack.sh env)")
#   logs      print the last lines of each component's log
#   wipe      stop everything (the services of services.sh too) and delete the run directory
#
# Environment (defaults in brackets):
#   EXPO_RUN_DIR [<repo>/run/local]    data, logs, pid files and generated configs
#   KAFKA_PORT [19092]  KAFKA_CONTROLLER_PORT [19093]  REDIS_PORT [16379]  PROMETHEUS_PORT [19090]
#   EXPO_WITH_PROMETHEUS [1]           0: Prometheus is not part of "all"
#   EXPO_SERVICE_PORTS ["8081 8082 8083 8084"]  scrape targets: registration checkin voting leaderboard;
#                                      EXPO_REGISTRATION_PORT (etc.) override one each, as for services.sh
#   EXPO_TOPICS [see below]  topic:partitions[:config=value,...] to create
#   EXPO_KAFKA_LIBS [$EXPO_CACHE_DIR/kafka/<version>/libs, EXPO_CACHE_DIR=<repo>/.cache]  broker
#                                      classpath, filled by deploy/deps.sh
#   EXPO_KAFKA_START_TIMEOUT [60]      seconds per attempt; a failed start is retried once
#   EXPO_KAFKA_HEAP ["-Xms512m -Xmx1g"]
set -euo pipefail

# shellcheck source=deploy/local/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=deploy/local/lib/process.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/process.sh"

# run_dir, the ports and service_ports come from lib/common.sh.
with_prometheus=${EXPO_WITH_PROMETHEUS:-1}
# visitor-keys.v1 holds each visitor's data key; compaction makes an erasure's tombstone final, so
# its segments roll every 10 minutes and the cleaner runs as soon as there is anything to clean.
default_topics="visitors.v1:6 checkins.v1:6 votes.v1:6 admin.v1:1"
default_topics+=" visitor-keys.v1:6:cleanup.policy=compact,segment.ms=600000,min.cleanable.dirty.ratio=0.01"
topics=${EXPO_TOPICS:-$default_topics}
kafka_start_timeout=${EXPO_KAFKA_START_TIMEOUT:-60}
kafka_heap=${EXPO_KAFKA_HEAP:--Xms512m -Xmx1g}
stop_grace_seconds=20

kafka_version=$(sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$deploy_dir/kafka/pom.xml" | head -n1)
kafka_libs=${EXPO_KAFKA_LIBS:-${EXPO_CACHE_DIR:-$repo_root/.cache}/kafka/$kafka_version/libs}

all_components=(kafka redis prometheus)
kafka_launched_ms=0

# --- per-component facts (pid_file, proc_program, proc_marker, comp_ports and comp_logs are the hooks
# lib/process.sh calls) -----------------------------------------------------------------------------

comp_dir() { printf '%s/%s' "$run_dir" "$1"; }
pid_file() { printf '%s/%s.pid' "$(comp_dir "$1")" "$1"; }

# The generated config path is unique to this run dir and appears in the process's command line
# (Redis: through proc-title-template), so it tells our process apart from any other instance.
config_file() {
  case $1 in
    kafka) printf '%s/server.properties' "$(comp_dir kafka)" ;;
    redis) printf '%s/redis.conf' "$(comp_dir redis)" ;;
    prometheus) printf '%s/prometheus.yml' "$(comp_dir prometheus)" ;;
  esac
}
proc_marker() { config_file "$1"; }

comp_ports() {
  case $1 in
    kafka) printf '%s %s' "$kafka_port" "$kafka_controller_port" ;;
    redis) printf '%s' "$redis_port" ;;
    prometheus) printf '%s' "$prometheus_port" ;;
  esac
}

comp_logs() {
  case $1 in
    kafka) printf '%s\n' "$(comp_dir kafka)/logs/server.log" "$(comp_dir kafka)/kafka.out" ;;
    redis) printf '%s\n' "$(comp_dir redis)/redis.log" "$(comp_dir redis)/redis.out" ;;
    prometheus) printf '%s\n' "$(comp_dir prometheus)/prometheus.log" ;;
  esac
}

proc_program() {
  case $1 in
    kafka) printf 'kafka.Kafka' ;;
    redis) printf 'redis-server' ;;
    prometheus) printf 'prometheus' ;;
  esac
}

# --- Kafka ----------------------------------------------------------------------------------------

kafka_java() {
  java -cp "$kafka_libs/*" "$@"
}

kafka_tool() {
  java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$deploy_dir/kafka/tools-log4j2.yaml" \
    -cp "$kafka_libs/*" "$@"
}

# Kafka's Uuid: 16 random bytes, URL-safe base64 without padding. Made here rather than with
# `StorageTool random-uuid` to save a JVM start; like Kafka, reject ids starting with '-'.
kafka_cluster_id() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* ]] && break
  done
  printf '%s' "$id"
}

kafka_write_config() {
  local dir
  dir=$(comp_dir kafka)
  mkdir -p "$dir/data" "$dir/logs"
  sed -e "s|@KAFKA_PORT@|$kafka_port|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$kafka_controller_port|g" \
      -e "s|@KAFKA_DATA_DIR@|$dir/data|g" \
      "$deploy_dir/kafka/server.properties.template" >"$(config_file kafka)"
}

kafka_format_if_needed() {
  local dir
  dir=$(comp_dir kafka)
  local stamp=$dir/data/.expo-controller-port
  if [[ -f $dir/data/meta.properties ]]; then
    # The controller's endpoint is written into the quorum state at format time.
    if [[ -f $stamp && $(<"$stamp") != "$kafka_controller_port" ]]; then
      die "kafka: data in $dir/data was formatted for controller port $(<"$stamp"), not $kafka_controller_port; use that port or run: $0 wipe"
    fi
    return 0
  fi
  local id started
  started=$(now_ms)
  id=$(kafka_cluster_id)
  if ! kafka_tool kafka.tools.StorageTool format --standalone -t "$id" -c "$(config_file kafka)" \
      >"$dir/logs/format.log" 2>&1; then
    cat "$dir/logs/format.log" >&2
    die "kafka: formatting $dir/data failed"
  fi
  printf '%s\n' "$kafka_controller_port" >"$stamp"
  say "kafka: formatted new storage (cluster id $id) in $(elapsed "$started")"
}

kafka_launch() {
  local dir
  dir=$(comp_dir kafka)
  kafka_launched_ms=$(now_ms)
  # shellcheck disable=SC2086 # kafka_heap holds several JVM options
  launch kafka "$dir/kafka.out" java $kafka_heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$deploy_dir/kafka/log4j2.yaml" \
    -Dkafka.logs.dir="$dir/logs" \
    -cp "$kafka_libs/*" kafka.Kafka "$(config_file kafka)"
}

# The client port opens only once the broker is unfenced, so an accepting port means ready.
kafka_wait_ready() {
  local pid=$1 deadline=$((SECONDS + kafka_start_timeout))
  while ((SECONDS < deadline)); do
    if ! pid_is_ours kafka "$pid"; then
      warn "kafka: broker process $pid exited during start"
      return 1
    fi
    port_open "$kafka_port" && return 0
    sleep 0.2
  done
  warn "kafka: port $kafka_port not accepting after ${kafka_start_timeout}s"
  return 1
}

kafka_existing_topics() {
  kcat -L -b "127.0.0.1:$kafka_port" -m 5 2>/dev/null | sed -n 's/^ *topic "\([^"]*\)" with .*/\1/p'
}

kafka_create_topics() {
  local started existing missing=() entry name parts
  started=$(now_ms)
  existing=$(kafka_existing_topics)
  for entry in $topics; do
    name=${entry%%:*}
    grep -qxF -- "$name" <<<"$existing" || missing+=("$entry")
  done
  ((${#missing[@]})) || return 0
  # TopicCommand creates one topic per JVM; the JVMs start in parallel because starting is the cost.
  local dir pids=() i=0 failed=0
  dir=$(comp_dir kafka)
  local rest config configs config_args
  for entry in "${missing[@]}"; do
    name=${entry%%:*}
    rest=${entry#*:}
    parts=${rest%%:*}
    config_args=()
    if [[ $rest == *:* ]]; then
      IFS=, read -r -a configs <<<"${rest#*:}"
      for config in "${configs[@]}"; do config_args+=(--config "$config"); done
    fi
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$kafka_port" \
      --create --if-not-exists --topic "$name" --partitions "$parts" --replication-factor 1 "${config_args[@]}" \
      >"$dir/logs/create-topic-$name.log" 2>&1 &
    pids+=("$!")
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      name=${missing[$i]%%:*}
      warn "kafka: creating topic $name failed:"
      cat "$dir/logs/create-topic-$name.log" >&2
      failed=1
    fi
  done
  ((failed == 0)) || return 1
  # TopicCommand returns once the controller has committed the topic; the broker's metadata (what
  # clients see) follows shortly after, so wait for it rather than hand out a half-ready stack.
  local deadline=$((SECONDS + 15)) absent=()
  while :; do
    existing=$(kafka_existing_topics)
    absent=()
    for entry in "${missing[@]}"; do
      name=${entry%%:*}
      grep -qxF -- "$name" <<<"$existing" || absent+=("$name")
    done
    ((${#absent[@]})) || break
    if ((SECONDS >= deadline)); then
      warn "kafka: topics ${absent[*]} still not in the broker's metadata 15s after creation"
      return 1
    fi
    sleep 0.2
  done
  say "kafka: created ${missing[*]} in $(elapsed "$started")"
}

kafka_check_prereqs() {
  [[ -f $kafka_libs/kafka_2.13-$kafka_version.jar ]] ||
    die "kafka: no broker jars in $kafka_libs; run: deploy/deps.sh"
  command -v java >/dev/null || die "kafka: java not found; run: deploy/deps.sh"
  command -v kcat >/dev/null || die "kafka: kcat not found; run: deploy/deps.sh"
}

kafka_start() {
  kafka_check_prereqs
  kafka_write_config
  kafka_format_if_needed
  kafka_launch
}

kafka_ready() {
  local attempt pid
  for attempt in 1 2; do
    pid=$(running_pid kafka)
    if [[ -n $pid ]] && kafka_wait_ready "$pid"; then
      say "kafka: broker accepting on 127.0.0.1:$kafka_port after $(elapsed "$kafka_launched_ms") (attempt $attempt)"
      kafka_create_topics && return 0
      # A broker without its topics would only make the services fail later, less clearly.
      show_log_tail kafka
      stop_pid kafka "$pid"
      rm -f "$(pid_file kafka)"
      return 1
    fi
    warn "kafka: start attempt $attempt failed"
    show_log_tail kafka
    [[ -n $pid ]] && stop_pid kafka "$pid"
    rm -f "$(pid_file kafka)"
    ((attempt == 1)) || return 1
    warn "kafka: retrying once"
    require_free_ports kafka
    kafka_launch
  done
}

# --- Redis ----------------------------------------------------------------------------------------

redis_start() {
  command -v redis-server >/dev/null || die "redis: redis-server not found; run: deploy/deps.sh"
  local dir
  dir=$(comp_dir redis)
  mkdir -p "$dir/data"
  cat >"$(config_file redis)" <<EOF
# Generated by deploy/local/stack.sh; edit deploy/local/redis.conf instead.
include $deploy_dir/local/redis.conf
port $redis_port
dir $dir/data
logfile $dir/redis.log
EOF
  launch redis "$dir/redis.out" redis-server "$(config_file redis)"
}

redis_ready() {
  local pid deadline=$((SECONDS + 20))
  pid=$(running_pid redis)
  while [[ -n $pid ]] && ((SECONDS < deadline)); do
    [[ $(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null) == PONG ]] && return 0
    pid_is_ours redis "$pid" || break
    sleep 0.1
  done
  warn "redis: did not answer PING on 127.0.0.1:$redis_port"
  show_log_tail redis
  [[ -n $pid ]] && stop_pid redis "$pid"
  rm -f "$(pid_file redis)"
  return 1
}

# --- Prometheus -----------------------------------------------------------------------------------

prometheus_write_config() {
  local ports
  read -r -a ports <<<"${EXPO_SERVICE_PORTS:-$service_ports}"
  ((${#ports[@]} == 4)) ||
    die "prometheus: EXPO_SERVICE_PORTS needs 4 ports (registration checkin voting leaderboard), got '${EXPO_SERVICE_PORTS:-}'"
  read -r -a ports <<<"$service_ports"
  # Each job's single target gets its port; the job names come from the checked-in file.
  awk -v reg="${ports[0]}" -v chk="${ports[1]}" -v vot="${ports[2]}" -v ldb="${ports[3]}" '
    BEGIN { port["registration"] = reg; port["checkin"] = chk; port["voting"] = vot; port["leaderboard"] = ldb }
    /job_name:/ { job = $NF; gsub(/["\047]/, "", job) }
    /targets:/ && (job in port) { sub(/127\.0\.0\.1:[0-9]+/, "127.0.0.1:" port[job]) }
    { print }
  ' "$deploy_dir/prometheus/prometheus.yml" >"$(config_file prometheus)"
}

prometheus_start() {
  command -v prometheus >/dev/null || die "prometheus: prometheus not found; run: deploy/deps.sh"
  local dir
  dir=$(comp_dir prometheus)
  mkdir -p "$dir/data"
  prometheus_write_config
  if command -v promtool >/dev/null && ! promtool check config "$(config_file prometheus)" >"$dir/check.log" 2>&1; then
    cat "$dir/check.log" >&2
    die "prometheus: generated config is invalid"
  fi
  launch prometheus "$dir/prometheus.log" prometheus \
    --config.file="$(config_file prometheus)" \
    --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=7d \
    --web.listen-address="127.0.0.1:$prometheus_port" \
    --web.enable-lifecycle
}

prometheus_ready() {
  local pid deadline=$((SECONDS + 30))
  pid=$(running_pid prometheus)
  while [[ -n $pid ]] && ((SECONDS < deadline)); do
    curl -fs -o /dev/null "http://127.0.0.1:$prometheus_port/-/ready" && return 0
    pid_is_ours prometheus "$pid" || break
    sleep 0.2
  done
  warn "prometheus: /-/ready did not answer 200 on 127.0.0.1:$prometheus_port"
  show_log_tail prometheus
  [[ -n $pid ]] && stop_pid prometheus "$pid"
  rm -f "$(pid_file prometheus)"
  return 1
}

# --- commands -------------------------------------------------------------------------------------

cmd_start() {
  local comps=("$@") comp pid started failed=0 launch_order=() failed_comps=()
  local -A t0=()
  lock_run_dir
  started=$(now_ms)
  # Launch everything first, then wait: Redis and Prometheus come up while Kafka's storage is
  # formatted and its JVM boots.
  for comp in "${comps[@]}"; do [[ $comp == kafka ]] || launch_order+=("$comp"); done
  for comp in "${comps[@]}"; do [[ $comp != kafka ]] || launch_order+=("$comp"); done
  for comp in "${launch_order[@]}"; do
    pid=$(running_pid "$comp")
    if [[ -n $pid ]]; then
      say "$comp: already running (pid $pid)"
      # Cheap when they exist; repairs a broker whose earlier start was interrupted before them.
      if [[ $comp == kafka ]] && ! kafka_create_topics; then failed=1; failed_comps+=(kafka); fi
      continue
    fi
    prepare_start "$comp"
    mkdir -p "$(comp_dir "$comp")"
    t0[$comp]=$(now_ms)
    "${comp}_start"
  done
  for comp in "${launch_order[@]}"; do
    [[ -n ${t0[$comp]:-} ]] || continue
    if "${comp}_ready"; then
      # Times overlap: every component was launched before the first wait.
      say "$comp: ready (pid $(running_pid "$comp"), port $(comp_ports "$comp" | cut -d' ' -f1)) $(elapsed "${t0[$comp]}") after launch"
    else
      warn "$comp: failed to start; logs under $(comp_dir "$comp")"
      failed=1
      failed_comps+=("$comp")
    fi
  done
  if ((failed)); then
    warn "start failed: ${failed_comps[*]}; anything else started is left running (stop: $0 stop)"
    return 1
  fi
  say "started ${comps[*]} in $(elapsed "$started") (run dir $run_dir)"
}

cmd_stop() {
  local comps=("$@") i
  [[ -d $run_dir ]] || { say "nothing to stop: no $run_dir"; return 0; }
  lock_run_dir
  for ((i = ${#comps[@]} - 1; i >= 0; i--)); do
    stop_component "${comps[$i]}"
  done
}

cmd_status() {
  local comp pid port ok=0
  for comp in "$@"; do
    pid=$(running_pid "$comp")
    port=$(comp_ports "$comp" | cut -d' ' -f1)
    if [[ -z $pid ]]; then
      local orphans
      orphans=$(orphan_pids "$comp" | tr '\n' ' ')
      if [[ -n $orphans ]]; then
        printf '%-10s untracked (pid %sof this run dir has no pid file; run stop)\n' "$comp" "$orphans"
      else
        printf '%-10s stopped\n' "$comp"
      fi
      ok=1
    elif port_open "$port"; then
      printf '%-10s running (pid %s, port %s)\n' "$comp" "$pid" "$port"
    else
      printf '%-10s starting or unhealthy (pid %s, port %s not accepting)\n' "$comp" "$pid" "$port"
      ok=1
    fi
  done
  return "$ok"
}

cmd_env() {
  cat <<EOF
EXPO_KAFKA_BROKERS=127.0.0.1:$kafka_port
EXPO_REDIS_HOST=127.0.0.1
EXPO_REDIS_PORT=$redis_port
EXPO_PROMETHEUS_URL=http://127.0.0.1:$prometheus_port
EXPO_RUN_DIR=$run_dir
EOF
}

cmd_logs() {
  local comp f
  for comp in "$@"; do
    while read -r f; do
      [[ -s $f ]] || continue
      printf '=== %s ===\n' "$f"
      tail -n 30 "$f"
    done < <(comp_logs "$comp")
  done
}

cmd_wipe() {
  if [[ ! -e $run_dir ]]; then
    say "nothing to wipe: no $run_dir"
    return 0
  fi
  [[ -f $run_dir/.expo-stack ]] || die "refusing to delete $run_dir: it has no .expo-stack marker"
  # Services of this run dir would outlive their pid files.
  if [[ -d $run_dir/services ]]; then "$deploy_dir/local/services.sh" stop; fi
  cmd_stop "${all_components[@]}"
  rm -rf -- "$run_dir"
  say "wiped $run_dir"
}

usage() { usage_from_header "${BASH_SOURCE[0]}"; }

main() {
  local cmd=${1:-}
  [[ -n $cmd ]] || { usage >&2; exit 2; }
  shift
  local comps=()
  if (($#)); then
    local c
    for c in "$@"; do
      case $c in
        kafka|redis|prometheus) comps+=("$c") ;;
        *) die "unknown component '$c' (kafka, redis, prometheus)" ;;
      esac
    done
  elif [[ $cmd == stop || $cmd == logs ]]; then
    comps=("${all_components[@]}")  # also stops a Prometheus started before EXPO_WITH_PROMETHEUS=0
  else
    comps=(kafka redis)
    [[ $with_prometheus == 0 ]] || comps+=(prometheus)
  fi
  case $cmd in
    start) cmd_start "${comps[@]}" ;;
    stop) cmd_stop "${comps[@]}" ;;
    restart) cmd_stop "${comps[@]}"; cmd_start "${comps[@]}" ;;
    status) cmd_status "${comps[@]}" ;;
    env) cmd_env ;;
    logs) cmd_logs "${comps[@]}" ;;
    wipe) cmd_wipe ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
