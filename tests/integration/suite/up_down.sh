#!/usr/bin/env bash
# End-to-end test of `make up` / `make down`: deploy/local/up.sh with the binaries already built in
# BUILD_DIR, on a fresh run dir and on ports of its own (so it runs beside the integration test stack and
# a developer's `make up`), then deploy/local/down.sh. Checks readiness, metrics, Prometheus's view of
# the four services, the TLS front (every route prefix reaches its service through nginx, with the
# local CA), that a second up changes nothing, and that down leaves no process or port behind.
# Cleans up whatever happens. Exits non-zero with the reason on the first failed check.
#
# Usage: tests/integration/suite/up_down.sh BUILD_DIR
set -euo pipefail

build_dir=$(realpath -m "${1:?usage: up_down.sh BUILD_DIR}")
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
local_dir=$repo_root/deploy/local
run_dir=$build_dir/suite-up-test
services=(registration checkin voting leaderboard)
# Ports below the ephemeral range (32768+), where client sockets of earlier tests could hold them.
declare -A port=([registration]=24081 [checkin]=24082 [voting]=24083 [leaderboard]=24084)

# Everything up.sh and down.sh read, set here so nothing from the caller's shell (tests/run.sh sources
# tests/integration-env.sh, for one) changes what is tested.
export EXPO_RUN_DIR=$run_dir
export KAFKA_PORT=24092 KAFKA_CONTROLLER_PORT=24093 REDIS_PORT=24379 PROMETHEUS_PORT=24090
export EXPO_REGISTRATION_PORT=${port[registration]} EXPO_CHECKIN_PORT=${port[checkin]}
export EXPO_VOTING_PORT=${port[voting]} EXPO_LEADERBOARD_PORT=${port[leaderboard]}
export EXPO_WITH_PROMETHEUS=1
# The front on loopback only, under a test host name that curl resolves itself (--resolve).
export EXPO_WITH_NGINX=1 EXPO_HTTPS_PORT=24443 EXPO_HTTP_FRONT_PORT=24080 EXPO_FRONT_BIND=127.0.0.1
export EXPO_PUBLIC_HOST=expo-suite-test.local
unset EXPO_SERVICE_PORTS EXPO_HTTP_HOST EXPO_HTTP_PORT EXPO_LOG_LEVEL EXPO_BUILD_DIR \
  ADMIN_TOKEN EXPO_ADMIN_TOKEN EVENT_CLOCK_START EXPO_CLOCK_START EVENT_CLOCK_ANCHOR_MS EXPO_CLOCK_ANCHOR_MS \
  EXPO_TLS_CERT EXPO_TLS_KEY EXPO_FRONT_HSTS_MAX_AGE EXPO_FRONT_ERROR_LOG_LEVEL EXPO_LINKS_VOTE_BASE_URL
all_ports=("$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$REDIS_PORT" "$PROMETHEUS_PORT" "$EXPO_HTTPS_PORT" "$EXPO_HTTP_FRONT_PORT")
for svc in "${services[@]}"; do all_ports+=("${port[$svc]}"); done

now_ms() { date +%s%3N; }
check() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }

listening() { [[ -n $(ss -H -ltn "sport = :$1" 2>/dev/null) ]]; }

# Processes of this run dir: our programs with a file of the run dir on their command line.
our_pids() {
  local pid args
  for pid in $(pgrep -f -- "$run_dir/" || true); do
    args=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
    [[ $args =~ expo-(registration|checkin|voting|leaderboard)|kafka\.Kafka|redis-server|prometheus|nginx ]] &&
      printf '%s\n' "$pid"
  done
  return 0
}

