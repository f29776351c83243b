/* imc info FILE...: header facts as a table, or JSON lines. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fputs("usage: imc info [--json] FILE...\n"
          "\n"
          "Prints format, size, channels, sample type, EXIF orientation and file size of\n"
          "each FILE, reading headers only. Channels and type are what IMREAD_UNCHANGED\n"
          "decodes to; orientation is 1-8, or 0 when the file has none.\n"
          "\n"
          "  --json   one JSON object per line instead of a table\n",
          f);
}

/* Writes s as a JSON string body. */
static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int cli_info(int argc, char **argv)
{
    bool json = false;
    int failures = 0, files = 0;
    bool header_done = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_fail("info: unknown option '%s' (see imc info --help)", argv[i]);
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *path = argv[i];
        if (!strcmp(path, "--json"))
            continue;
        files++;
        imc_info info;
        imc_error err;
        struct stat st;
        long long file_size = stat(path, &st) == 0 ? (long long)st.st_size : -1;
        int rc = imc_probe_file(path, &info, &err);
        if (rc != IMC_OK) {
            failures++;
            if (json) {
                fputs("{\"file\": ", stdout);
                json_string(path);
                fputs(", \"error\": ", stdout);
                json_string(err.message);
                puts("}");
            }
            cli_fail("%s: %s", path, err.message);
            continue;
        }
        if (json) {
            fputs("{\"file\": ", stdout);
            json_string(path);
            printf(", \"format\": \"%s\", \"width\": %d, \"height\": %d, \"channels\": %d, "
                   "\"dtype\": \"%s\", \"orientation\": %d, \"bytes\": %lld}\n",
                   info.format, info.width, info.height, info.channels,
                   cli_depth_name(info.depth), info.orientation, file_size);
        } else {
            if (!header_done)
                printf("%-6s %7s %7s %3s %-7s %6s %12s  %s\n", "FORMAT", "WIDTH", "HEIGHT",
                       "CH", "DTYPE", "ORIENT", "BYTES", "FILE");
            header_done = true;
            printf("%-6s %7d %7d %3d %-7s %6d %12lld  %s\n", info.format, info.width,
                   info.height, info.channels, cli_depth_name(info.depth), info.orientation,
                   file_size, path);
        }
    }
    if (files == 0)
        return cli_fail("info needs at least one FILE (see imc info --help)");
    return failures ? 1 : 0;
}
