/* bitmill: command-line front end of the compiler, runtime and devices. */
#include <string.h>

#include "bm_isa.h"
#include "cli.h"

static const char usage[] =
    "usage: bitmill COMMAND [options]   (bitmill COMMAND --help for details)\n"
    "commands:\n"
    "  compile  quantize and compile a model into a .bmx program\n"
    "  run      generate text from a model or program, fp32 or on a device\n"
    "  eval     perplexity of a model on a text file\n"
    "  layer    run one linear layer (or a random GEMM) on a device vs fp32\n"
    "  disasm   print the scheduled program of one layer\n"
    "  info     presets, devices, model manifests\n"
    "  bench    standard GEMM/GEMV workloads on a device: utilization, bytes/cycle\n"
    "  sweep    design-space sweep: grid spec -> results.csv, summary.csv, plots\n"
    "exit codes: 0 ok, 1 failure, 2 usage, 3 device error/timeout/mismatch, 4 bad input file\n";

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("bitmill ISA v%u (0x%08X)\n", BM_ISA_VERSION, BM_ISA_HASH);
        return EXIT_OK;
    }
    static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
        {"compile", cmd_compile}, {"run", cmd_run}, {"eval", cmd_eval}, {"layer", cmd_layer}, {"disasm", cmd_disasm}, {"info", cmd_info}, {"bench", cmd_bench},
        {"sweep", cmd_sweep},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].fn(argc, argv);
    fprintf(stderr, "bitmill: unknown command '%s'\n%s", argv[1], usage);
    return EXIT_USAGE;
}
