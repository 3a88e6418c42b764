#!/usr/bin/env python3
"""After `make sweep-example`: the summary table between the markers of
docs/sweeps.md and the PNG plots copied to docs/img/sweep_*.png."""
import csv, shutil, sys, os

d, doc, img = sys.argv[1], sys.argv[2], sys.argv[3]
rows = list(csv.DictReader(open(f"{d}/summary.csv")))
shapes = []
for r in rows:
    if r["shape"] not in shapes: shapes.append(r["shape"])
fmts = {}
for r in rows:
    key = (r["dtype"], int(r["bits"]), r["sparsity"])
    fmts.setdefault(key, {})[r["shape"]] = r
name = {"int": "INT", "bitmod": "BitMoD", "abq": "ABQ W2*", "int-asym": "INT-asym"}
out = [f"`make sweep-example` (git {rows[0]['git_rev']}; {len(rows)} points, "
       f"{sum(int(r['rtl_layers_checked']) for r in rows)} layer runs checked on the RTL, "
       f"largest |RTL - model| deviation {max(float(r['rtl_max_abs_deviation_cycles'] or 0) for r in rows):.0f} cycles). "
       f"Perplexity on {rows[0]['ppl_tokens']} tokens, fp32 {rows[0]['fp32_perplexity']}; cycles per token = all 35 "
       "linear layers for one token of a 16-token prefill.\n",
       "| format | sparsity | bits/weight | perplexity | " + " | ".join(f"cycles/token {s}" for s in shapes) +
       " | " + " | ".join(f"util {s}" for s in shapes) + " |",
       "|---|---|---:|---:|" + "---:|" * (2 * len(shapes))]
for key in sorted(fmts, key=lambda k: (k[2] != "none", float(next(iter(fmts[k].values()))["bits_per_weight"]))):
    f = fmts[key]
    r0 = next(iter(f.values()))
    label = name.get(key[0], key[0]) + ("" if key[0] == "abq" else f" W{key[1]}")
    out.append(f"| {label} | {key[2]} | {float(r0['bits_per_weight']):.3f} | {float(r0['perplexity']):.3f} | " +
               " | ".join(f"{float(f[s]['cycles_per_token']):,.0f}" if s in f else "" for s in shapes) + " | " +
               " | ".join(f"{float(f[s]['util_ratio']):.3f}" if s in f else "" for s in shapes) + " |")
text = open(doc).read()
b, e = "<!-- BEGIN example (make sweep-example) -->", "<!-- END example -->"
i, j = text.index(b) + len(b), text.index(e)
open(doc, "w").write(text[:i] + "\n" + "\n".join(out) + "\n" + text[j:])
os.makedirs(img, exist_ok=True)
for p in ("accuracy_vs_bits", "cycles_vs_bits", "util_per_layer", "area_vs_throughput"):
    src = f"{d}/plots/{p}.png"
    if os.path.exists(src): shutil.copy(src, f"{img}/sweep_{p}.png")
print(f"example_doc: {doc} table and {img}/sweep_*.png updated")
