#!/usr/bin/env bash
# make bench-checkin: check-ins per second and latency, tablets on kept-alive connections, with the
# real Kafka and Redis beside the service (its own stack on spare ports, wiped first). Every 201 means
# acknowledged by Kafka (acks=all) and recorded in Redis. Two runs: at saturation, then paced at
# BENCH_PACED_RATE for the latency target. Prints figures; it does not pass or fail on them
# (targets: at least 10,000 check-ins/s; p99 under 50 ms at 5,000/s).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
preset=${BENCH_PRESET:-release}
duration=${BENCH_DURATION:-15}
# Saturation needs enough connections that the machine, not each scan's round trip (Redis, Kafka's
# acknowledgement), is the limit: 256 kept-alive tablets. The paced run uses a hall's worth, 64.
connections=${BENCH_CONNECTIONS:-256}
paced_connections=${BENCH_PACED_CONNECTIONS:-64}
paced_rate=${BENCH_PACED_RATE:-5000}
port=${BENCH_PORT:-28681}
admin_token=bench-admin-token-0123456789abcdef

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target expo-checkin bench_badge_tokens
binary=$repo_root/build/$preset/services/checkin/expo-checkin

# shellcheck source=tests/bench/lib.sh
source "$repo_root/tests/bench/lib.sh"
bench_stack_start "$repo_root/build/$preset/bench-checkin-stack" 28692 28679
signing_keys="b1:$(bench_secret)"
# The event's second day, mid-morning: every scan is within the event.
EVENT_CLOCK_START=2023-11-24T10:00:00+07:00 ADMIN_TOKEN=$admin_token EXPO_HTTP_MAX_IN_FLIGHT=8192 \
  EXPO_CHECKIN_SCANS_PER_SECOND=100000 EXPO_CHECKIN_SCAN_BURST=100000 \
  BADGE_SIGNING_KEYS="$signing_keys" EXPO_PRIVACY_WRAPPING_KEY="w1:$(bench_secret)" \
  bench_service_start "$EXPO_RUN_DIR/bench-checkin.log" "$port" "$binary"

device_key=$(curl -fsS -X POST "http://127.0.0.1:$port/v1/admin/devices" -H "Authorization: Bearer $admin_token" \
  -H 'Content-Type: application/json' -d '{"booth_id":"3579","label":"bench"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["device_key"])')

# Badges never scanned before, a file per run, so every scan of both runs is a new check-in.
echo "bench: minting badges"
mint="$repo_root/build/$preset/tests/bench/bench_badge_tokens"
"$mint" 300000 jatim-inovasi-2023 "$signing_keys" >"$EXPO_RUN_DIR/tokens-saturation.txt"
"$mint" 150000 jatim-inovasi-2023 "$signing_keys" >"$EXPO_RUN_DIR/tokens-paced.txt"
script=$repo_root/tests/bench/checkin.lua

bench_wrk bench-checkin check-ins saturation "$connections" "$duration" "$script" "$port" \
  "$EXPO_RUN_DIR/tokens-saturation.txt" "$device_key" 0 2
bench_wrk bench-checkin check-ins "paced at ~${paced_rate}/s" "$paced_connections" "$duration" "$script" "$port" \
  "$EXPO_RUN_DIR/tokens-paced.txt" "$device_key" "$paced_rate" 2
echo "bench-checkin: targets: at least 10000 check-ins/s at saturation; p99 under 50 ms at 5000/s"
