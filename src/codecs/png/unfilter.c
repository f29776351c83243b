/* Reversing PNG's row filters (PNG spec 9.2-9.4). SUB is a prefix sum and
 * runs 12-16 bytes per step; AVERAGE and PAETH depend on the pixel just
 * reversed, so with 3-, 4-, 6- and 8-byte pixels they run a pixel per step
 * in 16-bit lanes (SSE4.1), two or four pixels to a 16-byte load and store.
 * 1- and 2-byte pixels go a byte at a time, the left pixel in registers. */
#include "unfilter.h"
#include "format.h"

#if defined(__SSE2__)
#include <smmintrin.h>
#include <tmmintrin.h>
#endif

#if defined(__SSE2__)
/* SUB for 3-byte pixels, five per step. Byte 15 goes back unchanged, and
 * the next step's bytes are loaded before this step's store: a load that
 * overlapped the store just made would stall on forwarding. The carry is
 * one byte shuffle off the sum, so the chain between steps stays short. */
__attribute__((target("ssse3"))) static inline __m128i sub3_step(__m128i in, __m128i *carry)
{
    const __m128i last_pixel = _mm_setr_epi8(12, 13, 14, 12, 13, 14, 12, 13, 14, 12, 13, 14, 12, 13, 14, 12);
    const __m128i first15 = _mm_srli_si128(_mm_set1_epi8(-1), 1);
    __m128i x = _mm_add_epi8(in, _mm_slli_si128(in, 3));
    x = _mm_add_epi8(x, _mm_slli_si128(x, 6));
    x = _mm_add_epi8(x, _mm_slli_si128(x, 12));
    x = _mm_add_epi8(x, *carry);
    *carry = _mm_shuffle_epi8(x, last_pixel);
    return _mm_or_si128(_mm_and_si128(x, first15), _mm_andnot_si128(first15, in));
}

__attribute__((target("ssse3"))) static size_t unfilter_sub3_ssse3(uint8_t *row, size_t n)
{
    if (n < 16)
        return 0;
    __m128i carry = _mm_setzero_si128();
    __m128i in = _mm_loadu_si128((const __m128i *)(const void *)row);
    size_t i = 0;
    for (; i + 31 <= n; i += 15) {
        __m128i next = _mm_loadu_si128((const __m128i *)(const void *)(row + i + 15));
        _mm_storeu_si128((__m128i *)(void *)(row + i), sub3_step(in, &carry));
        in = next;
    }
    _mm_storeu_si128((__m128i *)(void *)(row + i), sub3_step(in, &carry));
    return i + 15;
}

/* SUB for 6-byte pixels (16-bit RGB), two per 12-byte step as sub3's five
 * per 15: bytes 12-15 go back unchanged, the next load comes first. */
__attribute__((target("ssse3"))) static size_t unfilter_sub6_ssse3(uint8_t *row, size_t n)
{
    if (n < 16)
        return 0;
    const __m128i last_pixel = _mm_setr_epi8(6, 7, 8, 9, 10, 11, 6, 7, 8, 9, 10, 11, 6, 7, 8, 9);
    const __m128i first12 = _mm_setr_epi32(-1, -1, -1, 0);
    __m128i carry = _mm_setzero_si128(), in = _mm_loadu_si128((const __m128i *)(const void *)row);
    for (size_t i = 0;; i += 12) {
        __m128i x = _mm_add_epi8(_mm_add_epi8(in, _mm_slli_si128(in, 6)), carry);
        carry = _mm_shuffle_epi8(x, last_pixel);
        x = _mm_or_si128(_mm_and_si128(x, first12), _mm_andnot_si128(first12, in));
        if (i + 28 > n) {
            _mm_storeu_si128((__m128i *)(void *)(row + i), x);
            return i + 12;
        }
        in = _mm_loadu_si128((const __m128i *)(const void *)(row + i + 12));
        _mm_storeu_si128((__m128i *)(void *)(row + i), x);
    }
}

/* SUB for 1-, 2-, 3-, 4-, 6- and 8-byte pixels: a prefix sum over the pixels of 16 bytes
 * (log-step shifted adds), plus the last pixel of the bytes before. cv2
 * writes every PNG row with SUB by default, so this is the common case.
 * Returns the bytes done; the caller finishes the rest. */
