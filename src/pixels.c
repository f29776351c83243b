/* Per-pixel conversions shared by dispatch and codecs, with cv2's rounding
 * and saturation rules. */
#include "internal.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int imc_cv_round(double v)
{
    double r = nearbyint(v); /* default rounding mode: ties to even */
    if (!(r >= (double)INT_MIN && r <= (double)INT_MAX))
        return INT_MIN;
    return (int)r;
}

static inline uint8_t sat_u8(int64_t v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

int imc_convert_to_8u(const imc_image *src, imc_image *dst, imc_error *err)
{
    int rc = imc_image_alloc(dst, src->rows, src->cols, src->channels, IMC_8U);
    if (rc != IMC_OK)
        return imc_fail(err, rc, "cannot allocate 8-bit copy");
    size_t n = (size_t)src->cols * (size_t)src->channels, elem = imc_depth_size(src->depth);
    /* Caller rows need not be aligned for their sample type: such rows are
     * copied to an aligned scratch row first. */
    void *scratch = NULL;
    for (int y = 0; y < src->rows; y++) {
        const uint8_t *s = (const uint8_t *)src->data + (size_t)y * src->step;
        uint8_t *d = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (elem > 1 && (uintptr_t)s % elem) {
            if (!scratch && !(scratch = malloc(n * elem))) {
                imc_image_free(dst);
                return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
            }
            memcpy(scratch, s, n * elem);
            s = scratch;
        }
        size_t i;
        switch (src->depth) {
        case IMC_8U: memcpy(d, s, n); break;
        case IMC_8S: for (i = 0; i < n; i++) d[i] = sat_u8(((const int8_t *)s)[i]); break;
        case IMC_16U: for (i = 0; i < n; i++) d[i] = sat_u8(((const uint16_t *)s)[i]); break;
        case IMC_16S: for (i = 0; i < n; i++) d[i] = sat_u8(((const int16_t *)s)[i]); break;
        case IMC_32S: for (i = 0; i < n; i++) d[i] = sat_u8(((const int32_t *)s)[i]); break;
        case IMC_32F: imc_row_32f_to_8u((const float *)(const void *)s, d, n, 1.0f); break;
        case IMC_64F:
            for (i = 0; i < n; i++) d[i] = sat_u8(imc_cv_round(((const double *)s)[i]));
            break;
        default:
            free(scratch);
            imc_image_free(dst);
            return imc_fail(err, IMC_ERR_ARG, "unknown depth %d", src->depth);
        }
    }
    free(scratch);
    return IMC_OK;
}

void imc_swap_rb(imc_image *img)
{
    if (img->channels < 3)
        return;
    int cn = img->channels;
    size_t elem = imc_depth_size(img->depth);
    for (int y = 0; y < img->rows; y++) {
        uint8_t *row = (uint8_t *)img->data + (size_t)y * img->step;
        if (elem == 1) {
            for (int x = 0; x < img->cols; x++) {
                uint8_t t = row[x * cn];
                row[x * cn] = row[x * cn + 2];
                row[x * cn + 2] = t;
            }
        } else {
            for (int x = 0; x < img->cols; x++) {
                uint8_t *p = row + (size_t)x * cn * elem, t[8];
                memcpy(t, p, elem);
                memmove(p, p + 2 * elem, elem);
                memcpy(p + 2 * elem, t, elem);
            }
        }
    }
}

/* ---- cv2's color conversions (imgcodecs/src/utils.cpp), one row at a time.
 * Gray weights are cv2's 14-bit fixed point: 0.299, 0.587, 0.114. */
enum { GRAY_SHIFT = 14, GRAY_R = 4899, GRAY_G = 9617, GRAY_B = 16384 - 4899 - 9617 };

static inline int gray_of(int b, int g, int r)
{
    return (b * GRAY_B + g * GRAY_G + r * GRAY_R + (1 << (GRAY_SHIFT - 1))) >> GRAY_SHIFT;
}

void imc_row_bgr_to_gray_8u(const uint8_t *src, int src_cn, uint8_t *dst, int width, bool swap_rb)
{
    for (int x = 0; x < width; x++, src += src_cn)
        dst[x] = (uint8_t)(swap_rb ? gray_of(src[2], src[1], src[0]) : gray_of(src[0], src[1], src[2]));
}

void imc_row_bgr_to_gray_16u(const uint16_t *src, int src_cn, uint16_t *dst, int width,
                             bool swap_rb)
{
    for (int x = 0; x < width; x++, src += src_cn)
        dst[x] = (uint16_t)(swap_rb ? gray_of(src[2], src[1], src[0]) : gray_of(src[0], src[1], src[2]));
}

/* cvtColor's BGR2GRAY weights: 0.114, 0.587, 0.299 in 15-bit fixed point. */
enum { CVT_SHIFT = 15, CVT_B = 3735, CVT_G = 19235, CVT_R = 9798 };

static inline unsigned cvt_gray_of(unsigned b, unsigned g, unsigned r)
{
    return (b * CVT_B + g * CVT_G + r * CVT_R + (1u << (CVT_SHIFT - 1))) >> CVT_SHIFT;
}

void imc_row_cvt_bgr_to_gray_8u(const uint8_t *src, int src_cn, uint8_t *dst, int width)
{
    for (int x = 0; x < width; x++, src += src_cn)
        dst[x] = (uint8_t)cvt_gray_of(src[0], src[1], src[2]);
}

void imc_row_cvt_bgr_to_gray_16u(const uint16_t *src, int src_cn, uint16_t *dst, int width)
{
    for (int x = 0; x < width; x++, src += src_cn)
        dst[x] = (uint16_t)cvt_gray_of(src[0], src[1], src[2]);
}

void imc_row_gray_to_bgr_8u(const uint8_t *src, uint8_t *dst, int width)
{
    for (int x = 0; x < width; x++, dst += 3)
        dst[0] = dst[1] = dst[2] = src[x];
}

void imc_row_gray_to_bgr_16u(const uint16_t *src, uint16_t *dst, int width)
{
    for (int x = 0; x < width; x++, dst += 3)
        dst[0] = dst[1] = dst[2] = src[x];
}

void imc_row_bgra_to_bgr_8u(const uint8_t *src, uint8_t *dst, int width, bool swap_rb)
{
    for (int x = 0; x < width; x++, src += 4, dst += 3) {
        uint8_t b = src[0], g = src[1], r = src[2];
        dst[0] = swap_rb ? r : b;
        dst[1] = g;
        dst[2] = swap_rb ? b : r;
    }
}

void imc_row_bgra_to_bgr_16u(const uint16_t *src, uint16_t *dst, int width, bool swap_rb)
{
    for (int x = 0; x < width; x++, src += 4, dst += 3) {
        uint16_t b = src[0], g = src[1], r = src[2];
        dst[0] = swap_rb ? r : b;
        dst[1] = g;
        dst[2] = swap_rb ? b : r;
    }
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <tmmintrin.h>

/* SSSE3 byte shuffles: 4 pixels per 16-byte step (3-byte pixels advance 12
 * bytes; the 4 bytes past them are stored back unchanged). Returns the
 * pixels done. */
__attribute__((target("ssse3"))) static int swap_rb_ssse3(const uint8_t *src, uint8_t *dst,
                                                           int width, int cn)
{
    const __m128i order3 = _mm_setr_epi8(2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 12, 13, 14, 15);
    const __m128i order4 = _mm_setr_epi8(2, 1, 0, 3, 6, 5, 4, 7, 10, 9, 8, 11, 14, 13, 12, 15);
    const __m128i order = cn == 3 ? order3 : order4;
    int x = 0;
    for (; (size_t)x * cn + 16 <= (size_t)width * cn; x += 4) { /* 16 bytes readable */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(src + (size_t)x * cn));
        _mm_storeu_si128((__m128i *)(void *)(dst + (size_t)x * cn), _mm_shuffle_epi8(v, order));
    }
    return x;
}
#endif

void imc_row_swap_rb_8u(const uint8_t *src, uint8_t *dst, int width, int cn)
{
#if defined(__GNUC__) && defined(__x86_64__)
    if (__builtin_cpu_supports("ssse3")) {
        int done = swap_rb_ssse3(src, dst, width, cn);
        src += (size_t)done * cn;
        dst += (size_t)done * cn;
        width -= done;
    }
#endif
    for (int x = 0; x < width; x++, src += cn, dst += cn) {
        uint8_t b = src[0], r = src[2];
        dst[0] = r;
        dst[1] = src[1];
        dst[2] = b;
        if (cn == 4)
            dst[3] = src[3];
    }
}

void imc_row_swap_rb_16u(const uint16_t *src, uint16_t *dst, int width, int cn)
{
    for (int x = 0; x < width; x++, src += cn, dst += cn) {
        uint16_t b = src[0], r = src[2];
        dst[0] = r;
        dst[1] = src[1];
        dst[2] = b;
        if (cn == 4)
            dst[3] = src[3];
    }
}

void imc_row_cmyk_to_bgr_8u(const uint8_t *cmyk, uint8_t *dst, int width, int dst_cn, bool rgb)
{
    for (int x = 0; x < width; x++, cmyk += 4) {
        int k = cmyk[3];
        int c = k - ((255 - cmyk[0]) * k >> 8);
        int m = k - ((255 - cmyk[1]) * k >> 8);
        int y = k - ((255 - cmyk[2]) * k >> 8);
        if (dst_cn == 1) {
            dst[x] = (uint8_t)gray_of(y, m, c);
        } else {
            dst[3 * x] = (uint8_t)(rgb ? c : y);
            dst[3 * x + 1] = (uint8_t)m;
            dst[3 * x + 2] = (uint8_t)(rgb ? y : c);
        }
    }
}

/* 16-bit 5-5-5 and 5-6-5 pixels (little-endian words) to BGR or gray. */
void imc_row_bgr555_to_bgr_8u(const uint8_t *src, uint8_t *dst, int width, int dst_cn, bool green6)
{
    for (int x = 0; x < width; x++, src += 2) {
        unsigned v = (unsigned)src[0] | (unsigned)src[1] << 8;
        int b = (int)((v << 3) & 0xf8);
        int g = green6 ? (int)((v >> 3) & 0xfc) : (int)((v >> 2) & 0xf8);
        int r = green6 ? (int)((v >> 8) & 0xf8) : (int)((v >> 7) & 0xf8);
        if (dst_cn == 1) {
            dst[x] = (uint8_t)gray_of(b, g, r);
        } else {
            dst[3 * x] = (uint8_t)b;
            dst[3 * x + 1] = (uint8_t)g;
            dst[3 * x + 2] = (uint8_t)r;
        }
    }
}

void imc_row_32f_to_8u(const float *src, uint8_t *dst, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++) {
        float v = src[i] * scale;
        dst[i] = sat_u8(imc_cv_round(v));
    }
}

