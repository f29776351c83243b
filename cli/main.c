/* imc: convert and inspect images from the command line. */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: imc COMMAND [ARGS]\n"
          "\n"
          "Commands:\n"
          "  convert IN OUT [-q Q] [--param NAME=VALUE ...]   transcode one image\n"
          "  convert --out DIR [--to .EXT] [-j N] FILES|DIRS  transcode many, in parallel\n"
          "  info [--json] FILE...                           header facts of images\n"
          "  view [--width N] [--window] FILE...             show images on the terminal\n"
          "\n"
          "Options:\n"
          "  --formats   list the compiled-in formats\n"
          "  --version   print the version\n"
          "  --help      this text; 'imc COMMAND --help' for a command's options\n",
          f);
}

/* "0..100", "any", "1, 3" ...: what a param takes as given, and what
 * happens to other values. */
static void describe_values(const imc_param_info *p, char *out, size_t size)
{
    static const char *const rules[] = {"clamped", "ignored", "refused", "replaced"};
    size_t used = 0;
    if (p->values && p->nvalues > 6) {
        used = (size_t)snprintf(out, size, "%zu values", p->nvalues);
    } else if (p->values) {
        for (size_t i = 0; i < p->nvalues && used < size; i++)
            used += (size_t)snprintf(out + used, size - used, p->values[i] > 0xffff ? "%s0x%x" : "%s%d",
                                     i ? "|" : "", p->values[i]);
    } else if (p->min == INT_MIN && p->max == INT_MAX) {
        used = (size_t)snprintf(out, size, "any");
    } else if (p->max == INT_MAX) {
        used = (size_t)snprintf(out, size, "%d..", p->min);
    } else {
        used = (size_t)snprintf(out, size, "%d..%d", p->min, p->max);
    }
    int below = p->values || p->min != INT_MIN ? p->below : -1;
    int above = p->values || p->max != INT_MAX ? p->above : -1;
    if (below >= 0 && above >= 0 && below != above && !p->values && used < size)
        snprintf(out + used, size - used, ", below %s, above %s", rules[below & 3],
                 rules[above & 3]);
    else if ((below >= 0 || above >= 0) && used < size)
        used += (size_t)snprintf(out + used, size - used, ", else %s",
                                 rules[(below >= 0 ? below : above) & 3]);
    if ((below == IMC_PARAM_REPLACED || above == IMC_PARAM_REPLACED) && used < size)
        snprintf(out + used, size - used, " by %d", p->replacement);
}

static bool takes(const imc_param_info *p, int v)
{
    for (size_t i = 0; p->values && i < p->nvalues; i++)
        if (p->values[i] == v)
            return true;
    return !p->values && v >= p->min && v <= p->max;
}

static int list_formats(void)
{
    printf("%-8s %-6s %-6s %s\n", "FORMAT", "READ", "WRITE", "EXTENSIONS");
    for (int i = 0; i < imc_format_count(); i++) {
        imc_format f;
        imc_format_get(i, &f);
        printf("%-8s %-6s %-6s %s\n", f.name, f.can_decode ? "yes" : "no",
               f.can_encode ? "yes" : "no", f.extensions);
    }
    printf("\nENCODE PARAMS (--param NAME=VALUE; others are ignored, as in cv2)\n");
    for (int i = 0; i < imc_format_count(); i++) {
        imc_format f;
        imc_format_get(i, &f);
        imc_param_info p;
        for (int k = 0; imc_format_param(i, k, &p) == IMC_OK; k++) {
            char values[96], def[32] = "";
            describe_values(&p, values, sizeof values);
            if (takes(&p, p.def))
                snprintf(def, sizeof def, "default %d", p.def);
            char line[200];
            int n = snprintf(line, sizeof line, "%-8s %-28s %-34s %s", k ? "" : f.name, p.name,
                             values, def);
            while (n > 0 && (size_t)n < sizeof line && line[n - 1] == ' ')
                line[--n] = '\0';
            puts(line);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("imc %s\n", imc_version());
        return 0;
    }
    if (!strcmp(cmd, "--formats") || !strcmp(cmd, "formats"))
        return list_formats();
    if (!strcmp(cmd, "convert"))
        return cli_convert(argc - 1, argv + 1);
    if (!strcmp(cmd, "info"))
        return cli_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "view"))
        return cli_view(argc - 1, argv + 1);
    return cli_fail("unknown command '%s' (see imc --help)", cmd);
}
