#!/usr/bin/env bash
# Print the per-suite summary lines written by tests/run.sh, the RTL, lint,
# ... suites and sum them into the one closing line CI reads.
# Usage: tests/summary.sh BUILD EXPECTED_SUITES MAKE_STATUS
# A suite that wrote no line (its build failed) counts as one failure, and so
# does a failing make whose suites all claim success.
set -u
f="$1/test-logs/summary.txt"; want=${2:-0}; st=${3:-0}
p=0; x=0; n=0
touch "$f"
echo "---- summary"
while read -r line; do
  a=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/p' <<<"$line")
  b=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/p' <<<"$line")
  [[ -n "$a" ]] || continue
  p=$((p+a)); x=$((x+b)); n=$((n+1))
  printf '  %s\n' "$line"
done < <(sort "$f")
rm -f "$f"
if (( n < want )); then
  echo "  $((want-n)) suite(s) wrote no result: their build or run failed (see the errors above)"
  x=$((x+want-n))
fi
if [[ $st -ne 0 && $x -eq 0 ]]; then echo "  make failed (exit $st) although every suite passed"; x=1; fi
echo "$p passed, $x failed"
[[ $x -eq 0 ]]
