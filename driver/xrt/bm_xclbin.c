/* Metadata-only .xclbin writer (see bm_xclbin.h). Relies on the axlf structs
 * of /usr/include/xrt/xclbin.h and on the generated kernel.xml for the kernel
 * name, arguments and which arguments are global (memory) pointers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xclbin.h>

#include "bm_xclbin.h"

#define KERNEL_XML_MAX (1u << 20) /* kernel.xml is ~2 KB; refuse anything silly */
#define MAX_ARGS 64

static int read_text(const char *path, char **out, bm_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return bm_fail(err, BM_E_IO, "cannot open %s: %s", path, strerror(errno));
    char *buf = malloc(KERNEL_XML_MAX + 1);
    if (!buf) {
        fclose(f);
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, KERNEL_XML_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > KERNEL_XML_MAX) {
        free(buf);
        return bm_fail(err, bad ? BM_E_IO : BM_E_FORMAT, "%s: %s", path,
                       bad ? "read error" : "larger than 1 MiB, not a kernel.xml");
    }
    buf[n] = 0;
    *out = buf;
    return BM_OK;
}

/* Value of attribute `name` inside the tag starting at `tag` (up to its '>'),
 * copied into v. Returns 0 if found. Enough for the generator's output, which
 * always quotes with '"' and never nests '>' in attribute values. */
static int attr(const char *tag, const char *name, char *v, size_t vn)
{
    const char *end = strchr(tag, '>');
    size_t ln = strlen(name);
    for (const char *p = tag; end && p < end; p++) {
        if (p[-1] != ' ' || strncmp(p, name, ln) != 0 || p[ln] != '=' || p[ln + 1] != '"')
            continue;
        const char *s = p + ln + 2, *q = strchr(s, '"');
        if (!q || q > end || (size_t)(q - s) >= vn)
            return -1;
        memcpy(v, s, (size_t)(q - s));
        v[q - s] = 0;
        return 0;
    }
    return -1;
}

/* Locate the single <kernel ...> ... </kernel> element. */
static int find_kernel(const char *xml, const char **k0, const char **k1, bm_err *err)
{
    const char *a = strstr(xml, "<kernel ");
    const char *b = a ? strstr(a, "</kernel>") : NULL;
    if (!a || !b)
        return bm_fail(err, BM_E_FORMAT, "kernel.xml: no <kernel> element");
    *k0 = a;
    *k1 = b;
    return BM_OK;
}

