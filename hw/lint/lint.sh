#!/usr/bin/env bash
# verilator --lint-only -Wall on every preset + yosys synthesis (generic and
# synth_xilinx -family xcup) of the default preset. Appends one line
# "lint: N passed, N failed" to LOGDIR/summary.txt; exit status 1 on failure.
# Usage: hw/lint/lint.sh LOGDIR OUTDIR [--no-synth]   (--no-synth: verilator only,
# the part `make test` runs)
set -u
logdir=$1; out=$2; synth=1; [[ "${3:-}" == --no-synth ]] && synth=0; mkdir -p "$logdir" "$out"
rtl=$(ls hw/rtl/{pe,array,mem,ctrl,axi,top}/bm_*.sv)
p=0; f=0
for preset in default minimal odd decode ice40; do
  if verilator --lint-only -Wall hw/lint/verilator.vlt hw/rtl/gen/bm_isa_pkg.sv hw/rtl/gen/bm_regs_pkg.sv \
       "hw/rtl/gen/presets/$preset.sv" $rtl --top-module bm_top > "$out/verilator_$preset.log" 2>&1; then
    echo "ok     verilator -Wall [$preset]"; p=$((p+1))
  else
    echo "FAILED verilator -Wall [$preset]"; grep -E '^%' "$out/verilator_$preset.log" | head -10; f=$((f+1))
  fi
done
if [[ $synth -eq 1 ]]; then
  if bash hw/lint/synth.sh "$out/synth_default" default; then p=$((p+1)); else echo "FAILED yosys synth"; f=$((f+1)); fi
fi
echo "lint: $p passed, $f failed" | tee -a "$logdir/summary.txt"
[[ $f -eq 0 ]]
