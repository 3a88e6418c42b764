#!/usr/bin/env python3
"""Check a sweep folder: results.csv / summary.csv schema, one row set per
point, provenance columns, and zero cycle deviation wherever the RTL ran."""
import csv, sys

UNITS = ("cycles", "bytes", "ratio", "_per_", "tokens", "bits", "_mhz", "_us", "_36k")
NUMERIC = ["rows", "cols", "lanes", "bits", "group", "m_tokens", "n_out", "k_in", "terms", "bits_per_weight",
           "cycles", "ideal_cycles", "util_ratio", "dram_bytes", "dram_bytes_per_cycle"]
d, npts = sys.argv[1], int(sys.argv[2])
fails = []
rows = list(csv.DictReader(open(f"{d}/results.csv")))
summ = list(csv.DictReader(open(f"{d}/summary.csv")))
hdr = open(f"{d}/results.csv").readline().strip().split(",")
for c in ["point_id", "cycles", "ld_wait_mem_cycles", "cp_wait_tok_cycles", "st_busy_cycles", "util_ratio",
          "dram_bytes", "dram_bytes_per_cycle", "bits_per_weight", "rel_error", "perplexity", "lut", "bram_36k",
          "rtl_deviation_cycles", "source", "tool_version", "git_rev"]:
    if c not in hdr: fails.append(f"results.csv lacks column {c}")
ids = {r["point_id"] for r in rows}
if len(ids) != npts: fails.append(f"{len(ids)} points in results.csv, want {npts}")
if len(summ) != npts: fails.append(f"{len(summ)} rows in summary.csv, want {npts}")
# Each point's rows are contiguous (appended whole) and not duplicated.
seen, prev = set(), None
for r in rows:
    if r["point_id"] != prev:
        if r["point_id"] in seen: fails.append(f"point {r['point_id']} appears twice")
        seen.add(r["point_id"]); prev = r["point_id"]
checked = 0
for r in rows:
    for c in NUMERIC:
        try: float(r[c])
        except ValueError: fails.append(f"{r['point_id']} {r['layer']}: {c} = '{r[c]}' is not a number")
    if not r["tool_version"].startswith("bitmill") or not r["git_rev"]:
        fails.append(f"{r['point_id']}: no provenance")
    u = float(r["util_ratio"])
    if not 0 < u <= 1.0001: fails.append(f"{r['point_id']} {r['layer']}: util_ratio {u} outside (0, 1]")
    src = r["source"].split(";")
    if src[0] not in ("rtl", "cycle-model"): fails.append(f"bad source {r['source']}")
    if r["rtl_deviation_cycles"] != "":
        checked += 1
        if int(r["rtl_deviation_cycles"]) != 0 or int(r["rtl_counter_diffs"]) != 0:
            fails.append(f"{r['point_id']} {r['layer']}: RTL {r['rtl_cycles']} cycles vs model {r['cycles']} "
                         f"({r['rtl_counter_diffs']} counters differ)")
        if src[0] != "rtl": fails.append(f"{r['point_id']}: RTL ran but source is {r['source']}")
    if r["preset"] != "synth" and r["source"].endswith("no-rtl-for-shape"):
        fails.append(f"{r['point_id']}: preset without RTL tag")
if checked == 0: fails.append("no row was checked against the RTL")
for f in fails: print("FAIL check_csv:", f)
print(f"check_csv: {len(rows)} rows, {len(ids)} points, {checked} RTL-checked rows, {len(fails)} problems")
sys.exit(1 if fails else 0)
