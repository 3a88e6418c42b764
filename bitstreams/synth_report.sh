#!/usr/bin/env bash
# bitstreams/synth_report.sh OUTDIR PRESET...: yosys 0.23 resource estimates of
# bm_top per preset, for docs/bitstreams.md: `synth_ice40 -dsp` of bm_top,
# flattened, as the bitstream flow (LUT4, FF, SB_MAC16, EBR, SPRAM), and
# `synth_xilinx -family xcup` (LUT, FF, CARRY4, DSP48E2, RAMB36/18, LUTRAM)
# through the shared synthesis driver scripts/sweep_synth.py (hierarchical,
# cached in SYNTH_CACHE, default OUTDIR/../../synth-cache = BUILD/synth-cache:
# the entry `make lint` and the sweeps use). One line per preset and family
# in OUTDIR/summary.txt; SYNTH_TIMEOUT (seconds, default 7200) bounds each run.
set -u
if [[ ${1:-} == -h || ${1:-} == --help || $# -lt 2 ]]; then sed -n '2,9p' "$0" | cut -c3-; exit $([[ $# -lt 2 ]] && echo 2 || echo 0); fi
out=$1; shift
mkdir -p "$out"
cache=${SYNTH_CACHE:-$out/../../synth-cache}
rtl=$(ls hw/rtl/{pe,array,mem,ctrl,axi,top}/bm_*.sv | tr '\n' ' ')
to=${SYNTH_TIMEOUT:-7200}
sum() { awk -v pat="$2" '$1 ~ pat {s += $2} END {print s+0}' "$1"; }
val() { sed -n "s/^$1=//p" "$2"; }
for p in "$@"; do
    d=$out/$p; mkdir -p "$d"
    src="hw/rtl/gen/bm_isa_pkg.sv hw/rtl/gen/bm_regs_pkg.sv hw/rtl/gen/presets/$p.sv $rtl"
    t0=$(date +%s)
    if timeout "$to" yosys -q -l "$d/ice40.log" -p "read_verilog -sv -defer $src; hierarchy -top bm_top;
         synth_ice40 -dsp -top bm_top; tee -q -o $d/ice40_stat.txt stat" > /dev/null 2>&1; then
        s=$d/ice40_stat.txt; t=$(( $(date +%s) - t0 ))
        echo "$p ice40: LUT4 $(sum "$s" '^SB_LUT4$') FF $(sum "$s" '^SB_DFF') CARRY $(sum "$s" '^SB_CARRY$') DSP $(sum "$s" '^SB_MAC16$') EBR $(sum "$s" '^SB_RAM40_4K') SPRAM $(sum "$s" '^SB_SPRAM256KA$') (${t} s)"
    else
        echo "$p ice40: yosys failed or timed out after $(( $(date +%s) - t0 )) s (log $d/ice40.log)"
    fi | tee -a "$out/summary.txt"
    r=$d/xcup_result.txt
    python3 scripts/sweep_synth.py --cache "$cache" --preset "$p" --mode xcup --timeout "$to" > "$r" 2>&1
    if [[ $(val status "$r") == ok ]]; then
        how=$( [[ $(val cached "$r") == 1 ]] && echo "cached, " )
        echo "$p xcup: LUT $(val lut "$r") FF $(val ff "$r") CARRY $(val carry "$r") DSP $(val dsp "$r") RAMB36 $(val bram36 "$r") RAMB18 $(val bram18 "$r") LUTRAM $(val lutram "$r") (${how}$(val cpu_seconds "$r") s CPU; $(val warnings "$r") unwaived yosys warnings; $(val entry "$r"))"
    else
        echo "$p xcup: $(val status "$r"): $(val note "$r") (driver output $r)"
    fi | tee -a "$out/summary.txt"
done
