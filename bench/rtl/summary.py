#!/usr/bin/env python3
"""Print the ratios of bench/rtl (cycles vs bits normalised to W8, dense vs
2:4, utilisation and simulation speed per preset) from build/bench/rtl.csv."""
import csv, sys

rows = list(csv.DictReader(open(sys.argv[1])))
print("\nutilisation (ideal = max(compute, memory roofline)):")
for r in rows:
    if r["workload"] in ("gemm", "gemv"):
        print(f"  {r['preset']:8} {r['workload']:5} M={r['m']:>4} N={r['n']:>5} K={r['k']:>5}: "
              f"{float(r['utilization']):.3f}  ({r['cycles']} cycles, engine {r['engine_cycles']})")
bits = [r for r in rows if r["workload"] == "bits"]
w8 = [r for r in bits if r["dtype"] == "int8"]
if w8:
    base = float(w8[0]["cycles"])
    print("\ncycles vs code bits (default, M=64 N=256 K=1024), normalised to W8:")
    for r in bits:
        print(f"  {r['dtype']:8} bits={r['bits']}: {int(r['cycles']):8}  {float(r['cycles'])/base:.3f}")
sp = [r for r in rows if r["workload"] == "sparsity"]
de = [r for r in bits if r["dtype"] == "int4"]
if sp and de:
    print(f"\ndense vs 2:4 (int4): {de[0]['cycles']} vs {sp[0]['cycles']} cycles "
          f"= {float(de[0]['cycles'])/float(sp[0]['cycles']):.2f}x")
print("\nsimulation speed (Verilator, cycles per wall second):")
seen = {}
for r in rows:
    seen.setdefault(r["preset"], []).append(float(r["sim_cycles_per_s"]))
for p, v in seen.items():
    print(f"  {p:8} {max(v)/1e6:.2f} M cycles/s")
