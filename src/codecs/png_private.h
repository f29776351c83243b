/* Pieces of the PNG codec shared by its files: png.c (descriptor, libpng
 * paths), png_fastread.c (libdeflate decoder), png_write.c (encoder),
 * png_filter.c (the encoder's row filters). */
#ifndef IMC_PNG_PRIVATE_H
#define IMC_PNG_PRIVATE_H

#include <stdlib.h>

#include "codecs.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const uint8_t imc_png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/* Decodes well-formed PNGs with libdeflate, giving exactly what cv2's libpng
 * calls give. Returns IMC_OK, or IMC_ERR_UNSUPPORTED when the file needs
 * libpng (any irregularity, or a conversion only libpng does exactly), in
 * which case `dst` may have been written and the caller decodes again. */
int imc_png_fast_read(const uint8_t *buf, size_t len, imc_image *dst, imc_read_request *req);

/* The Paeth predictor (PNG spec 9.4), shared by the decoder's unfiltering
 * and the encoder's filters: a, b, c are the left, upper and upper-left
 * bytes. */
static inline uint8_t imc_png_paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return (uint8_t)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
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

/* Row filters (png_filter.c). Costs: for each filter type, libpng's sum of
 * absolute residuals over the row (every other 16 bytes of long rows when
 * `sampled`) and how many residuals repeat their left neighbour. */
void imc_png_filter_costs(const uint8_t *cur, const uint8_t *prev, size_t n, int bpp, bool sampled,
                          uint32_t sums[5], uint32_t repeats[5]);
/* Residuals of filter `type` (0-4) of row `cur` over `prev`, n bytes. */
void imc_png_apply_filter(int type, const uint8_t *cur, const uint8_t *prev, size_t n, int bpp,
                          uint8_t *out);

/* PNG encoder: cv2's parameters, libdeflate and a fast filter + Huffman coder. */
int imc_png_write(const imc_image *img, const int *params, size_t nparams,
                  const imc_encode_request *req, imc_buffer *out, imc_error *err);

#endif
