# bench/rtl/rtl.mk: `make bench-rtl` — cycle benchmarks on the Verilator
# model of every preset; writes $(BUILD)/bench/rtl.csv and prints ratios.
# (Include from the top Makefile or bench/bench.mk: -include bench/rtl/rtl.mk)
BENCH_RTL_PRESETS ?= default minimal odd decode ice40
BENCH_RTL_BINS := $(foreach p,$(BENCH_RTL_PRESETS),$(BUILD)/sim/$(p)/bench_rtl)

define bench_rtl_rule
$(BUILD)/sim/$(1)/bench_rtl: bench/rtl/bench_rtl.c tests/rtl/rtl_util.h $(BUILD)/sim/$(1)/libbmsim.so $(RTL_REF_OBJ)
	$(CC) $(RTL_TEST_CFLAGS) -o $$@ $$< $(RTL_REF_OBJ) -L$(BUILD)/sim/$(1) -lbmsim \
	  -Wl,-rpath,$$(abspath $(BUILD)/sim/$(1)) -lm
endef
$(foreach p,$(BENCH_RTL_PRESETS),$(eval $(call bench_rtl_rule,$(p))))

.PHONY: bench-rtl
bench-rtl: $(BENCH_RTL_BINS)
	@mkdir -p $(BUILD)/bench
	@echo "preset,workload,m,n,k,bits,dtype,sparsity,cycles,ideal_cycles,utilization,dram_bytes,sim_cycles_per_s,engine_cycles,cp_step,ld_wait_mem,cp_wait_tok,rd_beats,fetch_beats" > $(BUILD)/bench/rtl.csv
	@for b in $(BENCH_RTL_BINS); do $$b $(BUILD)/bench/rtl.csv || exit 1; done
	@python3 bench/rtl/summary.py $(BUILD)/bench/rtl.csv