static size_t unfilter_sub_simd(uint8_t *row, size_t n, int bpp)
{
    __m128i carry = _mm_setzero_si128(); /* the previous pixel in every pixel slot */
    size_t i = 0;
    if (bpp == 1) {
        for (; i + 16 <= n; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(row + i));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 1));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 2));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 4));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 8));
            x = _mm_add_epi8(x, carry);
            _mm_storeu_si128((__m128i *)(void *)(row + i), x);
            carry = _mm_set1_epi8((char)row[i + 15]);
        }
    } else if (bpp == 4) {
        for (; i + 16 <= n; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(row + i));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 4));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 8));
            x = _mm_add_epi8(x, carry);
            _mm_storeu_si128((__m128i *)(void *)(row + i), x);
            carry = _mm_shuffle_epi32(x, 0xFF);
        }
    } else if (bpp == 2) {
        for (; i + 16 <= n; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(row + i));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 2));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 4));
            x = _mm_add_epi8(x, _mm_slli_si128(x, 8));
            x = _mm_add_epi8(x, carry);
            _mm_storeu_si128((__m128i *)(void *)(row + i), x);
            carry = _mm_shuffle_epi32(_mm_shufflehi_epi16(x, 0xFF), 0xFF);
        }
    } else if (bpp == 8) {
        for (; i + 16 <= n; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(row + i));
            x = _mm_add_epi8(_mm_add_epi8(x, _mm_slli_si128(x, 8)), carry);
            _mm_storeu_si128((__m128i *)(void *)(row + i), x);
            carry = _mm_shuffle_epi32(x, 0xEE);
        }
    } else if (bpp == 3 && __builtin_cpu_supports("ssse3")) {
        i = unfilter_sub3_ssse3(row, n);
    } else if (bpp == 6 && __builtin_cpu_supports("ssse3")) {
        i = unfilter_sub6_ssse3(row, n);
    }
    return i;
}
#define SSE41 __attribute__((target("sse4.1")))
#define INLINE inline __attribute__((always_inline))

/* The predictor of one pixel (16-bit lanes) from its left (a), upper (b) and
 * upper-left (c) neighbours: AVERAGE's floor((a + b) / 2), or Paeth's with
 * the spec's tie order (a, then b, then c). |p - c| is |(p - a) + (p - b)|. */
SSE41 static INLINE __m128i predict(bool paeth, __m128i a, __m128i b, __m128i c)
{
    if (!paeth)
        return _mm_srli_epi16(_mm_add_epi16(a, b), 1);
    __m128i pa_s = _mm_sub_epi16(b, c), pb_s = _mm_sub_epi16(a, c); /* p - a, p - b */
    __m128i pa = _mm_abs_epi16(pa_s), pb = _mm_abs_epi16(pb_s);
    __m128i pc = _mm_abs_epi16(_mm_add_epi16(pa_s, pb_s));
    __m128i not_a = _mm_cmpgt_epi16(pa, _mm_min_epi16(pb, pc));
    __m128i b_or_c = _mm_blendv_epi8(b, c, _mm_cmpgt_epi16(pb, pc));
    return _mm_blendv_epi8(a, b_or_c, not_a);
}

/* x plus its prediction, modulo 256, as the next pixel's a. The lanes past
 * the pixel are zero in x, b and c (WIDEN), hence in a: the byte add leaves
 * every high byte zero, and no mask sits on the chain from pixel to pixel. */
SSE41 static INLINE __m128i step(bool paeth, __m128i *a, __m128i b, __m128i c, __m128i x)
{
    *a = _mm_add_epi8(x, predict(paeth, *a, b, c));
    return *a;
}

#define LOAD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define STORE(p, v) _mm_storeu_si128((__m128i *)(void *)(p), (v))
/* the pixel at byte `shift` of v in 16-bit lanes, the lanes past it zero */
#define WIDEN(v, shift) _mm_and_si128(_mm_unpacklo_epi8(_mm_srli_si128((v), (shift)), zero), keep)

/* A 16-byte block of 3- or 6-byte pixels: the 12 bytes of four or two
 * pixels reversed, the 4 that follow them as they were. */
