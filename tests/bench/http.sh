#!/usr/bin/env bash
# make bench-http: requests/s and p50/p99 latency of GET /healthz under keep-alive load.
# The service runs pinned to core 0 (its one io thread), wrk pinned to core 1, both on loopback.
# A benchmark prints figures; it does not pass or fail on them (target: 60,000 requests/s).
# Environment: BENCH_DURATION [10s], BENCH_CONNECTIONS [64], BENCH_PRESET [release].
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
preset=${BENCH_PRESET:-release}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
port=${BENCH_PORT:-28481}

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target expo-registration
binary=$repo_root/build/$preset/services/registration/expo-registration
log=$repo_root/build/$preset/bench-http-service.log

cores=$(nproc)
service_cpu=0
wrk_cpu=$((cores > 1 ? 1 : 0))

# /healthz needs neither Kafka nor Redis; point them at closed ports so nothing else competes.
EXPO_HTTP_PORT=$port EXPO_KAFKA_BROKERS=127.0.0.1:1 EXPO_REDIS_PORT=1 EXPO_LOG_LEVEL=error \
  taskset -c $service_cpu "$binary" >"$log" 2>&1 &
service_pid=$!
trap 'kill -TERM $service_pid 2>/dev/null || true; wait $service_pid 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "bench: the service did not start; see $log"; exit 1; }

echo "bench: warm-up"
taskset -c $wrk_cpu wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$port/healthz" >/dev/null
echo "bench: GET /healthz, $connections keep-alive connections, $duration, service on core $service_cpu, wrk on core $wrk_cpu"
out=$(taskset -c $wrk_cpu wrk -t1 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port/healthz")
echo "$out"

rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
echo
echo "bench-http: ${rps} requests/s, p50 ${p50}, p99 ${p99} (target: at least 60000 requests/s on one core)"
[[ -z $errors ]] || echo "bench-http: note: $errors"
