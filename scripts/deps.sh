#!/usr/bin/env bash
# Install the Debian packages bitmill needs, only those missing, then check
# the tool versions the project is pinned to. Idempotent: a second run on a
# complete machine installs nothing and takes well under a second.
#   scripts/deps.sh          install what is missing (needs root or sudo)
#   scripts/deps.sh --check  only report what is missing; exit 1 if anything is
set -euo pipefail

PKGS=(
  build-essential make gcc g++ python3 pkg-config    # C/C++ build and code generators
  verilator                                          # RTL simulation (5.006 pinned)
  yosys nextpnr-ice40 fpga-icestorm                  # synthesis, place & route, bitstreams
  libopenblas-dev liblapacke-dev                     # GPTQ / reference forward pass
  libusb-1.0-0-dev umockdev libumockdev-dev          # USB backend and its tests
  libxrt-dev uuid-dev                                # XRT backend (noop-mode tests)
  clang libclang-rt-14-dev                           # libFuzzer harnesses
  gnuplot-nox                                        # sweep plots
)

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$st" == "install ok installed" ]] || missing+=("$p")
done

if [[ "${1:-}" == "--check" ]]; then
  if ((${#missing[@]})); then echo "missing packages: ${missing[*]}"; exit 1; fi
  exit 0
fi

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when they are absent or a first try fails.
  if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

# Version pins: the RTL subset and the simulation flags were measured on these.
need_version() {  # tool, found, minimum
  if ! printf '%s\n%s\n' "$3" "$2" | sort -V -C; then
    echo "deps: $1 $2 is older than the required $3" >&2; exit 1
  fi
}
need_version verilator "$(verilator --version | awk '{print $2}')" 5.006
need_version yosys "$(yosys -V | awk '{print $2}')" 0.23
need_version gcc "$(gcc -dumpfullversion)" 12
need_version python3 "$(python3 -c 'import sys;print("%d.%d"%sys.version_info[:2])')" 3.9
exit 0
