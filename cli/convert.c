/* imc convert: one file (IN OUT), or many (--out DIR, see batch.c). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fputs("usage: imc convert IN OUT [options]\n"
          "       imc convert --out DIR [--to .EXT] [-j N] [options] FILES|DIRS...\n"
          "\n"
          "Decodes images (any supported format, recognised by content) and encodes them\n"
          "in the format of the output's extension. With --out, every file and every image\n"
          "below each directory is converted into DIR, keeping the layout below the\n"
          "directory; outputs are written atomically and never over an input.\n"
          "\n"
          "  -q, --quality Q      the output format's quality (JPEG: 0-100, default 95)\n"
          "  -p, --param N=V      an encode parameter by OpenCV name or number, e.g.\n"
          "                       JPEG_PROGRESSIVE=1, PNG_COMPRESSION=9, PNG_STRATEGY=RLE,\n"
          "                       JPEG_SAMPLING_FACTOR=444 (repeatable; `imc formats`\n"
          "                       lists each format's, with their ranges)\n"
          "  -f, --flags FLAGS    IMREAD flags for decoding, e.g. COLOR, GRAYSCALE,\n"
          "                       REDUCED_COLOR_2, ANYDEPTH|ANYCOLOR (default UNCHANGED)\n"
          "  --orientation MODE   EXIF orientation: apply (default), ignore, or flags\n"
          "                       (cv2's rule: applied unless UNCHANGED/IGNORE_ORIENTATION)\n"
          "  --out DIR            batch mode: write the outputs under DIR\n"
          "  --to .EXT            batch mode: output format (default: keep each extension)\n"
          "  -j, --jobs N         batch mode: worker threads (default: one per CPU); one\n"
          "                       file: threads for that image (PNG and JPEG with restart\n"
          "                       markers split the encoding, TIFF reads its strips or\n"
          "                       tiles on them; default one)\n"
          "  --overwrite          batch mode: replace existing outputs (default: skip them)\n"
          "  --size WxH           thumbnails: the largest size inside W x H keeping the\n"
          "                       aspect ratio (W or xH alone: that side only); only what\n"
          "                       the size needs is decoded, then a Lanczos-3 reduction;\n"
          "                       never enlarges\n"
          "  --crop               with --size: exactly W x H, the middle of the image\n"
          "  --strip [KINDS]      drop the input's metadata instead of carrying it over:\n"
          "                       all of it, or the kinds listed (exif,xmp,icc,cicp). By\n"
          "                       default the ICC profile, EXIF (orientation set to 1 when\n"
          "                       the pixels were turned), XMP and cICP are kept where the\n"
          "                       output format can hold them\n"
          "  --partial            convert damaged inputs (truncated, corrupt) as far as they\n"
          "                       decode, with a warning; by default they are reported and\n"
          "                       not converted. Either way a damaged input makes the exit\n"
          "                       status 1.\n",
          f);
}

/* "WxH", "W", "Wx" or "xH": a side left out is 0 (follows from the other). */
static bool parse_size(const char *v, int *w, int *h)
{
    const char *x = strchr(v, 'x');
    char wpart[16] = "";
    size_t n = x ? (size_t)(x - v) : strlen(v);
    if (n >= sizeof wpart)
        return false;
    memcpy(wpart, v, n);
    *w = *h = 0;
    if (n && (!cli_parse_int(wpart, w) || *w < 1))
        return false;
    if (x && x[1] && (!cli_parse_int(x + 1, h) || *h < 1))
        return false;
    return *w > 0 || *h > 0;
}

static bool parse_orientation(const char *v, int *policy)
{
    if (!strcmp(v, "apply"))
        *policy = IMC_ORIENTATION_APPLY;
    else if (!strcmp(v, "ignore"))
        *policy = IMC_ORIENTATION_IGNORE;
    else if (!strcmp(v, "flags"))
        *policy = IMC_ORIENTATION_CV2;
    else
        return false;
    return true;
}

/* "no format writes ..." with the extensions that can be written. */
static int no_writer(const char *out)
{
    const char *slash = strrchr(out, '/'), *dot = strrchr(slash ? slash + 1 : out, '.');
    if (dot)
        fprintf(stderr, "imc: %s: no format writes '%s'; imc writes:", out, dot);
    else
        fprintf(stderr, "imc: %s: no extension to choose the format by; imc writes:", out);
    imc_format f;
    for (int i = 0; i < imc_format_count(); i++)
        if (imc_format_get(i, &f) == IMC_OK && f.can_encode) {
            const char *e = f.extensions;
            while (*e) {
                size_t n = strcspn(e, " ");
                fprintf(stderr, " .%.*s", (int)n, e);
                e += n + (e[n] == ' ');
            }
        }
    fputs(" (imc --formats)\n", stderr);
    return 1;
}

