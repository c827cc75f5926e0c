#!/usr/bin/env bash
# Single-machine stack for development, tests and CI: a real Apache Kafka broker (KRaft), Redis and
# Prometheus, all on 127.0.0.1, and the TLS front (nginx) that the hall network reaches the services
# through; all state under one run directory.
#
# Usage: deploy/local/stack.sh COMMAND [kafka|redis|prometheus|nginx ...]
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
#   EXPO_WITH_NGINX [1]                0: the TLS front is not part of "all" (the integration tests)
#   EXPO_HTTPS_PORT [8443]  EXPO_HTTP_FRONT_PORT [8080]  the front's https port, and its http port that
#                                      redirects to https (and serves the local CA's certificate)
#   EXPO_FRONT_BIND [0.0.0.0]          the front's IPv4 listen address (every interface: the hall network)
#   EXPO_PUBLIC_HOST [`hostname -f`]   the host name the tablets use (certificate, redirects)
#   EXPO_TLS_CERT, EXPO_TLS_KEY        the organiser's certificate (PEM, full chain) and key; without
#                                      them deploy/local/tls.sh makes a local CA. Both and the host
#                                      name stick to the run dir once given (see tls.sh)
#   EXPO_FRONT_HSTS_MAX_AGE [0]        >0: send Strict-Transport-Security (only with a real certificate)
#   EXPO_FRONT_ERROR_LOG_LEVEL [crit]  nginx's error_log level (lower levels log query strings)
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
with_nginx=${EXPO_WITH_NGINX:-1}
https_port=${EXPO_HTTPS_PORT:-8443}
http_front_port=${EXPO_HTTP_FRONT_PORT:-8080}
front_bind=${EXPO_FRONT_BIND:-0.0.0.0}
hsts_max_age=${EXPO_FRONT_HSTS_MAX_AGE:-0}
front_error_log_level=${EXPO_FRONT_ERROR_LOG_LEVEL:-crit}
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

# The order of `stop` is the reverse: the front goes first, so nothing reaches a half-stopped stack.
all_components=(kafka redis prometheus nginx)
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
    nginx) printf '%s/nginx.conf' "$(comp_dir nginx)" ;;
  esac
}
proc_marker() { config_file "$1"; }

comp_ports() {
  case $1 in
    kafka) printf '%s %s' "$kafka_port" "$kafka_controller_port" ;;
    redis) printf '%s' "$redis_port" ;;
    prometheus) printf '%s' "$prometheus_port" ;;
    nginx) printf '%s %s' "$https_port" "$http_front_port" ;;
  esac
}

comp_logs() {
  case $1 in
    kafka) printf '%s\n' "$(comp_dir kafka)/logs/server.log" "$(comp_dir kafka)/kafka.out" ;;
    redis) printf '%s\n' "$(comp_dir redis)/redis.log" "$(comp_dir redis)/redis.out" ;;
    prometheus) printf '%s\n' "$(comp_dir prometheus)/prometheus.log" ;;
    nginx) printf '%s\n' "$(comp_dir nginx)/error.log" "$(comp_dir nginx)/nginx.out" "$(comp_dir nginx)/check.log" ;;
  esac
}

proc_program() {
  case $1 in
    kafka) printf 'kafka.Kafka' ;;
    redis) printf 'redis-server' ;;
    prometheus) printf 'prometheus' ;;
    # The master's title, "nginx: master process nginx -p ... -c <conf> ...", keeps the command line.
    nginx) printf 'nginx' ;;
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
  # The config's rule_files are relative to it (rules/*.yml): the rules go beside it, replaced whole
  # so a rule file removed from the repo does not linger.
  rm -rf "$(comp_dir prometheus)/rules"
  cp -R "$deploy_dir/prometheus/rules" "$(comp_dir prometheus)/rules"
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

