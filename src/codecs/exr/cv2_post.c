/* cv2's post-processing of what it read, element for element: sub-sampled
 * channels expanded, luminance / chroma to BGR, colour to gray, 8-bit
 * saturation, on the whole frame or line by line as cv2 does. */
#include "exr_private.h"

/* cv2's UpSample: expands samples packed at the top left by duplication;
 * indices count elements of `elem` bytes. */
static void upsample(uint8_t *data, size_t elem, size_t xstep, size_t ystep, int width,
                     int height, int xs, int ys)
{
    for (int y = (height - 1) / ys, yre = height - ys; y >= 0; y--, yre -= ys)
        for (int x = (width - 1) / xs, xre = width - xs; x >= 0; x--, xre -= xs)
            for (int i = 0; i < ys; i++)
                for (int n = 0; n < xs; n++)
                    memcpy(data + ((size_t)(yre + i) * ystep + (size_t)(xre + n) * xstep) * elem,
                           data + ((size_t)y * ystep + (size_t)x * xstep) * elem, elem);
}

/* cv2's UpSampleX on one line of floats. */
static void upsample_x(float *data, int xstep, int width, int xs)
{
    for (int x = (width - 1) / xs, xre = width - xs; x >= 0; x--, xre -= xs)
        for (int n = 0; n < xs; n++)
            data[(xre + n) * xstep] = data[x * xstep];
}

/* cv2's UpSampleY: copies every ys-th row down over the rows below it. */
static void upsample_y(uint8_t *data, size_t elem, size_t xstep, size_t ystep, int width,
                       int height, int ys)
{
    for (int y = height - ys; y >= 0; y -= ys)
        for (int x = 0; x < width; x++)
            for (int i = 1; i < ys; i++)
                memcpy(data + ((size_t)(y + i) * ystep + (size_t)x * xstep) * elem,
                       data + ((size_t)y * ystep + (size_t)x * xstep) * elem, elem);
}

/* cv2's ChromaToBGR (from ImfRgbaYca), in double precision. */
static void chroma_to_bgr(const decoder *d, float *data, int lines, size_t xstep, size_t ystep)
{
    for (int y = 0; y < lines; y++) {
        for (int x = 0; x < d->width; x++) {
            float *p = data + (size_t)y * ystep + (size_t)x * xstep;
            double b = p[0], Y = p[1], r = p[2];
            r = (r + 1) * Y;
            b = (b + 1) * Y;
            Y = (Y - b * d->chroma.blue_y - r * d->chroma.red_y) / d->chroma.green_y;
            p[0] = (float)b;
            p[1] = (float)Y;
            p[2] = (float)r;
        }
    }
}

/* (uchar)f as x86 compiles it: truncation to int32 (INT_MIN when out of
 * range), then the low byte. */
static uint8_t truncate_u8(float f)
{
    int32_t i = f > -2147483648.0f && f < 2147483648.0f ? (int32_t)f : INT32_MIN;
    return (uint8_t)i;
}

/* cv2's RGBToGray: weights are the chromaticities' x coordinates. */
static void rgb_to_gray(const decoder *d, const float *in, void *out, bool native)
{
    const float bx = d->chroma.blue_x, gx = d->chroma.green_x, rx = d->chroma.red_x;
    for (int i = 0; i < d->width; i++, in += 3) {
        float v = in[0] * bx + in[1] * gx + in[2] * rx;
        if (native)
            ((float *)out)[i] = v;
        else
            ((uint8_t *)out)[i] = truncate_u8(v);
    }
}

static uint8_t saturate_u8(float f)
{
    int v = imc_cv_round(f);
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}


static void add_slice(plan *p, const exr_attr_chlist_t *list, const char *name, channel *from)
{
    slice *s = &p->slices[p->count++];
    s->name = name;
    s->chan = imc_exr_find_channel(list, name);
    s->xs = from ? from->x_sampling : 1;
    s->ys = from ? from->y_sampling : 1;
}

int imc_exr_make_plan(const decoder *d, const imc_image *dst, plan *p, imc_error *err)
{
    const exr_attr_chlist_t *list = NULL;
    exr_result_t rc = exr_get_channels(d->ctx, 0, &list);
    if (rc != EXR_ERR_SUCCESS)
        return imc_exr_failure(&d->io, rc, "no channel list", err);
    memset(p, 0, sizeof *p);
    const bool alphasupported = dst->channels % 2 == 0;
    p->native = dst->depth == IMC_32F;
    p->color = dst->channels > 2;
    p->justcopy = p->native && p->color == d->iscolor;
    p->chromatorgb = d->ischroma && p->color;
    p->rgbtogray = !d->ischroma && d->iscolor && !p->color;
    p->toread = d->iscolor && alphasupported                   ? 4
                : (d->iscolor && !d->ischroma) || p->color ? 3
                : alphasupported                             ? 2
                                                             : 1;
    if (d->ischroma && p->color) {
        add_slice(p, list, "BY", d->blue);
        add_slice(p, list, "Y", d->green);
        add_slice(p, list, "RY", d->red);
    } else if (d->ischroma) {
        add_slice(p, list, "Y", d->green);
    } else {
        add_slice(p, list, "B", d->blue);
        add_slice(p, list, "G", d->green);
        add_slice(p, list, "R", d->red);
    }
    if (p->justcopy && d->hasalpha && alphasupported)
        add_slice(p, list, "A", d->alpha);
    if (p->count != p->toread || (!p->justcopy && p->count > 3))
        return imc_fail(err, IMC_ERR_INTERNAL, "exr: %d slices for %d channels", p->count,
                        p->toread);
    for (int i = 0; i < p->count; i++) {
        const slice *s = &p->slices[i];
        if (s->xs < 1 || s->ys < 1 || d->width % s->xs || d->height % s->ys)
            return imc_fail(err, IMC_ERR_CORRUPT, "exr: channel %s: bad sampling %d x %d",
                            s->name, s->xs, s->ys);
        if ((s->xs > 1 || s->ys > 1) && (d->window.min.x || d->window.min.y))
            return imc_fail(err, IMC_ERR_UNSUPPORTED,
                            "exr: sub-sampled channel %s with a data window not at the origin "
                            "(cv2 writes outside its buffer there)", s->name);
    }
    return IMC_OK;
}

