/* cv::resize(..., INTER_LINEAR_EXACT) for the integer depths only TIFF
 * produces (8S, 16S, 32S): a bit-exact port of cv2's resize_bitExact with
 * 64-bit sums (16 fraction bits for 8S/16S; 32 for 32S, whose products go
 * through cv's saturating fixedpoint64), driven by resize_two_pass.c. */
#include "resize.h"

static int fraction_bits(int depth)
{
    return depth == IMC_32S ? 32 : 16;
}

/* Floor division by 2^shift (an arithmetic right shift, spelled portably). */
static inline int64_t shift_down(int64_t v, int shift)
{
    return v >= 0 ? v >> shift : -((-(v + 1)) >> shift) - 1;
}

static inline int64_t sample(const uint8_t *row, int depth, size_t i)
{
    switch (depth) {
    case IMC_8S: return ((const int8_t *)row)[i];
    case IMC_16S: return ((const int16_t *)(const void *)row)[i];
    default: return ((const int32_t *)(const void *)row)[i];
    }
}

/* Horizontal pass of one source row into fixed-point sums (never saturating
 * for these sample ranges: the weights add up to one). */
static void resize_row(const uint8_t *src, int depth, int cn, int shift, const imc_axis_map *x,
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
    case IMC_8S: ((int8_t *)row)[i] = (int8_t)clamp64(v, INT8_MIN, INT8_MAX); break;
    case IMC_16S: ((int16_t *)(void *)row)[i] = (int16_t)clamp64(v, INT16_MIN, INT16_MAX); break;
    default: ((int32_t *)(void *)row)[i] = (int32_t)clamp64(v, INT32_MIN, INT32_MAX); break;
    }
}

/* One row and one column function per depth, as the driver wants them. */
#define WIDE_DEPTH(SUFFIX, DEPTH)                                                                 \
    static void row_##SUFFIX(const uint8_t *src, int cn, const imc_axis_map *x, int w, void *out) \
    {                                                                                             \
        resize_row(src, DEPTH, cn, fraction_bits(DEPTH), x, w, out);                              \
    }                                                                                             \
    static void column_##SUFFIX(uint8_t *out, size_t line, const void *h0, const void *h1,       \
                                int64_t c0, int64_t c1)                                           \
    {                                                                                             \
        const int64_t *a = h0, *b = h1;                                                           \
        for (size_t i = 0; i < line; i++)                                                         \
            store(out, DEPTH, i,                                                                  \
                  vertical(DEPTH, fraction_bits(DEPTH), !b, a[i], b ? b[i] : 0, c0, c1));         \
    }
WIDE_DEPTH(8s, IMC_8S)
WIDE_DEPTH(16s, IMC_16S)
WIDE_DEPTH(32s, IMC_32S)
#undef WIDE_DEPTH

int imc_resize_wide(const imc_image *src, imc_image *dst, imc_error *err)
{
    const int shift = fraction_bits(src->depth);
    switch (src->depth) {
    case IMC_8S: return imc_resize_two_pass(src, dst, shift, sizeof(int64_t), row_8s, column_8s, err);
    case IMC_16S:
        return imc_resize_two_pass(src, dst, shift, sizeof(int64_t), row_16s, column_16s, err);
    case IMC_32S:
        return imc_resize_two_pass(src, dst, shift, sizeof(int64_t), row_32s, column_32s, err);
    default: return imc_fail(err, IMC_ERR_INTERNAL, "resize: unsupported depth %d", src->depth);
    }
}
