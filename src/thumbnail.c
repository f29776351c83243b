/* Thumbnails (imc_thumbnail): the geometry, the shrink-on-load the codec
 * offers, the decoded rows streamed through resample.c's reduction, then
 * the EXIF turn of the small result. The result depends only on the box,
 * never on how much the codec shrank: the window is computed on the
 * full-size oriented image and mapped onto what was decoded. */
#include "internal.h"
#include "resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What the thumbnail is: out_cols x out_rows, made from `win` of the
 * full-size oriented image (cols x rows). */
typedef struct {
    int out_cols, out_rows;
    imc_window win;
} plan;

static int make_plan(const imc_thumbnail_options *o, int cols, int rows, plan *p, imc_error *err)
{
    const double fx = o->width ? (double)o->width / cols : 0;
    const double fy = o->height ? (double)o->height / rows : 0;
    const bool crop = o->crop && o->width && o->height;
    double s = !o->width ? fy : !o->height ? fx : crop ? fmax(fx, fy) : fmin(fx, fy);
    if (s > 1 && !o->upscale)
        s = 1;
    long w = lround(cols * s), h = lround(rows * s);
    if (crop) {
        w = w < o->width ? w : o->width;
        h = h < o->height ? h : o->height;
    }
    if (w < 1 || h < 1 || w > INT32_MAX / 4 || h > INT32_MAX / 4)
        return imc_fail(err, IMC_ERR_ARG, "a %d x %d image cannot make a %ld x %ld thumbnail",
                        cols, rows, w, h);
    p->out_cols = (int)w;
    p->out_rows = (int)h;
    const double ww = crop ? w / s : cols, wh = crop ? h / s : rows;
    p->win = (imc_window){(cols - ww) / 2, (rows - wh) / 2, ww, wh};
    return IMC_OK;
}

/* The most the codec may shrink on load: what leaves at least twice the
 * output's pixels along each side for the filters (as Pillow's and libvips'
 * thumbnails leave). The codec shrinks by as much of it as it can. */
static int shrink_for(const plan *p)
{
    const double f = fmin(p->win.w / p->out_cols, p->win.h / p->out_rows) / 2;
    return f >= 255 ? 255 : f >= 2 ? (int)f : 1;
}

static int check_options(const imc_thumbnail_options *o, imc_error *err)
{
    if (o->width < 0 || o->height < 0 || (!o->width && !o->height))
        return imc_fail(err, IMC_ERR_ARG, "thumbnail box %d x %d: give a width, a height or both",
                        o->width, o->height);
    if (o->flags != IMC_IMREAD_UNCHANGED && (o->flags & ~(IMC_IMREAD_COLOR | IMC_IMREAD_ANYDEPTH |
                                                          IMC_IMREAD_ANYCOLOR)))
        return imc_fail(err, IMC_ERR_ARG, "thumbnail flags %d: COLOR, GRAYSCALE, UNCHANGED, "
                        "ANYDEPTH or ANYCOLOR (the box sets the size)", o->flags);
    return IMC_OK;
}

/* The rows' way to the thumbnail: premultiplied alpha, the box stage, the
 * Lanczos stage into out (in the source's orientation: out is turned at
 * the end). The stages are set up by begin(), when the decoded shape is
 * known. */
typedef struct {
    const imc_thumbnail_options *o;
    plan p;          /* on the oriented full-size image */
    bool planned;    /* from the probe; else begin() plans on the decoded shape */
    int orientation; /* EXIF's, applied to out at the end */
    imc_image *out;
    bool copy;       /* the decoded image is the thumbnail: rows copied */
    imc_box *box;
    imc_resampler *lanczos;
    uint8_t *scratch; /* a row made premultiplied */
    int cols, cn, depth;
} pipeline;

static bool turned(int orientation)
{
    return orientation >= 5 && orientation <= 8;
}

static int begin_rows(void *ctx, int cols, int rows, int channels, int depth, int shrunk_by,
                      imc_error *err)
{
    pipeline *t = ctx;
    if (!t->planned) { /* (the probe failed, the decode did not) */
        int rc = make_plan(t->o, cols, rows, &t->p, err);
        if (rc != IMC_OK)
            return rc;
    }
    /* The plan in the source's orientation: a turned image swaps the axes (a
     * centred window is its own mirror image). */
    const bool swap = turned(t->orientation);
    int out_cols = swap ? t->p.out_rows : t->p.out_cols, out_rows = swap ? t->p.out_cols : t->p.out_rows;
    imc_window w = t->p.win;
    if (swap)
        w = (imc_window){w.y0, w.x0, w.h, w.w};
    /* ...on what was decoded: a codec's shrink by k makes pixel i of the
     * block [i k, (i + 1) k) (its last one partial, as the box's); a
     * rescaler (k 0) maps the whole image onto the output. */
    const double full_cols = w.w + 2 * w.x0, full_rows = w.h + 2 * w.y0;
    const double kx = shrunk_by > 0 ? 1.0 / shrunk_by : cols / full_cols;
    const double ky = shrunk_by > 0 ? 1.0 / shrunk_by : rows / full_rows;
    w = (imc_window){w.x0 * kx, w.y0 * ky, w.w * kx, w.h * ky};
    t->cols = cols;
    t->cn = channels;
    t->depth = depth;
    int rc = imc_image_alloc(t->out, out_rows, out_cols, channels, depth);
    if (rc != IMC_OK)
        return imc_fail(err, rc, "cannot allocate a %d x %d thumbnail", out_cols, out_rows);
    t->copy = cols == out_cols && rows == out_rows && w.x0 == 0 && w.y0 == 0;
    if (t->copy)
        return IMC_OK;
    /* Whole factors of the rest by box averages, leaving Lanczos at most 2-4x. */
    const int bx = (int)(w.w / out_cols / 2), by = (int)(w.h / out_rows / 2);
    int src_cols = cols, src_rows = rows;
    if (bx > 1 || by > 1) {
        const int fx = bx > 1 ? bx : 1, fy = by > 1 ? by : 1;
        rc = imc_box_new(&t->box, cols, rows, channels, depth, fx, fy, err);
        if (rc != IMC_OK)
            return rc;
        src_cols = (cols + fx - 1) / fx;
        src_rows = (rows + fy - 1) / fy;
        w = (imc_window){w.x0 / fx, w.y0 / fy, w.w / fx, w.h / fy};
    }
    if (channels == 4) {
        t->scratch = malloc((size_t)cols * 4 * imc_depth_size(depth));
        if (!t->scratch)
            return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    }
    return imc_resampler_new(&t->lanczos, src_cols, src_rows, channels, depth, w, t->out, err);
}

