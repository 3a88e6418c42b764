#!/usr/bin/env python3
"""Summarise a nextpnr-ice40 --report JSON: device utilisation and the
achieved Fmax of every clock ("Fmax: <MHz> MHz" for the board clock).
Exit 1 when a clock misses the requested frequency (argv[2], MHz)."""
import json
import sys


def main():
    rep = json.load(open(sys.argv[1]))
    want = float(sys.argv[2])
    util = rep.get("utilization", {})
    print("utilisation (nextpnr-ice40, UP5K):")
    for cell in ("ICESTORM_LC", "ICESTORM_RAM", "ICESTORM_SPRAM", "ICESTORM_DSP", "SB_IO", "SB_GB"):
        if cell in util:
            u, a = util[cell]["used"], util[cell]["available"]
            print(f"  {cell:15s} {u:5d} / {a:5d}  ({100.0 * u / a:5.1f} %)")
    fmax = rep.get("fmax", {})
    if not fmax:
        print("Fmax: no clock found in the report")
        return 1
    ok = True
    for clk, f in sorted(fmax.items()):
        got = f["achieved"]
        print(f"Fmax: {got:.2f} MHz (clock {clk}, required {want:g} MHz: {'PASS' if got >= want else 'FAIL'})")
        ok &= got >= want
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
