#!/usr/bin/env bash
# make bench-leaderboard: how fast a vote reaches the screens, how many screens one instance holds, and
# how fast the boards are rebuilt from the topics, with the real Kafka and Redis (their own stack on
# spare ports, wiped first). Prints figures; it does not pass or fail on them
# (targets: p99 vote-to-screen under 500 ms at 5,000 votes/s; 10,000 concurrent WebSocket clients;
# a rebuild of at least 200,000 events/s).
#
# Votes are written to votes.v1 as the voting service writes them (expo-stream-bench), so the figure
# is the leaderboard's part: from Kafka's acknowledgement (when voting answers 201) to the stream
# message that shows the vote. bench-voting measures the voting service itself.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
preset=${BENCH_PRESET:-release}
duration=${BENCH_DURATION:-15}
clients=${BENCH_CLIENTS:-10000}
port=${BENCH_PORT:-28784}
admin_token=bench-admin-token-0123456789abcdef
rebuild_checkins=${BENCH_REBUILD_CHECKINS:-300000}
rebuild_votes=${BENCH_REBUILD_VOTES:-100000}

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target expo-leaderboard expo-stream-bench
build=$repo_root/build/$preset
bench=$build/tests/bench/expo-stream-bench

# Ten thousand sessions need ten thousand descriptors in the service and in the client: raise the
# soft limit to the hard one (root in a container may not raise the hard one).
ulimit -n "$(ulimit -Hn)"
if (( $(ulimit -n) < clients + 1000 )); then
  echo "bench: only $(ulimit -n) open files allowed; testing $(( $(ulimit -n) - 1000 )) sessions instead of $clients"
  clients=$(( $(ulimit -n) - 1000 ))
fi

# shellcheck source=tests/bench/lib.sh
source "$repo_root/tests/bench/lib.sh"
bench_stack_start "$build/bench-leaderboard-stack" 28794 28778
brokers=127.0.0.1:$KAFKA_PORT
export EVENT_CLOCK_START=2023-11-23T19:00:00+07:00 ADMIN_TOKEN=$admin_token
# At info the service logs each rebuild's phases, which the bench prints.
bench_log_level=info EXPO_HTTP_MAX_CONNECTIONS=$((clients + 1000)) EXPO_LEADERBOARD_PROMETHEUS_URL=none \
  bench_service_start "$EXPO_RUN_DIR/bench-leaderboard.log" "$port" "$build/services/leaderboard/expo-leaderboard"
service_pid=${bench_service_pids[-1]}
rss() { awk '/^VmRSS/ {printf "%.0f MiB", $2 / 1024}' "/proc/$service_pid/status"; }

for rate in 1000 5000; do
  echo "bench: vote-to-screen at $rate votes/s, ${duration}s"
  out=$("$bench" stream --brokers "$brokers" --port "$port" --rate "$rate" --seconds "$duration" --clients 1)
  echo "$out"
  echo "leaderboard: $(tail -n1 <<<"$out" | sed 's/^stream-bench: //')"
done

echo "bench: $clients WebSocket sessions with updates flowing (200 votes/s), ${duration}s"
out=$("$bench" stream --brokers "$brokers" --port "$port" --rate 200 --seconds "$duration" --clients "$clients")
echo "$out"
echo "leaderboard: $(grep 'open to the end' <<<"$out" | sed 's/^stream-bench: //'); service RSS $(rss)"
echo "leaderboard: $(tail -n1 <<<"$out" | sed 's/^stream-bench: //')"

echo "bench: rebuild: $rebuild_checkins check-ins and $rebuild_votes more votes written first"
"$bench" produce --brokers "$brokers" --checkins "$rebuild_checkins" --votes "$rebuild_votes"
# The live projection first counts what was just written (a figure of its own); a rebuild started
# meanwhile would share the two cores with it and measure both.
written=$(date +%s%N)
caught_up() {
  curl -fsS "http://127.0.0.1:$port/metrics" |
    awk '/^expo_kafka_consumer_lag\{/ {sum += $2; n++} END {exit !(n > 0 && sum == 0)}'
}
for _ in $(seq 1 600); do caught_up && break; sleep 0.2; done
echo "leaderboard: live projection caught up with the writes after $(( ($(date +%s%N) - written) / 1000000 )) ms"

# Redis keeps an append-only file: a generation written in bulk grows it by ~100 MB, which soon sets off
# a background rewrite (a forked child dumping the data set, a core for a second or two), and deleting
# the replaced generation frees its memory on Redis's lazy-free thread. Both follow any rebuild; the next
# one is measured once they are over, as an operator's rebuild finds the machine (the wait is printed).
redis_quiet() {
  redis-cli -p "$REDIS_PORT" INFO | tr -d '\r' |
    awk -F: '/^(aof_rewrite_in_progress|aof_rewrite_scheduled|lazyfree_pending_objects):/ {busy += $2} END {exit busy != 0}'
}
wait_for_quiet_redis() {
  local since
  since=$(date +%s%N)
  for _ in $(seq 1 300); do redis_quiet && break; sleep 0.1; done
  echo "leaderboard: Redis quiet (no rewrite, nothing left to free) after $(( ($(date +%s%N) - since) / 1000000 )) ms"
}

auth=(-H "Authorization: Bearer $admin_token")
# Twice: the first reads a log the broker has not served yet (cold caches, its JIT), the second as a
# rebuild during the event would.
for which in first second; do
  wait_for_quiet_redis
  curl -fsS -X POST "${auth[@]}" "http://127.0.0.1:$port/v1/admin/leaderboards/rebuild" >/dev/null
  progress=""
  for _ in $(seq 1 600); do
    progress=$(curl -fsS "${auth[@]}" "http://127.0.0.1:$port/v1/admin/leaderboards/rebuild")
    grep -q '"state":"running"' <<<"$progress" || break
    sleep 0.2
  done
  echo "$progress"
  python3 - "$progress" "$which" <<'PY'
import json, sys
p = json.loads(sys.argv[1])
print(f"leaderboard: {sys.argv[2]} rebuild {p['state']}: {p['events']} events live after {p['live_after_ms']} ms "
      f"({p['events_per_second']} events/s, {p['rounds']} rounds); the replaced generation deleted by "
      f"{p['elapsed_ms']} ms")
PY
  grep '"the boards. history was counted in memory' "$EXPO_RUN_DIR/bench-leaderboard.log" | tail -n1 | python3 -c "
import json, sys
l = json.loads(sys.stdin.read())
print(f\"leaderboard: {sys.argv[1]} rebuild's phases (ms from its start): votes read {l['votes_read_ms']}, check-ins \"
      f\"read {l['checkins_read_ms']} while the ledger was written by {l['ledger_written_ms']}, all written \"
      f\"{l['written_ms']}; {l['commands']} commands in {l['round_trips']} round trips\")" "$which"
done