# --- nginx: the TLS front -------------------------------------------------------------------------
# One https origin for the hall network, routed by path to the four services (see
# deploy/local/nginx/README.md). It starts after the rest of the stack and before the services:
# until they answer, it answers 503 with Retry-After.

# Where this machine reaches the front: the bind address, or loopback when it binds every interface.
front_probe_host() {
  if [[ $front_bind == 0.0.0.0 ]]; then printf '127.0.0.1'; else printf '%s' "$front_bind"; fi
}

# ":8443", or nothing on the standard port.
front_https_suffix() {
  if [[ $https_port == 443 ]]; then printf ''; else printf ':%s' "$https_port"; fi
}

# The services listen on EXPO_HTTP_HOST (services.sh); "every interface" is reached on loopback.
front_upstream_host() {
  local h=${EXPO_HTTP_HOST:-127.0.0.1}
  case $h in
    ''|0.0.0.0) h=127.0.0.1 ;;
    ::|'[::]') h='[::1]' ;;
    *:*) [[ $h == \[* ]] || h="[$h]" ;;
  esac
  printf '%s' "$h"
}

nginx_check_settings() {
  local p
  for p in "$https_port" "$http_front_port"; do
    if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then
      die "nginx: '$p' is not a TCP port (EXPO_HTTPS_PORT, EXPO_HTTP_FRONT_PORT)"
    fi
  done
  [[ $https_port != "$http_front_port" ]] || die "nginx: EXPO_HTTPS_PORT and EXPO_HTTP_FRONT_PORT are both $https_port"
  [[ $front_bind =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] ||
    die "nginx: EXPO_FRONT_BIND must be an IPv4 address (0.0.0.0: every interface), got '$front_bind'"
  [[ $hsts_max_age =~ ^[0-9]+$ ]] || die "nginx: EXPO_FRONT_HSTS_MAX_AGE must be seconds, got '$hsts_max_age'"
  case $front_error_log_level in
    debug|info|notice|warn|error|crit|alert|emerg) ;;
    *) die "nginx: EXPO_FRONT_ERROR_LOG_LEVEL must be one of debug info notice warn error crit alert emerg" ;;
  esac
  # nginx reads quotes, '$', ';' and braces in a path as syntax.
  [[ $run_dir != *[\"\$\;\{\}\\\']* ]] || die "nginx: the run dir '$run_dir' has a character nginx cannot take in a path"
}

# Sets public_host, tls_cert, tls_key and tls_ca (empty with the organiser's certificate), making the
# local CA and the server certificate first when needed. tls.sh decides the host name and the
# certificate: once given, they stick to the run dir (see there).
nginx_tls() {
  EXPO_RUN_DIR=$run_dir "$deploy_dir/local/tls.sh" ensure
  local paths
  paths=$(EXPO_RUN_DIR=$run_dir "$deploy_dir/local/tls.sh" paths)
  public_host=$(sed -n 's/^PUBLIC_HOST=//p' <<<"$paths")
  tls_cert=$(sed -n 's/^TLS_CERT=//p' <<<"$paths")
  tls_key=$(sed -n 's/^TLS_KEY=//p' <<<"$paths")
  tls_ca=$(sed -n 's/^TLS_CA=//p' <<<"$paths")
  [[ $public_host =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] ||
    die "nginx: EXPO_PUBLIC_HOST '$public_host' is not a host name"
  local f
  for f in "$tls_cert" "$tls_key"; do
    [[ $f != *[\"\$\;\{\}\\\']* ]] || die "nginx: the path '$f' has a character nginx cannot take in a path"
  done
}

nginx_write_config() {
  local dir conf user_directive='' ca_location='' hsts=''
  dir=$(comp_dir nginx)
  conf=$(<"$deploy_dir/local/nginx/nginx.conf.template")
  # As root the master keeps root and the workers, which parse what the network sends, drop to
  # nobody; they need nothing of the run dir (logs and certificates are opened by the master).
  if ((EUID == 0)); then
    if getent group nogroup >/dev/null; then user_directive='user nobody nogroup;'; else user_directive='user nobody;'; fi
  fi
  # The CA's certificate is public: served inline (no file access for the workers) on both ports,
  # because a tablet must fetch it before it can trust https.
  if [[ -n $tls_ca ]]; then
    ca_location="    location = /expo-local-ca.crt {
      default_type application/x-x509-ca-cert;
      add_header Content-Disposition 'attachment; filename=\"expo-local-ca.crt\"' always;
      add_header Cache-Control no-store always;
      return 200 \"$(<"$tls_ca")
\";
    }"
  fi
  if ((hsts_max_age > 0)); then
    hsts="    add_header Strict-Transport-Security \"max-age=$hsts_max_age\" always;"
  fi
  conf=${conf//@USER_DIRECTIVE@/$user_directive}
  conf=${conf//@NGINX_DIR@/$dir}
  conf=${conf//@ERROR_LOG_LEVEL@/$front_error_log_level}
  conf=${conf//@BIND@/$front_bind}
  conf=${conf//@HTTPS_PORT@/$https_port}
  conf=${conf//@HTTP_PORT@/$http_front_port}
  conf=${conf//@HTTPS_SUFFIX@/$(front_https_suffix)}
  conf=${conf//@PUBLIC_HOST@/$public_host}
  conf=${conf//@UPSTREAM_HOST@/$(front_upstream_host)}
  conf=${conf//@REGISTRATION_PORT@/${service_port[registration]}}
  conf=${conf//@CHECKIN_PORT@/${service_port[checkin]}}
  conf=${conf//@VOTING_PORT@/${service_port[voting]}}
  conf=${conf//@LEADERBOARD_PORT@/${service_port[leaderboard]}}
  conf=${conf//@CERT@/$tls_cert}
  conf=${conf//@KEY@/$tls_key}
  conf=${conf//@CA_LOCATION@/$ca_location}
  conf=${conf//@HSTS@/$hsts}
  if grep -qE '@[A-Z_]+@' <<<"$conf"; then
    die "nginx: placeholders left in the generated config: $(grep -oE '@[A-Z_]+@' <<<"$conf" | sort -u | tr '\n' ' ')"
  fi
  printf '# Generated by deploy/local/stack.sh from deploy/local/nginx/nginx.conf.template; edit that.\n%s\n' \
    "$conf" >"$(config_file nginx)"
}

nginx_start() {
  command -v nginx >/dev/null || die "nginx: nginx not found; run: deploy/deps.sh"
  nginx_check_settings
  local dir public_host tls_cert tls_key tls_ca
  dir=$(comp_dir nginx)
  mkdir -p "$dir/tmp"
  nginx_tls
  nginx_write_config
  if ! nginx -t -q -p "$dir/" -c "$(config_file nginx)" -g 'daemon off;' >"$dir/check.log" 2>&1; then
    cat "$dir/check.log" >&2
    die "nginx: the generated config $(config_file nginx) is invalid (see above)"
  fi
  launch nginx "$dir/nginx.out" nginx -p "$dir/" -c "$(config_file nginx)" -g 'daemon off;'
}

# A running front is left alone, like every component; but one started with another host name or
# ports than asked for now would hand out the wrong URLs, so say so.
nginx_warn_if_stale() {
  local conf host
  conf=$(config_file nginx)
  host=$(EXPO_RUN_DIR=$run_dir "$deploy_dir/local/tls.sh" paths 2>/dev/null | sed -n 's/^PUBLIC_HOST=//p')
  if ! grep -qF "server_name $host;" "$conf" ||
     ! grep -qF "listen $front_bind:$https_port ssl" "$conf" ||
     ! grep -qF "listen $front_bind:$http_front_port default_server" "$conf"; then
    warn "nginx: runs with another host name, address or ports than asked for now; to apply: $0 restart nginx"
  fi
  return 0
}

# Ready: the https port answers (nginx's own 404 for /readyz, which it keeps from the services) and
# the http port redirects.
nginx_ready() {
  local pid deadline=$((SECONDS + 15)) probe https_code http_code
  pid=$(running_pid nginx)
  probe=$(front_probe_host)
  while [[ -n $pid ]] && ((SECONDS < deadline)); do
    https_code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "https://$probe:$https_port/readyz" 2>/dev/null || true)
    http_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$probe:$http_front_port/" 2>/dev/null || true)
    [[ $https_code == 404 && $http_code == 301 ]] && return 0
    pid_is_ours nginx "$pid" || break
    sleep 0.1
  done
  warn "nginx: not answering on https://$probe:$https_port and http://$probe:$http_front_port"
  show_log_tail nginx
  [[ -n $pid ]] && stop_pid nginx "$pid"
  rm -f "$(pid_file nginx)"
  return 1
}

# --- commands -------------------------------------------------------------------------------------

cmd_start() {
  local comps=("$@") comp pid started failed=0 launch_order=() failed_comps=()
  local -A t0=()
  lock_run_dir
  started=$(now_ms)
  # Launch everything first, then wait: Redis and Prometheus come up while Kafka's storage is
  # formatted and its JVM boots. The front comes last (and `stop` takes it first).
  for comp in "${comps[@]}"; do [[ $comp == kafka || $comp == nginx ]] || launch_order+=("$comp"); done
  for comp in "${comps[@]}"; do [[ $comp != kafka ]] || launch_order+=("$comp"); done
  for comp in "${comps[@]}"; do [[ $comp != nginx ]] || launch_order+=("$comp"); done
  for comp in "${launch_order[@]}"; do
    pid=$(running_pid "$comp")
    if [[ -n $pid ]]; then
      say "$comp: already running (pid $pid)"
      # Cheap when they exist; repairs a broker whose earlier start was interrupted before them.
      if [[ $comp == kafka ]] && ! kafka_create_topics; then failed=1; failed_comps+=(kafka); fi
      [[ $comp != nginx ]] || nginx_warn_if_stale
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

# The front may listen on one address only (EXPO_FRONT_BIND); the rest of the stack on loopback.
comp_accepting() {
  local comp=$1 port=$2
  if [[ $comp == nginx ]]; then
    timeout 2 bash -c "exec 3<>/dev/tcp/$(front_probe_host)/$port" 2>/dev/null
  else
    port_open "$port"
  fi
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
    elif comp_accepting "$comp" "$port"; then
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
  if [[ $with_nginx != 0 ]]; then
    local paths host
    paths=$(EXPO_RUN_DIR=$run_dir "$deploy_dir/local/tls.sh" paths)
    host=$(sed -n 's/^PUBLIC_HOST=//p' <<<"$paths")
    cat <<EOF
EXPO_FRONT_URL=https://$host$(front_https_suffix)
EXPO_FRONT_LOCAL_URL=https://$(front_probe_host):$https_port
EXPO_FRONT_HTTP_URL=http://$host:$http_front_port
EXPO_FRONT_CERT=$(sed -n 's/^TLS_CERT=//p' <<<"$paths")
EXPO_FRONT_CA=$(sed -n 's/^TLS_CA=//p' <<<"$paths")
EOF
  fi
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
        kafka|redis|prometheus|nginx) comps+=("$c") ;;
        *) die "unknown component '$c' (kafka, redis, prometheus, nginx)" ;;
      esac
    done
  elif [[ $cmd == stop || $cmd == logs ]]; then
    # Also stops a Prometheus or front started before EXPO_WITH_PROMETHEUS=0 / EXPO_WITH_NGINX=0.
    comps=("${all_components[@]}")
  else
    comps=(kafka redis)
    [[ $with_prometheus == 0 ]] || comps+=(prometheus)
    [[ $with_nginx == 0 ]] || comps+=(nginx)
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
