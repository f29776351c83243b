/* imc convert IN OUT: decode, encode by OUT's extension, write atomically. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: imc convert IN OUT [-q QUALITY] [--param NAME=VALUE ...] [--flags FLAGS]\n"
          "\n"
          "Decodes IN (any supported format, recognised by its content) and writes OUT in\n"
          "the format of OUT's extension.\n"
          "\n"
          "  -q, --quality Q      the output format's quality (JPEG: 0-100, default 95)\n"
          "  -p, --param N=V      an encode parameter by OpenCV name or number, e.g.\n"
          "                       JPEG_PROGRESSIVE=1, PNG_COMPRESSION=9, PNG_STRATEGY=RLE,\n"
          "                       JPEG_SAMPLING_FACTOR=444 (repeatable)\n"
          "  -f, --flags FLAGS    IMREAD flags for decoding, e.g. COLOR, GRAYSCALE,\n"
          "                       REDUCED_COLOR_2, ANYDEPTH|ANYCOLOR (default UNCHANGED)\n",
          f);
}

int cli_convert(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    int params[128];
    size_t n = 0;
    int flags = IMC_IMREAD_UNCHANGED, quality = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quality")) {
            if (!v || !cli_parse_int(v, &quality))
                return cli_fail("%s needs an integer", a);
            i++;
        } else if (!strcmp(a, "-p") || !strcmp(a, "--param")) {
            if (!v || !cli_parse_param(v, params, &n, sizeof params / sizeof params[0]))
                return cli_fail("bad parameter '%s' (want NAME=VALUE, e.g. JPEG_QUALITY=90)",
                                v ? v : "");
            i++;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--flags")) {
            if (!v || !cli_parse_flags(v, &flags))
                return cli_fail("bad flags '%s' (want e.g. COLOR or ANYDEPTH|ANYCOLOR)",
                                v ? v : "");
            i++;
        } else if (a[0] == '-' && a[1]) {
            return cli_fail("convert: unknown option '%s' (see imc convert --help)", a);
        } else if (!in) {
            in = a;
        } else if (!out) {
            out = a;
        } else {
            return cli_fail("convert: too many arguments (see imc convert --help)");
        }
    }
    if (!in || !out)
        return cli_fail("convert needs IN and OUT (see imc convert --help)");

    imc_format fmt;
    if (imc_format_find(out, &fmt) != IMC_OK)
        return cli_fail("%s: no format writes this extension", out);
    if (quality >= 0) {
        if (!fmt.quality_param)
            return cli_fail("%s output has no quality setting; use --param", fmt.name);
        params[n++] = fmt.quality_param;
        params[n++] = quality;
    }

    imc_decode_options opts = {.flags = flags, .order = IMC_ORDER_BGR};
    imc_image img;
    imc_error err;
    if (imc_read_ex(in, &opts, &img, &err) != IMC_OK)
        return cli_fail("%s: %s", in, err.message);
    int rc = imc_write_ex(out, &img, params, n, NULL, &err);
    imc_image_free(&img);
    if (rc != IMC_OK)
        return cli_fail("%s: %s", out, err.message);
    return 0;
}