void imc_row_bits_to_8u(const uint8_t *bits, uint8_t *dst, int width, int cn, uint8_t zero,
                        uint8_t one)
{
    for (int x = 0; x < width; x++) {
        uint8_t v = (bits[x >> 3] >> (7 - (x & 7))) & 1 ? one : zero;
        for (int c = 0; c < cn; c++)
            *dst++ = v;
    }
}

void imc_row_16u_to_be(const uint16_t *src, uint8_t *dst, int width, int cn, bool swap_rb)
{
    for (int x = 0; x < width; x++, src += cn) {
        for (int c = 0; c < cn; c++) {
            uint16_t v = src[swap_rb && c < 3 ? 2 - c : c];
            *dst++ = (uint8_t)(v >> 8);
            *dst++ = (uint8_t)v;
        }
    }
}

float imc_sample_to_float(const void *row, int depth, size_t i)
{
    switch (depth) {
    case IMC_8U: return (float)((const uint8_t *)row)[i];
    case IMC_8S: return (float)((const int8_t *)row)[i];
    case IMC_16U: return (float)((const uint16_t *)row)[i];
    case IMC_16S: return (float)((const int16_t *)row)[i];
    case IMC_32S: return (float)((const int32_t *)row)[i];
    case IMC_32F: return ((const float *)row)[i];
    default: return (float)((const double *)row)[i];
    }
}