/* The range -q takes for each quality parameter (cv2's). */
static bool quality_range(int param, int *lo, int *hi)
{
    switch (param) {
    case IMC_IMWRITE_JPEG_QUALITY: *lo = 0; *hi = 100; return true;
    case IMC_IMWRITE_WEBP_QUALITY: *lo = 1; *hi = 101; return true; /* above 100: lossless */
    case IMC_IMWRITE_AVIF_QUALITY: *lo = 0; *hi = 100; return true;
    case IMC_IMWRITE_JPEGXL_QUALITY: *lo = 0; *hi = 100; return true;
    case IMC_IMWRITE_JPEG2000_COMPRESSION_X1000: *lo = 0; *hi = 1000; return true;
    default: return false;
    }
}

static int push_quality(cli_convert_options *o, const imc_format *f)
{
    int lo, hi;
    if (quality_range(f->quality_param, &lo, &hi) && (o->quality < lo || o->quality > hi))
        return cli_fail("-q %d: %s quality is %d-%d%s", o->quality, f->name, lo, hi,
                        f->quality_param == IMC_IMWRITE_WEBP_QUALITY ? " (101: lossless)" : "");
    o->params[o->nparams++] = f->quality_param;
    o->params[o->nparams++] = o->quality;
    return 0;
}

/* -q Q becomes the quality parameter of the output format(s): of `ext`, or
 * of every format when the outputs keep their various extensions. */
static int add_quality(cli_convert_options *o, const char *ext)
{
    if (o->quality == CLI_NO_QUALITY)
        return 0;
    imc_format f;
    if (ext) {
        if (imc_format_find(ext, &f) != IMC_OK)
            return no_writer(ext);
        if (!f.quality_param)
            return cli_fail("%s output has no quality setting; use --param", f.name);
        return push_quality(o, &f);
    }
    for (int i = 0; i < imc_format_count() && o->nparams + 2 <= sizeof o->params / sizeof o->params[0]; i++)
        if (imc_format_get(i, &f) == IMC_OK && f.quality_param && push_quality(o, &f) != 0)
            return 1;
    return 0;
}

static int bad_param(const char *option, const char *v, int why)
{
    if (!v)
        return cli_fail("%s needs NAME=VALUE, e.g. JPEG_QUALITY=90", option);
    if (why == CLI_PARAM_NAME) {
        fprintf(stderr, "imc: unknown parameter name '%.*s' in '%s' (IMWRITE_ optional, or a "
                "number); the names are ", (int)strcspn(v, "="), v, v);
        cli_print_param_names(stderr);
        fputc('\n', stderr);
        return 1;
    }
    if (why == CLI_PARAM_VALUE)
        return cli_fail("bad value in '%s' (want a number, or a value name such as "
                        "PNG_STRATEGY=RLE)", v);
    if (why == CLI_PARAM_TOO_MANY)
        return cli_fail("too many --param options");
    return cli_fail("bad parameter '%s' (want NAME=VALUE, e.g. JPEG_QUALITY=90)", v);
}

static int convert_one(cli_convert_options *o, char **files, int n)
{
    if (n != 2)
        return cli_fail("convert needs IN and OUT, or --out DIR and inputs (see imc convert --help)");
    const char *in = files[0], *out = files[1];
    struct stat st;
    if (stat(in, &st) == 0 && S_ISDIR(st.st_mode))
        return cli_fail("%s is a directory: to convert the images in it, use "
                        "imc convert --out OUTDIR [--to .EXT] %s", in, in);
    imc_format fmt;
    if (imc_format_find(out, &fmt) != IMC_OK)
        return no_writer(out);
    if (add_quality(o, out) != 0)
        return 1;
    imc_image img;
    imc_error err;
    imc_damage_report damage;
    int rc = cli_read_oriented(in, o, o->threads, &img, &damage, &err);
    if (rc != IMC_OK && cli_damaged(rc, &damage))
        return cli_fail("%s: damaged (%s), not converted: %s (--partial converts what decodes)",
                        in, imc_damage_kind_name(damage.kind), damage.message);
    if (rc != IMC_OK)
        return cli_fail("%s: %s", in, err.message);
    imc_encode_options eo = IMC_ENCODE_OPTIONS_INIT;
    if (o->flags > 0 && (o->flags & IMC_IMREAD_COLOR_RGB)) /* decoded RGB: written as such */
        eo.order = IMC_ORDER_RGB;
    eo.threads = o->threads; /* one image: -j is its threads */
    cli_metadata meta;
    cli_carry_metadata(in, out, o, &meta);
    eo.metadata = &meta.kept;
    rc = imc_write_ex(out, &img, o->params, o->nparams, &eo, &err);
    cli_metadata_free(&meta);
    imc_image_free(&img);
    if (rc != IMC_OK)
        return cli_fail("%s: %s", out, err.message);
    if (cli_damaged(IMC_OK, &damage))
        return cli_fail("%s: damaged (%s), converted as decoded: %s", in,
                        imc_damage_kind_name(damage.kind), damage.message);
    return 0;
}

