#!/usr/bin/env bash
# `make run`: the main job. Loads stories260K, runs the fp32 reference, then
# quantizes every linear layer to BitMoD W4, compiles it for the accelerator
# and generates a story on the simulated hardware, with cycles, utilization
# and bits per weight; finally perplexity on a slice of held-out text next to
# fp32.
set -euo pipefail
# stories260K-sized matrices run fastest on one BLAS thread (docs/models.md).
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
build=$1; data=$2; preset=$3
bin=$build/bin/bitmill
model=$data/stories260K.bin
text=$data/tinystories_val.txt
for f in "$model" "$text" "$data/tok512.bin"; do
  [[ -f $f ]] || { echo "make run: missing $f (set DATA_DIR to the folder holding stories260K)" >&2; exit 1; }
done
# The Verilator model is used when it has been built for this preset.
if [[ -f $build/sim/$preset/libbmsim.so ]]; then device=sim://$preset; else
  device=ref://$preset
  echo "note: Verilator model for preset $preset not built; using the reference model ($device)"
fi
fmt=(--dtype bitmod --bits 4 --group 32)

echo "== stories260K, fp32 on the host"
"$bin" run "$model" --prompt "Once upon a time" --steps 60
echo
echo "== stories260K, BitMoD W4 (group 32, A8) on $device"
"$bin" run "$model" --prompt "Once upon a time" --steps 60 --device "$device" "${fmt[@]}"
echo
echo "== perplexity on the first 512 tokens of tinystories_val.txt (window 256, BOS per window; docs/eval.md)"
printf "fp32 (host):          "; "$bin" eval "$model" --text "$text" --max-tokens 512 --quiet
printf "BitMoD W4 g32 (%s): " "$device"; "$bin" eval "$model" --text "$text" --max-tokens 512 --quiet --device "$device" "${fmt[@]}"
