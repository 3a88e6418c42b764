#!/usr/bin/env bash
# Yosys 0.23 synthesis of bm_top for one preset: generic `synth` (SRAMs as
# black boxes) and `synth_xilinx -family xcup` (block RAM inferred). Both keep
# the module hierarchy: every distinct (module, parameters) pair is optimised
# and mapped once — the 64 identical PEs of `default` cost one PE's ABC run,
# which is what makes this finish in minutes (the flattened design took ~45
# minutes of ABC). Totals are those of `stat -top bm_top` (instances
# multiplied out). Prints the resource summary, fails on any yosys warning or
# error. Usage: hw/lint/synth.sh OUTDIR [PRESET] [extra synth options, e.g. -flatten]
set -u
out=$1; preset=${2:-default}; extra=${3:-}; mkdir -p "$out"
rtl=$(ls hw/rtl/{pe,array,mem,ctrl,axi,top}/bm_*.sv | tr '\n' ' ')
pk="hw/rtl/gen/bm_isa_pkg.sv hw/rtl/gen/bm_regs_pkg.sv hw/rtl/gen/presets/$preset.sv"
nosram=$(ls hw/rtl/{pe,array,mem,ctrl,axi,top}/bm_*.sv | grep -v bm_sram.sv | tr '\n' ' ')
rc=0
t0=$(date +%s)
yosys -q -l "$out/generic.log" -p "read_verilog -lib hw/lint/bm_sram_bb.v; read_verilog -sv $pk $nosram;
  synth -top bm_top $extra; tee -q -o $out/generic_stat.txt stat -top bm_top" >/dev/null 2>&1 || rc=1
t1=$(date +%s)
yosys -q -l "$out/xcup.log" -p "read_verilog -sv $pk $rtl;
  synth_xilinx -family xcup -top bm_top $extra; tee -q -o $out/xcup_stat.txt stat -top bm_top" >/dev/null 2>&1 || rc=1
t2=$(date +%s)
w=$(grep -hE '^(Warning|ERROR)' "$out/generic.log" "$out/xcup.log" | sort -u)
[[ -n "$w" ]] && { echo "$w" | head -20; rc=1; }
# the totals: the "design hierarchy" section (or the only one when flattened)
sect() { if grep -q '=== design hierarchy ===' "$1" 2>/dev/null; then sed -n '/=== design hierarchy ===/,$p' "$1"; else cat "$1" 2>/dev/null; fi; }
g_cells=$(sect "$out/generic_stat.txt" | awk '/Number of cells:/ {n=$4} END {print n}')
g_sram=$(sect "$out/generic_stat.txt" | awk '$1 ~ /bm_sram/ {s += $2} END {print s+0}')
sum() { sect "$out/xcup_stat.txt" | awk -v pat="$1" '$1 ~ pat {s += $2} END {print s+0}'; }
lut=$(sum '^LUT[1-6]$'); ff=$(sum '^FD'); carry=$(sum '^CARRY'); dsp=$(sum '^DSP48');
b36=$(sum '^RAMB36'); b18=$(sum '^RAMB18'); lram=$(sum '^RAM(32|64|128|256)')
echo "synth[$preset] generic: $g_cells cells + $g_sram SRAM macros ($((t1-t0)) s); xcup: LUT $lut FF $ff CARRY $carry DSP $dsp BRAM36 $b36 BRAM18 $b18 LUTRAM $lram ($((t2-t1)) s)" | tee "$out/summary.txt"
exit $rc
