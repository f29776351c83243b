/* cv::resize(..., INTER_LINEAR_EXACT), which cv2 applies to IMREAD_REDUCED_*
 * results of codecs that cannot scale while decoding. A bit-exact port of the
 * arithmetic: coefficients are rounded to fixed point (8 fraction bits for
 * 8-bit samples, 16 for 16-bit), a horizontal pass keeps fixed-point sums and
 * a vertical pass rounds once. (The exact-2x INTER_AREA shortcut cv2 takes
 * gives the same numbers, (a + b + c + d + 2) >> 2.) */
#include "resize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
                                     const imc_axis_map *x, int dst_width, uint32_t *out)
{
    int i = 0;
    for (; i < x->min && i < dst_width; i++)
        for (int c = 0; c < cn; c++)
            *out++ = sample(src, depth, (size_t)c) << shift;
    for (; i < x->max; i++) {
        size_t at = (size_t)x->offset[i] * (size_t)cn;
        uint32_t c0 = (uint32_t)x->coeff[2 * i], c1 = (uint32_t)x->coeff[2 * i + 1];
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

static void row_8u(const uint8_t *src, int cn, const imc_axis_map *x, int w, void *out)
{
    resize_row(src, IMC_8U, cn, 8, x, w, out);
}

static void row_16u(const uint8_t *src, int cn, const imc_axis_map *x, int w, void *out)
{
    resize_row(src, IMC_16U, cn, 16, x, w, out);
}

static void column_8u(uint8_t *out, size_t line, const void *h0, const void *h1, int64_t c0,
                      int64_t c1)
{
    resize_column(out, IMC_8U, line, h0, h1, (uint32_t)c0, (uint32_t)c1);
}

static void column_16u(uint8_t *out, size_t line, const void *h0, const void *h1, int64_t c0,
                       int64_t c1)
{
    resize_column(out, IMC_16U, line, h0, h1, (uint32_t)c0, (uint32_t)c1);
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

/* ---- Floats: cv2's resize() turns INTER_LINEAR_EXACT into INTER_LINEAR ----
 * Arithmetic in cv2's order and precision (float for 32F, double for 64F);
 * its baseline (SSE2) build has no FMA and imc is built with
 * -ffp-contract=off, so every product rounds alike. */
static inline double fsample(const uint8_t *row, int depth, size_t i)
{
    if (depth == IMC_32F) {
        float f;
        memcpy(&f, row + 4 * i, 4);
        return f;
    }
    double d;
    memcpy(&d, row + 8 * i, 8);
    return d;
}

static inline void fstore(uint8_t *row, int depth, size_t i, double v)
{
    if (depth == IMC_32F) {
        float f = (float)v;
        memcpy(row + 4 * i, &f, 4);
    } else {
        memcpy(row + 8 * i, &v, 8);
    }
}

/* An exact halving of both sides takes INTER_AREA's fast path: the sum
 * ((a + b) + c) + d of each 2x2 block times 0.25; single-channel 32F rows
 * run cv2's 4-lane SIMD loop first, which adds (a + b) + (c + d). */
static void area_half(const imc_image *src, imc_image *dst)
{
    const int depth = src->depth;
    const size_t cn = (size_t)src->channels, n = (size_t)dst->cols * cn;
    const size_t simd_end = cn == 1 && depth == IMC_32F ? n / 4 * 4 : 0;
    for (int dy = 0; dy < dst->rows; dy++) {
        const uint8_t *s0 = (const uint8_t *)src->data + (size_t)(2 * dy) * src->step;
        const uint8_t *s1 = s0 + src->step;
        uint8_t *d = (uint8_t *)dst->data + (size_t)dy * dst->step;
        for (size_t i = 0; i < n; i++) {
            size_t x = i / cn * 2 * cn + i % cn;
            double a = fsample(s0, depth, x), b = fsample(s0, depth, x + cn);
            double c = fsample(s1, depth, x), e = fsample(s1, depth, x + cn);
            if (depth == IMC_32F) {
                float sum = i < simd_end ? ((float)a + (float)b) + ((float)c + (float)e)
                                         : (((float)a + (float)b) + (float)c) + (float)e;
                fstore(d, depth, i, sum * 0.25f);
            } else {
                fstore(d, depth, i, (((a + b) + c) + e) * 0.25);
            }
        }
    }
}

/* cv2's INTER_LINEAR coefficients for one axis: source index and weights
 * (1 - f, f), f rounded to float. On the x axis, positions past the last
 * source pixel copy it; `*interp_end` is the first such index. */
static void linear_axis(int src_size, int dst_size, bool x_axis, int *ofs, float *coef,
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

/* Horizontal pass of one source row (HResizeLinear), each value kept in
 * double (exact for floats, which are rounded to float at every step). */
static void linear_row(const uint8_t *s, int depth, int cn, const int *xofs, const float *alpha,
                       int interp_end, int dw, double *out)
{
    for (int dx = 0; dx < dw; dx++) {
        size_t at = (size_t)xofs[dx] * (size_t)cn;
        for (int c = 0; c < cn; c++, out++) {
            double p0 = fsample(s, depth, at + (size_t)c);
            if (dx >= interp_end)
                *out = p0;
            else if (depth == IMC_32F)
                *out = (float)p0 * alpha[2 * dx] +
                       (float)fsample(s, depth, at + (size_t)(c + cn)) * alpha[2 * dx + 1];
            else
                *out = p0 * alpha[2 * dx] + fsample(s, depth, at + (size_t)(c + cn)) * alpha[2 * dx + 1];
        }
    }
}

static inline int clip_row(int y, int rows)
{
    return y < 0 ? 0 : y >= rows ? rows - 1 : y;
}

static int linear_float(const imc_image *src, imc_image *dst, imc_error *err)
{
    const int cn = src->channels, dw = dst->cols, dh = dst->rows, depth = src->depth;
    const size_t line = (size_t)dw * (size_t)cn;
    int *ofs = malloc(sizeof(int) * ((size_t)dw + (size_t)dh));
    float *coef = malloc(sizeof(float) * 2 * ((size_t)dw + (size_t)dh));
    double *lines = malloc(sizeof(double) * 2 * line);
    if (!ofs || !coef || !lines) {
        free(ofs);
        free(coef);
        free(lines);
        return imc_fail(err, IMC_ERR_NOMEM, "resize: out of memory");
    }
    int xend, yend;
    linear_axis(src->cols, dw, true, ofs, coef, &xend);
    linear_axis(src->rows, dh, false, ofs + dw, coef + 2 * (size_t)dw, &yend);
    const int *yofs = ofs + dw;
    const float *beta = coef + 2 * (size_t)dw;
    int cached[2] = {-1, -1};
    for (int dy = 0; dy < dh; dy++) {
        int want[2] = {clip_row(yofs[dy], src->rows), clip_row(yofs[dy] + 1, src->rows)};
        double *h[2];
        for (int k = 0; k < 2; k++) {
            int slot = cached[0] == want[k] ? 0 : cached[1] == want[k] ? 1 : -1;
            if (slot < 0) {
                slot = cached[0] == want[1 - k] ? 1 : 0;
                linear_row((const uint8_t *)src->data + (size_t)want[k] * src->step, depth, cn,
                           ofs, coef, xend, dw, lines + slot * line);
                cached[slot] = want[k];
            }
            h[k] = lines + slot * line;
        }
        uint8_t *d = (uint8_t *)dst->data + (size_t)dy * dst->step;
        const float b0 = beta[2 * dy], b1 = beta[2 * dy + 1];
        for (size_t i = 0; i < line; i++)
            fstore(d, depth, i,
                   depth == IMC_32F ? (double)((float)h[0][i] * b0 + (float)h[1][i] * b1)
                                    : h[0][i] * b0 + h[1][i] * b1);
    }
    free(ofs);
    free(coef);
    free(lines);
    return IMC_OK;
}

static int resize_float(const imc_image *src, imc_image *dst, imc_error *err)
{
    if (src->cols == 2 * dst->cols && src->rows == 2 * dst->rows) {
        area_half(src, dst);
        return IMC_OK;
    }
    return linear_float(src, dst, err);
}

int imc_resize_linear_exact(const imc_image *src, imc_image *dst, imc_error *err)
{
    if (src->depth != dst->depth || src->channels != dst->channels ||
        imc_depth_size(src->depth) == 0)
        return imc_fail(err, IMC_ERR_INTERNAL, "resize: unsupported image type");
    const int depth = src->depth;
    if (depth == IMC_32F || depth == IMC_64F)
        return resize_float(src, dst, err);
    if (depth != IMC_8U && depth != IMC_16U)
        return imc_resize_wide(src, dst, err);
    if (src->cols == 2 * dst->cols && src->rows == 2 * dst->rows) {
        if (depth == IMC_8U)
            halve(src, dst, IMC_8U);
        else
            halve(src, dst, IMC_16U);
        return IMC_OK;
    }
    return depth == IMC_8U ? imc_resize_two_pass(src, dst, 8, sizeof(uint32_t), row_8u, column_8u, err)
                           : imc_resize_two_pass(src, dst, 16, sizeof(uint32_t), row_16u, column_16u, err);
}
