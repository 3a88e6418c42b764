#!/usr/bin/env python3
"""Merge the key figures of every BUILD/bench/*.csv into BUILD/bench/summary.csv
(one row per benchmark row and numeric column: bench, case, metric, value)
and print it as a table. The case is the row's text columns joined by '/'."""
import csv, glob, os, sys

d = sys.argv[1]
out = os.path.join(d, "summary.csv")
rows = []
for f in sorted(glob.glob(os.path.join(d, "*.csv"))):
    if os.path.basename(f) == "summary.csv":
        continue
    bench = os.path.splitext(os.path.basename(f))[0]
    with open(f) as fh:
        lines = [l for l in fh if not l.startswith("#")]
    for r in csv.DictReader(lines):
        text, nums = [], []
        for k, v in r.items():
            try:
                nums.append((k, float(v)))
            except (TypeError, ValueError):
                if v: text.append(v)
        case = "/".join(text) or "-"
        for k, v in nums:
            rows.append((bench, case, k, f"{v:.6g}"))
with open(out, "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["bench", "case", "metric", "value"])
    w.writerows(rows)
wid = [max(len(str(x[i])) for x in rows + [("bench", "case", "metric", "value")]) for i in range(4)]
for r in [("bench", "case", "metric", "value")] + rows:
    print("  ".join(str(c).ljust(wid[i]) for i, c in enumerate(r)))
print(f"bench-summary: {len(rows)} figures from {len(set(r[0] for r in rows))} CSVs -> {out}")
