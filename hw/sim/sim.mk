# hw/sim/sim.mk: Verilator model of bm_top per preset, RTL tests and lint.
# Included by the top Makefile (variables BUILD, CONFIG, CC, CXX, DEPS_OK).
#   make sim-lib     $(BUILD)/sim/$(CONFIG)/libbmsim.so
#   make sim-all     the library for every preset
#   make test-rtl    module tests + RTL-vs-engine programs on every preset
#   make lint        verilator -Wall on every preset + yosys synth_xilinx (default, cached)
#   make synth-generic  generic yosys synth of bm_top (default), not in make test

SIM_PRESETS := default minimal odd decode ice40
RTL_PKGS    := hw/rtl/gen/bm_isa_pkg.sv hw/rtl/gen/bm_regs_pkg.sv
RTL_SRCS    := $(sort $(wildcard hw/rtl/pe/bm_*.sv hw/rtl/array/bm_*.sv hw/rtl/mem/bm_*.sv \
                 hw/rtl/ctrl/bm_*.sv hw/rtl/axi/bm_*.sv hw/rtl/top/bm_*.sv))
VERILATOR   ?= verilator
YOSYS       ?= yosys
VL_INC      := /usr/share/verilator/include
SIM_CXXFLAGS := -O2 -fPIC -std=c++17 -I$(VL_INC) -I$(VL_INC)/vltstd -Ihw/sim
preset_axi   = $(shell sed -n 's/.*AXI_BYTES = \([0-9]*\);.*/\1/p' hw/rtl/gen/presets/$(1).sv)

.PHONY: sim-lib sim-all test-rtl lint lint-verilator synth-generic

sim-lib: $(BUILD)/sim/$(CONFIG)/libbmsim.so
sim-all: $(foreach p,$(SIM_PRESETS),$(BUILD)/sim/$(p)/libbmsim.so)

# The Verilator runtime (verilated.cpp, its thread pool, the FST writer) does
# not depend on the model: compiled once, with the flags Verilator 5.006's own
# makefile gives it for these models (verilated.mk: -Os, tracing on; -fPIC for
# the shared library), and linked into every model, the board's included.
VLRT_DIR   := $(BUILD)/sim/vlrt
VLRT_OBJ   := $(VLRT_DIR)/verilated.o $(VLRT_DIR)/verilated_threads.o $(VLRT_DIR)/verilated_fst_c.o
VLRT_FLAGS := -I$(VL_INC) -I$(VL_INC)/vltstd -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=1 -DVM_TRACE_FST=1 \
              -DVM_TRACE_VCD=0 -faligned-new -fcf-protection=none -w -fPIC -Os
$(VLRT_DIR)/%.o: $(VL_INC)/%.cpp | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CXX) $(VLRT_FLAGS) -c -o $@ $<

# One Verilator build per preset; rebuilt when any RTL, the preset or the
# harness changes. Slow-path code (constructors, trace declarations) runs
# once: -O0 saves compile time.
$(BUILD)/sim/%/libbmsim.so: $(RTL_PKGS) hw/rtl/gen/presets/%.sv $(RTL_SRCS) hw/sim/bm_sim.cpp \
                            hw/sim/bm_sim_api.h $(VLRT_OBJ)
	@rm -rf $(BUILD)/sim/$*/obj && mkdir -p $(BUILD)/sim/$*/obj
	$(VERILATOR) --cc --build -O3 --x-assign fast --x-initial fast -MAKEFLAGS OPT_FAST=-O3 -MAKEFLAGS OPT_SLOW=-O0 \
	  --trace-fst -CFLAGS -fPIC -Wno-fatal -Wno-lint -Wno-style --top-module bm_top \
	  --Mdir $(BUILD)/sim/$*/obj $(RTL_PKGS) hw/rtl/gen/presets/$*.sv $(RTL_SRCS) > $(BUILD)/sim/$*/verilate.log 2>&1 \
	  || { tail -30 $(BUILD)/sim/$*/verilate.log; exit 1; }
	$(CXX) $(SIM_CXXFLAGS) -I$(BUILD)/sim/$*/obj -DBM_PRESET_NAME='"$*"' \
	  -DBM_AXI_BYTES=$(call preset_axi,$*) -shared -o $@ hw/sim/bm_sim.cpp \
	  $(BUILD)/sim/$*/obj/Vbm_top__ALL.a $(VLRT_OBJ) -lz -pthread

# ---- RTL tests ---------------------------------------------------------------
# C test programs in tests/rtl, one binary per preset linked with that
# preset's model. The engine (reference + cycle model, driver/ref) and the
# instruction codec are compiled in from their sources, so the RTL suite does
# not depend on every other library module building.
RTL_TESTS    := $(sort $(basename $(notdir $(wildcard tests/rtl/test_rtl_*.c))))
RTL_REF_SRC  := common/bm_insn.c common/bm_err.c common/gen/bm_isa_tab.c common/gen/bm_presets.c \
                common/gen/bm_regs_tab.c driver/ref/bm_engine.c driver/ref/bm_exec.c
