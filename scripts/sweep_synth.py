#!/usr/bin/env python3
"""The synthesis driver: yosys runs of bm_top for one parameter set, cached.

  sweep_synth.py --cache DIR (--params rows=R,cols=C,lanes=L,... | --preset NAME)
                 [--timeout S] [--mode auto|xcup] [--summary]
  sweep_synth.py --cache DIR --self-test

Every caller goes through this script: `make lint` (hw/lint/lint.sh, preset
default), `bitmill sweep` (area columns, host/sweep/bm_sweep_synth.c), the
`make test` prefetch (bench/sweep/prefetch_synth.sh) and `make synth-report`
(bitstreams/synth_report.sh). Given the same cache folder (the make targets
use BUILD/synth-cache) they share one entry per parameter set and RTL
version: whoever asks first synthesizes, the others read the result.

--params gives every hardware and run key (scripts/gen.py HW_KEYS +
RUN_KEYS); --preset NAME reads them from spec/presets/NAME.json (the same
entry as the equal --params). The package `bm_cfg_pkg` for them is written
by gen.py's generator into the cache entry (never into the repository).

1. xcup: `synth_xilinx -family xcup` of bm_top, hierarchical: every distinct
   (module, parameters) pair is optimised and mapped once and `stat -top
   bm_top` multiplies the instances out (the flattened run of `default` took
   over an hour). Counted: LUT1-6, FD*, CARRY*, DSP48*, RAMB36*/RAMB18*
   (bram_36k = RAMB36 + RAMB18/2), LUTRAM (RAM32*/RAM64*/RAM128*/RAM256*).
   Every yosys warning fails the run (status=ok needs warnings=0) except
   the block-RAM port resizes of yosys' own xcup techlib, waived narrowly
   and checked on the mapped netlist (see waive(); docs/rtl.md).
2. ice40 (--mode auto only), when the configuration can be built on the
   iCE40 board at all (32-bit bus as bitstreams/ice40/rtl/bm_ice40_top
   needs, scratchpads within the UP5K's 30 EBR = 15360 bytes): yosys
   `synth_ice40 -dsp` of the board top (as the bitstream flow,
   bitstreams/bitstreams.mk) and, when its cells fit the UP5K,
   `nextpnr-ice40 --up5k --package sg48` for the fit and the achieved Fmax.

Cache entries (DIR/xcup-RxCxL-KEY/, DIR/ice40-RxCxL-KEY/, DIR/techlib-KEY/)
hold result.txt, the package, logs and stat reports. KEY = sha256 of the
parameters, the RTL (hw/rtl/{pe,array,mem,ctrl,axi,top}, the ISA/register
packages), the flow (the yosys commands below and hw/lint/bram_repro.sv),
the tool versions and, for ice40, the board sources and pcf. A file lock per entry (ENTRY.lock) makes
concurrent callers wait for one synthesis. Each tool run is killed with its
process group after --timeout seconds; the entry then says status=timeout
(final for budgets up to the one that ran out; a larger --timeout retries).

Output: result lines key=value plus cached=0|1 (what bm_sweep_synth.c
parses), exit status 0 whatever the synthesis did; with --summary one line
"synth[NAME] xcup: LUT ... " instead and exit status 1 unless status=ok
with no unwaived warning (what `make lint` uses).
"""
import argparse
import fcntl
import glob
import hashlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import gen  # noqa: E402  (package generator)

