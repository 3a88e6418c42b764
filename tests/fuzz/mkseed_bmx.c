/* Writes a small but complete .bmx seed for fuzz_bmx: a 1-layer, 8-wide
 * Llama with a 4-token vocabulary, compiled for the minimal preset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/bm_bmx.h"

static const char *names[] = {"token_embd", "blk.0.attn_norm", "blk.0.attn_q", "blk.0.attn_k", "blk.0.attn_v",
                              "blk.0.attn_output", "blk.0.ffn_norm", "blk.0.ffn_gate", "blk.0.ffn_down",
                              "blk.0.ffn_up", "output_norm", "output"};

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    bm_model m;
    memset(&m, 0, sizeof m);
    m.cfg = (bm_model_cfg){8, 8, 1, 2, 2, 4, 8, 4, 1e-5f, 10000.f, 1};
    m.n_tensors = 12;
    m.tensors = calloc(12, sizeof(bm_tensor));
    m.arena = calloc(12 * 64, sizeof(float));
    for (int i = 0; i < 12; i++) {
        bm_tensor *t = &m.tensors[i];
        snprintf(t->name, sizeof t->name, "%s", names[i]);
        int vec = strstr(names[i], "norm") != NULL, emb = i == 0 || i == 11;
        t->rows = vec ? 1 : emb ? 4 : 8;
        t->cols = 8;
        t->data = m.arena + 64 * i;
        for (int j = 0; j < t->rows * t->cols; j++)
            t->data[j] = vec ? 1.0f : (float)((j * 37 + i * 11) % 17 - 8) / 16.0f;
    }
    static char *voc[4] = {"<unk>", "<s>", "</s>", " a"};
    static float sc[4] = {0, 0, 0, -1};
    m.tok.vocab_size = 4;
    m.tok.vocab = voc;
    m.tok.scores = sc;
    m.tok.max_token_length = 5;
    m.has_tok = 1;
    bm_compile_opts o = {0};
    o.preset = bm_preset_find("minimal");
    o.q = (bm_qconf){BM_DT_BITMOD, 4, 8, 8, 0, 0};
    o.act_bits = 8;
    bm_packed_layer *L;
    int n;
    bm_err err = {0};
    int rc = bm_compile_model(&m, &o, &L, &n, NULL, NULL, &err);
    if (!rc)
        rc = bm_bmx_write(argv[1], &m, &o, L, n, &err);
    if (rc)
        fprintf(stderr, "mkseed_bmx: %s\n", err.msg);
    return rc ? 1 : 0;
}
