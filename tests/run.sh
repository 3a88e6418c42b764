#!/usr/bin/env bash
# Run test programs, keep going on failure, print one summary line
# "<suite>: N passed, N failed" (also appended to LOGDIR/summary.txt).
# Each program prints "<name>: N passed, N failed"; a crash counts as a failure.
# Up to BM_TEST_JOBS (default 2) programs run at once, each into its own log;
# results are reported in the order given.
# Usage: tests/run.sh [--suite NAME] [--by-dir] PROGRAM...
#   --suite NAME  summary label (default unit)
#   --by-dir      programs of the same name in different folders (one RTL
#                 test per preset): logs and reports are named <folder>/<name>
# BM_TEST_LOG: log folder (default build/test-logs).
set -u
suite=unit; bydir=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --suite) suite=$2; shift 2 ;;
    --by-dir) bydir=1; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
logdir=${BM_TEST_LOG:-build/test-logs}; mkdir -p "$logdir"
jobs=${BM_TEST_JOBS:-2}
label() { if [[ $bydir -eq 1 ]]; then echo "$(basename "$(dirname "$1")")/$(basename "$1")"; else basename "$1"; fi; }
logof() { echo "$logdir/$(label "$1" | tr / .).log"; }
running=0
for t in "$@"; do
  if (( running >= jobs )); then wait -n; running=$((running-1)); fi
  ( log=$(logof "$t"); "$t" > "$log" 2>&1; echo $? > "$log.rc" ) &
  running=$((running+1))
done
wait
total_p=0; total_f=0
for t in "$@"; do
  name=$(label "$t"); log=$(logof "$t")
  rc=$(cat "$log.rc" 2>/dev/null || echo 127); rm -f "$log.rc"
  line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  [[ -z "$line" ]] && { p=0; f=0; }
  [[ $rc -ne 0 && $f -eq 0 ]] && f=1
  total_p=$((total_p+p)); total_f=$((total_f+f))
  extra=$(grep -E 'programs compared' "$log" | tail -1)
  if [[ $f -gt 0 ]]; then
    echo "FAILED $name: $p passed, $f failed, exit $rc (log: $log)"
    if grep -qE 'FAIL|reproduce' "$log"; then grep -E 'FAIL|reproduce' "$log" | head -10; else tail -20 "$log"; fi
  else echo "ok     $name: $p passed ${extra:+($extra)}"; fi
done
echo "$suite: $total_p passed, $total_f failed" | tee -a "$logdir/summary.txt"
[[ $total_f -eq 0 ]]
