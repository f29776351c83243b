/* imc info FILE...: header facts as a table, or JSON lines. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fputs("usage: imc info [--json] [--check] FILE...\n"
          "\n"
          "Prints format, size, channels, sample type, EXIF orientation, file size and\n"
          "metadata (the kinds present, exif, xmp, icc, cicp, with their sizes in bytes)\n"
          "of each FILE, reading headers only. Channels and type are what IMREAD_UNCHANGED\n"
          "decodes to; orientation is 1-8, or 0 when the file has none.\n"
          "\n"
          "  --json   one JSON object per line instead of a table\n"
          "  --check  also decode each file fully and say ok, or what is damaged\n"
          "           (warning, error, truncated: the codec library's words); exits 1\n"
          "           when a file is truncated or corrupt. Codecs that cannot tell yet\n"
          "           say so (unknown)\n",
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

/* --check: the damage a full decode meets. */
typedef struct {
    const char *verdict; /* "ok", "warning", "error", "truncated" */
    imc_damage_report report;
} check_result;

static bool check_file(const char *path, check_result *c)
{
    c->report = (imc_damage_report)IMC_DAMAGE_REPORT_INIT;
    imc_decode_options o = IMC_DECODE_OPTIONS_INIT;
    o.flags = IMC_IMREAD_UNCHANGED;
    o.orientation = IMC_ORIENTATION_IGNORE;
    o.report = &c->report;
    imc_image_list pages; /* every page and frame: damage can be on any */
    imc_error err;
    int rc = imc_read_multi(path, &o, 0, 0, &pages, &err);
    imc_image_list_free(&pages);
    if (rc != IMC_OK && c->report.kind == IMC_DAMAGE_NONE) { /* not the data: limits, memory */
        c->report.kind = IMC_DAMAGE_ERROR;
        snprintf(c->report.message, sizeof c->report.message, "%s", err.message);
    }
    c->verdict = c->report.kind == IMC_DAMAGE_NONE ? "ok" : imc_damage_kind_name(c->report.kind);
    return c->report.complete;
}

/* The metadata kinds present with their sizes, "exif:48,icc:588" (one
 * word: the table splits on spaces), or "-"; JSON: a list of {"kind",
 * "bytes"}; in file order. */
static void metadata_summary(const char *path, bool json, char *text, size_t cap)
{
    imc_metadata md;
    snprintf(text, cap, json ? "[]" : "-");
    if (imc_metadata_read_file(path, &md, NULL) != IMC_OK)
        return;
    size_t at = 0;
    for (size_t i = 0; i < md.count && at < cap; i++) {
        const char *kind = imc_metadata_kind_name(md.blobs[i].kind);
        int n = json ? snprintf(text + at, cap - at, "%s{\"kind\": \"%s\", \"bytes\": %zu}%s",
                                i ? ", " : "[", kind, md.blobs[i].size,
                                i + 1 == md.count ? "]" : "")
                     : snprintf(text + at, cap - at, "%s%s:%zu", i ? "," : "", kind,
                                md.blobs[i].size);
        at += n > 0 ? (size_t)n : 0;
    }
    imc_metadata_free(&md);
}

int cli_info(int argc, char **argv)
{
    bool json = false, check = false;
    int failures = 0, files = 0;
    bool header_done = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--check")) {
            check = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_fail("info: unknown option '%s' (see imc info --help)", argv[i]);
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *path = argv[i];
        if (!strcmp(path, "--json") || !strcmp(path, "--check"))
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
        char meta[512];
        metadata_summary(path, json, meta, sizeof meta);
        check_result c = {"", IMC_DAMAGE_REPORT_INIT};
        if (check && !check_file(path, &c))
            failures++;
        if (json) {
            fputs("{\"file\": ", stdout);
            json_string(path);
            printf(", \"format\": \"%s\", \"width\": %d, \"height\": %d, \"channels\": %d, "
                   "\"dtype\": \"%s\", \"orientation\": %d, \"bytes\": %lld, \"metadata\": %s",
                   info.format, info.width, info.height, info.channels,
                   cli_depth_name(info.depth), info.orientation, file_size, meta);
            if (check) {
                printf(", \"check\": \"%s\", \"complete\": %s, \"first_bad_row\": %d, "
                       "\"page\": %d, \"warnings\": %d, \"damage\": ",
                       c.verdict, c.report.complete ? "true" : "false", c.report.first_bad_row,
                       c.report.page, c.report.warnings);
                json_string(c.report.message);
            }
            puts("}");
        } else {
            if (!header_done)
                printf("%-6s %7s %7s %3s %-7s %6s %12s  %-24s %s%s\n", "FORMAT", "WIDTH",
                       "HEIGHT", "CH", "DTYPE", "ORIENT", "BYTES", "METADATA",
                       check ? "CHECK      " : "", "FILE");
            header_done = true;
            char verdict[16] = "";
            if (check)
                snprintf(verdict, sizeof verdict, "%-10s ", c.verdict);
            printf("%-6s %7d %7d %3d %-7s %6d %12lld  %-24s %s%s", info.format, info.width,
                   info.height, info.channels, cli_depth_name(info.depth), info.orientation,
                   file_size, meta, verdict, path);
            if (check && c.report.message[0] && c.report.page > 0)
                printf(": page %d: %s", c.report.page, c.report.message);
            else if (check && c.report.message[0])
                printf(": %s", c.report.message);
            putchar('\n');
        }
    }
    if (files == 0)
        return cli_fail("info needs at least one FILE (see imc info --help)");
    return failures ? 1 : 0;
}
