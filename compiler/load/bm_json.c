/* Strict JSON parser; see bm_json.h. Recursive descent with an explicit
 * depth cap (untrusted headers must not exhaust the stack); strings are
 * decoded into one buffer no larger than the input. */
#include "bm_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct {
    const char *s;
    size_t n, i;
    const char *name;
    bm_err *err;
    bm_json *j;
} parser;

static int fail_at(parser *p, const char *what)
{
    return bm_fail(p->err, BM_E_FORMAT, "%s: offset %zu: JSON: %s", p->name, p->i, what);
}

static void skip_ws(parser *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
                           p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static int new_node(parser *p, bm_json_type type, int *idx)
{
    bm_json *j = p->j;
    if (j->n == j->cap) {
        if (j->cap > (1 << 24))
            return bm_fail(p->err, BM_E_RANGE, "%s: JSON has too many values", p->name);
        int cap = j->cap ? 2 * j->cap : 64;
        bm_json_node *nn = realloc(j->nodes, (size_t)cap * sizeof *nn);
        if (!nn)
            return bm_fail(p->err, BM_E_NOMEM, "%s: out of memory parsing JSON", p->name);
        j->nodes = nn;
        j->cap = cap;
    }
    *idx = j->n++;
    bm_json_node *x = &j->nodes[*idx];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->first = x->next = -1;
    x->off = p->i;
    return BM_OK;
}

static int hex4(parser *p, unsigned *v)
{
    if (p->n - p->i < 4)
        return fail_at(p, "truncated \\u escape");
    *v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p->s[p->i++];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (d == 16)
            return fail_at(p, "bad hex digit in \\u escape");
        *v = *v << 4 | d;
    }
    return BM_OK;
}

