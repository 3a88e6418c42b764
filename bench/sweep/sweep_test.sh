#!/usr/bin/env bash
# `make sweep-test`: a tiny sweep (seconds) checked for CSV schema, resume,
# exported job lists and cycle-model == RTL; then the synthesis columns:
# the default preset through yosys synth_xilinx, read from the shared
# synthesis cache (SYNTH_CACHE, default BUILD/synth-cache: the entry `make
# lint` prints and the make-test prefetch fills, so only the first caller
# after an RTL change pays for yosys), the cache, the timeout note and the
# lock. Appends "sweep: N passed, N failed" to BUILD/test-logs/summary.txt;
# exits non-zero on any failure.
# Usage: bench/sweep/sweep_test.sh BUILD
set -u
if [[ ${1:-} == -h || ${1:-} == --help || $# -ne 1 ]]; then sed -n '2,10p' "$0" | cut -c3-; exit $([[ $# -ne 1 ]] && echo 2 || echo 0); fi
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
if python3 bench/sweep/check_csv.py "$out" "$npts" --synth off; then ok; else bad "CSV check (above)"; fi
for p in accuracy_vs_bits cycles_vs_bits util_per_layer; do
  [[ -s $out/plots/$p.png && -s $out/plots/$p.svg ]] && ok || bad "plot $p missing"
done
# 5. Synthesis columns filled for default (yosys synth_xilinx; iCE40 skipped
#    with a note: default has a 128-bit bus), area plot drawn.
sspec=bench/sweep/tiny_synth.spec; sout=$out/synth; cache=${SYNTH_CACHE:-$build/synth-cache}
n2=$("$bin" sweep "$sspec" --list | wc -l)
t0=$(date +%s)
log=$("$bin" sweep "$sspec" -o "$sout" -j 2 --synth-cache "$cache" 2>&1) && ok || bad "synthesis sweep failed: $log"
echo "sweep-test: synthesis of default took $(( $(date +%s) - t0 )) s ($(grep -o 'synth default: .*' <<<"$log" | cut -c1-160))"
if python3 bench/sweep/check_csv.py "$sout" "$n2" --synth required --no-rtl; then ok; else bad "synthesis columns (above)"; fi
[[ -s $sout/plots/area_vs_throughput.png && -s $sout/plots/area_vs_throughput.svg ]] && ok || bad "plot area_vs_throughput missing"
# 6. Repeated configuration: a new sweep folder on the same cache synthesizes nothing.
log=$("$bin" sweep "$sspec" -o "$out/synth2" --synth-cache "$cache" --no-plots 2>&1)
grep -q "synth default: .*cached" <<<"$log" && ok || bad "cache not used: $log"
c0=$(head -n 1 "$sout/results.csv" | tr , '\n' | grep -n '^lut_cells$' | cut -d: -f1)
c1=$(head -n 1 "$sout/results.csv" | tr , '\n' | grep -n '^synth_tools$' | cut -d: -f1)
cmp <(cut -d, -f"$c0-$c1" "$sout/results.csv") <(cut -d, -f"$c0-$c1" "$out/synth2/results.csv") > /dev/null \
  && ok || bad "cached synthesis columns differ"
# 6b. One entry for every caller: the driver asked the way `make lint` asks
#     (--preset default --mode xcup) reads the same entry, with the same LUTs.
lint=$(python3 scripts/sweep_synth.py --cache "$cache" --preset default --mode xcup 2>&1)
clut=$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))["lut_cells"])' "$sout/results.csv")
grep -q '^cached=1$' <<<"$lint" && grep -qx "lut=$clut" <<<"$lint" && ok \
  || bad "lint's entry differs from the sweep's (sweep LUT $clut): $lint"
# 7. Timeout: an explicit note, not a hang; the helper's lock serializes callers.
printf 'shape: 2x1x4\ndtype: int\nrtl: off\nsynth_timeout: 1\ngemm g: 4,8,64\n' > "$out/timeout.spec"
"$bin" sweep "$out/timeout.spec" -o "$out/to" --no-plots --quiet > /dev/null 2>&1
grep -q 'synthesis-timeout' "$out/to/results.csv" && grep -q 'xcup timeout after 1 s' "$out/to/results.csv" \
  && ok || bad "no timeout note: $(tail -n 1 "$out/to/results.csv")"
prm=rows=2,cols=1,lanes=4,max_bits=8,max_terms=4,table_bits=4,wgt_bytes=4096,meta_bytes=512,act_bytes=1024
prm=$prm,acc_bytes=256,axi_bytes=4,fetch_depth=2,queue_depth=2,clock_mhz=12,mem_latency=4,mem_bpc=4
for i in 1 2; do python3 scripts/sweep_synth.py --cache "$out/lock" --timeout 1 --params $prm > "$out/lock$i.txt" & done; wait
[[ $(cat "$out"/lock[12].txt | grep -c '^cached=1') -eq 1 ]] && ok || bad "concurrent helpers both synthesized"
echo "sweep: $pass passed, $fail failed" | tee -a "$build/test-logs/summary.txt"
[[ $fail -eq 0 ]]
