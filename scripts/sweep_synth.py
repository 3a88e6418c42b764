#!/usr/bin/env python3
"""Synthesis of one array configuration for `bitmill sweep` (docs/sweeps.md).

  sweep_synth.py --cache DIR (--params rows=R,cols=C,lanes=L,... | --preset NAME)
                 [--timeout S] [--mode auto|xcup]

--params gives every hardware and run key of a preset (scripts/gen.py
HW_KEYS + RUN_KEYS); --preset NAME reads them from spec/presets/NAME.json
(the same cache entry as the equal --params). The script writes the SystemVerilog package
`bm_cfg_pkg` for them (gen.py's generator, so a preset's parameters give the
text of hw/rtl/gen/presets/<preset>.sv) into the cache entry -- never into
the repository -- and runs

  1. yosys `synth_xilinx -family xcup -flatten` of bm_top: LUT, FF, CARRY8,
     DSP48E2, RAMB36/RAMB18 (as 36 Kb blocks), LUTRAM cells;
  2. with --mode auto, when the configuration can be built on the iCE40
     board at all (32-bit bus as bitstreams/ice40/rtl/bm_ice40_top needs,
     scratchpads within the UP5K's 30 EBR = 15360 bytes, since the board
     memory takes the four SPRAMs): yosys `synth_ice40` of the board top and,
     when its cells are within the UP5K, `nextpnr-ice40 --up5k --package sg48`
     for the fit and the achieved Fmax.

Results are cached in DIR/<RxCxL>-<key>/result.txt, key = sha256 of the
parameters, the RTL and board sources, FLOW (bump it when the commands
below change) and the tool versions.
A file lock (DIR/<entry>.lock) makes concurrent callers (sweep -j N,
exported jobs) wait for one synthesis instead of repeating it. Every tool
run is bounded by --timeout seconds; a run that exceeds it is killed and the
entry says status=timeout (a later call with a larger --timeout retries).
Prints result.txt (key=value lines) plus cached=0|1 on stdout.
"""
import argparse
import fcntl
import glob
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import gen  # noqa: E402  (package generator and preset hash)

FLOW = "sweep-synth 1"
UP5K = {"SB_LUT4": 5280, "SB_RAM40_4K": 30, "SB_SPRAM256KA": 4, "SB_MAC16": 8}
EBR_BYTES = 30 * 512
PKGS = ["hw/rtl/gen/bm_isa_pkg.sv", "hw/rtl/gen/bm_regs_pkg.sv"]


def rtl_files():
    return sorted(f for sub in ("pe", "array", "mem", "ctrl", "axi", "top")
                  for f in glob.glob(os.path.join(ROOT, "hw/rtl", sub, "bm_*.sv")))


def board_files():
    return sorted(glob.glob(os.path.join(ROOT, "bitstreams/ice40/rtl/bm_*.sv")))


