#!/usr/bin/env bash
# Sum the per-suite summary lines written by tests/run.sh and the RTL/lint
# suites into the one closing line CI reads.
set -u
f="$1/test-logs/summary.txt"
p=0; x=0
while read -r line; do
  a=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/p' <<<"$line")
  b=$(sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/p' <<<"$line")
  [[ -n "$a" ]] && { p=$((p+a)); x=$((x+b)); }
done < "$f"
rm -f "$f"
echo "$p passed, $x failed"
[[ $x -eq 0 ]]
