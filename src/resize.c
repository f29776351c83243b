/* cv::resize(..., INTER_LINEAR_EXACT), which cv2 applies to IMREAD_REDUCED_*
 * results of codecs that cannot scale while decoding. A bit-exact port of the
 * arithmetic: coefficients are rounded to fixed point (8 fraction bits for
 * 8-bit samples, 16 for 16-bit), a horizontal pass keeps fixed-point sums and
 * a vertical pass rounds once. (The exact-2x INTER_AREA shortcut cv2 takes
 * gives the same numbers, (a + b + c + d + 2) >> 2.) */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int *offset;     /* left/top source index of each destination index */
    uint32_t *coeff; /* two fixed-point weights per destination index */
    int min, max;    /* [min, max) interpolates; outside, the edge is copied */
} axis_map;

/* cv::interpolationLinear::getCoeffs for every destination index. */
static void map_axis(int src_size, int dst_size, int shift, axis_map *m)
{
    const uint32_t one = 1u << shift;
    double inv_scale = (double)dst_size / (double)src_size;
    double scale = 1.0 / inv_scale;
    m->min = 0;
    m->max = dst_size;
    for (int v = 0; v < dst_size; v++) {
        double pos = scale * ((double)v + 0.5);
        pos = pos - 0.5;
        int ipos = (int)floor(pos);
        m->offset[v] = 0;
        m->coeff[2 * v] = one;
        m->coeff[2 * v + 1] = 0;
        if (ipos >= 0 && src_size > 1) {
            if (ipos < src_size - 1) {
                double frac = pos - (double)ipos;
                uint32_t c1 = (uint32_t)imc_cv_round(frac * (double)one);
                m->offset[v] = ipos;
                m->coeff[2 * v + 1] = c1;
                m->coeff[2 * v] = c1 < one ? one - c1 : 0;
            } else {
                m->offset[v] = src_size - 1;
                if (v < m->max)
                    m->max = v;
            }
        } else if (v + 1 > m->min) {
            m->min = v + 1;
        }
    }
}

#if defined(__GNUC__)
#define ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define ALWAYS_INLINE inline
#endif

/* The integer paths below take `depth` as a constant from their callers, so
 * each is compiled once for 8-bit and once for 16-bit samples. */
static ALWAYS_INLINE uint32_t sample(const uint8_t *row, const int depth, size_t i)
{
    if (depth == IMC_8U)
        return row[i];
    uint16_t v;
    memcpy(&v, row + 2 * i, 2);
    return v;
}

/* Horizontal pass of one source row into fixed-point sums. */
static ALWAYS_INLINE void resize_row(const uint8_t *src, const int depth, int cn, int shift,
                                     const axis_map *x, int dst_width, uint32_t *out)
{
    int i = 0;
    for (; i < x->min && i < dst_width; i++)
        for (int c = 0; c < cn; c++)
            *out++ = sample(src, depth, (size_t)c) << shift;
    for (; i < x->max; i++) {
        size_t at = (size_t)x->offset[i] * (size_t)cn;
        uint32_t c0 = x->coeff[2 * i], c1 = x->coeff[2 * i + 1];
        for (int c = 0; c < cn; c++) /* c0 + c1 == 1 << shift: the sum fits 32 bits */
            *out++ = c0 * sample(src, depth, at + (size_t)c) +
                     c1 * sample(src, depth, at + (size_t)(cn + c));
    }
    size_t last = (size_t)x->offset[dst_width - 1] * (size_t)cn;
    for (; i < dst_width; i++)
        for (int c = 0; c < cn; c++)
            *out++ = sample(src, depth, last + (size_t)c) << shift;
}

static ALWAYS_INLINE void store(uint8_t *row, const int depth, size_t i, uint64_t v)
{
    if (depth == IMC_8U) {
        row[i] = (uint8_t)(v > 255 ? 255 : v);
    } else {
        uint16_t w = (uint16_t)(v > 65535 ? 65535 : v);
        memcpy(row + 2 * i, &w, 2);
    }
}