def tool_version(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (r.stdout + r.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "missing"


def run(cmd, log, timeout):
    """Run cmd in its own process group; kill the group after timeout s.
    Returns ('ok'|'failed'|'timeout', seconds)."""
    t0 = time.time()
    with open(log, "a") as lf:
        p = subprocess.Popen(cmd, stdout=lf, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return "timeout", time.time() - t0
    return ("ok" if rc == 0 else "failed"), time.time() - t0


def stat_sum(path, pattern):
    n = 0
    if os.path.exists(path):
        for line in open(path):
            f = line.split()
            if len(f) >= 2 and re.match(pattern, f[0]) and f[1].isdigit():
                n += int(f[1])
    return n


def clean(s):
    return s.replace(",", ";").replace("\n", " ")


def synthesize(d, p, timeout, mode, tools):
    res = {"tools": tools, "timeout_s": str(timeout)}
    # Packages first (yosys 0.23), the generated bm_cfg_pkg among them.
    srcs = " ".join(PKGS + [os.path.join(d, "pkg.sv")] + [os.path.relpath(f, ROOT) for f in rtl_files()])
    # 1. synth_xilinx (UltraScale+).
    stat = os.path.join(d, "xcup_stat.txt")
    script = (f"read_verilog -sv {srcs}; synth_xilinx -family xcup -top bm_top -flatten; "
              f"tee -q -o {stat} stat")
    st, sec = run(["yosys", "-q", "-l", os.path.join(d, "xcup.log"), "-p", script], os.path.join(d, "xcup.out"),
                  timeout)
    res["seconds"] = f"{sec:.0f}"
    res["status"] = st
    if st == "ok":
        b36, b18 = stat_sum(stat, r"^RAMB36"), stat_sum(stat, r"^RAMB18")
        res.update(lut=stat_sum(stat, r"^LUT[1-6]$"), ff=stat_sum(stat, r"^FD"), carry=stat_sum(stat, r"^CARRY"),
                   dsp=stat_sum(stat, r"^DSP48"), bram_36k=f"{b36 + 0.5 * b18:g}",
                   lutram=stat_sum(stat, r"^RAM(32|64|128|256)"))
        note = [f"xcup {sec:.0f} s"]
    elif st == "timeout":
        note = [f"xcup timeout after {timeout} s"]
    else:
        note = [f"xcup yosys failed (log {os.path.join(d, 'xcup.log')})"]
    # 2. iCE40 UP5K: the board top around bm_top.
    spad = p["wgt_bytes"] + p["meta_bytes"] + p["act_bytes"] + p["acc_bytes"]
    if mode != "auto":
        res["ice40"] = "skipped"
        note.append("ice40 not requested")
    elif st != "ok":
        res["ice40"] = "skipped"
        note.append("ice40 skipped after xcup " + st)
    elif p["axi_bytes"] != 4:
        res["ice40"] = "skipped"
        note.append(f"ice40 skipped: {8 * p['axi_bytes']}-bit bus (the board top has 32)")
    elif spad > EBR_BYTES:
        res["ice40"] = "skipped"
        note.append(f"ice40 skipped: scratchpads {spad} B > UP5K EBR {EBR_BYTES} B")
    else:
        board = " ".join(os.path.relpath(f, ROOT) for f in board_files())
        istat, js = os.path.join(d, "ice40_stat.txt"), os.path.join(d, "ice40.json")
        script = (f"read_verilog -sv -defer {srcs} {board}; chparam -set ACCEL 1 bm_ice40_top; "
                  f"hierarchy -top bm_ice40_top; synth_ice40 -top bm_ice40_top -json {js}; tee -q -o {istat} stat")
        st2, sec2 = run(["yosys", "-q", "-l", os.path.join(d, "ice40.log"), "-p", script],
                        os.path.join(d, "ice40.out"), timeout)
        res["ice40_seconds"] = f"{sec2:.0f}"
        if st2 != "ok":
            res["ice40"] = st2
            note.append(f"ice40 yosys {st2}" + (f" after {timeout} s" if st2 == "timeout" else ""))
        else:
            cells = {c: stat_sum(istat, "^" + c + "$") for c in UP5K}
            res["ice40_lut4"] = cells["SB_LUT4"]
            over = [f"{c} {cells[c]}/{UP5K[c]}" for c in UP5K if cells[c] > UP5K[c]]
            if over:
                res["ice40"] = "no"
                note.append("ice40 does not fit: " + " ".join(over))
            else:
                rep = os.path.join(d, "nextpnr_report.json")
                st3, sec3 = run(["nextpnr-ice40", "--up5k", "--package", "sg48", "--freq", str(p["clock_mhz"]),
                                 "--timing-allow-fail", "--pcf", "bitstreams/ice40/icebreaker.pcf", "--json", js,
                                 "--report", rep, "-q", "-l", os.path.join(d, "nextpnr.log")],
                                os.path.join(d, "nextpnr.out"), timeout)
                if st3 == "ok" and os.path.exists(rep):
                    fm = json.load(open(rep)).get("fmax", {})
                    res["ice40"] = "yes"
                    if fm:
                        res["fmax_mhz"] = f"{min(v['achieved'] for v in fm.values()):.2f}"
                    note.append(f"nextpnr {sec3:.0f} s")
                else:
                    res["ice40"] = "timeout" if st3 == "timeout" else "no"
                    note.append("nextpnr " + ("timeout" if st3 == "timeout" else "could not place/route"))
    res["note"] = clean("; ".join(note))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", required=True)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--params", help="k=v,... of every hardware and run key")
    src.add_argument("--preset", help="name of a preset in spec/presets (same parameters, same cache entry)")
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--mode", choices=["auto", "xcup"], default="auto")
    a = ap.parse_args()
    p = {}
    if a.preset:
        pj = os.path.join(ROOT, "spec/presets", a.preset + ".json")
        if not os.path.exists(pj):
            sys.exit(f"sweep_synth: no preset {a.preset} ({pj})")
        p = {k: v for k, v in json.load(open(pj)).items() if k in gen.HW_KEYS + gen.RUN_KEYS}
    else:
        for kv in a.params.split(","):
            k, v = kv.split("=")
            p[k] = int(v)
    missing = [k for k in gen.HW_KEYS + gen.RUN_KEYS if k not in p]
    if missing:
        sys.exit("sweep_synth: missing parameters " + " ".join(missing))
    p["name"] = f"{p['rows']}x{p['cols']}x{p['lanes']}"
    p["desc"] = "array configuration of a sweep (scripts/sweep_synth.py)"
    ys = re.sub(r"^Yosys (\S+).*", r"yosys \1", tool_version(["yosys", "-V"]))
    npr = re.sub(r".*\(Version (.*)\)", r"nextpnr-ice40 \1", tool_version(["nextpnr-ice40", "--version"]))
    tools = clean(f"{ys}; {npr}")
    h = hashlib.sha256()
    h.update(json.dumps({"flow": FLOW, "mode": a.mode, "tools": tools,
                         "params": {k: p[k] for k in gen.HW_KEYS + gen.RUN_KEYS}}, sort_keys=True).encode())
    for f in [os.path.join(ROOT, x) for x in PKGS] + rtl_files() + board_files() + [
            os.path.join(ROOT, "bitstreams/ice40/icebreaker.pcf")]:
        h.update(os.path.relpath(f, ROOT).encode() + b"\0" + open(f, "rb").read())
    key = h.hexdigest()[:16]
    a.cache = os.path.abspath(a.cache)
    os.makedirs(a.cache, exist_ok=True)
    d = os.path.join(a.cache, f"{p['name']}-{key}")
    out = os.path.join(d, "result.txt")
    with open(d + ".lock", "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)   # held while synthesizing; others wait, then hit the cache
        cached = None
        if os.path.exists(out):
            cached = dict(line.rstrip("\n").split("=", 1) for line in open(out) if "=" in line)
            # A timeout is final only for budgets up to the one that ran out.
            if cached.get("status") == "timeout" and a.timeout > int(cached.get("timeout_s", "0")):
                cached = None
        if cached is None:
            os.makedirs(d, exist_ok=True)
            for f in glob.glob(os.path.join(d, "*")):
                os.unlink(f)
            with open(os.path.join(d, "pkg.sv"), "w") as f:
                f.write(gen.gen_cfg_pkg(p))
            res = synthesize(d, p, a.timeout, a.mode, tools)
            res["key"] = key
            with open(out + ".tmp", "w") as f:
                f.writelines(f"{k}={v}\n" for k, v in res.items())
            os.rename(out + ".tmp", out)
    sys.stdout.write(open(out).read() + f"cached={0 if cached is None else 1}\n")


if __name__ == "__main__":
    main()
