/* PNG row filters for the encoder: the residuals of a filter type, and the
 * costs of all five types on a row for the adaptive choice. Scalar, SSE2,
 * and AVX2 where the CPU has it (chosen at run time); all three give the
 * same bytes and the same costs, so the output never depends on the CPU. */
#include "filter.h"
#include "format.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__SSE2__) && defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

/* ---- Scalar ---------------------------------------------------------------------- */
/* libpng's cost of a residual: its magnitude as a signed byte */
static inline uint32_t cost_of(uint8_t r)
{
    return r < 128 ? r : 256u - r;
}

static inline int predict(int type, int a, int b, int c)
{
    switch (type) {
    case 0: return 0;
    case 1: return a;
    case 2: return b;
    case 3: return (a + b) >> 1;
    default: return imc_png_paeth(a, b, c);
    }
}

/* Residuals of filter `type` for bytes [from, n) and the costs of all five
 * filters there; either output may be NULL. */
static void filter_scalar(int type, const uint8_t *cur, const uint8_t *prev, size_t from, size_t n,
                          int bpp, uint8_t *out, uint32_t *costs)
{
    for (size_t i = from; i < n; i++) {
        int a = i >= (size_t)bpp ? cur[i - bpp] : 0, b = prev[i];
        int c = i >= (size_t)bpp ? prev[i - bpp] : 0;
        if (out)
            out[i] = (uint8_t)(cur[i] - predict(type, a, b, c));
        if (costs)
            for (int t = 0; t < 5; t++)
                costs[t] += cost_of((uint8_t)(cur[i] - predict(t, a, b, c)));
    }
}

#if defined(__SSE2__)
/* ---- SSE2: 16 bytes at a time ------------------------------------------------------ */
#define LOAD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))

static inline __m128i predict16(int type, __m128i a, __m128i b, __m128i c)
{
    const __m128i zero = _mm_setzero_si128();
    switch (type) {
    case 0: return zero;
    case 1: return a;
    case 2: return b;
    case 3: /* floor((a + b) / 2): the rounded-up average minus the odd bit */
        return _mm_sub_epi8(_mm_avg_epu8(a, b), _mm_and_si128(_mm_xor_si128(a, b), _mm_set1_epi8(1)));
    default:
        return _mm_packus_epi16(
            imc_png_paeth8(_mm_unpacklo_epi8(a, zero), _mm_unpacklo_epi8(b, zero), _mm_unpacklo_epi8(c, zero)),
            imc_png_paeth8(_mm_unpackhi_epi8(a, zero), _mm_unpackhi_epi8(b, zero), _mm_unpackhi_epi8(c, zero)));
    }
}

static inline uint32_t sum64(__m128i v)
{
    return (uint32_t)(_mm_cvtsi128_si32(v) + _mm_cvtsi128_si32(_mm_srli_si128(v, 8)));
}

/* Costs of the 16-byte chunks at i, i + stride, ... that end by n; returns
 * where it stopped. */
static size_t costs_sse2(const uint8_t *cur, const uint8_t *prev, size_t i, size_t n, size_t stride,
                         int bpp, uint32_t *sums, uint32_t *repeats)
{
    const __m128i zero = _mm_setzero_si128();
    const __m128i ones_but_first = _mm_setr_epi8(0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    __m128i s[5], e[5];
    for (int t = 0; t < 5; t++)
        s[t] = e[t] = zero;
    for (; i + 16 <= n; i += stride) {
        __m128i x = LOAD(cur + i), a = LOAD(cur + i - bpp), b = LOAD(prev + i);
        __m128i c = LOAD(prev + i - bpp);
        for (int t = 0; t < 5; t++) {
            __m128i r = _mm_sub_epi8(x, predict16(t, a, b, c));
            s[t] = _mm_add_epi64(s[t], _mm_sad_epu8(_mm_min_epu8(r, _mm_sub_epi8(zero, r)), zero));
            /* 1 in each byte equal to the one before it (byte 0 has none) */
            __m128i eq = _mm_and_si128(_mm_cmpeq_epi8(r, _mm_slli_si128(r, 1)), ones_but_first);
            e[t] = _mm_add_epi64(e[t], _mm_sad_epu8(eq, zero));
        }
    }
    for (int t = 0; t < 5; t++) {
        sums[t] += sum64(s[t]);
        repeats[t] += sum64(e[t]);
    }
    return i;
}

static size_t apply_sse2(int type, const uint8_t *cur, const uint8_t *prev, size_t i, size_t n,
                         int bpp, uint8_t *out)
{
    for (; i + 16 <= n; i += 16) {
        __m128i x = LOAD(cur + i), a = LOAD(cur + i - bpp), b = LOAD(prev + i);
        __m128i c = LOAD(prev + i - bpp);
        _mm_storeu_si128((__m128i *)(void *)(out + i), _mm_sub_epi8(x, predict16(type, a, b, c)));
    }
    return i;
}
#undef LOAD
#endif

#if defined(HAVE_AVX2_PATH)
/* ---- AVX2: two 16-byte chunks at a time (lane for lane what SSE2 does) ---------- */
#define AVX2 __attribute__((target("avx2")))

AVX2 static inline __m256i load_pair(const uint8_t *p, size_t gap)
{
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)p)),
                                   _mm_loadu_si128((const __m128i *)(const void *)(p + gap)), 1);
}

AVX2 static inline __m256i abs_diff16_avx2(__m256i x, __m256i y)
{
    return _mm256_abs_epi16(_mm256_sub_epi16(x, y));
}