int bm_xclbin_metadata_xml(const char *text, char **out, bm_err *err)
{
    const char *k0, *k1;
    int rc = find_kernel(text, &k0, &k1, err);
    if (rc)
        return rc;
    char kname[64];
    if (attr(k0 + 1, "name", kname, sizeof kname))
        return bm_fail(err, BM_E_FORMAT, "kernel.xml: <kernel> has no name");
    static const char head[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<project name=\"%s\">\n"
        "  <platform vendor=\"bitmill\" boardid=\"metadata_only\" name=\"noop\" featureRomTime=\"0\">\n"
        "    <version major=\"1\" minor=\"0\"/>\n"
        "    <device name=\"fpga0\" fpgaDevice=\"\" addrWidth=\"0\">\n"
        "      <core name=\"OCL_REGION_0\" target=\"hw\" type=\"clc_region\" numComputeUnits=\"1\">\n"
        "  ";
    static const char tail[] =
        "  <instance name=\"%s_1\">\n"
        "        <addrRemap base=\"0x%llx\" port=\"s_axi_control\"/>\n"
        "      </instance>\n"
        "    </kernel>\n"
        "      </core>\n"
        "    </device>\n"
        "  </platform>\n"
        "</project>\n";
    size_t klen = (size_t)(k1 - k0);
    size_t cap = sizeof head + sizeof tail + klen + 2 * sizeof kname + 32;
    char *s = malloc(cap);
    if (!s)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    int n = snprintf(s, cap, head, kname);
    /* Vitis' kernel.xml groups <port>s and <arg>s in <ports>/<args>; XRT's
     * metadata parser wants them as direct children of <kernel> (with the
     * wrappers it finds no arguments and crashes opening the kernel). */
    for (const char *p = k0; p < k1;) {
        static const char *const wrap[] = {"<ports>", "</ports>", "<args>", "</args>"};
        size_t skip = 0;
        for (int i = 0; i < 4 && !skip; i++)
            if (strncmp(p, wrap[i], strlen(wrap[i])) == 0)
                skip = strlen(wrap[i]);
        if (skip) {
            while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n')) /* drop the now-empty line */
                n--;
            p += skip;
        } else {
            s[n++] = *p++;
        }
    }
    n += snprintf(s + n, cap - (size_t)n, tail, kname, (unsigned long long)BM_XCLBIN_CU_BASE);
    if ((size_t)n >= cap) {
        free(s);
        return bm_fail(err, BM_E_RANGE, "internal: metadata buffer too small");
    }
    *out = s;
    return BM_OK;
}

/* Indices of the global-memory (addressQualifier=1) arguments. */
static int global_args(const char *text, int32_t *idx, int *n, bm_err *err)
{
    const char *k0, *k1;
    int rc = find_kernel(text, &k0, &k1, err);
    if (rc)
        return rc;
    *n = 0;
    for (const char *p = strstr(k0, "<arg "); p && p < k1; p = strstr(p + 1, "<arg ")) {
        char q[8], id[16];
        if (attr(p + 1, "addressQualifier", q, sizeof q) || attr(p + 1, "id", id, sizeof id))
            return bm_fail(err, BM_E_FORMAT, "kernel.xml: <arg> without addressQualifier/id");
        if (strcmp(q, "1") != 0)
            continue;
        if (*n == MAX_ARGS)
            return bm_fail(err, BM_E_RANGE, "kernel.xml: more than %d pointer arguments", MAX_ARGS);
        idx[(*n)++] = (int32_t)strtol(id, NULL, 0);
    }
    return BM_OK;
}

/* Deterministic UUID from the kernel XML: two FNV-1a 64 hashes, with the
 * RFC 4122 version (8, "custom") and variant bits set. */
static void content_uuid(const char *text, unsigned char u[16])
{
    uint64_t h[2] = {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull};
    for (int k = 0; k < 2; k++)
        for (const unsigned char *p = (const unsigned char *)text; *p; p++)
            h[k] = (h[k] ^ *p) * 0x100000001b3ull;
    for (int i = 0; i < 16; i++)
        u[i] = (unsigned char)(h[i / 8] >> (8 * (i % 8)));
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x80);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
}

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

