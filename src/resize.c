/* cv::resize(..., INTER_LINEAR_EXACT), which cv2 applies to IMREAD_REDUCED_*
 * results of codecs that cannot scale while decoding. A bit-exact port of the
 * arithmetic: coefficients are rounded to fixed point (8 fraction bits for
 * 8-bit samples, 16 for 16-bit), a horizontal pass keeps fixed-point sums and
 * a vertical pass rounds once. (The exact-2x INTER_AREA shortcut cv2 takes
 * gives the same numbers, (a + b + c + d + 2) >> 2.) For 32F, where cv2 falls
 * back to plain INTER_LINEAR, its float arithmetic in its order. */
#include "internal.h"

#include <float.h>
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

static inline uint32_t sample(const uint8_t *row, int depth, size_t i)
{
    return depth == IMC_8U ? row[i] : ((const uint16_t *)(const void *)row)[i];
}

/* Horizontal pass of one source row into fixed-point sums. */
static void resize_row(const uint8_t *src, int depth, int cn, int shift, const axis_map *x,
                       int dst_width, uint32_t *out)
{
    int i = 0;
    for (; i < x->min && i < dst_width; i++)
        for (int c = 0; c < cn; c++)
            *out++ = sample(src, depth, (size_t)c) << shift;
    for (; i < x->max; i++) {
        size_t at = (size_t)x->offset[i] * (size_t)cn;
        uint64_t c0 = x->coeff[2 * i], c1 = x->coeff[2 * i + 1];
        for (int c = 0; c < cn; c++) {
            uint64_t v = c0 * sample(src, depth, at + (size_t)c) +
                         c1 * sample(src, depth, at + (size_t)(cn + c));
            *out++ = (uint32_t)v; /* cannot exceed 2^32 - 1: c0 + c1 == 1 << shift */
        }
    }
    size_t last = (size_t)x->offset[dst_width - 1] * (size_t)cn;
    for (; i < dst_width; i++)
        for (int c = 0; c < cn; c++)
            *out++ = sample(src, depth, last + (size_t)c) << shift;
}

static inline void store(uint8_t *row, int depth, size_t i, uint64_t v)
{
    if (depth == IMC_8U)
        row[i] = (uint8_t)(v > 255 ? 255 : v);
    else
        ((uint16_t *)(void *)row)[i] = (uint16_t)(v > 65535 ? 65535 : v);
}

/* ---- 32F: cv2 falls back from INTER_LINEAR_EXACT to INTER_LINEAR --------- */
static inline const float *row_32f(const imc_image *img, int y)
{
    return (const float *)(const void *)((const uint8_t *)img->data + (size_t)y * img->step);
}

/* Exactly half size: cv2 takes its INTER_AREA fast path. Its 4-lane SIMD
 * code (1 or 4 channels) adds the two rows' pairs first; the scalar code,
 * for 3 channels and the tail, adds the four samples in turn onto 0. */
static void area_half_32f(const imc_image *src, imc_image *dst)
{
    const int cn = dst->channels, w = dst->cols * cn;
    const int simd_end = cn == 1 || cn == 4 ? w - w % 4 : 0;
    for (int dy = 0; dy < dst->rows; dy++) {
        const float *s0 = row_32f(src, 2 * dy), *s1 = row_32f(src, 2 * dy + 1);
        float *d = (float *)(void *)((uint8_t *)dst->data + (size_t)dy * dst->step);
        for (int dx = 0; dx < w; dx++) {
            int at = dx / cn * 2 * cn + dx % cn;
            float a = s0[at], b = s0[at + cn], c = s1[at], e = s1[at + cn];
            float sum = dx < simd_end ? (a + b) + (c + e) : 0.f + (((a + b) + c) + e);
            d[dx] = sum * 0.25f;
        }
    }
}

static inline int floor_f(float v)
{
    int i = (int)v;
    return i - (i > v);
}

/* cv2's coefficients for one axis of INTER_LINEAR on floats. */
static void linear_axis_32f(int src_size, int dst_size, double scale, bool clamp, int *ofs,
                            float *coef, int *max)
{
    *max = dst_size;
    for (int d = 0; d < dst_size; d++) {
        float f = (float)(((double)d + 0.5) * scale - 0.5);
        int s = floor_f(f);
        f -= (float)s;
        if (clamp && s < 0)
            f = 0, s = 0;
        if (clamp && s + 1 >= src_size) {
            if (d < *max)
                *max = d;
            if (s >= src_size - 1)
                f = 0, s = src_size - 1;
        }
        ofs[d] = s;
        coef[2 * d] = 1.f - f;
        coef[2 * d + 1] = f;
    }
}

