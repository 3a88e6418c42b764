#!/usr/bin/env bash
# Warm the synthesis cache of `make sweep-test` (preset minimal, the entry
# bench/sweep/tiny_synth.spec asks for) in the background while the other
# suites run: yosys is single-threaded and the RTL suite leaves a core idle
# while it runs its programs. sweep-test then finds the entry or waits on its
# lock; if this fails, sweep-test synthesizes as usual.
# Usage: bench/sweep/prefetch_synth.sh BUILD
set -u
build=$1
mkdir -p "$build/sweep-test-synth"
exec nice -n 5 python3 scripts/sweep_synth.py --cache "$build/sweep-test-synth" --timeout 1800 --mode auto \
  --preset minimal > "$build/sweep-test-synth/prefetch.log" 2>&1