# Changing any command below changes every key (bump the flow strings).
XCUP_OPTS = "-noiopad -noclkbuf"
XCUP_FLOW = f"xcup 2: synth_xilinx -family xcup -top bm_top {XCUP_OPTS}; stat -top bm_top; ramb checks"
ICE40_FLOW = "ice40 2: synth_ice40 -dsp -top bm_ice40_top (ACCEL 1); nextpnr-ice40 --up5k --package sg48"
TECHLIB_FLOW = "techlib 1: hw/lint/bram_repro.sv, synth_xilinx -family xcup"
UP5K = {"SB_LUT4": 5280, "SB_RAM40_4K": 30, "SB_SPRAM256KA": 4, "SB_MAC16": 8}
EBR_BYTES = 30 * 512
PKGS = ["hw/rtl/gen/bm_isa_pkg.sv", "hw/rtl/gen/bm_regs_pkg.sv"]
REPRO = "hw/lint/bram_repro.sv"
# Port bits of the UltraScale block RAMs per data port, parity included: what
# a TDP port of width <= this uses of the 64-bit DI/DO wires of the techlib.
RAMB_PORT_BITS = {"RAMB36E2": 36, "RAMB18E2": 18}
RESIZE = re.compile(r"^Warning: Resizing cell port (.+)\.([A-Z]+) from (\d+) bits to (\d+) bits\.$")


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
    Returns ('ok'|'failed'|'timeout', wall seconds, CPU seconds (user+sys of
    the tool and the children it waited for, e.g. yosys' ABC runs))."""
    t0, r0 = time.time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "a") as lf:
        p = subprocess.Popen(cmd, stdout=lf, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
        try:
            rc = p.wait(timeout=timeout)
            st = "ok" if rc == 0 else "failed"
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            st = "timeout"
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return st, time.time() - t0, cpu


def stat_sum(path, pattern):
    """Sum the counts of cell types matching pattern in a `stat` report: the
    "design hierarchy" section when there is one (instances multiplied out),
    else the whole (flat) report."""
    n = 0
    if not os.path.exists(path):
        return 0
    lines = open(path).read().splitlines()
    for i, line in enumerate(lines):
        if "=== design hierarchy ===" in line:
            lines = lines[i:]
            break
    for line in lines:
        f = line.split()
        if len(f) >= 2 and re.match(pattern, f[0]) and f[1].isdigit():
            n += int(f[1])
    return n


def counts(stat):
    b36, b18 = stat_sum(stat, r"^RAMB36"), stat_sum(stat, r"^RAMB18")
    return {"lut": stat_sum(stat, r"^LUT[1-6]$"), "ff": stat_sum(stat, r"^FD"), "carry": stat_sum(stat, r"^CARRY"),
            "dsp": stat_sum(stat, r"^DSP48"), "bram36": b36, "bram18": b18, "bram_36k": f"{b36 + 0.5 * b18:g}",
            "lutram": stat_sum(stat, r"^RAM(32|64|128|256)")}


def clean(s):
    return s.replace(",", ";").replace("\n", " ")


def read_result(path):
    if not os.path.exists(path):
        return None
    return dict(line.rstrip("\n").split("=", 1) for line in open(path) if "=" in line)


def write_result(d, res):
    out = os.path.join(d, "result.txt")
    with open(out + ".tmp", "w") as f:
        f.writelines(f"{k}={v}\n" for k, v in res.items())
    os.rename(out + ".tmp", out)


def cached_entry(cache, name, timeout, make):
    """The entry DIR/name under its lock: result.txt if present (a timeout
    only for budgets up to the one that ran out), else make(d) -> dict,
    stored. Returns (result, cached)."""
    d = os.path.join(cache, name)
    with open(d + ".lock", "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)   # held while synthesizing; others wait, then hit the cache
        res = read_result(os.path.join(d, "result.txt"))
        if res is not None and res.get("status") == "timeout" and timeout > int(res.get("timeout_s", "0")):
            res = None
        if res is not None:
            return res, True
        os.makedirs(d, exist_ok=True)
        for f in glob.glob(os.path.join(d, "*")):
            os.unlink(f)
        res = make(d)
        write_result(d, res)
        return res, False


def ramb_script(d):
    """yosys commands after synth_xilinx: the block-RAM cells by type and
    the ones with a port wider than the primitive's 32+4 / 16+2 bits."""
    def wide(t, w):
        return (f"t:{t} r:READ_WIDTH_A>{w} r:READ_WIDTH_B>{w} %u r:WRITE_WIDTH_A>{w} %u "
                f"r:WRITE_WIDTH_B>{w} %u %i")
    return "".join(f"; tee -q -o {d}/{t}.txt select -list t:{t}; tee -q -o {d}/{t}_wide.txt select -list "
                   f"{wide(t, w)}" for t, w in RAMB_PORT_BITS.items())


def ramb_cells(d):
    """{(module.cell): type} and the set of cells wider than their primitive."""
    cells, wide = {}, set()
    for t in RAMB_PORT_BITS:
        for suffix, into in (("", None), ("_wide", wide)):
            p = os.path.join(d, f"{t}{suffix}.txt")
            for line in open(p) if os.path.exists(p) else []:
                line = line.strip()
                if "/" not in line:
                    continue
                mod, cell = line.split("/", 1)
                if into is None:
                    cells[f"{mod}.{cell}"] = t
                else:
                    into.add(f"{mod}.{cell}")
    return cells, wide


def warnings(log):
    out = []
    for line in open(log, errors="replace") if os.path.exists(log) else []:
        if line.startswith(("Warning:", "ERROR:")):
            out.append(line.rstrip("\n"))
    return out


def resizes(ws, cells):
    """(type, port, from, to) of each resize warning on a known RAMB cell,
    None for any other warning."""
    out = []
    for w in ws:
        m = RESIZE.match(w)
        t = cells.get(m.group(1)) if m else None
        out.append((t, m.group(2), int(m.group(3)), int(m.group(4))) if t else None)
    return out


def techlib(cache, timeout):
    """The resize warnings yosys' xcup techlib itself gives for bare 32-bit
    memories with byte enables (hw/lint/bram_repro.sv, 256 to 4096 words,
    old-data and unchecked read-during-write: RAMB36E2 TDP 1Kx36 / 2Kx18 /
    4Kx9, RAMB18E2 SDP), as the set of (type, port, from bits, to bits), or
    None when that run failed or gave any other warning. Cached per yosys
    version."""
    ys = tool_version(["yosys", "-V"])
    h = hashlib.sha256((TECHLIB_FLOW + ys + XCUP_OPTS).encode() + open(os.path.join(ROOT, REPRO), "rb").read())

    def make(d):
        script = (f"read_verilog -sv {REPRO}; synth_xilinx -family xcup -top bm_bram_repro {XCUP_OPTS}"
                  + ramb_script(d))
        st, sec, cpu = run(["yosys", "-q", "-l", os.path.join(d, "yosys.log"), "-p", script],
                           os.path.join(d, "yosys.out"), timeout)
        cells, _ = ramb_cells(d)
        ws = warnings(os.path.join(d, "yosys.log"))
        kinds = sorted({r for r in resizes(ws, cells) if r})
        return {"status": st, "timeout_s": str(timeout), "cpu_seconds": f"{cpu:.1f}", "warnings": str(len(ws)),
                "other": str(sum(1 for r in resizes(ws, cells) if r is None)),
                "kinds": " ".join(f"{t}:{p}:{a}:{b}" for t, p, a, b in kinds)}
    res, _ = cached_entry(cache, "techlib-" + h.hexdigest()[:16], timeout, make)
    if res.get("status") != "ok" or res.get("other") != "0":
        return None
    return {tuple(int(x) if x.isdigit() else x for x in k.split(":")) for k in res["kinds"].split()}


def waive(ws, cells, wide, allowed):
    """Split yosys warnings into (waived, kept). Waived is exactly: "Resizing
    cell port" on a RAMB36E2/RAMB18E2 cell of the mapped netlist, with a
    (type, port, from, to) that the bare memories of hw/lint/bram_repro.sv
    also give on this yosys (so it is the techlib's TDP/SDP template, not our
    RTL), and, for data/parity ports, on a cell whose READ_WIDTH_*/WRITE_WIDTH_*
    are all <= 36 (RAMB36E2) / 18 (RAMB18E2): the template's 64-bit DI/DO (8-bit
    parity) wires then carry data only in the low 32+4 (16+2) bits that the
    primitive has, so the dropped upper halves are constant zero (inputs) or
    unused (outputs). The address pins keep 15 (RAMB36E2) / 14 (RAMB18E2) of
    the template's 16 bits: memory_libmap's FULL/HALF modes have abits 15/14
    (xcup has no cascade mode), so the dropped bit is padding."""
    waived, kept = [], []
    for w, r in zip(ws, resizes(ws, cells)):
        ok = r is not None and allowed is not None and r in allowed
        if ok and not r[1].startswith("ADDR"):
            ok = RESIZE.match(w).group(1) not in wide
        (waived if ok else kept).append(w)
    return waived, kept


def self_test(cache, timeout):
    """The waiver on made-up warnings: only the reproduced kinds on RAMB
    cells of fitting width pass. Returns the list of failures."""
    allowed = techlib(cache, timeout)
    if allowed is None:
        return ["the block-RAM reproduction (hw/lint/bram_repro.sv) failed or gave other warnings"]
    cells, wide = {"m.a": "RAMB36E2", "m.b": "RAMB18E2"}, {"m.w"}
    cells["m.w"] = "RAMB36E2"
    w = "Warning: Resizing cell port {} from {} bits to {} bits."
    cases = [(w.format("m.a.DINADIN", 64, 32), True), (w.format("m.a.ADDRARDADDR", 16, 15), True),
             (w.format("m.b.ADDRBWRADDR", 16, 14), True), (w.format("m.a.DOUTPBDOUTP", 8, 4), True),
             (w.format("m.w.DINADIN", 64, 32), False),      # a port wider than the primitive
             (w.format("m.w.ADDRARDADDR", 16, 15), True),   # the address bit does not depend on width
             (w.format("m.a.ADDRARDADDR", 16, 14), False),  # RAMB36E2 keeps 15 bits
             (w.format("m.b.DINADIN", 64, 16), False),      # not reproduced
             (w.format("m.c.DINADIN", 64, 32), False),      # not a block RAM
             (w.format("m.a.DINADIN", 72, 32), False),
             ("Warning: multiple conflicting drivers for m.x", False),
             ("Warning: Resizing cell port m.a.DINADIN from 64 bits to 32 bits", False)]  # not the exact text
    fails = []
    for text, want in cases:
        waived, _ = waive([text], cells, wide, allowed)
        if bool(waived) != want:
            fails.append(f"{'not ' if want else ''}waived: {text}")
    return fails


def xcup(d, p, timeout, tools, cache):
    srcs = " ".join(PKGS + [os.path.join(d, "pkg.sv")] + [os.path.relpath(f, ROOT) for f in rtl_files()])
    stat = os.path.join(d, "xcup_stat.txt")
    script = (f"read_verilog -sv {srcs}; synth_xilinx -family xcup -top bm_top {XCUP_OPTS}; "
              f"tee -q -o {stat} stat -top bm_top" + ramb_script(d))
    log = os.path.join(d, "xcup.log")
    st, sec, cpu = run(["yosys", "-q", "-l", log, "-p", script], os.path.join(d, "xcup.out"), timeout)
    res = {"status": st, "tools": tools, "timeout_s": str(timeout), "seconds": f"{sec:.0f}",
           "cpu_seconds": f"{cpu:.0f}"}
    if st == "ok":
        res.update(counts(stat))
        cells, wide = ramb_cells(d)
        allowed = techlib(cache, timeout)
        waived, kept = waive(warnings(log), cells, wide, allowed)
        res["waived"] = str(len(waived))
        res["warnings"] = str(len(kept))
        with open(os.path.join(d, "warnings.txt"), "w") as f:
            f.writelines(f"kept   {w}\n" for w in kept)
            f.writelines(f"waived {w}\n" for w in waived)
        note = f"xcup {sec:.0f} s"
        if kept:
            note += f"; {len(kept)} yosys warnings (log {os.path.join(d, 'warnings.txt')})"
        spent = [line.strip() for line in open(log, errors="replace") if line.startswith("Time spent:")]
        if spent:
            res["time_spent"] = clean(spent[-1])
    elif st == "timeout":
        note = f"xcup timeout after {timeout} s"
    else:
        note = f"xcup yosys failed (log {log})"
    res["note"] = clean(note)
    return res


def ice40(d, p, timeout):
    srcs = " ".join(PKGS + [os.path.join(d, "pkg.sv")] + [os.path.relpath(f, ROOT) for f in rtl_files()])
    board = " ".join(os.path.relpath(f, ROOT) for f in board_files())
    istat, js = os.path.join(d, "ice40_stat.txt"), os.path.join(d, "ice40.json")
    script = (f"read_verilog -sv -defer {srcs} {board}; chparam -set ACCEL 1 bm_ice40_top; "
              f"hierarchy -top bm_ice40_top; synth_ice40 -dsp -top bm_ice40_top -json {js}; tee -q -o {istat} stat")
    st, sec, _ = run(["yosys", "-q", "-l", os.path.join(d, "ice40.log"), "-p", script], os.path.join(d, "ice40.out"),
                     timeout)
    res = {"status": st, "timeout_s": str(timeout), "ice40_seconds": f"{sec:.0f}"}
    if st != "ok":
        res["ice40"] = st
        res["note"] = f"ice40 yosys {st}" + (f" after {timeout} s" if st == "timeout" else "")
        return res
    cells = {c: stat_sum(istat, "^" + c + "$") for c in UP5K}
    res["ice40_lut4"] = cells["SB_LUT4"]
    over = [f"{c} {cells[c]}/{UP5K[c]}" for c in UP5K if cells[c] > UP5K[c]]
    if over:
        res["ice40"] = "no"
        res["note"] = "ice40 does not fit: " + " ".join(over)
        return res
    rep = os.path.join(d, "nextpnr_report.json")
    st3, sec3, _ = run(["nextpnr-ice40", "--up5k", "--package", "sg48", "--freq", str(p["clock_mhz"]),
                        "--timing-allow-fail", "--pcf", "bitstreams/ice40/icebreaker.pcf", "--json", js,
                        "--report", rep, "-q", "-l", os.path.join(d, "nextpnr.log")],
                       os.path.join(d, "nextpnr.out"), timeout)
    if st3 == "ok" and os.path.exists(rep):
        fm = json.load(open(rep)).get("fmax", {})
        res["ice40"] = "yes"
        if fm:
            res["fmax_mhz"] = f"{min(v['achieved'] for v in fm.values()):.2f}"
        res["note"] = f"nextpnr {sec3:.0f} s"
    else:
        res["ice40"] = "timeout" if st3 == "timeout" else "no"
        if st3 == "timeout":
            res["status"] = "timeout"   # a larger --timeout retries the entry
        res["note"] = "nextpnr " + ("timeout" if st3 == "timeout" else "could not place/route")
    res["note"] = clean(res["note"])
    return res


def key_of(kind, p, flow, tools, files):
    h = hashlib.sha256()
    h.update(json.dumps({"flow": flow, "tools": tools, "params": {k: p[k] for k in gen.HW_KEYS + gen.RUN_KEYS}},
                        sort_keys=True).encode())
    for f in files:
        h.update(os.path.relpath(f, ROOT).encode() + b"\0" + open(f, "rb").read())
    return f"{kind}-{p['name']}-{h.hexdigest()[:16]}"


def synthesize(cache, p, timeout, mode):
    ys = re.sub(r"^Yosys (\S+).*", r"yosys \1", tool_version(["yosys", "-V"]))
    npr = re.sub(r".*\(Version (.*)\)", r"nextpnr-ice40 \1", tool_version(["nextpnr-ice40", "--version"]))
    tools = clean(f"{ys}; {npr}")
    rtl = [os.path.join(ROOT, x) for x in PKGS] + rtl_files()

    def with_pkg(fn):
        def make(d):
            with open(os.path.join(d, "pkg.sv"), "w") as f:
                f.write(gen.gen_cfg_pkg(p))
            return fn(d)
        return make

    # The waiver's reproduction is part of the flow: it decides what is waived.
    xname = key_of("xcup", p, XCUP_FLOW, ys, rtl + [os.path.join(ROOT, REPRO)])
    res, cached = cached_entry(cache, xname, timeout, with_pkg(lambda d: xcup(d, p, timeout, tools, cache)))
    res = dict(res, key=xname, entry=os.path.join(cache, xname), tools=tools)
    note = [res.get("note", "")]
    spad = p["wgt_bytes"] + p["meta_bytes"] + p["act_bytes"] + p["acc_bytes"]
    skip = None
    if mode != "auto":
        skip = "ice40 not requested"
    elif res["status"] != "ok":
        skip = "ice40 skipped after xcup " + res["status"]
    elif p["axi_bytes"] != 4:
        skip = f"ice40 skipped: {8 * p['axi_bytes']}-bit bus (the board top has 32)"
    elif spad > EBR_BYTES:
        skip = f"ice40 skipped: scratchpads {spad} B > UP5K EBR {EBR_BYTES} B"
    if skip:
        res["ice40"] = "skipped"
        note.append(skip)
    else:
        iname = key_of("ice40", p, ICE40_FLOW, tools,
                       rtl + board_files() + [os.path.join(ROOT, "bitstreams/ice40/icebreaker.pcf")])
        ires, icached = cached_entry(cache, iname, timeout, with_pkg(lambda d: ice40(d, p, timeout)))
        cached = cached and icached
        for k in ("ice40", "ice40_lut4", "fmax_mhz", "ice40_seconds"):
            if k in ires:
                res[k] = ires[k]
        note.append(ires.get("note", ""))
    res["note"] = clean("; ".join(n for n in note if n))
    return res, cached


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="See the module docstring (head -40 scripts/sweep_synth.py) and docs/sweeps.md.")
    ap.add_argument("--cache", required=True, help="cache folder, shared by every caller that names it")
    ap.add_argument("--self-test", action="store_true",
                    help="check the block-RAM warning waiver on made-up warnings and exit")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--params", help="k=v,... of every hardware and run key")
    src.add_argument("--preset", help="name of a preset in spec/presets (same parameters, same cache entry)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per yosys / nextpnr run (default 1800)")
    ap.add_argument("--mode", choices=["auto", "xcup"], default="auto",
                    help="auto: xcup and, where the board can take it, iCE40; xcup: Xilinx only")
    ap.add_argument("--summary", action="store_true",
                    help="print one line of counts; exit 1 unless the xcup run is clean")
    a = ap.parse_args()
    if a.self_test:
        os.makedirs(a.cache, exist_ok=True)
        fails = self_test(os.path.abspath(a.cache), a.timeout)
        print("\n".join(fails) if fails else "sweep_synth: waiver self-test ok")
        return 1 if fails else 0
    if not (a.params or a.preset):
        ap.error("one of --params or --preset is required")
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
    # keys added after the first presets: a caller that does not name one
    # means the value every preset had before it existed (64-bit addresses...)
    for k, v in gen.LATER_KEYS.items():
        p.setdefault(k, v)
    missing = [k for k in gen.HW_KEYS + gen.RUN_KEYS if k not in p]
    if missing:
        sys.exit("sweep_synth: missing parameters " + " ".join(missing))
    p["name"] = f"{p['rows']}x{p['cols']}x{p['lanes']}"
    p["desc"] = "array configuration (scripts/sweep_synth.py)"
    a.cache = os.path.abspath(a.cache)
    os.makedirs(a.cache, exist_ok=True)
    res, cached = synthesize(a.cache, p, a.timeout, a.mode)
    if not a.summary:
        sys.stdout.write("".join(f"{k}={v}\n" for k, v in res.items()) + f"cached={int(cached)}\n")
        return 0
    name = a.preset or p["name"]
    how = (("cached; that run took " if cached else "") +
           f"{res.get('cpu_seconds', '?')} s CPU, {res.get('seconds', '?')} s wall")
    if res["status"] != "ok":
        print(f"synth[{name}] xcup: {res['status']}: {res['note']}")
        return 1
    print(f"synth[{name}] xcup: LUT {res['lut']} FF {res['ff']} CARRY {res['carry']} DSP {res['dsp']} "
          f"BRAM36 {res['bram36']} BRAM18 {res['bram18']} (= {res['bram_36k']} x 36 Kb) LUTRAM {res['lutram']} "
          f"({how}; {res['waived']} techlib BRAM port resizes waived; entry {res['entry']})")
    if res["warnings"] != "0":
        print(f"synth[{name}] {res['warnings']} yosys warnings:")
        sys.stdout.write("".join(line[7:] for line in open(os.path.join(res["entry"], "warnings.txt"))
                                 if line.startswith("kept"))[:4000])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
