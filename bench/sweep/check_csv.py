#!/usr/bin/env python3
"""Check a sweep folder: results.csv / summary.csv schema, one row set per
point, provenance columns, zero cycle deviation wherever the RTL ran, and
the synthesis columns (units, source, filled exactly when synthesis ran).

  check_csv.py DIR NPOINTS [--synth required|off|any] [--no-rtl]
"""
import csv, sys

UNITS = ("cycles", "bytes", "ratio", "_per_", "tokens", "bits", "_mhz", "_us", "_36k")
NUMERIC = ["rows", "cols", "lanes", "bits", "group", "m_tokens", "n_out", "k_in", "terms", "bits_per_weight",
           "cycles", "ideal_cycles", "util_ratio", "dram_bytes", "dram_bytes_per_cycle"]
d, npts = sys.argv[1], int(sys.argv[2])
opt = sys.argv[3:]
want_synth = opt[opt.index("--synth") + 1] if "--synth" in opt else "any"
want_rtl = "--no-rtl" not in opt
# Synthesis columns and their units (cells, blocks, seconds, MHz).
RES = ["lut_cells", "ff_cells", "carry_cells", "dsp_cells", "bram_36k_blocks", "lutram_cells"]
SYN = RES + ["synth_seconds", "ice40_fit", "ice40_lut4_cells", "fmax_mhz", "synth_note", "synth_tools"]
SOURCES = ("synthesis", "synthesis-timeout", "synthesis-failed", "synthesis-off")
fails = []
rows = list(csv.DictReader(open(f"{d}/results.csv")))
summ = list(csv.DictReader(open(f"{d}/summary.csv")))
hdr = open(f"{d}/results.csv").readline().strip().split(",")
for c in ["point_id", "cycles", "ld_wait_mem_cycles", "cp_wait_tok_cycles", "st_busy_cycles", "util_ratio",
          "dram_bytes", "dram_bytes_per_cycle", "bits_per_weight", "rel_error", "perplexity",
          "rtl_deviation_cycles", "source", "tool_version", "git_rev"] + SYN:
    if c not in hdr: fails.append(f"results.csv lacks column {c}")
shdr = open(f"{d}/summary.csv").readline().strip().split(",")
for c in SYN + ["source"]:
    if c not in shdr: fails.append(f"summary.csv lacks column {c}")
for c in SYN:
    if not c.endswith(("_cells", "_blocks", "_seconds", "_mhz", "_fit", "_note", "_tools")):
        fails.append(f"column {c} has no unit in its name")
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
    # Synthesis: resources filled iff synthesis ran; the note says why not.
    syn = src[1] if len(src) > 1 else ""
    if syn not in SOURCES: fails.append(f"{r['point_id']}: resource source '{syn}' not one of {SOURCES}")
    if want_synth == "required" and syn != "synthesis":
        fails.append(f"{r['point_id']}: no synthesis ({syn}: {r['synth_note']})")
    if want_synth == "off" and syn != "synthesis-off": fails.append(f"{r['point_id']}: synthesis ran ({syn})")
    if syn == "synthesis":
        for c in RES:
            if not r[c].replace(".", "", 1).isdigit(): fails.append(f"{r['point_id']}: {c} = '{r[c]}'")
        if r["lut_cells"].isdigit() and (int(r["lut_cells"]) == 0 or int(r["ff_cells"]) == 0):
            fails.append(f"{r['point_id']}: zero LUTs or FFs")
        if not r["synth_tools"].startswith("yosys "): fails.append(f"{r['point_id']}: synth_tools '{r['synth_tools']}'")
    else:
        if any(r[c] for c in RES): fails.append(f"{r['point_id']}: resources filled without synthesis")
        if not r["synth_note"]: fails.append(f"{r['point_id']}: {syn} without a note")
    if r["ice40_fit"] not in ("yes", "no", "skipped", "timeout", "failed"):
        fails.append(f"{r['point_id']}: ice40_fit '{r['ice40_fit']}'")
    if (r["fmax_mhz"] != "") != (r["ice40_fit"] == "yes"):
        fails.append(f"{r['point_id']}: fmax_mhz '{r['fmax_mhz']}' with ice40_fit {r['ice40_fit']}")
    if r["preset"] != "synth" and r["source"].endswith("no-rtl-for-shape"):
        fails.append(f"{r['point_id']}: preset without RTL tag")
# summary.csv carries each point's resources unchanged.
first = {}
for r in rows: first.setdefault(r["point_id"], r)
for sr in summ:
    r = first.get(sr["point_id"])
    if r and any(sr[c] != r[c] for c in SYN): fails.append(f"summary {sr['point_id']}: synthesis columns differ")
if want_rtl and checked == 0: fails.append("no row was checked against the RTL")
for f in fails: print("FAIL check_csv:", f)
print(f"check_csv: {len(rows)} rows, {len(ids)} points, {checked} RTL-checked rows, {len(fails)} problems")
sys.exit(1 if fails else 0)