/* Vertical pass: one output row from one (edge) or two horizontal passes. */
static ALWAYS_INLINE void resize_column(uint8_t *out, const int depth, size_t line,
                                        const uint32_t *h0, const uint32_t *h1, uint32_t c0,
                                        uint32_t c1)
{
    const int shift = depth == IMC_8U ? 8 : 16;
    if (!h1) {
        const uint32_t half = 1u << (shift - 1);
        for (size_t i = 0; i < line; i++)
            store(out, depth, i, (h0[i] + (uint64_t)half) >> shift);
    } else if (depth == IMC_8U) { /* 8-bit sums stay below 2^25 */
        for (size_t i = 0; i < line; i++)
            store(out, depth, i, (c0 * h0[i] + c1 * h1[i] + (1u << 15)) >> 16);
    } else {
        for (size_t i = 0; i < line; i++)
            store(out, depth, i,
                  ((uint64_t)c0 * h0[i] + (uint64_t)c1 * h1[i] + ((uint64_t)1 << 31)) >> 32);
    }
}

static void row_8u(const uint8_t *src, int cn, const axis_map *x, int w, uint32_t *out)
{
    resize_row(src, IMC_8U, cn, 8, x, w, out);
}

static void row_16u(const uint8_t *src, int cn, const axis_map *x, int w, uint32_t *out)
{
    resize_row(src, IMC_16U, cn, 16, x, w, out);
}

static void column_8u(uint8_t *out, size_t line, const uint32_t *h0, const uint32_t *h1,
                      uint32_t c0, uint32_t c1)
{
    resize_column(out, IMC_8U, line, h0, h1, c0, c1);
}

static void column_16u(uint8_t *out, size_t line, const uint32_t *h0, const uint32_t *h1,
                       uint32_t c0, uint32_t c1)
{
    resize_column(out, IMC_16U, line, h0, h1, c0, c1);
}

/* Exact halving, which cv2 hands to INTER_AREA's fast path: the same
 * numbers as the linear path, (a + b + c + d + 2) >> 2, far faster. */
static ALWAYS_INLINE void halve(const imc_image *src, imc_image *dst, const int depth)
{
    const size_t cn = (size_t)src->channels, line = (size_t)dst->cols * cn; /* x: source index */
    for (int y = 0; y < dst->rows; y++) {
        const uint8_t *a = (const uint8_t *)src->data + (size_t)(2 * y) * src->step;
        const uint8_t *b = a + src->step;
        uint8_t *out = (uint8_t *)dst->data + (size_t)y * dst->step;
        for (size_t i = 0, x = 0; i < line; x += cn)
            for (size_t c = 0; c < cn; c++, i++, x++) {
                uint32_t sum = sample(a, depth, x) + sample(a, depth, x + cn) +
                               sample(b, depth, x) + sample(b, depth, x + cn);
                store(out, depth, i, (sum + 2) >> 2);
            }
    }
}

/* ---- 32F: cv2's resize() turns INTER_LINEAR_EXACT into INTER_LINEAR -----
 * Float arithmetic in cv2's order; its baseline (SSE2) build has no FMA and
 * imc is built with -ffp-contract=off, so every product rounds alike. */
static inline const float *row_f(const imc_image *img, int y)
{
    return (const float *)(const void *)((const uint8_t *)img->data + (size_t)y * img->step);
}

/* An exact halving of both sides takes INTER_AREA's fast path: the sum
 * ((a + b) + c) + d of each 2x2 block times 0.25; single-channel rows run
 * cv2's 4-lane SIMD loop first, which adds (a + b) + (c + d). */
