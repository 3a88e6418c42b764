# Loader fuzzing (libFuzzer). Included by the top-level Makefile.
#   make fuzz         every harness for FUZZ_SECONDS (default 60)
#   make fuzz-smoke   every harness for FUZZ_SMOKE_SECONDS (default 5), all at
#                     once; part of `make test` via TEST_EXTRA
# Harnesses are tests/fuzz/fuzz_*.c, linked with the loader sources only
# (common/bm_err.c, compiler/load/*.c). Seeds are small files written by
# tests/fuzz/mkseeds.c; the growing corpus and crash inputs stay in
# $(BUILD)/fuzz/ (never in the repository, never the shared data).

FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_CC            ?= clang
FUZZ_DIR           := $(BUILD)/fuzz
FUZZ_BINS          := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRC))
FUZZ_LIB_SRC       := common/bm_err.c $(sort $(wildcard compiler/load/*.c))
FUZZ_HDRS          := $(wildcard compiler/load/*.h tests/fuzz/*.h) common/bm_err.h
FUZZ_CFLAGS        := -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
                      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                      -Wall -Wextra -Werror -Icommon -Icompiler -Itests

FUZZ_OBJ           := $(FUZZ_LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)

# Loader objects are compiled once and shared by every harness.
$(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ) $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_OBJ) -lm

# The .bmx reader needs the compiler's packing/scheduling code as well.
FUZZ_BMX_SRC := $(sort $(wildcard common/*.c common/gen/*.c compiler/*.c compiler/*/*.c host/model/*.c) \
                  driver/ref/bm_engine.c driver/ref/bm_exec.c)
$(FUZZ_DIR)/fuzz_bmx: tests/fuzz/fuzz_bmx.c $(FUZZ_BMX_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icommon/gen -Idriver -Idriver/ref -Ihost/model -o $@ $< $(FUZZ_BMX_SRC) \
	  -llapacke -lopenblas -lm

$(FUZZ_DIR)/mkseed_bmx: tests/fuzz/mkseed_bmx.c $(BUILD)/lib/libbitmill.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_R) -o $@ $< $(BUILD)/lib/libbitmill.a $(XRT_LIBS) $(LDLIBS)

$(FUZZ_DIR)/mkseeds: tests/fuzz/mkseeds.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -Itests -o $@ $<

$(FUZZ_DIR)/seeds/.stamp: $(FUZZ_DIR)/mkseeds $(FUZZ_DIR)/mkseed_bmx
	rm -rf $(FUZZ_DIR)/seeds && $(FUZZ_DIR)/mkseeds $(FUZZ_DIR)/seeds && \
	  mkdir -p $(FUZZ_DIR)/seeds/bmx && $(FUZZ_DIR)/mkseed_bmx $(FUZZ_DIR)/seeds/bmx/tiny.bmx && touch $@

fuzz: $(FUZZ_BINS) $(FUZZ_DIR)/seeds/.stamp
	@bash tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS) $(FUZZ_DIR)/seeds $(FUZZ_DIR)/corpus \
	  $(FUZZ_DIR)/fuzz-summary.txt $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS) $(FUZZ_DIR)/seeds/.stamp
	@bash tests/fuzz/run_fuzz.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_DIR)/seeds \
	  $(FUZZ_DIR)/corpus $(BUILD)/test-logs/summary.txt $(FUZZ_BINS)

TEST_EXTRA += fuzz-smoke
