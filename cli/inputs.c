/* What convert's single and batch modes share to read their inputs: an
 * image decoded with the options' flags and orientation policy, the
 * metadata its output carries, and a directory's entries in name order. */
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

int cli_read_oriented(const char *path, const cli_convert_options *o, int threads, imc_image *img,
                      imc_damage_report *damage, imc_error *err)
{
    *damage = (imc_damage_report)IMC_DAMAGE_REPORT_INIT;
    const int fail_on = o->partial ? IMC_FAIL_ON_NONE : IMC_FAIL_ON_ERROR;
    if (o->width || o->height) { /* a thumbnail: only what the size needs is decoded */
        imc_thumbnail_options t = IMC_THUMBNAIL_OPTIONS_INIT;
        t.width = o->width;
        t.height = o->height;
        t.crop = o->crop;
        t.flags = o->flags;
        t.fail_on = fail_on;
        t.report = damage;
        return imc_thumbnail_file(path, &t, img, err);
    }
    imc_decode_options opts = IMC_DECODE_OPTIONS_INIT;
    opts.flags = o->flags;
    opts.orientation = o->orientation;
    opts.fail_on = fail_on;
    opts.report = damage;
    opts.threads = threads;
    return imc_read_ex(path, &opts, img, err);
}

/* Whether the read turned the pixels by the file's EXIF orientation. */
static bool turned(const char *in, const cli_convert_options *o)
{
    imc_info info;
    if (imc_probe_file(in, &info, NULL) != IMC_OK || info.orientation <= 1)
        return false;
    if (o->width || o->height || o->orientation == IMC_ORIENTATION_APPLY) /* thumbnails turn */
        return true;
    return o->orientation == IMC_ORIENTATION_CV2 && o->flags != IMC_IMREAD_UNCHANGED &&
           !(o->flags & IMC_IMREAD_IGNORE_ORIENTATION);
}

void cli_carry_metadata(const char *in, const char *out, const cli_convert_options *o,
                        cli_metadata *m)
{
    memset(m, 0, sizeof *m);
    m->kept.blobs = m->blobs;
    unsigned held = imc_metadata_kinds_written(out) & ~o->strip;
    if (!held || imc_metadata_read_file(in, &m->all, NULL) != IMC_OK)
        return;
    bool turn = turned(in, o);
    for (size_t i = 0; i < m->all.count; i++) {
        imc_metadata_blob b = m->all.blobs[i];
        bool taken = false;
        for (size_t j = 0; j < m->kept.count; j++)
            taken |= m->blobs[j].kind == b.kind;
        if (taken || !(held & (1u << b.kind)))
            continue; /* one per kind: a JPEG's extended XMP does not fit another format */
        if (b.kind == IMC_METADATA_EXIF && turn)
            imc_exif_set_orientation((void *)b.data, b.size, 1); /* our copy */
        m->blobs[m->kept.count++] = b;
    }
}

void cli_metadata_free(cli_metadata *m)
{
    imc_metadata_free(&m->all);
}

bool cli_parse_strip(const char *v, unsigned *kinds)
{
    if (!strcmp(v, "all")) {
        *kinds = (1u << IMC_METADATA_KINDS) - 1;
        return true;
    }
    *kinds = 0;
    for (const char *p = v; *p;) {
        size_t n = strcspn(p, ",");
        int k = 0;
        while (k < IMC_METADATA_KINDS && (strlen(imc_metadata_kind_name(k)) != n ||
                                          strncmp(p, imc_metadata_kind_name(k), n)))
            k++;
        if (k == IMC_METADATA_KINDS)
            return false;
        *kinds |= 1u << k;
        p += n + (p[n] == ',');
    }
    return *kinds != 0;
}

bool cli_damaged(int rc, const imc_damage_report *damage)
{
    return rc == IMC_OK ? !damage->complete : rc == IMC_ERR_TRUNCATED || rc == IMC_ERR_CORRUPT;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cli_list_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    int n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **p = realloc(names, (size_t)cap * sizeof *p);
            if (!p)
                break;
            names = p;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (!names)
        names = calloc(1, sizeof *names);
    qsort(names, (size_t)n, sizeof *names, by_name);
    *count = n;
    return names;
}
