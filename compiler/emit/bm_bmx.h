/* The .bmx program container: everything needed to run a compiled model on
 * a device without the original checkpoint. Layout (little-endian):
 *   header (64 B): "BMX\1", version, ISA hash, preset hash, section count,
 *                  header size, file size, CRC-32 of the section table
 *   section table: 64 B per section: type, flags, name[32], offset, size, CRC-32
 *   sections (16-aligned): MANIFEST (JSON), CONFIG, TOKENIZER (llama2.c
 *   format), TENSOR (fp32 tensors kept on the host), LAYER (descriptor, row
 *   scales, weight blob), PROGRAM (the layer's M=1 instruction stream).
 * docs/formats.md describes every field. */
#ifndef BM_BMX_H
#define BM_BMX_H

#include "bm_compile.h"
#include "emit/bm_prog.h"

#define BM_BMX_VERSION 1

enum { BM_SEC_MANIFEST = 1, BM_SEC_CONFIG = 2, BM_SEC_TOKENIZER = 3, BM_SEC_TENSOR = 4,
       BM_SEC_LAYER = 5, BM_SEC_PROGRAM = 6 };

typedef struct bm_bmx {
    uint32_t isa_hash, preset_hash;
    const bm_preset *preset;
    int act_bits;
    bm_model model;          /* config, host tensors, tokenizer */
    bm_packed_layer *layers;
    int nl;
    bm_prog *progs;          /* [np] M=1 programs, one per layer */
    int np;
    char *manifest;          /* JSON, NUL-terminated */
} bm_bmx;

/* Write atomically (PATH.tmp, then rename): nothing half-written is left. */
int bm_bmx_write(const char *path, const bm_model *m, const bm_compile_opts *o,
                 const bm_packed_layer *L, int n, bm_err *err);
int bm_bmx_read(const char *path, bm_bmx *out, bm_err *err);
int bm_bmx_read_mem(const void *buf, size_t n, const char *name, bm_bmx *out, bm_err *err);
/* 1 if the file starts with the .bmx magic. */
int bm_bmx_sniff(const char *path);
void bm_bmx_free(bm_bmx *b);

#endif