int bm_xclbin_write_metadata(const char *path, const char *kernel_xml, bm_err *err)
{
    char *text = NULL, *meta = NULL;
    unsigned char *img = NULL;
    int32_t args[MAX_ARGS];
    int nargs = 0;
    int rc = read_text(kernel_xml, &text, err);
    if (!rc)
        rc = bm_xclbin_metadata_xml(text, &meta, err);
    if (!rc)
        rc = global_args(text, args, &nargs, err);
    if (rc) {
        free(text);
        free(meta);
        return bm_wrap(err, "%s", kernel_xml);
    }

    enum { NSEC = 4 };
    size_t hdr = sizeof(struct axlf) + (NSEC - 1) * sizeof(struct axlf_section_header);
    size_t sz[NSEC] = {
        strlen(meta) + 1,
        sizeof(struct ip_layout),
        sizeof(struct mem_topology),
        sizeof(struct connectivity) + (size_t)(nargs > 1 ? nargs - 1 : 0) * sizeof(struct connection),
    };
    static const uint32_t kind[NSEC] = {EMBEDDED_METADATA, IP_LAYOUT, MEM_TOPOLOGY, CONNECTIVITY};
    static const char *const name[NSEC] = {"metadata", "ip_layout", "mem_topology", "connectivity"};
    size_t off[NSEC], total = ALIGN8(hdr);
    for (int i = 0; i < NSEC; i++) {
        off[i] = total;
        total = ALIGN8(total + sz[i]);
    }
    img = calloc(1, total);
    if (!img) {
        free(text);
        free(meta);
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    }

    struct axlf *a = (struct axlf *)img;
    memcpy(a->m_magic, "xclbin2", 8);
    a->m_signature_length = -1;
    memset(a->reserved, 0xff, sizeof a->reserved);
    memset(a->m_keyBlock, 0xff, sizeof a->m_keyBlock);
    a->m_header.m_length = total;
    a->m_header.m_versionMajor = 2;
    a->m_header.m_versionMinor = 13;
    a->m_header.m_mode = XCLBIN_PR;
    snprintf((char *)a->m_header.m_platformVBNV, sizeof a->m_header.m_platformVBNV,
             "bitmill:metadata_only:noop:1.0");
    content_uuid(text, a->m_header.uuid);
    memcpy(&a->m_uniqueId, a->m_header.uuid, sizeof a->m_uniqueId);
    a->m_header.m_numSections = NSEC;
    for (int i = 0; i < NSEC; i++) {
        struct axlf_section_header *s = &a->m_sections[i];
        s->m_sectionKind = kind[i];
        snprintf(s->m_sectionName, sizeof s->m_sectionName, "%s", name[i]);
        s->m_sectionOffset = off[i];
        s->m_sectionSize = sz[i];
    }

    memcpy(img + off[0], meta, sz[0]);

    struct ip_layout *ip = (struct ip_layout *)(img + off[1]);
    ip->m_count = 1;
    ip->m_ip_data[0].m_type = IP_KERNEL;
    /* interrupt enabled, interrupt id 0, ap_ctrl_hs (kernel.xml says so) */
    ip->m_ip_data[0].properties = 1u | (AP_CTRL_HS << IP_CONTROL_SHIFT);
    ip->m_ip_data[0].m_base_address = BM_XCLBIN_CU_BASE;
    char kname[30]; /* "name:name_1" must fit ip_data.m_name[64] */
    const char *k0, *k1;
    find_kernel(text, &k0, &k1, NULL);
    if (attr(k0 + 1, "name", kname, sizeof kname)) {
        free(img);
        free(text);
        free(meta);
        return bm_fail(err, BM_E_FORMAT, "%s: kernel name missing or longer than 29 characters", kernel_xml);
    }
    snprintf((char *)ip->m_ip_data[0].m_name, sizeof ip->m_ip_data[0].m_name, "%s:%s_1", kname, kname);

    struct mem_topology *mt = (struct mem_topology *)(img + off[2]);
    mt->m_count = 1;
    mt->m_mem_data[0].m_type = MEM_DDR4;
    mt->m_mem_data[0].m_used = 1;
    mt->m_mem_data[0].m_size = BM_XCLBIN_BANK_KB;
    mt->m_mem_data[0].m_base_address = 0x4000000000ull;
    snprintf((char *)mt->m_mem_data[0].m_tag, sizeof mt->m_mem_data[0].m_tag, "DDR[0]");

    struct connectivity *cn = (struct connectivity *)(img + off[3]);
    cn->m_count = nargs;
    for (int i = 0; i < nargs; i++) {
        cn->m_connection[i].arg_index = args[i];
        cn->m_connection[i].m_ip_layout_index = 0;
        cn->m_connection[i].mem_data_index = 0;
    }

    rc = BM_OK;
    FILE *f = fopen(path, "wb");
    if (!f)
        rc = bm_fail(err, BM_E_IO, "cannot create %s: %s", path, strerror(errno));
    else if (fwrite(img, 1, total, f) != total)
        rc = bm_fail(err, BM_E_IO, "writing %s: %s", path, strerror(errno));
    if (f && fclose(f) && !rc)
        rc = bm_fail(err, BM_E_IO, "writing %s: %s", path, strerror(errno));
    free(img);
    free(text);
    free(meta);
    return rc;
}