static void area_half_32f(const imc_image *src, imc_image *dst)
{
    const size_t cn = (size_t)src->channels, n = (size_t)dst->cols * cn;
    const size_t simd_end = cn == 1 ? n / 4 * 4 : 0;
    for (int dy = 0; dy < dst->rows; dy++) {
        const float *s0 = row_f(src, 2 * dy), *s1 = row_f(src, 2 * dy + 1);
        float *d = (float *)(void *)((uint8_t *)dst->data + (size_t)dy * dst->step);
        size_t i = 0;
        for (; i < simd_end; i++)
            d[i] = ((s0[2 * i] + s0[2 * i + 1]) + (s1[2 * i] + s1[2 * i + 1])) * 0.25f;
        for (; i < n; i++) {
            size_t x = i / cn * 2 * cn + i % cn;
            float sum = 0.0f + (((s0[x] + s0[x + cn]) + s1[x]) + s1[x + cn]);
            d[i] = sum * 0.25f;
        }
    }
}

/* cv2's INTER_LINEAR coefficients for one axis: source index and weights
 * (1 - f, f), f rounded to float. On the x axis, positions past the last
 * source pixel copy it; `*interp_end` is the first such index. */
static void linear_axis_32f(int src_size, int dst_size, bool x_axis, int *ofs, float *coef,
                            int *interp_end)
{
    const double scale = 1.0 / ((double)dst_size / (double)src_size);
    *interp_end = dst_size;
    for (int d = 0; d < dst_size; d++) {
        float f = (float)(((double)d + 0.5) * scale - 0.5);
        int s = (int)floorf(f);
        f -= (float)s;
        if (x_axis && s < 0) {
            f = 0.0f;
            s = 0;
        }
        if (x_axis && s + 1 >= src_size) {
            if (d < *interp_end)
                *interp_end = d;
            f = 0.0f;
            s = src_size - 1;
        }
        ofs[d] = s;
        coef[2 * d] = 1.0f - f;
        coef[2 * d + 1] = f;
    }
}

/* Horizontal pass of one source row (HResizeLinear). */
static void linear_row_32f(const float *s, int cn, const int *xofs, const float *alpha,
                           int interp_end, int dw, float *out)
{
    for (int dx = 0; dx < dw; dx++) {
        const float *p = s + (size_t)xofs[dx] * (size_t)cn;
        for (int c = 0; c < cn; c++)
            *out++ = dx < interp_end ? p[c] * alpha[2 * dx] + p[c + cn] * alpha[2 * dx + 1] : p[c];
    }
}

static inline int clip_row(int y, int rows)
{
    return y < 0 ? 0 : y >= rows ? rows - 1 : y;
}

static int linear_32f(const imc_image *src, imc_image *dst, imc_error *err)
{
    const int cn = src->channels, dw = dst->cols, dh = dst->rows;
    const size_t line = (size_t)dw * (size_t)cn;
    int *ofs = malloc(sizeof(int) * ((size_t)dw + (size_t)dh));
    float *coef = malloc(sizeof(float) * 2 * ((size_t)dw + (size_t)dh));
    float *lines = malloc(sizeof(float) * 2 * line);
    if (!ofs || !coef || !lines) {
        free(ofs);
        free(coef);
        free(lines);
        return imc_fail(err, IMC_ERR_NOMEM, "resize: out of memory");
    }
    int xend, yend;
    linear_axis_32f(src->cols, dw, true, ofs, coef, &xend);
    linear_axis_32f(src->rows, dh, false, ofs + dw, coef + 2 * (size_t)dw, &yend);
    const int *yofs = ofs + dw;
    const float *beta = coef + 2 * (size_t)dw;
    int cached[2] = {-1, -1};
    for (int dy = 0; dy < dh; dy++) {
        int want[2] = {clip_row(yofs[dy], src->rows), clip_row(yofs[dy] + 1, src->rows)};
        float *h[2];
        for (int k = 0; k < 2; k++) {
            int slot = cached[0] == want[k] ? 0 : cached[1] == want[k] ? 1 : -1;
            if (slot < 0) {
                slot = cached[0] == want[1 - k] ? 1 : 0;
                linear_row_32f(row_f(src, want[k]), cn, ofs, coef, xend, dw, lines + slot * line);
                cached[slot] = want[k];
            }
            h[k] = lines + slot * line;
        }
        float *d = (float *)(void *)((uint8_t *)dst->data + (size_t)dy * dst->step);
        for (size_t i = 0; i < line; i++)
            d[i] = h[0][i] * beta[2 * dy] + h[1][i] * beta[2 * dy + 1];
    }
    free(ofs);
    free(coef);
    free(lines);
    return IMC_OK;
}