/* cv2's cvtColor between the layouts decoders produce and those the IMREAD
 * flags ask for, one row of T samples (SUFFIX names the row functions). */
#define CONVERT_ROW(T, MAX, SUFFIX)                                                  \
    do {                                                                             \
        const T *s = src;                                                            \
        T *d = dst;                                                                  \
        bool swap = src_rgb != dst_rgb;                                              \
        if (dcn == 1 && scn > 1)                                                     \
            for (int x = 0; x < width; x++, s += scn)                                \
                d[x] = (T)(src_rgb ? cvt_gray_of(s[2], s[1], s[0])                   \
                                   : cvt_gray_of(s[0], s[1], s[2]));                 \
        else if (scn == 1 && dcn == 3)                                               \
            imc_row_gray_to_bgr_##SUFFIX(s, d, width);                               \
        else if (scn == 4 && dcn == 3)                                               \
            imc_row_bgra_to_bgr_##SUFFIX(s, d, width, swap);                         \
        else if (scn == dcn && swap && scn > 1)                                      \
            imc_row_swap_rb_##SUFFIX(s, d, width, scn);                              \
        else if (scn == dcn)                                                         \
            memmove(d, s, (size_t)width * (size_t)scn * sizeof(T));                  \
        else /* to 4 channels: an opaque alpha, as cvtColor adds */                  \
            for (int x = 0; x < width; x++) {                                        \
                const T *p = s + (size_t)x * (size_t)scn;                            \
                T first = p[0], mid = p[scn == 1 ? 0 : 1], last = p[scn == 1 ? 0 : 2]; \
                d[4 * x] = swap ? last : first;                                      \
                d[4 * x + 1] = mid;                                                  \
                d[4 * x + 2] = swap ? first : last;                                  \
                d[4 * x + 3] = MAX;                                                  \
            }                                                                        \
    } while (0)

void imc_row_convert(const void *src, int scn, bool src_rgb, void *dst, int dcn, bool dst_rgb,
                     int width, int depth)
{
    if (depth == IMC_16U)
        CONVERT_ROW(uint16_t, UINT16_MAX, 16u);
    else
        CONVERT_ROW(uint8_t, UINT8_MAX, 8u);
}
#undef CONVERT_ROW
