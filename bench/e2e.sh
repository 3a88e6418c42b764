#!/usr/bin/env bash
# stories260K, BitMoD W4 g24 (a whole number of steps on every preset), 32 decoded tokens on each preset's cycle model:
# cycles/token, utilization, modeled tokens/s -> $BUILD/bench/e2e.csv
set -euo pipefail
# stories260K-sized matrices run fastest on one BLAS thread (docs/models.md).
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
build=$1; data=$2; bin=$build/bin/bitmill; csv=$build/bench/e2e.csv
echo "preset,format,bits_per_weight,tokens,cycles_per_token,utilization,modeled_tokens_per_s,sim_tokens_per_s" > "$csv"
for p in default decode odd minimal ice40; do
  j=$("$bin" run "$data/stories260K.bin" --prompt "Once upon a time" --steps 32 --device "ref://$p" --dtype bitmod --bits 4 --group 24 --json)
  python3 - "$p" "$j" >> "$csv" <<'PY'
import json, sys
p, j = sys.argv[1], json.loads(sys.argv[2])
print(f"{p},{j['format']},{j['bits_per_weight']:.4f},{j['tokens']},{j['cycles_per_token']:.1f},"
      f"{j['utilization']:.4f},{j['modeled_tokens_per_s']:.1f},{j['sim_tokens_per_s']:.2f}")
PY
done
column -s, -t < "$csv"
