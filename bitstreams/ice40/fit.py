#!/usr/bin/env python3
"""Per-module iCE40 resources from a yosys `stat` of a `synth_ice40 -noflatten`
run (argv[1]): SB_LUT4, flip-flops (all SB_DFF*), SB_CARRY, SB_RAM40_4K,
SB_SPRAM256KA and SB_MAC16 of every module, multiplied by its instance count
in the design hierarchy and summed per module name (parameterised copies
merged), then the totals against the UP5K (5280 logic cells, 30 EBR, 4 SPRAM,
8 DSP). The LUT4 and FF totals are lower bounds of the logic cells nextpnr
needs (a cell holds one LUT4 and one FF). Exit 1 when a total exceeds the
device, so it can gate the place-and-route step."""
import re
import sys
from collections import defaultdict

UP5K = {"lut": 5280, "ff": 5280, "ebr": 30, "spram": 4, "dsp": 8}


def base(name):
    # $paramod$<hash>\bm_spad\LB=... or $paramod\bm_spad\LB=... -> bm_spad
    name = name.lstrip("\\")
    if name.startswith("$paramod"):
        parts = name.split("\\")
        return parts[1] if len(parts) > 1 else name
    return name


def parse(text):
    """Cells per module, and instances per module over the whole design: the
    hierarchy lists each child's count per instance of its parent (indented
    two more spaces), so counts multiply down the tree and add up over the
    places a module appears."""
    mods, hier, cur, in_hier, stack = {}, defaultdict(int), None, False, []
    for line in text.splitlines():
        m = re.match(r"^=== (.*) ===$", line.strip())
        if m:
            cur = m.group(1)
            in_hier = cur == "design hierarchy"
            if not in_hier:
                mods[cur] = defaultdict(int)
            continue
        m = re.match(r"^(\s+)(\S+)\s+(\d+)$", line)
        if not m or cur is None:
            continue
        if in_hier:
            depth = len(m.group(1))
            while stack and stack[-1][0] >= depth:
                stack.pop()
            n = int(m.group(3)) * (stack[-1][1] if stack else 1)
            stack.append((depth, n))
            hier[m.group(2)] += n
        else:
            mods[cur][m.group(2)] = int(m.group(3))
    return mods, dict(hier)


def main():
    mods, hier = parse(open(sys.argv[1]).read())
    if not hier:  # single module: count each once
        hier = {m: 1 for m in mods}
    rows = defaultdict(lambda: defaultdict(int))
    for m, n in hier.items():
        cells = mods.get(m)
        if cells is None:
            continue
        r = rows[base(m)]
        r["inst"] += n
        for c, k in cells.items():
            key = {"SB_LUT4": "lut", "SB_CARRY": "carry", "SB_RAM40_4K": "ebr",
                   "SB_SPRAM256KA": "spram", "SB_MAC16": "dsp"}.get(c)
            if c.startswith("SB_DFF"):
                key = "ff"
            if key:
                r[key] += n * k
    cols = ["inst", "lut", "ff", "carry", "ebr", "spram", "dsp"]
    print(f"{'module':24s} " + " ".join(f"{c:>6s}" for c in cols))
    tot = defaultdict(int)
    for name, r in sorted(rows.items(), key=lambda kv: -kv[1]["lut"]):
        print(f"{name:24s} " + " ".join(f"{r[c]:6d}" for c in cols))
        for c in cols[1:]:
            tot[c] += r[c]
    print(f"{'total':24s} {'':6s} " + " ".join(f"{tot[c]:6d}" for c in cols[1:]))
    over = []
    for c, lim in UP5K.items():
        if tot[c] > lim:
            over.append(f"{c} {tot[c]} > {lim} (+{tot[c] - lim})")
    print("UP5K: " + ("fits the LUT/FF/EBR/SPRAM/DSP budget (lower bound)" if not over
                      else "does not fit: " + ", ".join(over)))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