static int convert_many(cli_convert_options *o, char **files, int n)
{
    if (n == 0)
        return cli_fail("convert --out needs files or directories to convert");
    if (add_quality(o, o->to) != 0)
        return 1;
    return cli_convert_batch(o, files, n);
}

int cli_convert(int argc, char **argv)
{
    cli_convert_options o = {.flags = IMC_IMREAD_UNCHANGED, .orientation = IMC_ORIENTATION_APPLY,
                             .quality = CLI_NO_QUALITY};
    const size_t cap = sizeof o.params / sizeof o.params[0] - 2; /* room for -q */
    char **files = calloc((size_t)argc, sizeof *files);
    int n_files = 0;
    if (!files)
        return cli_fail("out of memory");
    int rc = -1;
    for (int i = 1; i < argc && rc < 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = true;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            rc = 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quality")) {
            if (!v || !cli_parse_int(v, &o.quality))
                rc = cli_fail("%s needs an integer", a);
        } else if (!strcmp(a, "-p") || !strcmp(a, "--param")) {
            int why = v ? cli_parse_param(v, o.params, &o.nparams, cap) : CLI_PARAM_SYNTAX;
            if (why != CLI_PARAM_OK)
                rc = bad_param(a, v, why);
        } else if (!strcmp(a, "-f") || !strcmp(a, "--flags")) {
            if (!v || !cli_parse_flags(v, &o.flags))
                rc = cli_fail("bad flags '%s' (want e.g. COLOR or ANYDEPTH|ANYCOLOR)", v ? v : "");
        } else if (!strcmp(a, "--orientation")) {
            if (!v || !parse_orientation(v, &o.orientation))
                rc = cli_fail("bad orientation '%s' (want apply, ignore or flags)", v ? v : "");
        } else if (!strcmp(a, "--out")) {
            if (!v)
                rc = cli_fail("--out needs a directory");
            o.out_dir = v;
        } else if (!strcmp(a, "--to")) {
            if (!v || v[0] != '.' || !imc_have_writer(v))
                rc = cli_fail("--to needs an extension imc writes, like .png (see imc --formats)");
            o.to = v;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            if (!v || !cli_parse_int(v, &o.threads) || o.threads < 1)
                rc = cli_fail("%s needs a positive integer", a);
        } else if (!strcmp(a, "--overwrite")) {
            o.overwrite = true;
            takes_value = false;
        } else if (!strcmp(a, "--partial")) {
            o.partial = true;
            takes_value = false;
        } else if (!strcmp(a, "--size")) {
            if (!v || !parse_size(v, &o.width, &o.height))
                rc = cli_fail("--size needs WxH, W or xH in pixels, e.g. 256x256");
        } else if (!strcmp(a, "--crop")) {
            o.crop = true;
            takes_value = false;
        } else if (!strcmp(a, "--strip") || !strncmp(a, "--strip=", 8)) {
            /* --strip=KINDS, --strip KINDS when the next word is kinds, else all */
            unsigned bits = (1u << IMC_METADATA_KINDS) - 1;
            if (a[7] == '=' && !cli_parse_strip(a + 8, &bits))
                rc = cli_fail("--strip takes all, or kinds among exif,xmp,icc,cicp");
            unsigned listed;
            takes_value = a[7] == '\0' && v && cli_parse_strip(v, &listed);
            o.strip = takes_value ? listed : bits;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_fail("convert: unknown option '%s' (see imc convert --help)", a);
        } else {
            files[n_files++] = argv[i];
            takes_value = false;
        }
        if (takes_value)
            i++;
    }
    if (rc < 0 && (o.width || o.height) && o.flags != IMC_IMREAD_UNCHANGED &&
        (o.flags & ~(IMC_IMREAD_COLOR | IMC_IMREAD_ANYDEPTH | IMC_IMREAD_ANYCOLOR)))
        rc = cli_fail("--size sets the size: --flags can only pick the colour (COLOR, GRAYSCALE, "
                      "UNCHANGED, ANYDEPTH, ANYCOLOR)");
    if (rc < 0 && o.crop && !(o.width && o.height))
        rc = cli_fail("--crop needs --size WxH with both sides");
    if (rc < 0)
        rc = o.out_dir ? convert_many(&o, files, n_files) : convert_one(&o, files, n_files);
    free(files);
    return rc;
}
