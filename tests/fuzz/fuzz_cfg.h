/* The seed model's shape, shared by the seed generator and the safetensors
 * harness (whose config.json is fixed so the fuzzer explores the file). */
#ifndef BM_FUZZ_CFG_H
#define BM_FUZZ_CFG_H

#define BM_FUZZ_DIM 8
#define BM_FUZZ_HIDDEN 16
#define BM_FUZZ_LAYERS 1
#define BM_FUZZ_HEADS 2
#define BM_FUZZ_KV_HEADS 1
#define BM_FUZZ_VOCAB 8
#define BM_FUZZ_SEQ 4

#define BM_FUZZ_CONFIG                                                                  \
    "{\"model_type\": \"llama\", \"hidden_size\": 8, \"intermediate_size\": 16, "       \
    "\"num_hidden_layers\": 1, \"num_attention_heads\": 2, \"num_key_value_heads\": 1, " \
    "\"vocab_size\": 8, \"max_position_embeddings\": 4, \"rms_norm_eps\": 1e-05, "      \
    "\"tie_word_embeddings\": false}"

#endif
