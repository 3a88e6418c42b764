#!/usr/bin/env python3
"""After `make sweep-example`: the summary table and the area table between
the markers of docs/sweeps.md and the PNG plots copied to docs/img/sweep_*.png.

  example_doc.py SWEEP_DIR DOC IMG_DIR [SYNTH_CACHE]

SYNTH_CACHE (the sweep's --synth-cache) adds the CPU seconds of each
configuration's yosys run from its cache entry (scripts/sweep_synth.py)."""
import csv, glob, shutil, sys, os

if len(sys.argv) < 4 or sys.argv[1] in ("-h", "--help"):
    print(__doc__)
    sys.exit(0 if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help") else 2)
d, doc, img = sys.argv[1], sys.argv[2], sys.argv[3]
cache = sys.argv[4] if len(sys.argv) > 4 else None
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


def cpu_seconds(r):
    """cpu_seconds of the xcup cache entry with this shape and these counts."""
    for res in glob.glob(f"{cache}/xcup-{r['rows']}x{r['cols']}x{r['lanes']}-*/result.txt") if cache else []:
        kv = dict(line.rstrip("\n").split("=", 1) for line in open(res) if "=" in line)
        if kv.get("status") == "ok" and all(kv.get(k) == r[c] for k, c in
                                            (("lut", "lut_cells"), ("ff", "ff_cells"), ("dsp", "dsp_cells"))):
            return kv.get("cpu_seconds", "")
    return ""


area = [f"`make sweep-example` (git {rows[0]['git_rev']}; {rows[0]['synth_tools']}), one row per shape:\n",
        "| shape | rows×cols×lanes | LUT | FF | CARRY | DSP48E2 | BRAM (36 Kb) | LUTRAM | yosys CPU s | yosys wall s | iCE40 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
for s in shapes:
    r = next(x for x in rows if x["shape"] == s)
    if not r["lut_cells"]:
        area.append(f"| `{s}` | {r['rows']}×{r['cols']}×{r['lanes']} | | | | | | | | | {r['synth_note']} |")
        continue
    area.append(f"| `{s}` | {r['rows']}×{r['cols']}×{r['lanes']} | {int(r['lut_cells']):,} | {int(r['ff_cells']):,} | "
                f"{int(r['carry_cells']):,} | {r['dsp_cells']} | {r['bram_36k_blocks']} | {r['lutram_cells']} | "
                f"{cpu_seconds(r)} | {float(r['synth_seconds'] or 0):.0f} | {r['ice40_fit']} |")
text = open(doc).read()
for (b, e), body in ((("<!-- BEGIN example (make sweep-example) -->", "<!-- END example -->"), out),
                     (("<!-- BEGIN area (make sweep-example) -->", "<!-- END area -->"), area)):
    if b not in text:
        continue
    i, j = text.index(b) + len(b), text.index(e)
    text = text[:i] + "\n" + "\n".join(body) + "\n" + text[j:]
open(doc, "w").write(text)
os.makedirs(img, exist_ok=True)
for p in ("accuracy_vs_bits", "cycles_vs_bits", "util_per_layer", "area_vs_throughput"):
    src = f"{d}/plots/{p}.png"
    if os.path.exists(src): shutil.copy(src, f"{img}/sweep_{p}.png")
print(f"example_doc: {doc} table and {img}/sweep_*.png updated")
