#!/usr/bin/env bash
# Run RTL test programs (each prints "<name>: N passed, N failed"), keep going
# on failure, append one "rtl: N passed, N failed" line to the summary.
# Up to BM_TEST_JOBS (default 2) programs run at once, each into its own log;
# results are reported in the order given.
# Usage: run_rtl.sh LOGDIR PROGRAM...   (a crash counts as one failure)
set -u
logdir=$1; shift; mkdir -p "$logdir"
jobs=${BM_TEST_JOBS:-2}
logof() { echo "$logdir/$(basename "$(dirname "$1")").$(basename "$1").log"; }
running=0
for t in "$@"; do
  if (( running >= jobs )); then wait -n; running=$((running-1)); fi
  ( log=$(logof "$t"); "$t" > "$log" 2>&1; echo $? > "$log.rc" ) &
  running=$((running+1))
done
wait
tp=0; tf=0
for t in "$@"; do
  preset=$(basename "$(dirname "$t")"); name=$(basename "$t"); log=$(logof "$t")
  rc=$(cat "$log.rc" 2>/dev/null || echo 127); rm -f "$log.rc"
  line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  [[ -z "$line" ]] && { p=0; f=0; }
  [[ $rc -ne 0 && $f -eq 0 ]] && f=1
  tp=$((tp+p)); tf=$((tf+f))
  extra=$(grep -E 'programs compared' "$log" | tail -1)
  if [[ $f -gt 0 ]]; then echo "FAILED $preset/$name: $p passed, $f failed (log: $log)"; grep -E 'FAIL|reproduce' "$log" | head -10
  else echo "ok     $preset/$name: $p passed ${extra:+($extra)}"; fi
done
echo "rtl: $tp passed, $tf failed" | tee -a "$logdir/summary.txt"
[[ $tf -eq 0 ]]