static int resize_32f(const imc_image *src, imc_image *dst, imc_error *err)
{
    if (src->cols == 2 * dst->cols && src->rows == 2 * dst->rows) {
        area_half_32f(src, dst);
        return IMC_OK;
    }
    return linear_32f(src, dst, err);
}

int imc_resize_linear_exact(const imc_image *src, imc_image *dst, imc_error *err)
{
    if (src->depth != dst->depth || src->channels != dst->channels ||
        imc_depth_size(src->depth) == 0)
        return imc_fail(err, IMC_ERR_INTERNAL, "resize: unsupported image type");
    if (src->depth == IMC_32F)
        return resize_32f(src, dst, err);
    if (src->depth != IMC_8U && src->depth != IMC_16U)
        return imc_resize_wide(src, dst, err);
    const int depth = src->depth, cn = src->channels;
    const int shift = depth == IMC_8U ? 8 : 16;
    const int dw = dst->cols, dh = dst->rows;
    const size_t line = (size_t)dw * (size_t)cn;
    if (src->cols == 2 * dw && src->rows == 2 * dh) {
        if (depth == IMC_8U)
            halve(src, dst, IMC_8U);
        else
            halve(src, dst, IMC_16U);
        return IMC_OK;
    }
    void (*row)(const uint8_t *, int, const axis_map *, int, uint32_t *) =
        depth == IMC_8U ? row_8u : row_16u;
    void (*column)(uint8_t *, size_t, const uint32_t *, const uint32_t *, uint32_t, uint32_t) =
        depth == IMC_8U ? column_8u : column_16u;

    axis_map x, y;
    int *offsets = malloc(sizeof(int) * ((size_t)dw + (size_t)dh));
    uint32_t *coeffs = malloc(sizeof(uint32_t) * 2 * ((size_t)dw + (size_t)dh));
    uint32_t *lines = malloc(sizeof(uint32_t) * 2 * line);
    if (!offsets || !coeffs || !lines) {
        free(offsets);
        free(coeffs);
        free(lines);
        return imc_fail(err, IMC_ERR_NOMEM, "resize: out of memory");
    }
    x.offset = offsets;
    y.offset = offsets + dw;
    x.coeff = coeffs;
    y.coeff = coeffs + 2 * (size_t)dw;
    map_axis(src->cols, dw, shift, &x);
    map_axis(src->rows, dh, shift, &y);

    /* Two cached horizontal passes, tagged with their source row. */
    int cached[2] = {-1, -1};
    for (int dy = 0; dy < dh; dy++) {
        uint8_t *out = (uint8_t *)dst->data + (size_t)dy * dst->step;
        bool edge = dy < y.min || dy >= y.max;
        int rows[2] = {dy < y.min ? 0 : dy >= y.max ? src->rows - 1 : y.offset[dy], 0};
        rows[1] = edge ? rows[0] : rows[0] + 1;
        uint32_t *h[2];
        const int nrows = edge ? 1 : 2;
        for (int k = 0; k < nrows; k++) {
            int slot = cached[0] == rows[k] ? 0 : cached[1] == rows[k] ? 1 : -1;
            if (slot < 0) {
                /* reuse the slot that does not hold the other row needed */
                int other = nrows == 2 ? rows[1 - k] : -2;
                slot = cached[0] == other ? 1 : 0;
                row((const uint8_t *)src->data + (size_t)rows[k] * src->step, cn, &x, dw,
                    lines + (size_t)slot * line);
                cached[slot] = rows[k];
            }
            h[k] = lines + (size_t)slot * line;
        }
        column(out, line, h[0], edge ? NULL : h[1], y.coeff[2 * dy], y.coeff[2 * dy + 1]);
    }
    free(offsets);
    free(coeffs);
    free(lines);
    return IMC_OK;
}
