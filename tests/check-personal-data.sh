#!/usr/bin/env bash
# Issue 3's promise about logs: no name, phone or e-mail that the tests sent may appear in any log
# of the run. The tests list every such value in $EXPO_TEST_RUN_DIR/personal-data-used.txt; this
# searches every log the run wrote (services, the stack, ctest's own log) for each of them.
# Usage: tests/check-personal-data.sh RUN_DIR [MORE_LOG_FILES...]
set -euo pipefail

run_dir=${1:?usage: check-personal-data.sh RUN_DIR [LOG...]}
shift
list=$run_dir/personal-data-used.txt
if [[ ! -s $list ]]; then
  echo "personal data check: no test recorded personal data in $list"
  exit 1
fi

# Kafka's segment files end in .log too: they are data (and hold only sealed personal data), not logs.
mapfile -t logs < <(find "$run_dir" -path '*/kafka/data' -prune -o -type f \( -name '*.log' -o -name '*.out' \) -print)
logs+=("$@")
values=$(sort -u "$list" | grep -c .)
if found=$(grep -rlF -f <(sort -u "$list") "${logs[@]}" 2>/dev/null); then
  echo "personal data check: FAILED: values the tests used appear in:"
  printf '  %s\n' $found
  exit 1
fi
echo "personal data check: none of $values names, phones and e-mails appears in ${#logs[@]} log files"
