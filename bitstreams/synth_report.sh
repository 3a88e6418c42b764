#!/usr/bin/env bash
# bitstreams/synth_report.sh OUTDIR PRESET...: yosys 0.23 resource estimates of
# bm_top per preset, for docs/bitstreams.md: `synth_ice40` (LUT4, FF, SB_MAC16,
# EBR, SPRAM) and `synth_xilinx -family xcup` (LUT, FF, CARRY8, DSP48E2,
# RAMB36/18). Flattened, as the bitstream flow. One line per preset and family
# in OUTDIR/summary.txt; SYNTH_TIMEOUT (seconds, default 7200) bounds each run.
set -u
out=$1; shift
mkdir -p "$out"
rtl=$(ls hw/rtl/{pe,array,mem,ctrl,axi,top}/bm_*.sv | tr '\n' ' ')
to=${SYNTH_TIMEOUT:-7200}
sum() { awk -v pat="$2" '$1 ~ pat {s += $2} END {print s+0}' "$1"; }
for p in "$@"; do
    d=$out/$p; mkdir -p "$d"
    src="hw/rtl/gen/bm_isa_pkg.sv hw/rtl/gen/bm_regs_pkg.sv hw/rtl/gen/presets/$p.sv $rtl"
    for fam in ice40 xcup; do
        if [[ $fam == ice40 ]]; then cmd="synth_ice40 -top bm_top"; else cmd="synth_xilinx -family xcup -top bm_top -flatten"; fi
        t0=$(date +%s)
        if timeout "$to" yosys -q -l "$d/$fam.log" -p "read_verilog -sv -defer $src; hierarchy -top bm_top;
             $cmd; tee -q -o $d/${fam}_stat.txt stat" > /dev/null 2>&1; then
            s=$d/${fam}_stat.txt; t=$(( $(date +%s) - t0 ))
            if [[ $fam == ice40 ]]; then
                echo "$p ice40: LUT4 $(sum "$s" '^SB_LUT4$') FF $(sum "$s" '^SB_DFF') CARRY $(sum "$s" '^SB_CARRY$') DSP $(sum "$s" '^SB_MAC16$') EBR $(sum "$s" '^SB_RAM40_4K') SPRAM $(sum "$s" '^SB_SPRAM256KA$') (${t} s)"
            else
                echo "$p xcup: LUT $(sum "$s" '^LUT[1-6]$') FF $(sum "$s" '^FD') CARRY8 $(sum "$s" '^CARRY') DSP $(sum "$s" '^DSP48') RAMB36 $(sum "$s" '^RAMB36') RAMB18 $(sum "$s" '^RAMB18') LUTRAM $(sum "$s" '^RAM(32|64|128|256)') (${t} s)"
            fi
        else
            echo "$p $fam: yosys failed or timed out after $(( $(date +%s) - t0 )) s (log $d/$fam.log)"
        fi | tee -a "$out/summary.txt"
    done
done