static void hresize_32f(const float *s, int cn, int dw, const int *xofs, const float *alpha,
                        int xmax, float *out)
{
    for (int dx = 0; dx < dw; dx++)
        for (int c = 0; c < cn; c++) {
            int at = xofs[dx] * cn + c;
            out[dx * cn + c] = dx < xmax ? s[at] * alpha[2 * dx] + s[at + cn] * alpha[2 * dx + 1]
                                         : s[at] * 1.f;
        }
}

static inline int clip_row(int y, int rows)
{
    return y >= 0 ? (y < rows ? y : rows - 1) : 0;
}

static int resize_linear_32f(const imc_image *src, imc_image *dst, imc_error *err)
{
    const int cn = dst->channels, dw = dst->cols, dh = dst->rows;
    const double scale_x = 1. / ((double)dw / src->cols), scale_y = 1. / ((double)dh / src->rows);
    if (fabs(scale_x - imc_cv_round(scale_x)) < DBL_EPSILON &&
        fabs(scale_y - imc_cv_round(scale_y)) < DBL_EPSILON && imc_cv_round(scale_x) == 2 &&
        imc_cv_round(scale_y) == 2) {
        area_half_32f(src, dst);
        return IMC_OK;
    }
    const size_t line = (size_t)dw * (size_t)cn;
    int *ofs = malloc(sizeof(int) * ((size_t)dw + (size_t)dh));
    float *coef = malloc(sizeof(float) * 2 * ((size_t)dw + (size_t)dh));
    float *rows = malloc(sizeof(float) * 2 * line);
    if (!ofs || !coef || !rows) {
        free(ofs);
        free(coef);
        free(rows);
        return imc_fail(err, IMC_ERR_NOMEM, "resize: out of memory");
    }
    int xmax, unused;
    linear_axis_32f(src->cols, dw, scale_x, true, ofs, coef, &xmax);
    linear_axis_32f(src->rows, dh, scale_y, false, ofs + dw, coef + 2 * (size_t)dw, &unused);
    const float *beta = coef + 2 * (size_t)dw;
    for (int dy = 0; dy < dh; dy++) {
        int sy = ofs[dw + dy];
        hresize_32f(row_32f(src, clip_row(sy, src->rows)), cn, dw, ofs, coef, xmax, rows);
        hresize_32f(row_32f(src, clip_row(sy + 1, src->rows)), cn, dw, ofs, coef, xmax,
                    rows + line);
        float *d = (float *)(void *)((uint8_t *)dst->data + (size_t)dy * dst->step);
        const float b0 = beta[2 * dy], b1 = beta[2 * dy + 1];
        for (size_t i = 0; i < line; i++)
            d[i] = rows[i] * b0 + rows[line + i] * b1;
    }
    free(ofs);
    free(coef);
    free(rows);
    return IMC_OK;
}

int imc_resize_linear_exact(const imc_image *src, imc_image *dst, imc_error *err)
{
    if (src->depth == IMC_32F && dst->depth == IMC_32F && src->channels == dst->channels)
        return resize_linear_32f(src, dst, err);
    if ((src->depth != IMC_8U && src->depth != IMC_16U) || src->depth != dst->depth ||
        src->channels != dst->channels)
        return imc_fail(err, IMC_ERR_INTERNAL, "resize: unsupported image type");
    const int depth = src->depth, cn = src->channels;
    const int shift = depth == IMC_8U ? 8 : 16;
    const int dw = dst->cols, dh = dst->rows;
    const size_t line = (size_t)dw * (size_t)cn;

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
                resize_row((const uint8_t *)src->data + (size_t)rows[k] * src->step, depth, cn,
                           shift, &x, dw, lines + (size_t)slot * line);
                cached[slot] = rows[k];
            }
            h[k] = lines + (size_t)slot * line;
        }
        if (edge) {
            const uint64_t half = 1u << (shift - 1);
            for (size_t i = 0; i < line; i++)
                store(out, depth, i, ((uint64_t)h[0][i] + half) >> shift);
        } else {
            const uint64_t c0 = y.coeff[2 * dy], c1 = y.coeff[2 * dy + 1];
            const uint64_t half = (uint64_t)1 << (2 * shift - 1);
            for (size_t i = 0; i < line; i++)
                store(out, depth, i, (c0 * h[0][i] + c1 * h[1][i] + half) >> (2 * shift));
        }
    }
    free(offsets);
    free(coeffs);
    free(lines);
    return IMC_OK;
}
