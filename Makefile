# bitmill top-level build.  `make help` lists the targets.
#
# Variables (override on the command line):
#   DATA_DIR  shared model weights and text   (default ../shared/data)
#   CONFIG    hardware preset from spec/presets (default "default")
#   BUILD     output folder                    (default build)
#   JOBS      parallel jobs for sub-builds     (default 2)

DATA_DIR ?= ../shared/data
CONFIG   ?= default
BUILD    ?= build
JOBS     ?= 2
export DATA_DIR

CC      ?= gcc
CXX     ?= g++
PYTHON  ?= python3

INC      := -Icommon -Icommon/gen -Icompiler -Idriver -Idriver/ref -Ihost/lib -Ihost/model -Ihw/sim -I/usr/include/xrt
CWARN    := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
CFLAGS_R := $(CWARN) -O2 -g $(INC)
CFLAGS_A := $(CWARN) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=all $(INC)
LDLIBS   := -llapacke -lopenblas -lusb-1.0 -ldl -lpthread -lm
XRT_LIBS := -L/usr/lib/x86_64-linux-gnu -lxrt_coreutil -luuid

# Library sources: every C file of the layers below the CLI.  Files are picked
# up by wildcard, so adding a module needs no Makefile change.
LIB_DIRS ?= common common/gen compiler/load compiler/quant compiler/sparse \
            compiler/pack compiler/sched compiler/emit compiler driver driver/ref \
            driver/sim driver/xrt driver/usb host/lib host/model host/sweep
