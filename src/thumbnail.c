/* Thumbnails (imc_thumbnail): the geometry, the shrink-on-load the codec
 * offers, the decode (oriented), then resample.c's reduction. The result
 * depends only on the box, never on how much the codec shrank: the window
 * is computed on the full-size oriented image and mapped onto what was
 * decoded. */
#include "internal.h"
#include "resample.h"

#include <math.h>
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
    d.orientation = IMC_ORIENTATION_APPLY;
    d.fail_on = o.fail_on;
    d.report = o.report;

    imc_info info;
    plan p = {0};
    int shrink = 1;
    if (imc_probe_ex(buf, len, &info, NULL) == IMC_OK) { /* else the decode says why */
        const bool turned = info.orientation >= 5 && info.orientation <= 8;
        rc = make_plan(&o, turned ? info.height : info.width, turned ? info.width : info.height,
                       &p, err);
        if (rc != IMC_OK)
            return rc;
        shrink = shrink_for(&p);
    }
    imc_image img;
    int shrunk_by;
    rc = imc_decode_shrunk(buf, len, &d, shrink, &img, &shrunk_by, err);
    if (rc != IMC_OK)
        return rc;
    if (shrink == 1) /* the decoded size is the full one (the orientation may come from the data) */
        rc = make_plan(&o, img.cols, img.rows, &p, err);
    /* The window on what was decoded: a codec's shrink by k makes pixel i of
     * the block [i k, (i + 1) k) (its last one partial, as the box's); a
     * rescaler (k 0) maps the whole image onto the output. */
    const double full_cols = p.win.w + 2 * p.win.x0, full_rows = p.win.h + 2 * p.win.y0;
    const double kx = shrunk_by > 0 ? 1.0 / shrunk_by : img.cols / full_cols;
    const double ky = shrunk_by > 0 ? 1.0 / shrunk_by : img.rows / full_rows;
    imc_window win = {p.win.x0 * kx, p.win.y0 * ky, p.win.w * kx, p.win.h * ky};

    /* Whole factors of the rest by box averages, leaving Lanczos at most 2-4x. */
    const int bx = (int)(win.w / p.out_cols / 2), by = (int)(win.h / p.out_rows / 2);
    if (rc == IMC_OK && (bx > 1 || by > 1)) {
        imc_image small;
        rc = imc_reduce_box(&img, bx > 1 ? bx : 1, by > 1 ? by : 1, &small, err);
        if (rc == IMC_OK) {
            const double rx = 1.0 / (bx > 1 ? bx : 1), ry = 1.0 / (by > 1 ? by : 1);
            win = (imc_window){win.x0 * rx, win.y0 * ry, win.w * rx, win.h * ry};
            imc_image_free(&img);
            img = small;
        }
    }
    const bool same = img.cols == p.out_cols && img.rows == p.out_rows && win.x0 == 0 && win.y0 == 0;
    if (rc == IMC_OK && same) {
        *out = img;
        return IMC_OK;
    }
    imc_limits limits; /* an upscaled thumbnail is held to them too */
    imc_limits_resolve(&o.limits, &limits);
    if (rc == IMC_OK)
        rc = imc_check_limits(&limits, (uint64_t)p.out_cols, (uint64_t)p.out_rows, img.channels,
                              img.depth, err);
    const bool alpha = img.channels == 4;
    if (rc == IMC_OK && alpha)
        imc_alpha_premultiply(&img, false);
    if (rc == IMC_OK)
        rc = imc_resample_lanczos3(&img, win, p.out_cols, p.out_rows, out, err);
    if (rc == IMC_OK && alpha)
        imc_alpha_premultiply(out, true);
    imc_image_free(&img);
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
