/* Metadata-only xclbin writer: the file has the axlf layout XRT reads, its
 * EMBEDDED_METADATA carries every <arg> of the generated kernel.xml as direct
 * children of <kernel>, CONNECTIVITY lists exactly the pointer arguments, and
 * the same kernel.xml always gives the same bytes (UUID from content). */
#include <stdlib.h>
#include <unistd.h>

#include <xclbin.h>

#include "bm_test.h"
#include "../../driver/xrt/bm_xclbin.h"

static long slurp(const char *path, unsigned char **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    if (!*out || fread(*out, 1, (size_t)n, f) != (size_t)n)
        n = -1;
    else
        (*out)[n] = 0;
    fclose(f);
    return n;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

int main(void)
{
    const char *kxml = getenv("BM_KERNEL_XML") ? getenv("BM_KERNEL_XML") : BM_XCLBIN_KERNEL_XML;
    char dir[256], a[300], b[300];
    snprintf(dir, sizeof dir, "%s/bm_xclbin_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(a, sizeof a, "%s/a.xclbin", dir);
    snprintf(b, sizeof b, "%s/b.xclbin", dir);
    bm_err e = {0};
    CHECK(bm_xclbin_write_metadata(a, kxml, &e) == BM_OK, "%s", e.msg);
    CHECK(bm_xclbin_write_metadata(b, kxml, &e) == BM_OK, "%s", e.msg);
    CHECK_EQ_INT(bm_xclbin_write_metadata(b, "/nonexistent/kernel.xml", &e), BM_E_IO);

    unsigned char *x = NULL, *y = NULL, *k = NULL;
    long nx = slurp(a, &x), ny = slurp(b, &y), nk = slurp(kxml, &k);
    CHECK(nx > 0 && nx == ny && memcmp(x, y, (size_t)nx) == 0, "deterministic output");
    CHECK(nk > 0, "read %s", kxml);
    if (nx <= (long)sizeof(struct axlf) || nk <= 0)
        return bm_test_done("test_xrt_xclbin");

    const struct axlf *top = (const struct axlf *)x;
    CHECK(memcmp(top->m_magic, "xclbin2", 8) == 0, "magic");
    CHECK_EQ_INT(top->m_header.m_length, nx);
    CHECK_EQ_INT(top->m_header.m_numSections, 4);
    const char *meta = NULL;
    const struct ip_layout *ip = NULL;
    const struct connectivity *cn = NULL;
    const struct mem_topology *mt = NULL;
    for (uint32_t i = 0; i < top->m_header.m_numSections && i < 4; i++) {
        const struct axlf_section_header *s = &top->m_sections[i];
        CHECK(s->m_sectionOffset % 8 == 0 && s->m_sectionOffset + s->m_sectionSize <= (uint64_t)nx,
              "section %u in bounds", i);
        const unsigned char *p = x + s->m_sectionOffset;
        if (s->m_sectionKind == EMBEDDED_METADATA)
            meta = (const char *)p;
        else if (s->m_sectionKind == IP_LAYOUT)
            ip = (const struct ip_layout *)p;
        else if (s->m_sectionKind == CONNECTIVITY)
            cn = (const struct connectivity *)p;
        else if (s->m_sectionKind == MEM_TOPOLOGY)
            mt = (const struct mem_topology *)p;
    }
    CHECK(meta && ip && cn && mt, "all four sections present");
    if (!(meta && ip && cn && mt))
        return bm_test_done("test_xrt_xclbin");

    CHECK(strstr(meta, "<project") && strstr(meta, "<core ") && strstr(meta, "<kernel name=\"bitmill\""),
          "metadata wraps the kernel in project/platform/device/core");
    CHECK(!strstr(meta, "<args>") && !strstr(meta, "<ports>"), "no <args>/<ports> wrappers");
    CHECK_EQ_INT(count(meta, "<arg "), count((const char *)k, "<arg "));
    CHECK_EQ_INT(count(meta, "<port "), count((const char *)k, "<port "));
    CHECK(strstr(meta, "<instance name=\"bitmill_1\">") != NULL, "CU instance");
    CHECK_EQ_INT(ip->m_count, 1);
    CHECK(strcmp((const char *)ip->m_ip_data[0].m_name, "bitmill:bitmill_1") == 0, "ip name %s",
          ip->m_ip_data[0].m_name);
    CHECK_EQ_INT((ip->m_ip_data[0].properties & IP_CONTROL_MASK) >> IP_CONTROL_SHIFT, AP_CTRL_HS);
    CHECK_EQ_INT(mt->m_count, 1);
    CHECK(mt->m_mem_data[0].m_used == 1, "bank used");
    /* pointer args of kernel.xml: insn, base0..3 = ids 0, 2, 3, 4, 5 */
    CHECK_EQ_INT(cn->m_count, count((const char *)k, "addressQualifier=\"1\""));
    static const int want[] = {0, 2, 3, 4, 5};
    for (int i = 0; i < cn->m_count && i < 5; i++)
        CHECK_EQ_INT(cn->m_connection[i].arg_index, want[i]);

    free(x);
    free(y);
    free(k);
    unlink(a);
    unlink(b);
    rmdir(dir);
    return bm_test_done("test_xrt_xclbin");
}
