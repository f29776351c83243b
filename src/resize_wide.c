/* cv::resize(..., INTER_LINEAR_EXACT) for the sample depths only TIFF
 * produces (8S, 16S, 32S, 64F); resize.c has the fast 8U/16U/32F paths.
 *
 * Integer samples: a bit-exact port of cv2's resize_bitExact with 64-bit
 * intermediates (16 fraction bits for 8S/16S, 32 for 32S, whose products
 * go through cv's saturating fixedpoint64). 64F: cv2 falls back to
 * INTER_LINEAR in double; exact 2x becomes INTER_AREA, ((a + b) + c) + d. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Integer samples ----------------------------------------------------- */
typedef struct {
    int *offset;    /* left/top source index of each destination index */
    int64_t *coeff; /* two fixed-point weights per destination index */
    int min, max;   /* [min, max) interpolates; outside, the edge is copied */
} axis_map;

static int fraction_bits(int depth)
{
    return depth == IMC_32S ? 32 : 16;
}

/* Floor division by 2^shift (an arithmetic right shift, spelled portably). */
static inline int64_t shift_down(int64_t v, int shift)
{
    return v >= 0 ? v >> shift : -((-(v + 1)) >> shift) - 1;
}

/* cv::interpolationLinear::getCoeffs for every destination index. */
static void map_axis(int src_size, int dst_size, int shift, axis_map *m)
{
    const int64_t one = (int64_t)1 << shift;
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
                int64_t c1 = (int64_t)nearbyint(frac * (double)one); /* ties to even */
                m->offset[v] = ipos;
                m->coeff[2 * v + 1] = c1;
                m->coeff[2 * v] = one - c1;
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

static inline int64_t sample(const uint8_t *row, int depth, size_t i)
{
    switch (depth) {
    case IMC_8U: return row[i];
    case IMC_8S: return ((const int8_t *)row)[i];
    case IMC_16U: return ((const uint16_t *)(const void *)row)[i];
    case IMC_16S: return ((const int16_t *)(const void *)row)[i];
    default: return ((const int32_t *)(const void *)row)[i];
    }
}

/* Horizontal pass of one source row into fixed-point sums (never saturating
 * for these sample ranges: the weights add up to one). */
static void resize_row(const uint8_t *src, int depth, int cn, int shift, const axis_map *x,
                       int dst_width, int64_t *out)
{
    const int64_t one = (int64_t)1 << shift;
    int i = 0;
    for (; i < x->min && i < dst_width; i++)
        for (int c = 0; c < cn; c++)
            *out++ = sample(src, depth, (size_t)c) * one;
    for (; i < x->max; i++) {
        size_t at = (size_t)x->offset[i] * (size_t)cn;
        int64_t c0 = x->coeff[2 * i], c1 = x->coeff[2 * i + 1];
        for (int c = 0; c < cn; c++)
            *out++ = c0 * sample(src, depth, at + (size_t)c) +
                     c1 * sample(src, depth, at + (size_t)(cn + c));
    }
    size_t last = (size_t)x->offset[dst_width - 1] * (size_t)cn;
    for (; i < dst_width; i++)
        for (int c = 0; c < cn; c++)
            *out++ = sample(src, depth, last + (size_t)c) * one;
}

/* cv's fixedpoint64 product: round(|a| * |b| / 2^32) from 32-bit partial
 * products, the sign applied after, saturating. */
static int64_t fixed_mul64(int64_t a, int64_t b)
{
    const uint64_t lo = 0xFFFFFFFFu;
    bool negative = (a < 0) != (b < 0);
    uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a, ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
    uint64_t sh0 = (ua & lo) * (ub & lo) + ((uint64_t)1 << 31);
    uint64_t sh1_0 = (ua >> 32) * (ub & lo), sh1_1 = (ua & lo) * (ub >> 32);
    uint64_t sh2 = (ua >> 32) * (ub >> 32);
    uint64_t low = (sh1_0 & lo) + (sh1_1 & lo) + (sh0 >> 32);
    uint64_t high = (sh2 & lo) + (sh1_0 >> 32) + (sh1_1 >> 32) + (low >> 32);
    if (sh2 > 0x7FFFFFFF || high > 0x7FFFFFFF)
        return negative ? INT64_MIN : INT64_MAX;
    uint64_t r = high << 32 | (low & lo);
    return negative ? -(int64_t)r : (int64_t)r;
}

static int64_t add_saturating(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

/* Rounds a horizontal sum (edge == true) or the vertical combination of two
 * to a sample, as cv's fixed-point types convert. */
static int64_t vertical(int depth, int shift, bool edge, int64_t h0, int64_t h1, int64_t c0,
                        int64_t c1)
{
    if (edge)
        return shift_down(h0 + ((int64_t)1 << (shift - 1)), shift);
    if (depth == IMC_32S)
        return shift_down(add_saturating(fixed_mul64(h0, c0), fixed_mul64(h1, c1)) +
                              ((int64_t)1 << 31),
                          32);
    return shift_down(c0 * h0 + c1 * h1 + ((int64_t)1 << (2 * shift - 1)), 2 * shift);
}

static inline int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void store(uint8_t *row, int depth, size_t i, int64_t v)
{
    switch (depth) {
    case IMC_8U: row[i] = (uint8_t)clamp64(v, 0, UINT8_MAX); break;
    case IMC_8S: ((int8_t *)row)[i] = (int8_t)clamp64(v, INT8_MIN, INT8_MAX); break;
    case IMC_16U: ((uint16_t *)(void *)row)[i] = (uint16_t)clamp64(v, 0, UINT16_MAX); break;
    case IMC_16S: ((int16_t *)(void *)row)[i] = (int16_t)clamp64(v, INT16_MIN, INT16_MAX); break;
    default: ((int32_t *)(void *)row)[i] = (int32_t)clamp64(v, INT32_MIN, INT32_MAX); break;
    }
}

static int resize_integer(const imc_image *src, imc_image *dst, imc_error *err)
{
    const int depth = src->depth, cn = src->channels;
    const int shift = fraction_bits(depth);
    const int dw = dst->cols, dh = dst->rows;
    const size_t line = (size_t)dw * (size_t)cn;

    axis_map x, y;
    int *offsets = malloc(sizeof(int) * ((size_t)dw + (size_t)dh));
    int64_t *coeffs = malloc(sizeof(int64_t) * 2 * ((size_t)dw + (size_t)dh));
    int64_t *lines = malloc(sizeof(int64_t) * 2 * line);
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
        int64_t *h[2];
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
        const int64_t c0 = edge ? 0 : y.coeff[2 * dy], c1 = edge ? 0 : y.coeff[2 * dy + 1];
        for (size_t i = 0; i < line; i++)
            store(out, depth, i, vertical(depth, shift, edge, h[0][i], edge ? 0 : h[1][i], c0, c1));
    }
    free(offsets);
    free(coeffs);
    free(lines);
    return IMC_OK;
}

/* ---- Float samples ------------------------------------------------------- */
static inline double fsample(const uint8_t *row, size_t i)
{
    double v;
    memcpy(&v, row + 8 * i, 8);
    return v;
}

/* cv2's exact-2x INTER_AREA for doubles: scalar ((a + b) + c) + d. */
static void area_2x_64f(const imc_image *src, imc_image *dst)
{
    const size_t cn = (size_t)dst->channels, w = (size_t)dst->cols * cn;
    for (int dy = 0; dy < dst->rows; dy++) {
        const uint8_t *s0 = (const uint8_t *)src->data + (size_t)(2 * dy) * src->step;
        const uint8_t *s1 = s0 + src->step;
        double *out = (double *)(void *)((uint8_t *)dst->data + (size_t)dy * dst->step);
        for (size_t i = 0; i < w; i++) {
            size_t at = i / cn * 2 * cn + i % cn;
            double a = fsample(s0, at), b = fsample(s0, at + cn);
            double c = fsample(s1, at), d = fsample(s1, at + cn);
            out[i] = (((a + b) + c) + d) * 0.25;
        }
    }
}

/* One axis of cv2's INTER_LINEAR setup: source index and float weights. */
typedef struct {
    int *index;
    float *weight; /* two per destination index */
    int max;       /* from here on the last source sample is copied */
} linear_axis;

static void map_linear(int src_size, int dst_size, bool clamp, linear_axis *a)
{
    double scale = 1.0 / ((double)dst_size / (double)src_size);
    a->max = dst_size;
    for (int d = 0; d < dst_size; d++) {
        float f = (float)(((double)d + 0.5) * scale - 0.5);
        int s = (int)floorf(f);
        f -= (float)s;
        if (clamp && s < 0)
            f = 0, s = 0;
        if (clamp && s + 1 >= src_size) {
            if (d < a->max)
                a->max = d;
            if (s >= src_size - 1)
                f = 0, s = src_size - 1;
        }
        a->index[d] = s;
        a->weight[2 * d] = 1.0f - f;
        a->weight[2 * d + 1] = f;
    }
}

/* Horizontal pass of one row. */
static void linear_row(const uint8_t *src, int cn, const linear_axis *x, int dst_width,
                       double *out)
{
    for (int dx = 0; dx < dst_width; dx++) {
        size_t at = (size_t)x->index[dx] * (size_t)cn;
        float a0 = x->weight[2 * dx], a1 = x->weight[2 * dx + 1];
        for (int c = 0; c < cn; c++, out++) {
            double s0 = fsample(src, at + (size_t)c);
            *out = dx >= x->max ? s0 : s0 * a0 + fsample(src, at + (size_t)(cn + c)) * a1;
        }
    }
}

static int resize_linear_64f(const imc_image *src, imc_image *dst, imc_error *err)
{
    const int cn = src->channels, dw = dst->cols, dh = dst->rows;
    const size_t line = (size_t)dw * (size_t)cn;
    int *index = malloc(sizeof(int) * ((size_t)dw + (size_t)dh));
    float *weight = malloc(sizeof(float) * 2 * ((size_t)dw + (size_t)dh));
    double *rows = malloc(sizeof(double) * 2 * line);
    if (!index || !weight || !rows) {
        free(index);
        free(weight);
        free(rows);
        return imc_fail(err, IMC_ERR_NOMEM, "resize: out of memory");
    }
    linear_axis x = {index, weight, dw}, y = {index + dw, weight + 2 * (size_t)dw, dh};
    map_linear(src->cols, dw, true, &x);
    map_linear(src->rows, dh, false, &y);
    for (int dy = 0; dy < dh; dy++) {
        for (int k = 0; k < 2; k++) {
            int sy = y.index[dy] + k;
            sy = sy < 0 ? 0 : sy >= src->rows ? src->rows - 1 : sy;
            linear_row((const uint8_t *)src->data + (size_t)sy * src->step, cn, &x, dw,
                       rows + (size_t)k * line);
        }
        const float b0 = y.weight[2 * dy], b1 = y.weight[2 * dy + 1];
        uint8_t *out = (uint8_t *)dst->data + (size_t)dy * dst->step;
        for (size_t i = 0; i < line; i++)
            ((double *)(void *)out)[i] = rows[i] * b0 + rows[line + i] * b1;
    }
    free(index);
    free(weight);
    free(rows);
    return IMC_OK;
}

int imc_resize_wide(const imc_image *src, imc_image *dst, imc_error *err)
{
    if (src->depth != IMC_64F)
        return resize_integer(src, dst, err);
    if (src->cols == 2 * dst->cols && src->rows == 2 * dst->rows) {
        area_2x_64f(src, dst);
        return IMC_OK;
    }
    return resize_linear_64f(src, dst, err);
}
