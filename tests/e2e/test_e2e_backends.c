/* End to end on two backends: stories260K compiled in four formats (INT4,
 * BitMoD W3, W2*, 2:4 + INT4) for two presets, a 6-token prefill and 3 decode
 * steps on the reference model (ref://) and on the Verilator RTL (sim://):
 * the logits must be identical bit for bit and every device counter equal.
 * Needs build/sim/{default,odd}/libbmsim.so (make sim-lib). */
#include "bm_test.h"
#include "bm_stories.h"
#include "bitmill.h"
#include "bm_llama.h"
#include "bm_offload.h"

typedef struct run_out { float logits[4][512]; uint64_t counters[BM_N_COUNTERS]; } run_out;

static int run(const char *uri, bm_model *m, const bm_packed_layer *L, int n, run_out *o)
{
    bm_err err = {0};
    bm_dev *dev = NULL;
    bm_offload *off = NULL;
    bm_llama *l = NULL;
    int toks[6] = {1, 403, 407, 261, 319, 268};
    float *lg = malloc(sizeof(float) * 6 * 512);
    int rc = bm_dev_open(uri, NULL, &dev, &err);
    CHECK(rc == BM_OK, "%s: %s", uri, err.msg);
    if (!rc) rc = bm_offload_new_packed(dev, m, L, n, 8, &off, &err);
    if (!rc) rc = bm_llama_new(m, 16, &l, &err);
    if (!rc) {
        bm_llama_set_linear(l, bm_offload_linear, off);
        rc = bm_llama_forward(l, toks, 6, 0, lg, &err);
        memcpy(o->logits[0], lg + 5 * 512, sizeof o->logits[0]);
        for (int s = 0; s < 3 && !rc; s++) {
            int best = 0;
            for (int i = 1; i < 512; i++)
                if (lg[i + (s ? 0 : 5 * 512)] > lg[best + (s ? 0 : 5 * 512)]) best = i;
            rc = bm_llama_forward(l, &best, 1, 6 + s, lg, &err);
            memcpy(o->logits[s + 1], lg, sizeof o->logits[0]);
        }
        memcpy(o->counters, bm_offload_get_stats(off)->counters, sizeof o->counters);
    }
    CHECK(rc == BM_OK, "%s: %s", uri, err.msg);
    free(lg);
    bm_llama_free(l);
    bm_offload_free(off);
    bm_dev_close(dev);
    return rc;
}

int main(void)
{
    bm_err err = {0};
    bm_model m;
    int rc = bm_test_load_stories(&m, &m.tok);
    if (rc)
        return bm_test_done("test_e2e_backends");
    struct { const char *name; bm_dtype dt; int bits, group; bm_prune prune; } fmt[] = {
        {"INT4", BM_DT_INT, 4, 24, BM_PRUNE_NONE},
        {"BitMoD W3", BM_DT_BITMOD, 3, 24, BM_PRUNE_NONE},
        {"W2*", BM_DT_ABQ, 2, 24, BM_PRUNE_NONE},
        {"2:4 + INT4", BM_DT_INT, 4, 48, BM_PRUNE_MAGNITUDE},
    };
    const char *presets[] = {"default", "odd"};
    for (int pi = 0; pi < 2; pi++) {
        CHECK(bm_sim_available(presets[pi]), "Verilator model for %s not built (make sim-lib CONFIG=%s)",
              presets[pi], presets[pi]);
        if (!bm_sim_available(presets[pi]))
            continue;
        for (size_t f = 0; f < sizeof fmt / sizeof fmt[0]; f++) {
            bm_compile_opts o = {0};
            o.preset = bm_preset_find(presets[pi]);
            o.q = (bm_qconf){fmt[f].dt, fmt[f].bits, fmt[f].group, 8, 0, 0};
            o.act_bits = 8;
            o.prune = fmt[f].prune;
            bm_packed_layer *L;
            int n;
            rc = bm_compile_model(&m, &o, &L, &n, NULL, NULL, &err);
            CHECK(rc == BM_OK, "compile %s: %s", fmt[f].name, err.msg);
            if (rc)
                continue;
            static run_out a, b;
            char ur[64], us[64];
            snprintf(ur, sizeof ur, "ref://%s", presets[pi]);
            snprintf(us, sizeof us, "sim://%s", presets[pi]);
            memset(&a, 0, sizeof a);
            memset(&b, 0, sizeof b);
            if (!run(ur, &m, L, n, &a) && !run(us, &m, L, n, &b)) {
                CHECK(memcmp(a.logits, b.logits, sizeof a.logits) == 0, "%s on %s: logits differ ref vs sim",
                      fmt[f].name, presets[pi]);
                for (int c = 0; c < BM_N_COUNTERS; c++)
                    CHECK(a.counters[c] == b.counters[c], "%s on %s: counter %s ref %llu sim %llu", fmt[f].name,
                          presets[pi], bm_counter_names[c], (unsigned long long)a.counters[c],
                          (unsigned long long)b.counters[c]);
                printf("%-10s %-8s identical logits, %llu cycles\n", fmt[f].name, presets[pi],
                       (unsigned long long)a.counters[BM_CNT_CYCLES]);
            }
            bm_packed_free(L, n);
            free(L);
        }
    }
    bm_model_free(&m);
    return bm_test_done("test_e2e_backends");
}
