/* Shared pieces of the imc command-line tool. */
#ifndef IMC_CLI_H
#define IMC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "imc.h"

/* Prints "imc: <message>" on stderr; returns 1 (the failure exit status). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* IMREAD flags from "COLOR", "IMREAD_GRAYSCALE", "-1", "ANYDEPTH|ANYCOLOR"... */
bool cli_parse_flags(const char *text, int *flags);
/* Appends one "NAME=VALUE" encode parameter to params (capacity cap);
 * returns CLI_PARAM_OK or what was wrong. */
enum { CLI_PARAM_OK, CLI_PARAM_SYNTAX, CLI_PARAM_NAME, CLI_PARAM_VALUE, CLI_PARAM_TOO_MANY };
int cli_parse_param(const char *text, int *params, size_t *n, size_t cap);
/* The encode parameter names (IMWRITE_ less), comma-separated, no newline. */
void cli_print_param_names(FILE *f);
/* Integer with optional 0x prefix, whole string. */
bool cli_parse_int(const char *text, int *value);

const char *cli_depth_name(int depth);

#define CLI_NO_QUALITY (-2147483647 - 1)

/* What `imc convert` was asked to do. */
typedef struct {
    int flags;           /* IMREAD flags for decoding */
    int orientation;     /* enum imc_orientation_policy */
    int params[128];     /* encode params, (id, value) pairs */
    size_t nparams;
    int quality;         /* CLI_NO_QUALITY: not given */
    int threads;         /* 0: one per CPU */
    const char *out_dir; /* batch mode: where outputs go */
    const char *to;      /* batch mode: output extension with its dot, or NULL */
    bool overwrite;      /* batch mode: replace existing outputs */
    bool partial;        /* convert damaged inputs as decoded (with a warning) */
    int width, height;   /* --size: thumbnails inside this box (0, 0: full size) */
    bool crop;           /* --crop: fill the box exactly */
    unsigned strip;      /* --strip: metadata kinds not carried over (bits 1 << kind) */
} cli_convert_options;

/* What an output takes from its input's metadata: the blobs (EXIF, XMP,
 * ICC, cICP) its format holds, less o->strip, EXIF's orientation set to 1
 * where the pixels were turned. `kept` points into `all`; release with
 * cli_metadata_free. A file whose metadata cannot be read carries none. */
typedef struct {
    imc_metadata all, kept;
    imc_metadata_blob blobs[IMC_METADATA_KINDS];
} cli_metadata;
void cli_carry_metadata(const char *in, const char *out, const cli_convert_options *o,
                        cli_metadata *m);
void cli_metadata_free(cli_metadata *m);
/* "all" or a comma list of kinds ("exif,xmp,icc,cicp") as bits; false if
 * not one. */
bool cli_parse_strip(const char *v, unsigned *kinds);

/* Reads and decodes `path` as the options say, on `threads` threads (one
 * file's -j): damaged data fails unless o->partial; `damage` receives what
 * the decode met. */
int cli_read_oriented(const char *path, const cli_convert_options *o, int threads, imc_image *img,
                      imc_damage_report *damage, imc_error *err);
/* The input was damaged: decoded with made-up pixels, or failed for its data. */
bool cli_damaged(int rc, const imc_damage_report *damage);
/* Names in a directory, sorted, without . and ..; NULL on error. */
char **cli_list_dir(const char *dir, int *count);

int cli_convert(int argc, char **argv);
int cli_convert_batch(const cli_convert_options *o, char **inputs, int n_inputs);
int cli_info(int argc, char **argv);
int cli_view(int argc, char **argv);

#endif
