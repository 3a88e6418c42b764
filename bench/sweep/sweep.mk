# Design-space sweeps (host/sweep, docs/sweeps.md), the BitMoD side-by-side
# (docs/compare.md) and the benchmark summary. Included from bench/bench.mk.
#   make sweep-example   stories260K x 3 presets x 5 formats x dense/2:4, RTL-checked
#                        -> $(BUILD)/sweep-example/{results,summary}.csv, plots/;
#                        table in docs/sweeps.md, PNGs in docs/img/
#   make sweep-test      tiny sweep: CSV schema, resume, job export, model == RTL,
#                        synthesis columns of the default preset (yosys, from the
#                        shared cache SYNTH_CACHE that `make lint` uses)
#   make compare         Llama-2-7B layers vs BitMoD's analytic model -> docs/compare.md
#   make bench-summary   key figures of $(BUILD)/bench/*.csv -> $(BUILD)/bench/summary.csv

SWEEP_J       ?= 2
SWEEP_PRESETS := default odd minimal
SWEEP_SIM     := $(foreach p,$(SWEEP_PRESETS),$(BUILD)/sim/$(p)/libbmsim.so)
SWEEP_BIN     := $(BUILD)/bin/bitmill

.PHONY: sweep-example sweep-test compare bench-summary
sweep-example: $(SWEEP_BIN) $(SWEEP_SIM)
	OPENBLAS_NUM_THREADS=1 $(SWEEP_BIN) sweep bench/sweep/example.spec -o $(BUILD)/sweep-example -j $(SWEEP_J) \
	  --synth-cache $(SYNTH_CACHE)
	python3 bench/sweep/example_doc.py $(BUILD)/sweep-example docs/sweeps.md docs/img $(SYNTH_CACHE)
	@column -s, -t < $(BUILD)/sweep-example/summary.csv | cut -c1-220 | head -40

sweep-test: $(SWEEP_BIN) $(BUILD)/sim/default/libbmsim.so $(BUILD)/sim/odd/libbmsim.so
	@bash bench/sweep/sweep_test.sh $(BUILD)
TEST_EXTRA += sweep-test

# Area columns: `bitmill sweep` runs scripts/sweep_synth.py per array
# configuration (yosys synth_xilinx, synth_ice40 + nextpnr-ice40 where the
# board build is possible), cached in --synth-cache DIR (default DIR/synth;
# the make targets pass SYNTH_CACHE, the cache `make lint` uses too, so a
# preset is synthesized once per RTL version; SYNTH_CACHE is set in
# hw/sim/sim.mk; docs/sweeps.md).

compare: $(SWEEP_BIN)
	OPENBLAS_NUM_THREADS=1 $(SWEEP_BIN) sweep bench/sweep/llama7b.spec -o $(BUILD)/compare -j $(SWEEP_J) --no-plots
	python3 bench/sweep/compare.py $(BUILD)/compare/results.csv docs/compare.md

# Runs after every other benchmark (bench.mk includes this file last).
bench-summary: $(filter-out bench-summary,$(BENCH_TARGETS))
	@python3 bench/sweep/bench_summary.py $(BUILD)/bench
bench: bench-summary
BENCH_TARGETS += bench-summary