/* The "justcopy" path: the frame is the output itself. */
int imc_exr_read_direct(decoder *d, const plan *p, imc_image *dst, imc_error *err)
{
    const size_t step = dst->step / sizeof(float);
    if (p->toread != dst->channels)
        return imc_fail(err, IMC_ERR_INTERNAL, "exr: %d slices for %d channels", p->toread,
                        dst->channels);
    memset(dst->data, 0, dst->step * (size_t)dst->rows);
    frame f = {dst->data, sizeof(float) * (size_t)p->toread, dst->step, p->slices, p->count};
    int rc = imc_exr_read_frame(d, &f, err);
    if (rc != IMC_OK)
        return rc;
    uint8_t *data = dst->data;
    channel *const order[3] = {d->blue, d->green, d->red};
    for (int c = 0; c < 3; c++) {
        channel *ch = d->iscolor ? order[c] : c == 0 ? d->green : NULL;
        if (ch && (ch->x_sampling != 1 || ch->y_sampling != 1))
            upsample(data + c * sizeof(float), sizeof(float), (size_t)p->toread, step, d->width,
                     d->height, ch->x_sampling, ch->y_sampling);
    }
    if (p->chromatorgb)
        chroma_to_bgr(d, dst->data, d->height, (size_t)p->toread, step);
    return IMC_OK;
}

/* The line-by-line path through cv2's 3-float line buffer. */
static void convert_lines(const decoder *d, const plan *p, const frame *f, float *line,
                          imc_image *dst)
{
    const int n = p->count, w = d->width;
    for (int y = 0; y < d->height; y++) {
        for (int i = 0; i < n; i++) {
            const slice *s = &p->slices[i];
            if (y % s->ys)
                continue; /* not sampled: keeps what the line held */
            const float *src = (const float *)(f->base + (size_t)(y / s->ys) * f->ystride) + i;
            for (int x = 0; x < w / s->xs; x++)
                line[x * n + i] = src[(size_t)x * (size_t)n];
        }
        for (int i = 0; i < n; i++)
            if (p->slices[i].xs != 1)
                upsample_x(line + i, n, w, p->slices[i].xs);
        uint8_t *out = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (p->rgbtogray) {
            rgb_to_gray(d, line, out, p->native);
            continue;
        }
        if (p->chromatorgb)
            chroma_to_bgr(d, line, 1, 3, 0);
        /* 8 bits per sample even into a 32F output, as cv2 writes them. */
        for (int x = 0; x < w * dst->channels; x++)
            out[x] = saturate_u8(line[x]);
    }
}

int imc_exr_read_by_lines(decoder *d, const plan *p, imc_image *dst, imc_error *err)
{
    const int w = d->width, h = d->height;
    size_t px, bytes;
    if (!imc_mul_size((size_t)w, (size_t)h, &px) ||
        !imc_mul_size(px, sizeof(float) * (size_t)p->count, &bytes))
        return imc_fail(err, IMC_ERR_LIMITS, "exr: image too large");
    uint8_t *buf = calloc(bytes ? bytes : 1, 1);
    float *line = calloc((size_t)w * 3, sizeof(float));
    if (!buf || !line) {
        free(buf);
        free(line);
        return imc_fail(err, IMC_ERR_NOMEM, "exr: out of memory");
    }
    const size_t xstride = sizeof(float) * (size_t)p->count;
    frame f = {buf, xstride, xstride * (size_t)w, p->slices, p->count};
    int rc = imc_exr_read_frame(d, &f, err);
    if (rc == IMC_OK) {
        memset(dst->data, 0, dst->step * (size_t)dst->rows);
        convert_lines(d, p, &f, line, dst);
        /* cv2's UpSampleY over the output, element size as cv2 takes it. */
        const size_t elem = p->native ? sizeof(float) : 1, ystep = dst->step / elem;
        channel *const order[3] = {d->blue, d->green, d->red};
        for (int c = 0; c < 3; c++) {
            channel *ch = p->color ? order[c] : c == 0 ? d->green : NULL;
            if (ch && (ch->x_sampling != 1 || ch->y_sampling != 1))
                upsample_y((uint8_t *)dst->data + c * elem, elem, p->color ? 3 : 1, ystep, w,
                           h, ch->y_sampling);
        }
    }
    free(buf);
    free(line);
    return rc;
}
