#!/usr/bin/env bash
# `make lint`: verilator --lint-only -Wall on every preset, then the yosys
# synth_xilinx -family xcup run of the default preset through the shared,
# cached synthesis driver (scripts/sweep_synth.py; the same cache entry as
# the sweeps' area columns and the make-test prefetch), printing its
# LUT/FF/CARRY/DSP/BRAM counts. Any yosys warning fails it, except the
# techlib's block-RAM port resizes that the driver waives and checks
# (docs/rtl.md). Appends "lint: N passed, N failed" to LOGDIR/summary.txt;
# exit status 1 on any failure.
# Usage: hw/lint/lint.sh LOGDIR OUTDIR [CACHE] [--no-synth]
#   CACHE       synthesis cache folder (default $SYNTH_CACHE, else build/synth-cache)
#   --no-synth  verilator only
# LINT_SYNTH_TIMEOUT (seconds, default 1800) bounds the yosys run.
set -u
if [[ ${1:-} == -h || ${1:-} == --help || $# -lt 2 ]]; then sed -n '2,13p' "$0" | cut -c3-; exit $([[ $# -lt 2 ]] && echo 2 || echo 0); fi
logdir=$1; out=$2; cache=${SYNTH_CACHE:-build/synth-cache}; synth=1
for a in "${@:3}"; do
  if [[ $a == --no-synth ]]; then synth=0; else cache=$a; fi
done
mkdir -p "$logdir" "$out"
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
  if python3 scripts/sweep_synth.py --cache "$cache" --preset default --mode xcup \
       --timeout "${LINT_SYNTH_TIMEOUT:-1800}" --summary > "$out/synth_default.txt" 2>&1; then
    echo "ok     yosys synth_xilinx -family xcup [default]"; p=$((p+1))
  else
    echo "FAILED yosys synth_xilinx -family xcup [default]"; f=$((f+1))
  fi
  sed 's/^/       /' "$out/synth_default.txt"
  if python3 scripts/sweep_synth.py --cache "$cache" --self-test > "$out/waiver_test.txt" 2>&1; then
    echo "ok     block-RAM warning waiver self-test"; p=$((p+1))
  else
    echo "FAILED block-RAM warning waiver self-test"; sed 's/^/       /' "$out/waiver_test.txt"; f=$((f+1))
  fi
fi
echo "lint: $p passed, $f failed" | tee -a "$logdir/summary.txt"
[[ $f -eq 0 ]]
