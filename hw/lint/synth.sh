#!/usr/bin/env bash
# `make synth-generic`: technology-independent yosys `synth` of bm_top for one
# preset, the scratchpad SRAMs as black-box macros (hw/lint/bm_sram_bb.v),
# hierarchical (each distinct module/parameter pair optimised once; totals
# from `stat -top bm_top`). Not part of `make lint`/`make test`: it costs
# minutes of CPU and counts generic gates, not FPGA resources (the xcup
# counts come from scripts/sweep_synth.py). Fails on any yosys warning.
# Usage: hw/lint/synth.sh OUTDIR [PRESET] [extra synth options, e.g. -flatten]
set -u
if [[ ${1:-} == -h || ${1:-} == --help || $# -lt 1 ]]; then sed -n '2,8p' "$0" | cut -c3-; exit $([[ $# -lt 1 ]] && echo 2 || echo 0); fi
out=$1; preset=${2:-default}; extra=${3:-}; mkdir -p "$out"
pk="hw/rtl/gen/bm_isa_pkg.sv hw/rtl/gen/bm_regs_pkg.sv hw/rtl/gen/presets/$preset.sv"
nosram=$(ls hw/rtl/{pe,array,mem,ctrl,axi,top}/bm_*.sv | grep -v bm_sram.sv | tr '\n' ' ')
rc=0
t0=$(date +%s)
yosys -q -l "$out/generic.log" -p "read_verilog -lib hw/lint/bm_sram_bb.v; read_verilog -sv $pk $nosram;
  synth -top bm_top $extra; tee -q -o $out/generic_stat.txt stat -top bm_top" >/dev/null 2>&1 || rc=1
t1=$(date +%s)
w=$(grep -hE '^(Warning|ERROR)' "$out/generic.log" | sort -u)
[[ -n "$w" ]] && { echo "$w" | head -20; rc=1; }
# the totals: the "design hierarchy" section (or the only one when flattened)
sect() { if grep -q '=== design hierarchy ===' "$1" 2>/dev/null; then sed -n '/=== design hierarchy ===/,$p' "$1"; else cat "$1" 2>/dev/null; fi; }
g_cells=$(sect "$out/generic_stat.txt" | awk '/Number of cells:/ {n=$4} END {print n}')
g_sram=$(sect "$out/generic_stat.txt" | awk '$1 ~ /bm_sram/ {s += $2} END {print s+0}')
cpu=$(sed -n 's/.*CPU: user \([0-9.]*\)s system \([0-9.]*\)s.*/\1 \2/p' "$out/generic.log" | awk '{printf "%.0f", $1+$2}')
echo "synth-generic[$preset]: $g_cells cells + $g_sram SRAM macros ($((t1-t0)) s wall, ${cpu:-?} s CPU of yosys)" | tee "$out/summary.txt"
exit $rc
