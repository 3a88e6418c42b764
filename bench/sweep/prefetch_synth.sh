#!/usr/bin/env bash
# Start the one yosys synthesis `make test` needs -- synth_xilinx of the
# default preset, which `make lint` prints and the sweep-test area columns
# read -- in the background from the start of make test, beside the other
# suites' make jobs (yosys is single-threaded and the longest process). It goes
# through the shared driver (scripts/sweep_synth.py) into SYNTH_CACHE (default
# BUILD/synth-cache), so lint and sweep-test then find the entry or wait on
# its lock; if this fails, they synthesize as usual.
# Usage: bench/sweep/prefetch_synth.sh BUILD
set -u
if [[ ${1:-} == -h || ${1:-} == --help || $# -ne 1 ]]; then sed -n '2,9p' "$0" | cut -c3-; exit $([[ $# -ne 1 ]] && echo 2 || echo 0); fi
build=$1
cache=${SYNTH_CACHE:-$build/synth-cache}
mkdir -p "$cache"
exec python3 scripts/sweep_synth.py --cache "$cache" --timeout 1800 --mode auto \
  --preset default > "$cache/prefetch.log" 2>&1
