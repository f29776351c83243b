/* What convert's single and batch modes share to read their inputs: an
 * image decoded with the options' flags and orientation policy, and a
 * directory's entries in name order. */
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

int cli_read_oriented(const char *path, const cli_convert_options *o, imc_image *img,
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
    return imc_read_ex(path, &opts, img, err);
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
