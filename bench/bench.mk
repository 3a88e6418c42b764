# Benchmarks: each part contributes a target to BENCH_TARGETS; `make bench`
# runs them all and writes CSVs under $(BUILD)/bench/.
-include bench/quant/quant.mk
-include bench/rtl/rtl.mk
BENCH_TARGETS += bench-quant bench-e2e
ifneq ($(wildcard bench/rtl/rtl.mk),)
BENCH_TARGETS += bench-rtl
endif

.PHONY: bench bench-e2e
bench: $(BENCH_TARGETS)
	@echo "bench: CSVs in $(BUILD)/bench/"; ls $(BUILD)/bench/*.csv

# End-to-end: stories260K decode on the reference + cycle model of every
# preset, one JSON line per preset -> CSV.
bench-e2e: $(BUILD)/bin/bitmill
	@mkdir -p $(BUILD)/bench
	@bash bench/e2e.sh $(BUILD) $(DATA_DIR)
-include bench/sweep/sweep.mk
