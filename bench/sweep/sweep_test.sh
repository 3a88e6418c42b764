#!/usr/bin/env bash
# `make sweep-test`: a tiny sweep (seconds) checked for CSV schema, resume,
# exported job lists and cycle-model == RTL. Appends "sweep: N passed, N
# failed" to BUILD/test-logs/summary.txt; exits non-zero on any failure.
set -u
build=$1; bin=$build/bin/bitmill; spec=bench/sweep/tiny.spec; out=$build/sweep-test
export OPENBLAS_NUM_THREADS=1
rm -rf "$out"; mkdir -p "$out" "$build/test-logs"
pass=0; fail=0
ok()  { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL sweep-test: $*"; }
npts=$("$bin" sweep "$spec" --list | wc -l)
[[ $npts -gt 0 ]] && ok || bad "no points in $spec"
# 1. Exported jobs: run two of them by hand, as GNU parallel would.
"$bin" sweep "$spec" -o "$out" --export-jobs "$out/jobs.txt" > /dev/null
[[ $(wc -l < "$out/jobs.txt") -eq $npts ]] && ok || bad "job list has $(wc -l < "$out/jobs.txt") lines, want $npts"
head -2 "$out/jobs.txt" | bash && ok || bad "exported job failed"
# 2. The sweep merges those two and runs the rest in parallel.
log=$("$bin" sweep "$spec" -o "$out" -j 2 --quiet 2>&1) && ok || bad "sweep failed: $log"
grep -q "$((npts-2)) ran, 0 already done, 2 merged" <<<"$log" && ok || bad "merge/run counts: $log"
# 3. Resume: nothing left to do.
log=$("$bin" sweep "$spec" -o "$out" --quiet --no-plots 2>&1)
grep -q "0 ran, $npts already done" <<<"$log" && ok || bad "resume reran points: $log"
# 4. Schema, provenance, RTL agreement.
if python3 bench/sweep/check_csv.py "$out" "$npts"; then ok; else bad "CSV check (above)"; fi
for p in accuracy_vs_bits cycles_vs_bits util_per_layer; do
  [[ -s $out/plots/$p.png && -s $out/plots/$p.svg ]] && ok || bad "plot $p missing"
done
echo "sweep: $pass passed, $fail failed" | tee -a "$build/test-logs/summary.txt"
[[ $fail -eq 0 ]]
