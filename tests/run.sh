#!/usr/bin/env bash
# Run test programs, keep going on failure, print one summary line.
# Each program prints "<name>: N passed, N failed"; a crash counts as a failure.
# Up to BM_TEST_JOBS (default 2) programs run at once, each into its own log;
# results are reported in the order given.
set -u
total_p=0; total_f=0
logdir=${BM_TEST_LOG:-build/test-logs}; mkdir -p "$logdir"
jobs=${BM_TEST_JOBS:-2}
running=0
for t in "$@"; do
  name=$(basename "$t")
  if (( running >= jobs )); then wait -n; running=$((running-1)); fi
  ( "$t" > "$logdir/$name.log" 2>&1; echo $? > "$logdir/$name.rc" ) &
  running=$((running+1))
done
wait
for t in "$@"; do
  name=$(basename "$t")
  rc=$(cat "$logdir/$name.rc" 2>/dev/null || echo 127); rm -f "$logdir/$name.rc"
  line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$logdir/$name.log" | tail -1)
  p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  [[ -z "$line" ]] && { p=0; f=0; }
  [[ $rc -ne 0 && $f -eq 0 ]] && f=1
  total_p=$((total_p+p)); total_f=$((total_f+f))
  if [[ $f -gt 0 ]]; then echo "FAILED $name: $p passed, $f failed, exit $rc (log: $logdir/$name.log)"; tail -20 "$logdir/$name.log"
  else echo "ok     $name: $p passed"; fi
done
echo "unit: $total_p passed, $total_f failed" | tee -a "$logdir/summary.txt"
[[ $total_f -eq 0 ]]
