#!/usr/bin/env bash
# make bench-voting: votes per second and latency, visitors' phones on kept-alive connections, with the
# real Kafka and Redis and the check-in service beside the voting service (their own stack on spare
# ports, wiped first). Every 201 means acknowledged by Kafka (acks=all) and decided atomically in Redis.
# The visitors are checked in at Kota Batu's booth first (checked_in events on checkins.v1, which the
# voting service reads as it would in the hall), and each casts one vote per innovation of that booth:
# exactly the day's quota of 3. Three runs: a warm-up at saturation (BENCH_WARMUP seconds: a fresh Kafka
# broker's JVM spends the first seconds compiling its hot paths, at about a third of the machine, which
# a broker that has run for an event day does not), then the measured run at saturation, then one paced
# at BENCH_PACED_RATE for the latency target. Prints figures; it does not pass or fail on them
# (targets: at least 10,000 votes/s; p99 under 50 ms at 5,000/s).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
preset=${BENCH_PRESET:-release}
duration=${BENCH_DURATION:-15}
warmup=${BENCH_WARMUP:-30}
connections=${BENCH_CONNECTIONS:-256}
paced_connections=${BENCH_PACED_CONNECTIONS:-64}
paced_rate=${BENCH_PACED_RATE:-5000}
port=${BENCH_PORT:-28683}
checkin_port=$((port + 1))
admin_token=bench-admin-token-0123456789abcdef
booth=3579  # Kota Batu: three innovations, the day's quota of votes

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target expo-voting expo-checkin bench_badge_tokens
build=$repo_root/build/$preset

# shellcheck source=tests/bench/lib.sh
source "$repo_root/tests/bench/lib.sh"
bench_stack_start "$build/bench-voting-stack" 28694 28678
signing_keys="b1:$(bench_secret)"
export EVENT_CLOCK_START=2023-11-23T10:00:00+07:00 ADMIN_TOKEN=$admin_token BADGE_SIGNING_KEYS=$signing_keys
EXPO_HTTP_MAX_IN_FLIGHT=8192 bench_service_start "$EXPO_RUN_DIR/bench-voting.log" "$port" "$build/services/voting/expo-voting"
EXPO_PRIVACY_WRAPPING_KEY="w1:$(bench_secret)" \
  bench_service_start "$EXPO_RUN_DIR/bench-checkin.log" "$checkin_port" "$build/services/checkin/expo-checkin"

# The innovations of the booth, from the event itself.
innovations=$(curl -fsS "http://127.0.0.1:$port/v1/event" | python3 -c "
import json, sys
print(','.join(i['innovation_id'] for i in json.load(sys.stdin)['innovations'] if i['booth_id'] == '$booth'))")
[[ $(tr ',' '\n' <<<"$innovations" | wc -l) == 3 ]] || { echo "bench: booth $booth should have 3 innovations: $innovations"; exit 1; }

echo "bench: minting badges and checking the visitors in at booth $booth"
mint="$build/tests/bench/bench_badge_tokens"
"$mint" 120000 jatim-inovasi-2023 "$signing_keys" --with-visitor >"$EXPO_RUN_DIR/visitors-warmup.txt"
"$mint" 80000 jatim-inovasi-2023 "$signing_keys" --with-visitor >"$EXPO_RUN_DIR/visitors-saturation.txt"
"$mint" 40000 jatim-inovasi-2023 "$signing_keys" --with-visitor >"$EXPO_RUN_DIR/visitors-paced.txt"
cat "$EXPO_RUN_DIR"/visitors-*.txt | awk -v booth="$booth" '{
  printf "%s|{\"event_id\":\"seed-%d\",\"type\":\"checked_in\",\"occurred_at\":\"2023-11-23T09:30:00.000+07:00\",", $1, NR
  printf "\"payload\":{\"visitor_id\":\"%s\",\"booth_id\":\"%s\",\"day\":\"2023-11-23\"}}\n", $1, booth
}' | kcat -P -b "127.0.0.1:$KAFKA_PORT" -t checkins.v1 -K '|'
# The voting service's view of checkins.v1 has caught up when every partition's lag is 0.
for _ in $(seq 1 600); do
  lags=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '/^expo_kafka_consumer_lag\{.*topic="checkins.v1"/ {n++; s+=$2} END {print n+0, s+0}')
  [[ $lags == "6 0" ]] && break
  sleep 0.5
done
[[ $lags == "6 0" ]] || { echo "bench: the voting service did not catch up with checkins.v1 (partitions, lag: $lags)"; exit 1; }

script=$repo_root/tests/bench/voting.lua
bench_wrk bench-voting "accepted votes" "warm-up, not counted" "$connections" "$warmup" "$script" "$port" \
  "$EXPO_RUN_DIR/visitors-warmup.txt" "$innovations" 0 2
bench_wrk bench-voting "accepted votes" saturation "$connections" "$duration" "$script" "$port" \
  "$EXPO_RUN_DIR/visitors-saturation.txt" "$innovations" 0 2
bench_wrk bench-voting "accepted votes" "paced at ~${paced_rate}/s" "$paced_connections" "$duration" "$script" "$port" \
  "$EXPO_RUN_DIR/visitors-paced.txt" "$innovations" "$paced_rate" 2
curl -fsS "http://127.0.0.1:$port/metrics" | grep '^expo_votes_total' | sed 's/^/bench-voting: /'
echo "bench-voting: targets: at least 10000 votes/s at saturation; p99 under 50 ms at 5000/s"
