#!/usr/bin/env bash
# make bench-registration: sign-ups per second and latency at saturation, with the real Kafka and
# Redis running beside the service on this machine (its own stack on spare ports, wiped first so
# every phone is new). Every 201 here means acknowledged by Kafka (acks=all) and recorded in Redis.
# Prints figures; it does not pass or fail on them (target: at least 5,000 registrations/s).
# Environment: BENCH_DURATION [15 (s)], BENCH_CONNECTIONS [128], BENCH_PRESET [release].
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
preset=${BENCH_PRESET:-release}
duration=${BENCH_DURATION:-15}
connections=${BENCH_CONNECTIONS:-128}
port=${BENCH_PORT:-28581}

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target expo-registration
binary=$repo_root/build/$preset/services/registration/expo-registration

# shellcheck source=tests/bench/lib.sh
source "$repo_root/tests/bench/lib.sh"
bench_stack_start "$repo_root/build/$preset/bench-stack" 28592 28579
EXPO_REGISTRATION_RATE_LIMIT_PER_MINUTE=1000000 EXPO_HTTP_MAX_IN_FLIGHT=4096 \
  BADGE_SIGNING_KEYS="b1:$(bench_secret)" EXPO_PRIVACY_LOOKUP_PEPPER="$(bench_secret)" \
  EXPO_PRIVACY_WRAPPING_KEY="w1:$(bench_secret)" \
  bench_service_start "$EXPO_RUN_DIR/bench-registration.log" "$port" "$binary"

script=$repo_root/tests/bench/registration.lua
echo "bench: warm-up"
wrk -t1 -c16 -d3s -s "$script" "http://127.0.0.1:$port" -- 10 >/dev/null
echo "bench: POST /v1/visitors (Kafka, Redis, the service and wrk share 2 cores)"
bench_wrk bench-registration registrations saturation "$connections" "$duration" "$script" "$port" 20
echo "bench-registration: target: at least 5000 registrations/s"