/* Decode the string starting at the opening quote; result in j->strings. */
static int parse_string(parser *p, const char **out)
{
    p->i++; /* opening quote */
    char *dst = p->j->strings + p->j->str_used;
    size_t k = 0;
    for (;;) {
        if (p->i >= p->n)
            return fail_at(p, "unterminated string");
        unsigned char c = (unsigned char)p->s[p->i++];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail_at(p, "control character in string");
        if (c != '\\') {
            dst[k++] = (char)c;
            continue;
        }
        if (p->i >= p->n)
            return fail_at(p, "unterminated escape");
        char e = p->s[p->i++];
        unsigned cp;
        int rc;
        switch (e) {
        case '"': dst[k++] = '"'; break;
        case '\\': dst[k++] = '\\'; break;
        case '/': dst[k++] = '/'; break;
        case 'b': dst[k++] = '\b'; break;
        case 'f': dst[k++] = '\f'; break;
        case 'n': dst[k++] = '\n'; break;
        case 'r': dst[k++] = '\r'; break;
        case 't': dst[k++] = '\t'; break;
        case 'u':
            if ((rc = hex4(p, &cp)))
                return rc;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail_at(p, "lone low surrogate");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (p->n - p->i < 2 || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
                    return fail_at(p, "high surrogate without low surrogate");
                p->i += 2;
                if ((rc = hex4(p, &lo)))
                    return rc;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail_at(p, "bad low surrogate");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0)
                return fail_at(p, "\\u0000 in string");
            /* UTF-8 is never longer than the escape it came from. */
            if (cp < 0x80) {
                dst[k++] = (char)cp;
            } else if (cp < 0x800) {
                dst[k++] = (char)(0xC0 | cp >> 6);
                dst[k++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                dst[k++] = (char)(0xE0 | cp >> 12);
                dst[k++] = (char)(0x80 | (cp >> 6 & 0x3F));
                dst[k++] = (char)(0x80 | (cp & 0x3F));
            } else {
                dst[k++] = (char)(0xF0 | cp >> 18);
                dst[k++] = (char)(0x80 | (cp >> 12 & 0x3F));
                dst[k++] = (char)(0x80 | (cp >> 6 & 0x3F));
                dst[k++] = (char)(0x80 | (cp & 0x3F));
            }
            break;
        default:
            p->i--;
            return fail_at(p, "bad escape in string");
        }
    }
    dst[k] = 0;
    p->j->str_used += k + 1;
    *out = dst;
    return BM_OK;
}

static int parse_number(parser *p, double *v)
{
    size_t st = p->i;
    const char *s = p->s;
#define DIG(i) ((i) < p->n && s[i] >= '0' && s[i] <= '9')
    if (p->i < p->n && s[p->i] == '-')
        p->i++;
    if (!DIG(p->i))
        return fail_at(p, "expected a digit");
    if (s[p->i] == '0')
        p->i++;
    else
        while (DIG(p->i))
            p->i++;
    if (p->i < p->n && s[p->i] == '.') {
        p->i++;
        if (!DIG(p->i))
            return fail_at(p, "expected a digit after '.'");
        while (DIG(p->i))
            p->i++;
    }
    if (p->i < p->n && (s[p->i] == 'e' || s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (s[p->i] == '+' || s[p->i] == '-'))
            p->i++;
        if (!DIG(p->i))
            return fail_at(p, "expected a digit in exponent");
        while (DIG(p->i))
            p->i++;
    }
#undef DIG
    char buf[128];
    size_t len = p->i - st;
    if (len >= sizeof buf)
        return fail_at(p, "number too long");
    memcpy(buf, s + st, len);
    buf[len] = 0;
    *v = strtod(buf, NULL);
    return BM_OK;
}

static int parse_value(parser *p, int depth, int *idx);

static int parse_container(parser *p, int depth, int idx, int is_obj)
{
    char close = is_obj ? '}' : ']';
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        return BM_OK;
    }
    int last = -1, rc;
    for (;;) {
        const char *key = NULL;
        skip_ws(p);
        if (is_obj) {
            if (p->i >= p->n || p->s[p->i] != '"')
                return fail_at(p, "expected a member name");
            if ((rc = parse_string(p, &key)))
                return rc;
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':')
                return fail_at(p, "expected ':'");
            p->i++;
            skip_ws(p);
        }
        int child;
        if ((rc = parse_value(p, depth + 1, &child)))
            return rc;
        p->j->nodes[child].key = key;
        if (last < 0)
            p->j->nodes[idx].first = child;
        else
            p->j->nodes[last].next = child;
        last = child;
        p->j->nodes[idx].n_children++;
        skip_ws(p);
        if (p->i >= p->n)
            return fail_at(p, is_obj ? "unterminated object" : "unterminated array");
        if (p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->s[p->i] == close) {
            p->i++;
            return BM_OK;
        }
        return fail_at(p, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int literal(parser *p, const char *w)
{
    size_t l = strlen(w);
    if (p->n - p->i < l || memcmp(p->s + p->i, w, l) != 0)
        return fail_at(p, "unexpected character");
    p->i += l;
    return BM_OK;
}

static int parse_value(parser *p, int depth, int *idx)
{
    if (depth > MAX_DEPTH)
        return fail_at(p, "nesting too deep");
    skip_ws(p);
    if (p->i >= p->n)
        return fail_at(p, "expected a value, found end of text");
    char c = p->s[p->i];
    int rc;
    switch (c) {
    case '{':
    case '[':
        if ((rc = new_node(p, c == '{' ? BM_JSON_OBJ : BM_JSON_ARR, idx)))
            return rc;
        return parse_container(p, depth, *idx, c == '{');
    case '"': {
        if ((rc = new_node(p, BM_JSON_STR, idx)))
            return rc;
        const char *s;
        if ((rc = parse_string(p, &s)))
            return rc;
        p->j->nodes[*idx].str = s;
        return BM_OK;
    }
    case 't':
    case 'f':
        if ((rc = new_node(p, BM_JSON_BOOL, idx)))
            return rc;
        p->j->nodes[*idx].boolean = c == 't';
        return literal(p, c == 't' ? "true" : "false");
    case 'n':
        if ((rc = new_node(p, BM_JSON_NULL, idx)))
            return rc;
        return literal(p, "null");
    default: {
        if ((rc = new_node(p, BM_JSON_NUM, idx)))
            return rc;
        double v = 0;
        if ((rc = parse_number(p, &v)))
            return rc;
        p->j->nodes[*idx].num = v;
        return BM_OK;
    }
    }
}

int bm_json_parse(const char *text, size_t n, const char *name, bm_json *j, bm_err *err)
{
    memset(j, 0, sizeof *j);
    j->strings = malloc(n + 1);
    if (!j->strings)
        return bm_fail(err, BM_E_NOMEM, "%s: out of memory for JSON", name);
    parser p = {text, n, 0, name, err, j};
    int root, rc = parse_value(&p, 0, &root);
    if (!rc) {
        skip_ws(&p);
        if (p.i != n)
            rc = fail_at(&p, "unexpected text after the value");
    }
    if (rc)
        bm_json_free(j);
    return rc;
}

void bm_json_free(bm_json *j)
{
    free(j->nodes);
    free(j->strings);
    memset(j, 0, sizeof *j);
}

const bm_json_node *bm_json_get(const bm_json *j, const bm_json_node *obj, const char *key)
{
    if (!obj || obj->type != BM_JSON_OBJ)
        return NULL;
    for (const bm_json_node *c = bm_json_child(j, obj); c; c = bm_json_next(j, c))
        if (strcmp(c->key, key) == 0)
            return c;
    return NULL;
}
