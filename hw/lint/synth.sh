#!/usr/bin/env bash
# Yosys 0.23 synthesis of bm_top for one preset: generic `synth` (SRAMs as
# black boxes) and `synth_xilinx -family xcup` (block RAM inferred). Prints
# the resource summary, fails on any yosys warning or error.
# Usage: hw/lint/synth.sh OUTDIR [PRESET]
set -u
out=$1; preset=${2:-default}; mkdir -p "$out"
rtl=$(ls hw/rtl/{pe,array,mem,ctrl,axi,top}/bm_*.sv | tr '\n' ' ')
pk="hw/rtl/gen/bm_isa_pkg.sv hw/rtl/gen/bm_regs_pkg.sv hw/rtl/gen/presets/$preset.sv"
nosram=$(ls hw/rtl/{pe,array,mem,ctrl,axi,top}/bm_*.sv | grep -v bm_sram.sv | tr '\n' ' ')
rc=0
yosys -q -l "$out/generic.log" -p "read_verilog -lib hw/lint/bm_sram_bb.v; read_verilog -sv $pk $nosram;
  synth -top bm_top -flatten; tee -q -o $out/generic_stat.txt stat" >/dev/null 2>&1 || rc=1
yosys -q -l "$out/xcup.log" -p "read_verilog -sv $pk $rtl;
  synth_xilinx -family xcup -top bm_top -flatten; tee -q -o $out/xcup_stat.txt stat" >/dev/null 2>&1 || rc=1
w=$(grep -hE '^(Warning|ERROR)' "$out/generic.log" "$out/xcup.log" | sort -u)
[[ -n "$w" ]] && { echo "$w" | head -20; rc=1; }
g_cells=$(awk '/Number of cells:/ {n=$4} END {print n}' "$out/generic_stat.txt" 2>/dev/null)
g_sram=$(grep -c 'bm_sram' "$out/generic_stat.txt" 2>/dev/null)
sum() { awk -v pat="$1" '$1 ~ pat {s += $2} END {print s+0}' "$out/xcup_stat.txt" 2>/dev/null; }
lut=$(sum '^LUT[1-6]$'); ff=$(sum '^FD'); carry=$(sum '^CARRY'); dsp=$(sum '^DSP48'); 
b36=$(sum '^RAMB36'); b18=$(sum '^RAMB18'); lram=$(sum '^RAM(32|64|128|256)')
echo "synth[$preset] generic: $g_cells cells (+ SRAM macros); xcup: LUT $lut FF $ff CARRY $carry DSP $dsp BRAM36 $b36 BRAM18 $b18 LUTRAM $lram" | tee "$out/summary.txt"
exit $rc
