# bitstreams/alveo/alveo.mk: Vitis RTL-kernel packaging of bm_top for Alveo
# cards. Included by bitstreams/bitstreams.mk. Vivado/Vitis are not installed
# on the development machines: `make xo` / `make xclbin` then stop at once
# with the list of what is missing. docs/bitstreams.md has the whole flow.
#   make check-alveo [ALVEO_PRESET=default]   kernel.xml vs bm_top, spec/regs.json, preset
#   make xo [ALVEO_PRESET=default]            $(BUILD)/bitstreams/alveo/<preset>/bitmill.xo
#   make xclbin PLATFORM=<xpfm name or path>  ... /bitmill_<card>.xclbin (v++ -l, -t hw)
# Link configs: u55c.cfg (HBM), u250.cfg (DDR), picked from the platform name.

ALVEO_PRESET ?= default
ALVEO_OUT    := $(BUILD)/bitstreams/alveo/$(ALVEO_PRESET)
ALVEO_SRCS   := $(RTL_PKGS) hw/rtl/gen/presets/$(ALVEO_PRESET).sv $(RTL_SRCS)
ALVEO_MHZ     = $(shell sed -n 's/.*CLOCK_MHZ = \([0-9]*\);.*/\1/p' hw/rtl/gen/presets/$(ALVEO_PRESET).sv)
ALVEO_AXI     = $(shell sed -n 's/.*AXI_BYTES = \([0-9]*\);.*/\1/p' hw/rtl/gen/presets/$(ALVEO_PRESET).sv)
PLATFORM     ?=
VPP          ?= v++
VIVADO       ?= vivado
# card from the platform name -> link config and FPGA part (for packaging)
ALVEO_CARD    = $(if $(findstring u55c,$(PLATFORM)),u55c,$(if $(findstring u250,$(PLATFORM)),u250,))
ALVEO_PART    = $(if $(filter u55c,$(ALVEO_CARD)),xcu55c-fsvh2892-2L-e,xcu250-figd2104-2L-e)

.PHONY: check-alveo test-alveo alveo-tools xo xclbin

# The kernel.xml that is packaged: the generated bitstreams/alveo/kernel.xml
# (written for the default preset's bus) with the m_axi_gmem width of the
# chosen preset. Derived, never edited by hand.
$(ALVEO_OUT)/kernel.xml: bitstreams/alveo/kernel.xml hw/rtl/gen/presets/$(ALVEO_PRESET).sv
	@mkdir -p $(@D)
	@sed -e '/name="m_axi_gmem"/s/dataWidth="[0-9]*"/dataWidth="$(shell echo $$(( $(ALVEO_AXI) * 8 )))"/' $< > $@

check-alveo: $(ALVEO_OUT)/kernel.xml
	@python3 bitstreams/alveo/check_kernel.py $< $(ALVEO_PRESET)

# Vitis needs: v++ and vivado on PATH, XILINX_VIVADO set (settings64.sh of
# Vitis/Vivado), and for xclbin the platform installed (xbutil / /opt/xilinx).
alveo-tools:
	@missing=""; \
	command -v $(VIVADO) > /dev/null 2>&1 || missing="$$missing\n  - 'vivado' is not on PATH (AMD Vivado 2022.2 or newer, part of Vitis)"; \
	[ -n "$$XILINX_VIVADO" ] || missing="$$missing\n  - XILINX_VIVADO is not set (source <Vitis install>/settings64.sh)"; \
	if [ "$(NEED_VPP)" = 1 ]; then \
	  command -v $(VPP) > /dev/null 2>&1 || missing="$$missing\n  - 'v++' is not on PATH (AMD Vitis 2022.2 or newer)"; \
	fi; \
	if [ -n "$$missing" ]; then \
	  printf "Alveo build needs AMD Vitis/Vivado, which this machine does not have:$$missing\n"; \
	  printf "Install Vitis (with Vivado) and the card's platform (e.g. xilinx_u55c_gen3x16_xdma_3_202210_1),\n"; \
	  printf "then: source <Vitis install>/settings64.sh; make xclbin PLATFORM=<platform>.\n"; \
	  printf "Nothing was built. (make check-alveo checks the packaging inputs without Vitis.)\n"; \
	  exit 1; fi

$(ALVEO_OUT)/bitmill.xo: $(ALVEO_OUT)/kernel.xml $(ALVEO_SRCS) bitstreams/alveo/package_xo.tcl
	@$(MAKE) -s alveo-tools
	@python3 bitstreams/alveo/check_kernel.py $< $(ALVEO_PRESET)
	cd $(ALVEO_OUT) && $(VIVADO) -mode batch -nojournal -log package_xo.log \
	  -source $(abspath bitstreams/alveo/package_xo.tcl) \
	  -tclargs $(abspath $@) $(abspath $<) $(abspath $(ALVEO_OUT))/pack $(ALVEO_PART) $(abspath $(ALVEO_SRCS))

xo: $(ALVEO_OUT)/bitmill.xo

# Link: one CU bitmill_1, memory connectivity from the card's cfg, kernel
# clock from the preset (clock_mhz), hardware target.
xclbin:
	@[ -n "$(PLATFORM)" ] || { echo "make xclbin: set PLATFORM, e.g. PLATFORM=xilinx_u55c_gen3x16_xdma_3_202210_1 (HBM, U55C) or PLATFORM=xilinx_u250_gen3x16_xdma_4_1_202210_1 (DDR, U250)"; exit 1; }
	@[ -n "$(ALVEO_CARD)" ] || { echo "make xclbin: no link config for platform '$(PLATFORM)': bitstreams/alveo has u55c.cfg (HBM) and u250.cfg (DDR); add <card>.cfg and map it in bitstreams/alveo/alveo.mk"; exit 1; }
	@$(MAKE) -s alveo-tools NEED_VPP=1
	@$(MAKE) -s $(ALVEO_OUT)/bitmill.xo
	cd $(ALVEO_OUT) && $(VPP) -l -t hw --platform $(PLATFORM) \
	  --config $(abspath bitstreams/alveo/$(ALVEO_CARD).cfg) \
	  --clock.freqHz $(ALVEO_MHZ)000000:bitmill_1.ap_clk \
	  -o bitmill_$(ALVEO_CARD).xclbin bitmill.xo
	@echo "xclbin: $(ALVEO_OUT)/bitmill_$(ALVEO_CARD).xclbin (run: bitmill ... --device 'xrt://0?xclbin=$(ALVEO_OUT)/bitmill_$(ALVEO_CARD).xclbin')"

# `make test`: the packaged kernel.xml of every Alveo-class preset is
# well-formed and agrees with bm_top's ports, spec/regs.json and the preset.
ALVEO_TEST_PRESETS := default decode
test-alveo:
	@p=0; f=0; for pr in $(ALVEO_TEST_PRESETS); do \
	  if $(MAKE) -s --no-print-directory check-alveo ALVEO_PRESET=$$pr; then p=$$((p+1)); \
	  else echo "FAILED check-alveo [$$pr]"; f=$$((f+1)); fi; done; \
	mkdir -p $(BUILD)/test-logs; echo "alveo: $$p passed, $$f failed" | tee -a $(BUILD)/test-logs/summary.txt; \
	[ $$f -eq 0 ]
TEST_EXTRA += test-alveo
