#!/usr/bin/env bash
# Warm the synthesis cache of `make sweep-test` (preset minimal, the entry
# bench/sweep/tiny_synth.spec asks for) in the background while the other
# suites run: yosys is single-threaded and the RTL suite leaves a core idle
# while it runs its programs. sweep-test then finds the entry or waits on its
# lock; if this fails, sweep-test synthesizes as usual.
# Usage: bench/sweep/prefetch_synth.sh BUILD
set -u
build=$1
prm=$(python3 - <<'PY'
import json
p = json.load(open("spec/presets/minimal.json"))
keys = ["rows", "cols", "lanes", "max_bits", "max_terms", "table_bits", "wgt_bytes", "meta_bytes",
        "act_bytes", "acc_bytes", "axi_bytes", "fetch_depth", "queue_depth", "clock_mhz",
        "mem_latency", "mem_bpc"]
print(",".join(f"{k}={p[k]}" for k in keys))
PY
) || exit 0
mkdir -p "$build/sweep-test-synth"
exec nice -n 5 python3 scripts/sweep_synth.py --cache "$build/sweep-test-synth" --timeout 1800 --mode auto \
  --params "$prm" > "$build/sweep-test-synth/prefetch.log" 2>&1
