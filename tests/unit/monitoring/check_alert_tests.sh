#!/usr/bin/env bash
# Every alert of deploy/prometheus/rules/alerts.yml has what operations need and is unit-tested both
# ways: a severity label (critical|warning), summary and description annotations, a runbook annotation
# "docs/runbook.md#<alert name in lower case>" (the anchor of a runbook heading named after the
# alert), and in deploy/prometheus/tests/*.yml at least one case where it fires (exp_alerts with
# entries) and one where it does not (exp_alerts: []). promtool runs the cases; this checks they exist.
# The runbook anchor must also lead somewhere: docs/runbook.md (found from this script's own place in
# the repository) needs a "## <AlertName>" heading whose GitHub anchor (the heading lower-cased,
# spaces to "-", other punctuation dropped) equals the annotation's anchor, compared case-insensitively.
#
# Reads the files line by line in the layout they are written in (one "- alert:" per rule,
# "alertname:" followed by its "exp_alerts:"), so it needs no YAML library.
#
# Usage: check_alert_tests.sh DEPLOY_PROMETHEUS_DIR
set -euo pipefail
dir=${1:?usage: check_alert_tests.sh deploy/prometheus}
alerts=$dir/rules/alerts.yml
tests=("$dir"/tests/*.yml)
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
runbook=$repo_root/docs/runbook.md
failures=0
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }

# The anchors GitHub gives the runbook's "## " headings, one a line (headings inside ``` or ~~~ fences
# are code, not headings).
runbook_anchors=""
if [[ -f $runbook ]]; then
  runbook_anchors=$(awk '
    /^ *(```|~~~)/ { fenced = !fenced; next }
    !fenced && /^## / {
      h = tolower(substr($0, 4))
      sub(/[ \t#]+$/, "", h)
      gsub(/[^a-z0-9 _-]/, "", h)
      gsub(/ /, "-", h)
      print h
    }
  ' "$runbook")
else
  fail "no runbook: $runbook (the alerts' runbook annotations point into it)"
fi

mapfile -t names < <(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$alerts")
((${#names[@]} > 0)) || { echo "FAIL: no alert in $alerts" >&2; exit 1; }

# One line per test case: "<alertname> firing" or "<alertname> quiet".
cases=$(awk '
  /^ *alertname:/ { name = $2; next }
  /^ *exp_alerts:/ && name != "" { print name, ($0 ~ /\[\]/ ? "quiet" : "firing"); name = "" }
' "${tests[@]}")

for name in "${names[@]}"; do
  # The rule's block: from its "- alert:" line to the next one.
  block=$(awk -v n="$name" '
    /^ *- alert:/ { inside = ($3 == n) }
    inside { print }
  ' "$alerts")
  grep -Eq '^ *severity: *(critical|warning) *$' <<<"$block" || fail "$name: no severity label critical|warning"
  grep -Eq '^ *summary:' <<<"$block" || fail "$name: no summary annotation"
  grep -Eq '^ *description:' <<<"$block" || fail "$name: no description annotation"
  lower=$(tr '[:upper:]' '[:lower:]' <<<"$name")
  grep -Eq "^ *runbook: *\"docs/runbook\.md#$lower\" *\$" <<<"$block" ||
    fail "$name: no runbook annotation \"docs/runbook.md#$lower\""
  # Whatever anchor the annotation names, a heading of the runbook must have it.
  anchor=$(sed -n 's/^ *runbook: *"[^"#]*#\([^"]*\)".*/\1/p' <<<"$block" | head -n1 | tr '[:upper:]' '[:lower:]')
  if [[ -n $anchor && -f $runbook ]]; then
    grep -qxF -- "$anchor" <<<"$runbook_anchors" ||
      fail "$name: docs/runbook.md has no heading \"## $name\" for the anchor #$anchor"
  fi
  grep -qx "$name firing" <<<"$cases" || fail "$name: no promtool test case where it fires"
  grep -qx "$name quiet" <<<"$cases" || fail "$name: no promtool test case where it stays quiet"
done

# A test of an alert that does not exist is a stale test.
while read -r name _; do
  [[ -z $name ]] && continue
  printf '%s\n' "${names[@]}" | grep -qx "$name" || fail "tests name alert $name, which alerts.yml does not define"
done <<<"$cases"

((failures == 0)) || exit 1
printf 'ok: %d alerts, each with severity, summary, description, a runbook anchor with its heading in docs/runbook.md, a firing and a quiet test case\n' "${#names[@]}"