LIB_SRC  := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
CLI_SRC  := $(sort $(wildcard host/cli/*.c))
TESTS_MATCH ?= test_*
TEST_SRC := $(sort $(wildcard tests/unit/$(TESTS_MATCH).c tests/e2e/$(TESTS_MATCH).c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

OBJ_R  := $(LIB_SRC:%.c=$(BUILD)/rel/%.o)
OBJ_A  := $(LIB_SRC:%.c=$(BUILD)/asan/%.o)
CLI_R  := $(CLI_SRC:%.c=$(BUILD)/rel/%.o)
TESTS  := $(patsubst %.c,$(BUILD)/asan/bin/%,$(notdir $(TEST_SRC)))
DEPS_OK := $(BUILD)/.deps-ok

.PHONY: all help deps gen check-gen run test test-unit test-rtl lint bench \
        fuzz fuzz-smoke accuracy clean install
.DEFAULT_GOAL := all

all: $(BUILD)/bin/bitmill $(BUILD)/lib/libbitmill.a

help:
	@echo "make            build build/bin/bitmill and build/lib/libbitmill.a"
	@echo "make run        compile stories260K and run it end to end (see README)"
	@echo "make test       the whole regression suite (unit, RTL, e2e, lint, fuzz smoke)"
	@echo "make test-unit  C unit tests only (ASan+UBSan)"
	@echo "make test-rtl   RTL tests only (Verilator)"
	@echo "make lint       verilator --lint-only -Wall and yosys synthesis"
	@echo "make bench      benchmarks, CSV under $(BUILD)/bench/"
	@echo "make fuzz       run every loader fuzzer for FUZZ_SECONDS (default 60)"
	@echo "make gen        regenerate files derived from spec/ (ISA, registers, presets)"
	@echo "make accuracy   perplexity table -> docs/accuracy.md"
	@echo "make install    PREFIX=/usr/local: library, headers, pkg-config, CLI"
	@echo "make clean      remove $(BUILD)/"
	@echo "Variables: DATA_DIR=$(DATA_DIR) CONFIG=$(CONFIG) BUILD=$(BUILD)"

# ---- dependencies ---------------------------------------------------------
deps: $(DEPS_OK)
$(DEPS_OK): scripts/deps.sh
	@bash scripts/deps.sh
	@mkdir -p $(@D) && touch $@

# ---- generated sources (one source of truth in spec/) ----------------------
GEN_INPUTS := scripts/gen.py $(wildcard spec/*.json spec/presets/*.json)
gen: | $(DEPS_OK)
	$(PYTHON) scripts/gen.py --write
check-gen: | $(DEPS_OK)
	$(PYTHON) scripts/gen.py --check

# ---- C build ----------------------------------------------------------------
$(BUILD)/rel/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_R) -MMD -MP -c $< -o $@
$(BUILD)/asan/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_A) -MMD -MP -c $< -o $@

$(BUILD)/lib/libbitmill.a: $(OBJ_R)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/lib/libbitmill_asan.a: $(OBJ_A)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/bitmill: $(CLI_R) $(BUILD)/lib/libbitmill.a
	@mkdir -p $(@D)
	$(CC) -o $@ $(CLI_R) $(BUILD)/lib/libbitmill.a $(XRT_LIBS) $(LDLIBS) -rdynamic

# Unit tests: one program per file, linked against the sanitized library.
$(BUILD)/asan/bin/test_%: tests/unit/test_%.c $(BUILD)/lib/libbitmill_asan.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_A) -Itests -o $@ $< $(BUILD)/lib/libbitmill_asan.a $(XRT_LIBS) $(LDLIBS)
$(BUILD)/asan/bin/test_%: tests/e2e/test_%.c $(BUILD)/lib/libbitmill_asan.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_A) -Itests -o $@ $< $(BUILD)/lib/libbitmill_asan.a $(XRT_LIBS) $(LDLIBS)

-include $(OBJ_R:.o=.d) $(OBJ_A:.o=.d) $(CLI_R:.o=.d)

# Sub-makefiles owned by their folders (RTL simulation, bitstreams, bench).
-include hw/sim/sim.mk
-include bitstreams/bitstreams.mk
-include bench/bench.mk
-include tests/fuzz/fuzz.mk
-include tests/usb/usb.mk

# ---- tests ------------------------------------------------------------------
# The end-to-end tests compare ref:// with sim:// on these presets.
E2E_SIM := $(BUILD)/sim/default/libbmsim.so $(BUILD)/sim/odd/libbmsim.so
test-unit: $(TESTS) $(if $(filter test_e2e%,$(notdir $(TESTS))),$(E2E_SIM))
	@BM_TEST_LOG=$(BUILD)/test-logs bash tests/run.sh $(TESTS)


# ---- main job ---------------------------------------------------------------
run: $(BUILD)/bin/bitmill sim-lib
	@bash scripts/run.sh $(BUILD) $(DATA_DIR) $(CONFIG)

accuracy: $(BUILD)/bin/bitmill
	@bash scripts/accuracy.sh $(BUILD) $(DATA_DIR)

clean:
	rm -rf $(BUILD)

PREFIX ?= /usr/local
# The public header and the headers it includes.
PUBLIC_HDRS := host/lib/bitmill.h driver/bm_driver.h driver/ref/bm_engine.h common/bm_err.h \
               common/gen/bm_presets.h common/gen/bm_regs.h common/gen/bm_isa.h
install: all
	install -d $(PREFIX)/bin $(PREFIX)/lib/pkgconfig $(PREFIX)/include/bitmill
	install -m 755 $(BUILD)/bin/bitmill $(PREFIX)/bin/
	install -m 644 $(BUILD)/lib/libbitmill.a $(PREFIX)/lib/
	install -m 644 $(PUBLIC_HDRS) $(PREFIX)/include/bitmill/
	sed -e 's|@PREFIX@|$(PREFIX)|g' host/lib/bitmill.pc.in > $(PREFIX)/lib/pkgconfig/bitmill.pc

# Install into a scratch prefix and build a program against it with pkg-config.
test-install: all
	@rm -rf $(BUILD)/install && $(MAKE) -s install PREFIX=$(abspath $(BUILD)/install) >/dev/null
	@bash tests/install/check.sh $(BUILD)
TEST_EXTRA += test-install

# The CLI's exit codes and messages on bad input.
test-cli: $(BUILD)/bin/bitmill
	@bash tests/e2e/cli_errors.sh $(BUILD) $(DATA_DIR)
TEST_EXTRA += test-cli

# ---- the whole suite (last: every fragment has added to TEST_EXTRA) --------
# Every suite runs in one parallel, keep-going make: builds and runs of
# different suites share the cores instead of waiting for each other (a
# Verilator build or a yosys run is one process; one suite at a time left a
# core idle for minutes). Each suite appends one "<suite>: N passed, N failed"
# line to test-logs/summary.txt, also when its tests fail; a suite whose
# build failed writes none, and tests/summary.sh counts the missing lines as
# failures.
# The one yosys synthesis (default preset: lint prints it, sweep-test reads
# it) is the longest single process; it starts at once in the background,
# beside the make jobs, and the two suites that read it run after the others
# (a make job waiting on the cache lock would idle one of the JOBS slots).
TEST_SUITES = test-unit $(TEST_EXTRA)
TEST_LATE   = lint sweep-test
test: check-gen
	@rm -f $(BUILD)/test-logs/summary.txt; mkdir -p $(BUILD)/test-logs; st=0; \
	bash bench/sweep/prefetch_synth.sh $(BUILD) & pf=$$!; \
	$(MAKE) -k -j$(JOBS) --no-print-directory $(filter-out $(TEST_LATE),$(TEST_SUITES)) || st=1; \
	$(MAKE) -k -j$(JOBS) --no-print-directory $(filter $(TEST_LATE),$(TEST_SUITES)) || st=1; \
	wait $$pf; \
	bash tests/summary.sh $(BUILD) $(words $(TEST_SUITES)) $$st