RTL_TEST_LIBS := -lm
RTL_TEST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Icommon -Icommon/gen \
                   -Idriver -Idriver/ref -Ihw/sim -Itests -Itests/rtl
RTL_TEST_BINS := $(foreach p,$(SIM_PRESETS),$(foreach t,$(RTL_TESTS),$(BUILD)/sim/$(p)/$(t)))
RTL_PROGS    ?= 150

# The engine objects are preset-independent: compiled once, linked into all.
RTL_REF_OBJ  := $(RTL_REF_SRC:%.c=$(BUILD)/sim/ref/%.o)
$(BUILD)/sim/ref/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(RTL_TEST_CFLAGS) -MMD -MP -c -o $@ $<
-include $(RTL_REF_OBJ:.o=.d)

define rtl_test_rule
$(BUILD)/sim/$(1)/test_rtl_%: tests/rtl/test_rtl_%.c tests/rtl/rtl_util.h tests/rtl/rtl_gen.h \
                              $(BUILD)/sim/$(1)/libbmsim.so $(RTL_REF_OBJ)
	$(CC) $(RTL_TEST_CFLAGS) -o $$@ $$< $(RTL_REF_OBJ) -L$(BUILD)/sim/$(1) -lbmsim \
	  -Wl,-rpath,$$(abspath $(BUILD)/sim/$(1)) $(RTL_TEST_LIBS)
endef
$(foreach p,$(SIM_PRESETS),$(eval $(call rtl_test_rule,$(p))))

# ---- module unit tests: Verilator testbenches of leaf modules (preset-free)
RTL_UNIT_TBS  := $(sort $(patsubst tests/rtl/unit/tb_%.cpp,%,$(wildcard tests/rtl/unit/tb_*.cpp)))
RTL_UNIT_BINS := $(foreach t,$(RTL_UNIT_TBS),$(BUILD)/sim/unit/$(t)/tb_$(t))
# One explicit rule per testbench (a pattern with two '%' never matches).
define rtl_unit_rule
$(BUILD)/sim/unit/$(1)/tb_$(1): tests/rtl/unit/tb_$(1).cpp $(RTL_SRCS) $(RTL_PKGS)
	@rm -rf $(BUILD)/sim/unit/$(1) && mkdir -p $(BUILD)/sim/unit/$(1)
	$(VERILATOR) --cc --exe --build -O3 -Wno-fatal -Wno-lint -Wno-style --top-module bm_$(1) \
	  --Mdir $(BUILD)/sim/unit/$(1) $(RTL_PKGS) hw/rtl/gen/presets/default.sv $(RTL_SRCS) \
	  $$(abspath $$<) -o tb_$(1) > $(BUILD)/sim/unit/$(1).log 2>&1 || { tail -20 $(BUILD)/sim/unit/$(1).log; exit 1; }
endef
$(foreach t,$(RTL_UNIT_TBS),$(eval $(call rtl_unit_rule,$(t))))

test-rtl: $(RTL_TEST_BINS) $(RTL_UNIT_BINS)
	@BM_PROGS=$(RTL_PROGS) BM_TEST_LOG=$(BUILD)/test-logs bash tests/run.sh --suite rtl --by-dir $(RTL_UNIT_BINS) $(RTL_TEST_BINS)

# `make test` runs the RTL suite and the whole `make lint`: its one yosys
# synth_xilinx run (default preset, ~6 min of CPU, docs/rtl.md) is shared
# through SYNTH_CACHE with the sweep-test area columns; `make test` starts it
# in the background at once (bench/sweep/prefetch_synth.sh) and runs lint and
# sweep-test after the other suites, so they normally find the entry done
# (else they wait on its lock; run alone they synthesize).
TEST_EXTRA += test-rtl lint

# ---- lint: verilator -Wall on every preset, yosys synth_xilinx of default
# One synthesis cache for every caller of scripts/sweep_synth.py (lint, the
# sweeps, the make-test prefetch, synth-report): one run per preset and RTL.
SYNTH_CACHE ?= $(BUILD)/synth-cache
export SYNTH_CACHE
lint:
	@bash hw/lint/lint.sh $(BUILD)/test-logs $(BUILD)/lint $(SYNTH_CACHE)

lint-verilator:
	@bash hw/lint/lint.sh $(BUILD)/test-logs $(BUILD)/lint --no-synth

synth-generic:
	@bash hw/lint/synth.sh $(BUILD)/lint/synth_generic default