SSE41 static INLINE __m128i reverse12(bool paeth, int bpp, __m128i *a, __m128i *c, __m128i x, __m128i up)
{
    const __m128i zero = _mm_setzero_si128(), following = _mm_setr_epi32(0, 0, 0, -1);
    __m128i lo, hi;
    if (bpp == 3) {
        const __m128i keep = _mm_setr_epi16(255, 255, 255, 0, 0, 0, 0, 0);
        __m128i b0 = WIDEN(up, 0), b1 = WIDEN(up, 3), b2 = WIDEN(up, 6), b3 = WIDEN(up, 9);
        __m128i r0 = step(paeth, a, b0, *c, WIDEN(x, 0));
        __m128i r1 = step(paeth, a, b1, b0, WIDEN(x, 3));
        __m128i r2 = step(paeth, a, b2, b1, WIDEN(x, 6));
        __m128i r3 = step(paeth, a, b3, b2, WIDEN(x, 9));
        *c = b3;
        lo = _mm_or_si128(_mm_or_si128(r0, _mm_slli_si128(r1, 6)), _mm_slli_si128(r2, 12));
        hi = _mm_or_si128(_mm_srli_si128(r2, 4), _mm_slli_si128(r3, 2));
    } else {
        const __m128i keep = _mm_setr_epi16(255, 255, 255, 255, 255, 255, 0, 0);
        __m128i b0 = WIDEN(up, 0), b1 = WIDEN(up, 6);
        __m128i r0 = step(paeth, a, b0, *c, WIDEN(x, 0));
        __m128i r1 = step(paeth, a, b1, b0, WIDEN(x, 6));
        *c = b1;
        lo = _mm_or_si128(r0, _mm_slli_si128(r1, 12));
        hi = _mm_srli_si128(r1, 4);
    }
    return _mm_or_si128(_mm_packus_epi16(lo, hi), _mm_and_si128(x, following));
}

/* A 16-byte block of four 4-byte or two 8-byte pixels, reversed. */
SSE41 static INLINE __m128i reverse16(bool paeth, int bpp, __m128i *a, __m128i *c, __m128i x, __m128i up)
{
    const __m128i zero = _mm_setzero_si128();
    if (bpp == 4) {
        const __m128i keep = _mm_setr_epi16(255, 255, 255, 255, 0, 0, 0, 0);
        __m128i b0 = WIDEN(up, 0), b1 = WIDEN(up, 4), b2 = WIDEN(up, 8), b3 = WIDEN(up, 12);
        __m128i r0 = step(paeth, a, b0, *c, WIDEN(x, 0));
        __m128i r1 = step(paeth, a, b1, b0, WIDEN(x, 4));
        __m128i r2 = step(paeth, a, b2, b1, WIDEN(x, 8));
        __m128i r3 = step(paeth, a, b3, b2, WIDEN(x, 12));
        *c = b3;
        return _mm_packus_epi16(_mm_or_si128(r0, _mm_slli_si128(r1, 8)),
                                _mm_or_si128(r2, _mm_slli_si128(r3, 8)));
    }
    const __m128i keep = _mm_set1_epi16(255);
    __m128i b0 = WIDEN(up, 0), b1 = WIDEN(up, 8);
    __m128i r0 = step(paeth, a, b0, *c, WIDEN(x, 0));
    __m128i r1 = step(paeth, a, b1, b0, WIDEN(x, 8));
    *c = b1;
    return _mm_packus_epi16(r0, r1);
}

/* A row of 3-, 4-, 6- or 8-byte pixels, block by block; returns the bytes
 * done. 3- and 6-byte pixels advance 12 bytes a block, and the next block
 * is loaded before this one is stored: it overlaps the store's last 4
 * bytes, and a load across a fresh store stalls. */
SSE41 static INLINE size_t blocks(bool paeth, int bpp, uint8_t *row, const uint8_t *prev, size_t n)
{
    __m128i a = _mm_setzero_si128(), c = a;
    if (bpp == 4 || bpp == 8) {
        size_t i = 0;
        for (; i + 16 <= n; i += 16)
            STORE(row + i, reverse16(paeth, bpp, &a, &c, LOAD(row + i), LOAD(prev + i)));
        return i;
    }
    if (n < 16)
        return 0;
    __m128i x = LOAD(row);
    for (size_t i = 0;; i += 12) {
        __m128i out = reverse12(paeth, bpp, &a, &c, x, LOAD(prev + i));
        if (i + 28 > n) {
            STORE(row + i, out);
            return i + 12;
        }
        x = LOAD(row + i + 12);
        STORE(row + i, out);
    }
}

