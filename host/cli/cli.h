/* Shared pieces of the `bitmill` subcommands: option parsing, opening a
 * model (+ tokenizer) and a device, and the weight-format options. */
#ifndef BM_CLI_H
#define BM_CLI_H

#include <stdio.h>

#include "bitmill.h"
#include "bm_eval.h"
#include "bm_llama.h"
#include "bm_offload.h"
#include "emit/bm_bmx.h"
#include "load/bm_model.h"

/* Exit codes (docs/cli.md). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_DEVICE = 3, EXIT_INPUT = 4 };

typedef struct cli_opts {
    const char *model, *tokenizer, *device, *prompt, *text, *layer, *out, *gemm, *preset;
    int steps, max_tokens, window, m, json, quiet, seed, skip_tokens;
    int fp32;                 /* --dtype fp32: keep fp32 weights (only pruning applies) */
    bm_compile_opts co;       /* weight format, method, pruning (preset set later) */
    const char *dtype_name, *calib_path;
    char *calib_buf;          /* contents of --calib, owned */
} cli_opts;

/* What run/eval operate on: a model file (fp32, or compiled on the fly for
 * --device) or a .bmx program (always on a device). */
typedef struct cli_session {
    bm_model model;
    bm_bmx bmx;
    int is_bmx;
    bm_model *m;
    bm_dev *dev;
    const char *device;
    bm_offload *off;
    char fmt[128];
} cli_session;
int cli_session_open(cli_opts *o, cli_session *s, bm_err *err);
void cli_session_close(cli_session *s);

/* Parse argv[first..] into o; positional argument -> o->model. Prints usage
 * and returns EXIT_USAGE on error, -1 when --help was printed. */
int cli_parse(int argc, char **argv, int first, cli_opts *o, const char *usage);
int cli_open_model(const cli_opts *o, bm_model *m, bm_err *err);
void cli_free(cli_opts *o);
char *cli_slurp(const char *path, bm_err *err);
int cli_exit_code(int rc);
void cli_progress(void *ctx, long done, long total);
const char *cli_format_name(const bm_compile_opts *o, char *buf, size_t n);

int cmd_run(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_layer(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

#define CLI_QUANT_HELP \
    "  --device URI        run linear layers on a device: ref://[preset], sim://[preset],\n" \
    "                      xrt://N, usb://[VID:PID] (default: fp32 on the host)\n" \
    "  --dtype T           int | int-asym | bitmod | abq | fp32 (default bitmod;\n" \
    "                      fp32 = no quantization, only pruning, on the host)\n" \
    "  --bits B            weight bits (default 4; abq: 2)\n" \
    "  --group G           weights per group along K (default 32; 0 = per channel)\n" \
    "  --sparsity S        none | 2:4\n" \
    "  --prune P           2:4 pruning: magnitude (default) | wanda | sparsegpt\n" \
    "  --method M          rtn (default) | gptq\n" \
    "  --calib FILE        calibration text for gptq/wanda/sparsegpt (16 x 256 tokens)\n" \
    "  --act-bits A        activation bits 2..8 (default 8)\n" \
    "  --classifier        offload the classifier too (default: kept fp32)\n" \
    "  --tokenizer PATH    llama2.c tokenizer (default: embedded, or tok512.bin beside MODEL)\n"

#endif
