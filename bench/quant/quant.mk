# Quantizer benchmark and accuracy tables (bench/quant), included from the
# top Makefile through bench/bench.mk.
#   make bench-quant           RTN weights/s (1 core) + GPTQ wall time (2 BLAS
#                              threads) on 4096x4096 -> $(BUILD)/bench/quant.csv
#   make bench-quant-accuracy  two-level scale cost tables for docs/formats.md

BENCH_QUANT_BIN := $(BUILD)/bench/bench_quant

$(BENCH_QUANT_BIN): bench/quant/bench_quant.c $(BUILD)/lib/libbitmill.a
	@mkdir -p $(@D)
	$(CC) $(CWARN) -O2 -g $(INC) -Itests -o $@ $< $(BUILD)/lib/libbitmill.a $(XRT_LIBS) $(LDLIBS)

.PHONY: bench-quant bench-quant-accuracy
bench-quant: $(BENCH_QUANT_BIN)
	$(BENCH_QUANT_BIN) --csv $(BUILD)/bench/quant.csv

bench-quant-accuracy: $(BENCH_QUANT_BIN)
	$(BENCH_QUANT_BIN) --accuracy $(DATA_DIR)