down_done=0
cleanup() {
  local status=$?
  trap - EXIT
  if ((status != 0)); then
    local f
    for f in "$run_dir"/services/*.log; do
      [[ -s $f ]] && { printf '\n--- last 15 lines of %s\n' "$f" >&2; tail -n 15 "$f" >&2; }
    done
  fi
  if ((down_done == 0)); then
    printf '\ncleanup: deploy/local/down.sh\n'
    "$local_dir/down.sh" || true
  fi
  # Last resort, only for processes this test started: down.sh failed to stop them.
  local pid
  for pid in $(our_pids); do
    printf 'cleanup: killing leftover pid %s\n' "$pid" >&2
    kill -KILL "$pid" 2>/dev/null || true
  done
  exit "$status"
}
trap cleanup EXIT

check "the four binaries are built in $build_dir"
for svc in "${services[@]}"; do
  bin=$build_dir/services/$svc/expo-$svc
  [[ -x $bin ]] || fail "missing binary $bin (build it: cmake --build --preset release); this test does not skip"
done
ok "all four present"

check "no process of $run_dir runs and ports ${all_ports[*]} are free"
leftover=$(our_pids)
[[ -z $leftover ]] || "$local_dir/down.sh" || true
for p in "${all_ports[@]}"; do
  listening "$p" && fail "port $p is in use before the test: $(ss -H -ltnp "sport = :$p")"
done
ok "ports free"
# A fresh run dir, as on a new machine: Kafka storage is formatted and the topics created.
"$local_dir/stack.sh" wipe >/dev/null

check "up.sh $build_dir (fresh run dir)"
t0=$(now_ms)
up_log=$(mktemp)
if ! "$local_dir/up.sh" "$build_dir" 2>&1 | tee "$up_log"; then
  fail "up.sh exited non-zero"
fi
up_ms=$(($(now_ms) - t0))
ok "up.sh finished in $((up_ms / 1000)).$((up_ms % 1000 / 100))s"

check "admin token generated, 32 hex characters, in $run_dir/admin-token with mode 0600, printed"
token_file=$run_dir/admin-token
[[ -f $token_file ]] || fail "no $token_file"
[[ $(stat -c %a "$token_file") == 600 ]] || fail "$token_file has mode $(stat -c %a "$token_file"), not 600"
token=$(<"$token_file")
[[ $token =~ ^[0-9a-f]{32}$ ]] || fail "token in $token_file is not 32 hex characters: '$token'"
grep -qF "$token" "$up_log" || fail "up.sh did not print the admin token"
ok "token ok"

check "each service: /readyz 200, /metrics is Prometheus text with expo_build_info"
for svc in "${services[@]}"; do
  base=http://127.0.0.1:${port[$svc]}
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/readyz" || true)
  [[ $code == 200 ]] || fail "$svc: GET $base/readyz answered $code, not 200"
  metrics=$(curl -sf --max-time 5 -D "$run_dir/metrics-headers" "$base/metrics") ||
    fail "$svc: GET $base/metrics failed"
  grep -qi '^content-type: text/plain' "$run_dir/metrics-headers" ||
    fail "$svc: /metrics content type is not text/plain: $(grep -i '^content-type' "$run_dir/metrics-headers")"
  grep -q "^# TYPE expo_build_info gauge" <<<"$metrics" || fail "$svc: /metrics has no '# TYPE expo_build_info gauge'"
  grep -q "^expo_build_info{.*service=\"$svc\"" <<<"$metrics" ||
    fail "$svc: /metrics has no expo_build_info sample for service=\"$svc\""
  ok "$svc on ${port[$svc]}: ready, metrics ok"
done
rm -f "$run_dir/metrics-headers"

check "Prometheus on $PROMETHEUS_PORT scrapes the four services (health up), within 30 s"
targets_summary() {
  curl -sf --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/targets?state=active" | python3 -c '
import json, sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    print(t["labels"].get("job", "?"), t["scrapeUrl"], t["health"], t.get("lastError", "") or "-")
' 2>/dev/null || true
}
want=""
for svc in "${services[@]}"; do want+="$svc http://127.0.0.1:${port[$svc]}/metrics up"$'\n'; done
deadline=$((SECONDS + 30))
while :; do
  summary=$(targets_summary)
  got=$(awk '{ print $1, $2, $3 }' <<<"$summary" | sort)
  [[ $got == "$(sort <<<"${want%$'\n'}")" ]] && break
  ((SECONDS < deadline)) || fail "Prometheus targets after 30 s (job url health last error):"$'\n'"$summary"
  sleep 1
done
while read -r line; do ok "target $line"; done <<<"$got"

check "the TLS front: local CA made, printed by up.sh, server certificate for the host name"
front_host=$EXPO_PUBLIC_HOST
front=https://$front_host:$EXPO_HTTPS_PORT
ca=$run_dir/tls/expo-local-ca.crt
[[ -s $ca ]] || fail "no CA certificate at $ca"
openssl x509 -in "$ca" -noout -text | grep -q 'CA:TRUE' || fail "$ca is not a CA certificate"
openssl x509 -in "$ca" -noout -subject | grep -q "Expo local CA $front_host" ||
  fail "the CA's subject is not 'Expo local CA $front_host': $(openssl x509 -in "$ca" -noout -subject)"
[[ $(stat -c %a "$run_dir/tls/ca.key") == 600 ]] || fail "$run_dir/tls/ca.key is not mode 0600"
openssl verify -CAfile "$ca" -verify_hostname "$front_host" "$run_dir/tls/server.crt" >/dev/null ||
  fail "the server certificate does not verify for $front_host against $ca"
grep -qF "$front/booth" "$up_log" || fail "up.sh did not print $front/booth"
grep -qF "tls/expo-local-ca.crt" "$up_log" || fail "up.sh did not say where the CA certificate is"
ok "CA $(openssl x509 -in "$ca" -noout -fingerprint -sha256 | cut -d= -f2 | cut -c1-23)..., server certificate ok"

# curl through the front exactly as a tablet would: by host name, trusting only the local CA.
front_curl() {
  curl -s --cacert "$ca" --resolve "$front_host:$EXPO_HTTPS_PORT:127.0.0.1" \
    --resolve "$front_host:$EXPO_HTTP_FRONT_PORT:127.0.0.1" --max-time 5 "$@"
}

# Requests a service answered, except the scrapes and probes of its own port: the proof that a request
# sent to the front reached that service and no other.
answered() {
  curl -sf --max-time 5 "http://127.0.0.1:${port[$1]}/metrics" |
    awk '/^expo_http_requests_total\{/ && !/route="\/(metrics|readyz)"/ { n += $NF } END { printf "%d", n }'
}
declare -A answered_before=()
snapshot() { local svc; for svc in "${services[@]}"; do answered_before[$svc]=$(answered "$svc"); done; }
# Waits (the counter moves once the answer is written) until TARGET answered one more request, then
# checks that no other service did.
expect_reached() {
  local target=$1 what=$2 deadline=$((SECONDS + 5)) svc now
  while (($(answered "$target") != answered_before[$target] + 1)); do
    ((SECONDS < deadline)) ||
      fail "$what: $target answered $(($(answered "$target") - answered_before[$target])) requests, not 1"
    sleep 0.05
  done
  for svc in "${services[@]}"; do
    [[ $svc == "$target" ]] && continue
    now=$(answered "$svc")
    ((now == answered_before[$svc])) || fail "$what: reached $svc too ($((now - answered_before[$svc])) requests)"
  done
}

check "the TLS front routes each path prefix to its service (https, HTTP/2, the local CA)"
routes=(
  "GET / registration"
  "GET /assets/register.css registration"
  "GET /healthz registration"
  "POST /v1/visitors registration"
  "GET /v1/admin/visitors/v-none registration"
  "GET /no/such/page registration"
  "GET /booth checkin"
  "GET /booth/app.js checkin"
  "GET /admin/devices checkin"
  "POST /v1/checkins checkin"
  "POST /v1/checkins/batch checkin"
  "POST /v1/devices/heartbeat checkin"
  "GET /v1/admin/devices checkin"
  "GET /vote?token=front-test-secret-token voting"
  "POST /v1/votes voting"
  "POST /v1/admin/voting/open voting"
  "POST /v1/admin/votes/void voting"
  "GET /screen leaderboard"
  "GET /ops leaderboard"
  "GET /v1/leaderboards/innovations?limit=3 leaderboard"
  "GET /v1/admin/ops leaderboard"
  "POST /v1/admin/leaderboards/freeze leaderboard"
)
n=0
for route in "${routes[@]}"; do
  read -r method path target <<<"$route"
  n=$((n + 1))
  snapshot
  rid=front-test-$n
  data=()
  [[ $method == POST ]] && data=(--data-raw '{}')
  out=$(front_curl -X "$method" -H "X-Request-Id: $rid" -H 'Content-Type: application/json' "${data[@]}" \
    -D "$run_dir/front-headers" -o "$run_dir/front-body" -w '%{http_code} %{http_version}' "$front$path") ||
    fail "$method $front$path: curl failed (TLS or connection): $out"
  read -r code version <<<"$out"
  [[ $version == 2 ]] || fail "$method $path: HTTP/$version, not HTTP/2"
  case $code in 502|503|504) fail "$method $path: $code from the front: $(<"$run_dir/front-body")" ;; esac
  grep -q 'on the front\|not answering' "$run_dir/front-body" && fail "$method $path: nginx answered itself: $(<"$run_dir/front-body")"
  grep -qi "^x-request-id: $rid" "$run_dir/front-headers" || fail "$method $path: the service did not see X-Request-Id $rid"
  expect_reached "$target" "$method $path"
  ok "$method $path -> $target ($code)"
done

check "a WebSocket handshake on /v1/stream reaches the leaderboard through the front"
snapshot
code=$(front_curl --http1.1 -o "$run_dir/front-body" -w '%{http_code}' --max-time 3 \
  -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
  -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$front/v1/stream" || true)
case $code in
  101) ok "upgraded (101)" ;;
  502|503|504|000) fail "GET /v1/stream (upgrade): $code: $(cat "$run_dir/front-body" 2>/dev/null)" ;;
  *) expect_reached leaderboard "GET /v1/stream (upgrade)"; ok "GET /v1/stream (upgrade) -> leaderboard ($code)" ;;
esac

check "the front keeps readiness and metrics to the services' own ports, and answers in the JSON envelope"
for path in /readyz /metrics; do
  snapshot
  code=$(front_curl -o "$run_dir/front-body" -w '%{http_code}' "$front$path") || fail "GET $path: curl failed"
  [[ $code == 404 ]] || fail "GET $front$path answered $code, not 404"
  grep -q '"code":"not_found"' "$run_dir/front-body" || fail "GET $path: not the JSON envelope: $(<"$run_dir/front-body")"
  for svc in "${services[@]}"; do
    (($(answered "$svc") == answered_before[$svc])) || fail "GET $path through the front reached $svc"
  done
  ok "GET $path: 404 from the front, no service reached"
done
code=$(head -c $((1024 * 1024 + 1)) /dev/zero | front_curl -o "$run_dir/front-body" -w '%{http_code}' \
  -H 'Content-Type: application/json' --data-binary @- "$front/v1/visitors") || fail "POST of 1 MiB + 1: curl failed"
if [[ $code != 413 ]] || ! grep -q '"code":"payload_too_large"' "$run_dir/front-body"; then
  fail "a body of 1 MiB + 1 byte: $code $(<"$run_dir/front-body"), not 413 payload_too_large"
fi
ok "1 MiB + 1 byte: 413 payload_too_large"

check "plain http redirects to https; the CA certificate is served for the tablets; TLS below 1.2 refused"
location=$(front_curl -o /dev/null -w '%{redirect_url}' "http://$front_host:$EXPO_HTTP_FRONT_PORT/booth")
[[ $location == "$front/booth" ]] || fail "http://$front_host:$EXPO_HTTP_FRONT_PORT/booth redirects to '$location', not $front/booth"
front_curl -o "$run_dir/front-body" "http://$front_host:$EXPO_HTTP_FRONT_PORT/expo-local-ca.crt" ||
  fail "GET /expo-local-ca.crt over http failed"
cmp -s "$run_dir/front-body" "$ca" || fail "/expo-local-ca.crt is not $ca"
if front_curl -o /dev/null --tlsv1.1 --tls-max 1.1 "$front/healthz" 2>/dev/null; then
  fail "a TLS 1.1 handshake succeeded"
fi
ok "redirect, CA download, TLS 1.1 refused"

check "a sign-up through the front: the badge's voting link points at the front"
body=$(front_curl -H 'Content-Type: application/json' -w '\n%{http_code}' \
  --data-raw '{"name":"Uji Front","visitor_type":"guest","origin_region":"other","consent":true}' "$front/v1/visitors")
[[ ${body##*$'\n'} == 201 ]] || fail "POST /v1/visitors through the front: ${body##*$'\n'} ${body%$'\n'*}"
read -r visitor_id badge_token < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["visitor_id"], d["badge_token"])' "${body%$'\n'*}")
front_curl -o "$run_dir/front-body" "$front/v1/visitors/$visitor_id/badge?token=$badge_token" ||
  fail "GET the badge through the front failed"
grep -qF "$front/vote?token=" "$run_dir/front-body" || fail "the badge page does not link to $front/vote?token=..."
ok "badge links to $front/vote"

check "the front's logs hold no query string (badge tokens travel as ?token=)"
access_log=$run_dir/nginx/access.log
deadline=$((SECONDS + 5))   # the access log is written in buffers, flushed every second
until grep -q "/v1/visitors/$visitor_id/badge" "$access_log" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "the badge request is not in $access_log after 5 s"
  sleep 0.2
done
for secret in front-test-secret-token "$badge_token" 'limit=3'; do
  if grep -lF -- "$secret" "$access_log" "$run_dir/nginx/error.log"; then
    fail "a query string ('$secret') is in the front's logs"
  fi
done
ok "$(wc -l <"$access_log") requests in $access_log, no query string, no token"
rm -f "$run_dir/front-headers" "$run_dir/front-body"

check "a second up.sh leaves everything running as it was"
declare -A pid_before=()
for svc in "${services[@]}"; do pid_before[$svc]=$(<"$run_dir/services/$svc.pid"); done
for comp in kafka redis prometheus nginx; do pid_before[$comp]=$(<"$run_dir/$comp/$comp.pid"); done
"$local_dir/up.sh" "$build_dir" >"$up_log" 2>&1 || { cat "$up_log"; fail "second up.sh exited non-zero"; }
for svc in "${services[@]}"; do
  [[ $(<"$run_dir/services/$svc.pid") == "${pid_before[$svc]}" ]] || fail "second up.sh restarted $svc"
done
for comp in kafka redis prometheus nginx; do
  [[ $(<"$run_dir/$comp/$comp.pid") == "${pid_before[$comp]}" ]] || fail "second up.sh restarted $comp"
done
[[ $(<"$token_file") == "$token" ]] || fail "second up.sh changed the admin token"
grep -qF "$token" "$up_log" || fail "second up.sh did not print the same admin token"
ok "same pids, same token"
rm -f "$up_log"

check "down.sh stops everything"
down_done=1
"$local_dir/down.sh" || fail "down.sh exited non-zero"
left=$(our_pids)
[[ -z $left ]] || fail "processes of $run_dir still running after down.sh: $(tr '\n' ' ' <<<"$left")"
ok "no process of $run_dir"
for p in "${all_ports[@]}"; do
  listening "$p" && fail "port $p still listens after down.sh: $(ss -H -ltnp "sport = :$p")"
done
ok "none of ${all_ports[*]} listens"
for f in "$run_dir"/services/*.pid "$run_dir"/{kafka,redis,prometheus,nginx}/*.pid; do
  [[ -e $f ]] && fail "pid file left: $f"
done
ok "no pid file left"

printf '\nPASS: make up (fresh, %d.%ds) and make down\n' $((up_ms / 1000)) $((up_ms % 1000 / 100))
