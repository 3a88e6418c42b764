/* Small strict JSON parser (RFC 8259) for safetensors headers and Hugging
 * Face config.json: builds a node tree in one pass, with a depth limit and
 * byte offsets in every error so bad headers are reported precisely. */
#ifndef BM_JSON_H
#define BM_JSON_H

#include <stddef.h>

#include "bm_err.h"

typedef enum { BM_JSON_NULL, BM_JSON_BOOL, BM_JSON_NUM, BM_JSON_STR, BM_JSON_ARR,
               BM_JSON_OBJ } bm_json_type;

typedef struct bm_json_node {
    bm_json_type type;
    int boolean;
    double num;
    const char *str;   /* decoded string (STR), NUL-terminated */
    const char *key;   /* member name when the parent is an object */
    int first, next;   /* first child / next sibling node index, -1 if none */
    int n_children;
    size_t off;        /* byte offset of the value in the text */
} bm_json_node;

typedef struct bm_json {
    bm_json_node *nodes; /* nodes[0] is the root */
    int n, cap;
    char *strings;       /* storage for every decoded string */
    size_t str_used;
} bm_json;

/* Parse n bytes (need not be NUL-terminated); `name` prefixes messages.
 * Trailing whitespace is allowed, anything else after the value is not. */
int bm_json_parse(const char *text, size_t n, const char *name, bm_json *j, bm_err *err);
void bm_json_free(bm_json *j);
/* Member `key` of object node obj, or NULL (first match). */
const bm_json_node *bm_json_get(const bm_json *j, const bm_json_node *obj, const char *key);
static inline const bm_json_node *bm_json_child(const bm_json *j, const bm_json_node *n)
{
    return n->first >= 0 ? &j->nodes[n->first] : NULL;
}
static inline const bm_json_node *bm_json_next(const bm_json *j, const bm_json_node *n)
{
    return n->next >= 0 ? &j->nodes[n->next] : NULL;
}

#endif
