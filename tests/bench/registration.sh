#!/usr/bin/env bash
# make bench-registration: sign-ups per second and latency at saturation, with the real Kafka and
# Redis running beside the service on this machine (its own stack on spare ports, wiped first so
# every phone is new). Every 201 here means acknowledged by Kafka (acks=all) and recorded in Redis.
# Prints figures; it does not pass or fail on them (target: at least 5,000 registrations/s).
# Environment: BENCH_DURATION [15s], BENCH_CONNECTIONS [128], BENCH_PRESET [release].
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
preset=${BENCH_PRESET:-release}
duration=${BENCH_DURATION:-15s}
connections=${BENCH_CONNECTIONS:-128}
port=${BENCH_PORT:-28581}

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target expo-registration
binary=$repo_root/build/$preset/services/registration/expo-registration

export EXPO_RUN_DIR=$repo_root/build/$preset/bench-stack
export KAFKA_PORT=28592 KAFKA_CONTROLLER_PORT=28593 REDIS_PORT=28579 EXPO_WITH_PROMETHEUS=0 EXPO_WITH_NGINX=0
stack=$repo_root/deploy/local/stack.sh
"$stack" wipe >/dev/null 2>&1 || true
"$stack" start
log=$EXPO_RUN_DIR/bench-registration.log
secret() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

EXPO_HTTP_PORT=$port EXPO_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT EXPO_REDIS_PORT=$REDIS_PORT EXPO_LOG_LEVEL=warn \
  EXPO_REGISTRATION_RATE_LIMIT_PER_MINUTE=1000000 EXPO_HTTP_MAX_IN_FLIGHT=4096 \
  BADGE_SIGNING_KEYS="b1:$(secret)" EXPO_PRIVACY_LOOKUP_PEPPER="$(secret)" EXPO_PRIVACY_WRAPPING_KEY="w1:$(secret)" \
  "$binary" >"$log" 2>&1 &
service_pid=$!
cleanup() {
  kill -TERM "$service_pid" 2>/dev/null || true
  wait "$service_pid" 2>/dev/null || true
  "$stack" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

for _ in $(seq 1 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]] && break
  sleep 0.2
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]] ||
  { echo "bench: the registration service did not become ready; see $log"; exit 1; }

script=$repo_root/tests/bench/registration.lua
echo "bench: warm-up"
wrk -t1 -c16 -d3s -s "$script" "http://127.0.0.1:$port" -- 10 >/dev/null
echo "bench: POST /v1/visitors, $connections connections, $duration (Kafka, Redis, the service and wrk share 2 cores)"
out=$(wrk -t2 -c"$connections" -d"$duration" --latency -s "$script" "http://127.0.0.1:$port" -- 20)
echo "$out"

rps=$(sed -n 's/.* \([0-9]*\) created\/s$/\1/p' <<<"$out")
p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
echo
echo "bench-registration: ${rps} registrations/s, p50 ${p50}, p99 ${p99} (target: at least 5000 registrations/s)"
