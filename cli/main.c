/* imc: convert and inspect images from the command line. */
#include "cli.h"

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

static int list_formats(void)
{
    printf("%-8s %-6s %-6s %s\n", "FORMAT", "READ", "WRITE", "EXTENSIONS");
    for (int i = 0; i < imc_format_count(); i++) {
        imc_format f;
        imc_format_get(i, &f);
        printf("%-8s %-6s %-6s %s\n", f.name, f.can_decode ? "yes" : "no",
               f.can_encode ? "yes" : "no", f.extensions);
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
