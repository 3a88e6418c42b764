#!/usr/bin/env python3
"""Check a kernel.xml against what it describes, before any Vitis run:
the ports exist on bm_top (hw/rtl/top/bm_top.sv) with the declared widths,
every <arg> sits at the offset spec/regs.json gives its register, with the
right size/type, in register order, and the m_axi_gmem data width equals
the preset's AXI_BYTES * 8 (hw/rtl/gen/presets/<preset>.sv).
usage: check_kernel.py KERNEL_XML PRESET   (run from the repository root)"""
import json
import re
import sys
import xml.etree.ElementTree as ET


def main():
    kxml, preset = sys.argv[1], sys.argv[2]
    errs = []
    text = open(kxml).read()
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:  # e.g. "--" inside a comment, which XML forbids
        errs.append(f"not well-formed XML ({e})")
        root = ET.fromstring(re.sub(r"<!--.*?-->", "", text, flags=re.S))
    kern = root.find("kernel")
    top = open("hw/rtl/top/bm_top.sv").read()
    pkg = open(f"hw/rtl/gen/presets/{preset}.sv").read()
    regs = json.load(open("spec/regs.json"))
    axi_bytes = int(re.search(r"AXI_BYTES = (\d+);", pkg).group(1))

    if kern.get("hwControlProtocol") != "ap_ctrl_hs":
        errs.append("kernel is not ap_ctrl_hs")
    for p in ("ap_clk", "ap_rst_n", "interrupt"):
        if not re.search(rf"\b{p}\s*[,)]", top):
            errs.append(f"bm_top has no port {p}")
    ports = {p.get("name"): p for p in kern.iter("port")}
    for name in ("s_axi_control", "m_axi_gmem"):
        if name not in ports:
            errs.append(f"kernel.xml has no port {name}")
        elif not re.search(rf"\b{name}_\w+", top):
            errs.append(f"bm_top has no {name}_* ports")
    if "s_axi_control" in ports:
        rng = int(ports["s_axi_control"].get("range"), 16)
        if rng != 1 << regs["addr_bits"]:
            errs.append(f"s_axi_control range 0x{rng:x} != 2^{regs['addr_bits']}")
        if ports["s_axi_control"].get("dataWidth") != "32":
            errs.append("s_axi_control dataWidth is not 32")
    if "m_axi_gmem" in ports:
        dw = int(ports["m_axi_gmem"].get("dataWidth"))
        if dw != 8 * axi_bytes:
            errs.append(f"m_axi_gmem dataWidth {dw} != 8 * AXI_BYTES = {8 * axi_bytes} of preset {preset}")
        m = re.search(r"m_axi_gmem_araddr", top)
        if not m or not re.search(r"\[63:0\]\s+m_axi_gmem_araddr", top):
            errs.append("bm_top m_axi_gmem_araddr is not 64 bits")

    want = [r for r in regs["registers"] if "arg" in r]
    args = list(kern.iter("arg"))
    if [a.get("name") for a in args] != [r["arg"] for r in want]:
        errs.append(f"args {[a.get('name') for a in args]} != registers {[r['arg'] for r in want]}")
    for i, (a, r) in enumerate(zip(args, want)):
        if int(a.get("id")) != i:
            errs.append(f"arg {a.get('name')} id {a.get('id')} != {i}")
        if int(a.get("offset"), 16) != int(r["offset"], 16):
            errs.append(f"arg {a.get('name')} offset {a.get('offset')} != {r['name']} {r['offset']}")
        ptr = a.get("addressQualifier") == "1"
        if ptr and (a.get("port") != "m_axi_gmem" or a.get("size") != "0x8"):
            errs.append(f"pointer arg {a.get('name')} must be 8 bytes on m_axi_gmem")
        if not ptr and a.get("port") != "s_axi_control":
            errs.append(f"scalar arg {a.get('name')} must be on s_axi_control")
    for e in errs:
        print(f"{kxml}: {e}")
    print(f"{kxml}: {'consistent' if not errs else f'{len(errs)} problem(s)'} with bm_top, spec/regs.json, preset {preset}")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