AVX2 static inline __m256i paeth16_avx2(__m256i a, __m256i b, __m256i c)
{
    __m256i pa = abs_diff16_avx2(b, c), pb = abs_diff16_avx2(a, c);
    __m256i pc = abs_diff16_avx2(_mm256_add_epi16(a, b), _mm256_add_epi16(c, c));
    /* a where pa <= pb and pa <= pc, else b where pb <= pc, else c */
    __m256i not_a = _mm256_or_si256(_mm256_cmpgt_epi16(pa, pb), _mm256_cmpgt_epi16(pa, pc));
    __m256i p = _mm256_blendv_epi8(b, c, _mm256_cmpgt_epi16(pb, pc));
    return _mm256_blendv_epi8(a, p, not_a);
}

AVX2 static inline __m256i predict32(int type, __m256i a, __m256i b, __m256i c)
{
    const __m256i zero = _mm256_setzero_si256();
    switch (type) {
    case 0: return zero;
    case 1: return a;
    case 2: return b;
    case 3:
        return _mm256_sub_epi8(_mm256_avg_epu8(a, b),
                               _mm256_and_si256(_mm256_xor_si256(a, b), _mm256_set1_epi8(1)));
    default: /* unpack and pack work within 128-bit lanes: the order comes back */
        return _mm256_packus_epi16(paeth16_avx2(_mm256_unpacklo_epi8(a, zero), _mm256_unpacklo_epi8(b, zero),
                                                _mm256_unpacklo_epi8(c, zero)),
                                   paeth16_avx2(_mm256_unpackhi_epi8(a, zero), _mm256_unpackhi_epi8(b, zero),
                                                _mm256_unpackhi_epi8(c, zero)));
    }
}

AVX2 static inline uint32_t sum256(__m256i v)
{
    __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return (uint32_t)(_mm_cvtsi128_si32(s) + _mm_cvtsi128_si32(_mm_srli_si128(s, 8)));
}

/* The chunks at i and i + stride together, then the next pair. */
AVX2 static size_t costs_avx2(const uint8_t *cur, const uint8_t *prev, size_t i, size_t n, size_t stride,
                              int bpp, uint32_t *sums, uint32_t *repeats)
{
    const __m256i zero = _mm256_setzero_si256();
    const __m256i ones_but_first = _mm256_setr_epi8(0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                                    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    __m256i s[5], e[5];
    for (int t = 0; t < 5; t++)
        s[t] = e[t] = zero;
    for (; i + stride + 16 <= n; i += 2 * stride) {
        __m256i x = load_pair(cur + i, stride), a = load_pair(cur + i - bpp, stride);
        __m256i b = load_pair(prev + i, stride), c = load_pair(prev + i - bpp, stride);
        for (int t = 0; t < 5; t++) {
            __m256i r = _mm256_sub_epi8(x, predict32(t, a, b, c));
            s[t] = _mm256_add_epi64(s[t], _mm256_sad_epu8(_mm256_min_epu8(r, _mm256_sub_epi8(zero, r)), zero));
            __m256i eq = _mm256_and_si256(_mm256_cmpeq_epi8(r, _mm256_slli_si256(r, 1)), ones_but_first);
            e[t] = _mm256_add_epi64(e[t], _mm256_sad_epu8(eq, zero));
        }
    }
    for (int t = 0; t < 5; t++) {
        sums[t] += sum256(s[t]);
        repeats[t] += sum256(e[t]);
    }
    return i;
}

AVX2 static size_t apply_avx2(int type, const uint8_t *cur, const uint8_t *prev, size_t i, size_t n,
                              int bpp, uint8_t *out)
{
    for (; i + 32 <= n; i += 32) {
        __m256i x = load_pair(cur + i, 16), a = load_pair(cur + i - bpp, 16);
        __m256i b = load_pair(prev + i, 16), c = load_pair(prev + i - bpp, 16);
        _mm256_storeu_si256((__m256i *)(void *)(out + i), _mm256_sub_epi8(x, predict32(type, a, b, c)));
    }
    return i;
}
#undef AVX2

static bool have_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}
#endif

/* ---- Entry points ------------------------------------------------------------------ */
void imc_png_filter_costs(const uint8_t *cur, const uint8_t *prev, size_t n, int bpp, bool sampled,
                          uint32_t sums[5], uint32_t repeats[5])
{
    size_t head = (size_t)bpp < n ? (size_t)bpp : n, i = head;
    memset(sums, 0, 5 * sizeof *sums);
    memset(repeats, 0, 5 * sizeof *repeats);
    filter_scalar(0, cur, prev, 0, head, bpp, NULL, sums);
#if defined(__SSE2__)
    /* When `sampled`, long rows are judged on every other 16 bytes: nearly
     * always the same choices, at half the cost. Repeats are counted within
     * each 16 bytes. */
    const size_t stride = sampled && n >= 512 ? 32 : 16;
#if defined(HAVE_AVX2_PATH)
    if (have_avx2())
        i = costs_avx2(cur, prev, i, n, stride, bpp, sums, repeats);
#endif
    i = costs_sse2(cur, prev, i, n, stride, bpp, sums, repeats);
    if (stride == 32)
        return;
#else
    (void)sampled;
#endif
    filter_scalar(0, cur, prev, i, n, bpp, NULL, sums);
}

void imc_png_apply_filter(int type, const uint8_t *cur, const uint8_t *prev, size_t n, int bpp,
                          uint8_t *out)
{
    size_t head = (size_t)bpp < n ? (size_t)bpp : n, i = head;
    filter_scalar(type, cur, prev, 0, head, bpp, out, NULL);
#if defined(HAVE_AVX2_PATH)
    if (have_avx2())
        i = apply_avx2(type, cur, prev, i, n, bpp, out);
#endif
#if defined(__SSE2__)
    i = apply_sse2(type, cur, prev, i, n, bpp, out);
#endif
    filter_scalar(type, cur, prev, i, n, bpp, out, NULL);
}