static void take_row(void *ctx, int y, const void *row)
{
    pipeline *t = ctx;
    const size_t bytes = (size_t)t->cols * (size_t)t->cn * imc_depth_size(t->depth);
    if (t->copy) {
        memcpy((uint8_t *)t->out->data + (size_t)y * t->out->step, row, bytes);
        return;
    }
    if (t->scratch) {
        memcpy(t->scratch, row, bytes);
        imc_image one = {.data = t->scratch, .rows = 1, .cols = t->cols, .channels = 4,
                         .depth = t->depth, .step = bytes};
        imc_alpha_premultiply(&one, false);
        row = t->scratch;
    }
    if (t->box && !(row = imc_box_row(t->box, y, row, &y)))
        return;
    imc_resampler_row(t->lanczos, y, row);
}

int imc_thumbnail(const void *buf, size_t len, const imc_thumbnail_options *caller, imc_image *out,
                  imc_error *err)
{
    imc_error_clear(err);
    if (!out || !caller)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    memset(out, 0, sizeof *out);
    imc_thumbnail_options o;
    int rc = imc_options_in(&o, sizeof o, caller, "imc_thumbnail_options", err);
    if (rc == IMC_OK)
        rc = check_options(&o, err);
    if (rc != IMC_OK)
        return rc;
    imc_decode_options d = IMC_DECODE_OPTIONS_INIT;
    d.flags = o.flags;
    d.order = o.order;
    d.limits = o.limits;
    d.orientation = IMC_ORIENTATION_IGNORE; /* the thumbnail is turned, not the source */
    d.fail_on = o.fail_on;
    d.report = o.report;

    pipeline t = {.o = &o, .out = out};
    imc_info info;
    int shrink = 1;
    if (imc_probe_ex(buf, len, &info, NULL) == IMC_OK) { /* else the decode says why */
        t.orientation = info.orientation;
        const bool swap = turned(info.orientation);
        rc = make_plan(&o, swap ? info.height : info.width, swap ? info.width : info.height,
                       &t.p, err);
        if (rc != IMC_OK)
            return rc;
        t.planned = true;
        shrink = shrink_for(&t.p);
        imc_limits limits; /* an upscaled thumbnail is held to them too */
        imc_limits_resolve(&o.limits, &limits);
        rc = imc_check_limits(&limits, (uint64_t)t.p.out_cols, (uint64_t)t.p.out_rows,
                              info.channels, info.depth, err);
        if (rc != IMC_OK)
            return rc;
    }
    imc_row_sink sink = {begin_rows, take_row, &t};
    rc = imc_decode_rows(buf, len, &d, shrink, &sink, err);
    imc_box_free(t.box);
    imc_resampler_free(t.lanczos);
    free(t.scratch);
    if (rc == IMC_OK && out->channels == 4 && !t.copy)
        imc_alpha_premultiply(out, true);
    if (rc == IMC_OK && t.orientation > 1)
        rc = imc_orient(out, t.orientation, err);
    if (rc != IMC_OK)
        imc_image_free(out);
    return rc;
}

int imc_thumbnail_encode(const void *buf, size_t len, const imc_thumbnail_options *opts,
                         const char *ext, const int *params, size_t nparams, imc_buffer *out,
                         imc_error *err)
{
    if (!out || !opts)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    memset(out, 0, sizeof *out);
    imc_image img;
    int rc = imc_thumbnail(buf, len, opts, &img, err);
    if (rc != IMC_OK)
        return rc;
    imc_thumbnail_options o;
    imc_options_in(&o, sizeof o, opts, "imc_thumbnail_options", NULL); /* read by imc_thumbnail */
    imc_encode_options e = IMC_ENCODE_OPTIONS_INIT;
    e.order = o.order;
    rc = imc_encode_ex(ext, &img, params, nparams, &e, out, err);
    imc_image_free(&img);
    return rc;
}
