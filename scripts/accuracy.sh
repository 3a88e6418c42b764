#!/usr/bin/env bash
# `make accuracy`: perplexity of stories260K on tinystories_val.txt for every
# weight format, on the reference model of the accelerator (bit-identical to
# the RTL, see tests/e2e), written to $BUILD/accuracy/accuracy.csv and
# docs/accuracy.md. Protocol: calibration = the first 16 x 256-token
# sequences of the text (GPTQ, Wanda, SparseGPT); evaluation = the next
# MAX_TOKENS tokens after that span (skip 4080), windows of 256, BOS per
# window (docs/eval.md). Every number is from one run of this script.
set -euo pipefail
# stories260K-sized matrices run fastest on one BLAS thread (docs/models.md).
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
build=$1; data=$2; max=${ACC_TOKENS:-8192}
bin=$build/bin/bitmill; model=$data/stories260K.bin; text=$data/tinystories_val.txt
out=$build/accuracy; mkdir -p "$out"; csv=$out/accuracy.csv
skip=4080; dev=ref://default
common=(--text "$text" --skip-tokens $skip --max-tokens "$max" --window 256 --json --quiet)
cal=(--calib "$text")
# name | options
configs=(
  "fp32|--dtype fp32"
  "INT8 RTN|--device $dev --dtype int --bits 8 --group 32"
  "INT6 RTN|--device $dev --dtype int --bits 6 --group 32"
  "INT4 RTN|--device $dev --dtype int --bits 4 --group 32"
  "INT3 RTN|--device $dev --dtype int --bits 3 --group 32"
  "INT2 RTN|--device $dev --dtype int --bits 2 --group 32"
  "INT8 asym RTN|--device $dev --dtype int-asym --bits 8 --group 32"
  "INT6 asym RTN|--device $dev --dtype int-asym --bits 6 --group 32"
  "INT4 asym RTN|--device $dev --dtype int-asym --bits 4 --group 32"
  "INT3 asym RTN|--device $dev --dtype int-asym --bits 3 --group 32"
  "BitMoD W4 RTN|--device $dev --dtype bitmod --bits 4 --group 32"
  "BitMoD W3 RTN|--device $dev --dtype bitmod --bits 3 --group 32"
  "W2* (ABQ) RTN|--device $dev --dtype abq --group 32"
  "INT4 GPTQ|--device $dev --dtype int --bits 4 --group 32 --method gptq ${cal[*]}"
  "INT3 GPTQ|--device $dev --dtype int --bits 3 --group 32 --method gptq ${cal[*]}"
  "BitMoD W4 GPTQ|--device $dev --dtype bitmod --bits 4 --group 32 --method gptq ${cal[*]}"
  "BitMoD W3 GPTQ|--device $dev --dtype bitmod --bits 3 --group 32 --method gptq ${cal[*]}"
  "2:4 magnitude (fp32)|--dtype fp32 --prune magnitude"
  "2:4 Wanda (fp32)|--dtype fp32 --prune wanda ${cal[*]}"
  "2:4 SparseGPT (fp32)|--dtype fp32 --prune sparsegpt ${cal[*]}"
  "2:4 magnitude + INT4|--device $dev --dtype int --bits 4 --group 32 --prune magnitude"
  "2:4 Wanda + INT4|--device $dev --dtype int --bits 4 --group 32 --prune wanda ${cal[*]}"
  "2:4 SparseGPT + INT4 GPTQ|--device $dev --dtype int --bits 4 --group 32 --prune sparsegpt --method gptq ${cal[*]}"
)
rm -f "$out"/row-*.json
run_one() {  # index
  local i=$1 name=${configs[$1]%%|*} opts=${configs[$1]#*|}
  # shellcheck disable=SC2086
  "$bin" eval "$model" "${common[@]}" $opts > "$out/row-$(printf %02d "$i").json"
  echo "  done: $name" >&2
}
export -f run_one
n=${#configs[@]}
echo "accuracy: $n configurations, $max tokens each, 2 at a time" >&2
for ((i = 0; i < n; i += 2)); do
  run_one $i & p1=$!
  if ((i + 1 < n)); then run_one $((i + 1)) & p2=$!; wait $p2; fi
  wait $p1
done
python3 - "$csv" "$max" "$skip" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "${configs[@]}" <<'PY'
import json, sys, glob, os
csv, maxtok, skip, rev, configs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
rows = []
for i, c in enumerate(configs):
    j = json.load(open(os.path.join(os.path.dirname(csv), f"row-{i:02d}.json")))
    rows.append((c.split("|")[0], j))
base = rows[0][1]["perplexity"]
with open(csv, "w") as f:
    f.write("format,perplexity,ratio_to_fp32,bits_per_weight,tokens,skip_tokens,window,device,git\n")
    for name, j in rows:
        f.write(f"{name},{j['perplexity']:.4f},{j['perplexity']/base:.4f},{j['bits_per_weight']:.4f},"
                f"{j['tokens']},{j['skip_tokens']},{j['window']},{j['device']},{rev}\n")
md = ["| format | perplexity | vs fp32 | bits/weight |", "|---|---|---|---|"]
for name, j in rows:
    bpw = "32 (fp32)" if j["device"] == "host-fp32" and "2:4" not in name else (
        "fp32, 2:4" if j["device"] == "host-fp32" else f"{j['bits_per_weight']:.3f}")
    md.append(f"| {name} | {j['perplexity']:.3f} | {j['perplexity']/base:.3f}x | {bpw} |")
open(csv.replace(".csv", ".md"), "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
# Splice the table into docs/accuracy.md between its markers.
python3 - "$out/accuracy.md" docs/accuracy.md "$max" <<'PY'
import sys
table, doc, maxtok = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
text = open(doc).read()
a, b = text.index("<!-- BEGIN TABLE -->"), text.index("<!-- END TABLE -->")
text = text[:a] + "<!-- BEGIN TABLE -->\n" + table + text[b:]
open(doc, "w").write(text)
PY
echo "accuracy: wrote $csv and docs/accuracy.md"