SSE41 static size_t paeth_sse41(uint8_t *row, const uint8_t *prev, size_t n, int bpp)
{
    return bpp == 3 ? blocks(true, 3, row, prev, n) : bpp == 4 ? blocks(true, 4, row, prev, n)
         : bpp == 6 ? blocks(true, 6, row, prev, n) : blocks(true, 8, row, prev, n);
}

SSE41 static size_t average_sse41(uint8_t *row, const uint8_t *prev, size_t n, int bpp)
{
    return bpp == 3 ? blocks(false, 3, row, prev, n) : bpp == 4 ? blocks(false, 4, row, prev, n)
         : bpp == 6 ? blocks(false, 6, row, prev, n) : blocks(false, 8, row, prev, n);
}

static bool has_sse41(int bpp)
{
    return (bpp == 3 || bpp == 4 || bpp == 6 || bpp == 8) && __builtin_cpu_supports("sse4.1");
}
#endif

static inline unsigned reverse(bool paeth, uint8_t x, unsigned a, unsigned b, unsigned c)
{
    return (uint8_t)(x + (paeth ? imc_png_paeth((int)a, (int)b, (int)c) : (a + b) >> 1));
}

/* AVERAGE or PAETH of 1- and 2-byte pixels (gray, palette indices, gray +
 * alpha, 16-bit gray), the left bytes carried in registers: read back from
 * the row, each would wait on the store just made (AVERAGE 2.2-2.8x, 1-byte
 * PAETH 1.6x). Returns the bytes done. */
static size_t narrow(bool paeth, uint8_t *row, const uint8_t *prev, size_t n, int bpp)
{
    unsigned a0 = 0, a1 = 0, c0 = 0, c1 = 0;
    size_t i = 0;
    if (bpp == 1) {
        for (; i < n; i++) {
            unsigned b0 = prev[i];
            row[i] = (uint8_t)(a0 = reverse(paeth, row[i], a0, b0, c0));
            c0 = b0;
        }
    } else {
        for (; i + 2 <= n; i += 2) {
            unsigned b0 = prev[i], b1 = prev[i + 1];
            row[i] = (uint8_t)(a0 = reverse(paeth, row[i], a0, b0, c0));
            row[i + 1] = (uint8_t)(a1 = reverse(paeth, row[i + 1], a1, b1, c1));
            c0 = b0;
            c1 = b1;
        }
    }
    return i;
}

bool imc_png_unfilter(int type, uint8_t *row, const uint8_t *prev, size_t n, int bpp)
{
    size_t i = 0, first = (size_t)bpp < n ? (size_t)bpp : n; /* the first pixel has no left */
    switch (type) {
    case 0:
        return true;
    case 1:
        i = first;
#if defined(__SSE2__)
        if (n >= 16 + (size_t)bpp) {
            size_t done = unfilter_sub_simd(row, n, bpp);
            i = done > i ? done : i;
        }
#endif
        for (; i < n; i++)
            row[i] = (uint8_t)(row[i] + row[i - bpp]);
        return true;
    case 2:
        for (; i < n; i++)
            row[i] = (uint8_t)(row[i] + prev[i]);
        return true;
    case 3:
        if (bpp <= 2)
            i = narrow(false, row, prev, n, bpp);
#if defined(__SSE2__)
        if (has_sse41(bpp))
            i = average_sse41(row, prev, n, bpp);
#endif
        for (; i < first; i++)
            row[i] = (uint8_t)(row[i] + (prev[i] >> 1));
        for (; i < n; i++)
            row[i] = (uint8_t)(row[i] + ((row[i - bpp] + prev[i]) >> 1));
        return true;
    case 4:
        if (bpp == 1) /* with 2-byte pixels the loop below is faster (459 vs 356 MB/s) */
            i = narrow(true, row, prev, n, bpp);
#if defined(__SSE2__)
        if (has_sse41(bpp))
            i = paeth_sse41(row, prev, n, bpp);
#endif
        for (; i < first; i++)
            row[i] = (uint8_t)(row[i] + prev[i]); /* Paeth(0, b, 0) == b */
        for (; i < n; i++)
            row[i] = (uint8_t)(row[i] + imc_png_paeth(row[i - bpp], prev[i], prev[i - bpp]));
        return true;
    default:
        return false;
    }
}
