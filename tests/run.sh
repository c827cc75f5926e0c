#!/usr/bin/env bash
# What `make test` runs: build with the ci preset (warnings are errors), the unit tests (nothing
# running), then the integration tests against a real Kafka and Redis started here on their own
# ports and stopped afterwards, whatever happens. Prints how many tests of each kind ran.
# Usage: tests/run.sh [all|unit|integration]
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
what=${1:-all}
build_dir=$repo_root/build/ci

say() { printf 'test: %s\n' "$*"; }

say "configuring and building (preset ci)"
cmake --preset ci >/dev/null
cmake --build --preset ci

unit_summary="not run"
integration_summary="not run"
failed=0
passed_total=0
failed_total=0

# ctest ends with "NN% tests passed, F tests failed out of N": keep the counts.
run_ctest() {
  local label=$1 log=$build_dir/ctest-$1.log
  local status=0
  ctest --test-dir "$build_dir" -L "^$label\$" --output-on-failure --timeout 600 "${@:2}" 2>&1 | tee "$log" || status=$?
  local line total fails
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n1 || true)
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  fails=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  if [[ -z $line || ! $total =~ ^[0-9]+$ || $total -eq 0 ]]; then
    say "$label: no test ran"
    failed=1
    printf -v "${label}_summary" '%s' "no test ran"
    return
  fi
  passed_total=$((passed_total + total - fails))
  failed_total=$((failed_total + fails))
  printf -v "${label}_summary" '%s' "$((total - fails)) passed, $fails failed"
  [[ $status -eq 0 && $fails -eq 0 ]] || failed=1
}

if [[ $what == all || $what == unit ]]; then
  say "unit tests"
  run_ctest unit
fi

if [[ $what == all || $what == integration ]]; then
  say "integration tests (starting the test stack)"
  # shellcheck source=tests/integration-env.sh
  source "$repo_root/tests/integration-env.sh"
  trap '"$EXPO_TEST_STACK" stop >/dev/null 2>&1 || true' EXIT
  # A fresh stack every run: the tests add to the topics (the leaderboard's some 100,000 events a run),
  # and every consumer group and rebuild of a later run would read an ever longer history.
  "$EXPO_TEST_STACK" wipe >/dev/null
  "$EXPO_TEST_STACK" start
  run_ctest integration
  "$EXPO_TEST_STACK" stop
  trap - EXIT
  tests/check-personal-data.sh "$EXPO_TEST_RUN_DIR" "$build_dir/ctest-integration.log" "$build_dir/Testing/Temporary/LastTest.log" || failed=1
fi

say "unit: $unit_summary"
say "integration: $integration_summary"
echo "$passed_total passed, $failed_total failed"
exit $failed
