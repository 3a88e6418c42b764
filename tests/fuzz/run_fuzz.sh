#!/usr/bin/env bash
# Run every loader fuzzer concurrently for SECONDS each, seeded from SEEDS,
# growing a working corpus under WORK. Prints one line per harness, appends
# "fuzz: N passed, N failed" to SUMMARY and exits non-zero on any crash.
#   run_fuzz.sh SECONDS SEEDS WORK SUMMARY fuzz_bin...
set -u
secs=$1 seeds=$2 work=$3 summary=$4
shift 4
pids=(); names=()
for bin in "$@"; do
  n=${bin##*/fuzz_}
  mkdir -p "$work/$n" "$work/artifacts/$n"
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -artifact_prefix="$work/artifacts/$n/" "$work/$n" "$seeds/$n" > "$work/$n.log" 2>&1 &
  pids+=($!); names+=("$n")
done
pass=0; fail=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    pass=$((pass+1)); echo "ok     fuzz_${names[$i]}: $(grep -Eo 'Done [0-9]+ runs' "$work/${names[$i]}.log" | tail -1)"
  else
    fail=$((fail+1)); echo "FAILED fuzz_${names[$i]} (log: $work/${names[$i]}.log, inputs: $work/artifacts/${names[$i]}/)"
    grep -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$work/${names[$i]}.log" | head -15
  fi
done
mkdir -p "$(dirname "$summary")"
echo "fuzz: $pass passed, $fail failed" | tee -a "$summary"
[[ $fail -eq 0 ]]
