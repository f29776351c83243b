/* Box averages and Lanczos-3 resampling (resample.h). 8-bit images take a
 * fixed-point path (14-bit weights, 8-bit rows between the two passes, as
 * Pillow's resampler keeps them); other depths are filtered in float and
 * stored back with rounding and saturation. */
#include "resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { FRACTION = 14 }; /* fixed-point bits of an 8-bit path weight */

/* ---- Samples of any depth, as floats --------------------------------------- */
static float load(const void *row, size_t i, int depth)
{
    switch (depth) {
    case IMC_8U: return ((const uint8_t *)row)[i];
    case IMC_8S: return ((const int8_t *)row)[i];
    case IMC_16U: return ((const uint16_t *)row)[i];
    case IMC_16S: return ((const int16_t *)row)[i];
    case IMC_32S: return (float)((const int32_t *)row)[i];
    case IMC_32F: return ((const float *)row)[i];
    default: return (float)((const double *)row)[i];
    }
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void store(void *row, size_t i, int depth, double v)
{
    switch (depth) {
    case IMC_8U: ((uint8_t *)row)[i] = (uint8_t)lrint(clamp(v, 0, 255)); break;
    case IMC_8S: ((int8_t *)row)[i] = (int8_t)lrint(clamp(v, -128, 127)); break;
    case IMC_16U: ((uint16_t *)row)[i] = (uint16_t)lrint(clamp(v, 0, 65535)); break;
    case IMC_16S: ((int16_t *)row)[i] = (int16_t)lrint(clamp(v, -32768, 32767)); break;
    case IMC_32S: ((int32_t *)row)[i] = (int32_t)llrint(clamp(v, -2147483648.0, 2147483647.0)); break;
    case IMC_32F: ((float *)row)[i] = (float)v; break;
    default: ((double *)row)[i] = v; break;
    }
}

static const uint8_t *row_of(const imc_image *img, int y)
{
    return (const uint8_t *)img->data + (size_t)y * img->step;
}

/* ---- Alpha ------------------------------------------------------------------ */
static double max_of(int depth)
{
    return depth == IMC_8U ? 255 : depth == IMC_16U ? 65535 : depth == IMC_8S ? 127
           : depth == IMC_16S ? 32767 : depth == IMC_32S ? 2147483647.0 : 1;
}

void imc_alpha_premultiply(imc_image *img, bool undo)
{
    const double top = max_of(img->depth);
    for (int y = 0; y < img->rows; y++) {
        uint8_t *row = (uint8_t *)img->data + (size_t)y * img->step;
        if (img->depth == IMC_8U) { /* the common case, in integers */
            for (int x = 0; x < img->cols; x++) {
                uint8_t *p = row + 4 * (size_t)x;
                const unsigned a = p[3];
                for (int c = 0; c < 3; c++) {
                    unsigned v = undo ? (a ? (p[c] * 255u + a / 2) / a : 0) : (p[c] * a + 127) / 255;
                    p[c] = (uint8_t)(v > 255 ? 255 : v);
                }
            }
            continue;
        }
        for (int x = 0; x < img->cols; x++) {
            const size_t i = 4 * (size_t)x;
            const double a = load(row, i + 3, img->depth) / top;
            for (int c = 0; c < 3; c++) {
                const double v = load(row, i + c, img->depth);
                store(row, i + c, img->depth, undo ? (a > 0 ? v / a : 0) : v * a);
            }
        }
    }
}

/* ---- Box ------------------------------------------------------------------ */
/* 8-bit blocks in integers: the rows of a block summed into `column`, then
 * each block's kx columns; the means rounded. dst is allocated. */
static int reduce_box_8u(const imc_image *src, int kx, int ky, imc_image *dst, imc_error *err)
{
    const int cn = src->channels;
    const size_t line = (size_t)src->cols * cn;
    uint32_t *column = malloc(line * sizeof *column);
    if (!column) {
        imc_image_free(dst);
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    }
    for (int oy = 0; oy < dst->rows; oy++) {
        const int y0 = oy * ky, y1 = y0 + ky < src->rows ? y0 + ky : src->rows;
        memset(column, 0, line * sizeof *column);
        for (int y = y0; y < y1; y++) {
            const uint8_t *s = row_of(src, y);
            for (size_t i = 0; i < line; i++)
                column[i] += s[i];
        }
        uint8_t *d = (uint8_t *)dst->data + (size_t)oy * dst->step;
        for (int ox = 0; ox < dst->cols; ox++) {
            const int x0 = ox * kx, x1 = x0 + kx < src->cols ? x0 + kx : src->cols;
            const uint32_t n = (uint32_t)(x1 - x0) * (uint32_t)(y1 - y0);
            for (int c = 0; c < cn; c++) {
                uint32_t sum = 0;
                for (int x = x0; x < x1; x++)
                    sum += column[(size_t)x * cn + c];
                d[(size_t)ox * cn + c] = (uint8_t)((sum + n / 2) / n);
            }
        }
    }
    free(column);
    return IMC_OK;
}

int imc_reduce_box(const imc_image *src, int kx, int ky, imc_image *dst, imc_error *err)
{
    const int cols = (src->cols + kx - 1) / kx, rows = (src->rows + ky - 1) / ky;
    const int cn = src->channels;
    int rc = imc_image_alloc(dst, rows, cols, cn, src->depth);
    if (rc != IMC_OK)
        return imc_fail(err, rc, "cannot allocate a %d x %d image", cols, rows);
    if (src->depth == IMC_8U)
        return reduce_box_8u(src, kx, ky, dst, err);
    double *sums = malloc((size_t)cols * (size_t)cn * sizeof *sums);
    if (!sums) {
        imc_image_free(dst);
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    }
    for (int oy = 0; oy < rows; oy++) {
        const int y0 = oy * ky, y1 = y0 + ky < src->rows ? y0 + ky : src->rows;
        memset(sums, 0, (size_t)cols * (size_t)cn * sizeof *sums);
        for (int y = y0; y < y1; y++) {
            const uint8_t *s = row_of(src, y);
            for (int x = 0; x < src->cols; x++)
                for (int c = 0; c < cn; c++)
                    sums[(size_t)(x / kx) * cn + c] += load(s, (size_t)x * cn + c, src->depth);
        }
        uint8_t *d = (uint8_t *)dst->data + (size_t)oy * dst->step;
        for (int ox = 0; ox < cols; ox++) {
            const int x0 = ox * kx, x1 = x0 + kx < src->cols ? x0 + kx : src->cols;
            const double n = (double)(x1 - x0) * (double)(y1 - y0);
            for (int c = 0; c < cn; c++)
                store(d, (size_t)ox * cn + c, src->depth, sums[(size_t)ox * cn + c] / n);
        }
    }
    free(sums);
    return IMC_OK;
}

/* ---- Lanczos-3 ------------------------------------------------------------- */
static double lanczos3(double x)
{
    x = fabs(x);
    if (x >= 3)
        return 0;
    if (x < 1e-9)
        return 1;
    const double px = M_PI * x;
    return 3 * sin(px) * sin(px / 3) / (px * px);
}

/* The weights of one axis: output i reads `count[i]` source samples from
 * `first[i]` on, weighted by row i of wf (float) and wi (fixed point). */
typedef struct {
    int n, taps;
    int *first, *count;
    float *wf;
    int32_t *wi;
#ifdef __SSE2__
    __m128i *pairs4; /* wi as int16 pairs (taps 2k, 2k + 1; 0 past the count), broadcast */
#endif
} kernel;

static void kernel_free(kernel *k)
{
    free(k->first);
    free(k->count);
    free(k->wf);
    free(k->wi);
#ifdef __SSE2__
    free(k->pairs4);
#endif
}

/* Output i's centre falls at start + (i + 0.5) * scale in source pixels; a
 * reduction widens the filter by the scale, so that it averages what the
 * output pixel covers. */
static int make_kernel(int size, double start, double span, int n, kernel *k)
{
    const double scale = span / n, widen = scale > 1 ? scale : 1, support = 3 * widen;
    k->n = n;
    k->taps = (int)ceil(support) * 2 + 1;
    k->first = malloc((size_t)n * sizeof *k->first);
    k->count = malloc((size_t)n * sizeof *k->count);
    k->wf = malloc((size_t)n * (size_t)k->taps * sizeof *k->wf);
    k->wi = malloc((size_t)n * (size_t)k->taps * sizeof *k->wi);
#ifdef __SSE2__
    const size_t half = (size_t)(k->taps + 1) / 2;
    k->pairs4 = aligned_alloc(16, (size_t)n * half * sizeof *k->pairs4);
    if (!k->pairs4)
        return IMC_ERR_NOMEM;
#endif
    double *w = malloc((size_t)k->taps * sizeof *w);
    if (!k->first || !k->count || !k->wf || !k->wi || !w) {
        free(w);
        return IMC_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        const double centre = start + (i + 0.5) * scale;
        int lo = (int)floor(centre - support + 0.5), hi = (int)floor(centre + support + 0.5);
        lo = lo < 0 ? 0 : lo > size - 1 ? size - 1 : lo;
        hi = hi > size ? size : hi <= lo ? lo + 1 : hi;
        if (hi - lo > k->taps)
            hi = lo + k->taps;
        double total = 0;
        for (int j = lo; j < hi; j++)
            total += w[j - lo] = lanczos3((j + 0.5 - centre) / widen);
        if (total == 0) { /* a window beyond the image: its nearest pixel */
            w[0] = total = 1;
            for (int j = 1; j < hi - lo; j++)
                w[j] = 0;
        }
        float *wf = k->wf + (size_t)i * k->taps;
        int32_t *wi = k->wi + (size_t)i * k->taps;
        int32_t sum = 0, biggest = 0;
        for (int j = 0; j < hi - lo; j++) {
            wf[j] = (float)(w[j] / total);
            wi[j] = (int32_t)lrint(w[j] / total * (1 << FRACTION));
            sum += wi[j];
            if (wi[j] > wi[biggest])
                biggest = j;
        }
        wi[biggest] += (1 << FRACTION) - sum; /* flat areas stay exactly flat */
        k->first[i] = lo;
        k->count[i] = hi - lo;
#ifdef __SSE2__
        for (size_t j = 0; j < half; j++) { /* |weight| < 2^15: 14 fraction bits, lobes < 1 */
            const int a = 2 * (int)j < hi - lo ? wi[2 * j] : 0;
            const int b = 2 * (int)j + 1 < hi - lo ? wi[2 * j + 1] : 0;
            k->pairs4[(size_t)i * half + j] =
                _mm_set1_epi32((int)((uint32_t)(uint16_t)a | (uint32_t)(uint16_t)b << 16));
        }
#endif
    }
    free(w);
    return IMC_OK;
}

static uint8_t clip8(int32_t v)
{
    v = (v + (1 << (FRACTION - 1))) >> FRACTION;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* One 8-bit row across, for a channel count the compiler knows: every
 * channel's sum in a register through the taps. */
#define ACROSS_8U(CN)                                                                          \
    static void across_8u_##CN(const uint8_t *s, const kernel *kx, uint8_t *t)                 \
    {                                                                                          \
        for (int x = 0; x < kx->n; x++) {                                                      \
            const int32_t *wt = kx->wi + (size_t)x * kx->taps;                                 \
            const uint8_t *p = s + (size_t)kx->first[x] * CN;                                  \
            int32_t acc[CN] = {0};                                                             \
            for (int j = 0; j < kx->count[x]; j++, p += CN)                                    \
                for (int c = 0; c < CN; c++)                                                   \
                    acc[c] += p[c] * wt[j];                                                    \
            for (int c = 0; c < CN; c++)                                                       \
                t[(size_t)x * CN + c] = clip8(acc[c]);                                         \
        }                                                                                      \
    }
ACROSS_8U(1)
ACROSS_8U(2)
ACROSS_8U(3)
ACROSS_8U(4)

#ifdef __SSE2__
/* 3 or 4 channels across with SSE2, two taps a pmaddwd: the row is widened
 * to int16 in two pair-interleaved copies (pixels 2k and 2k + 1, and 2k + 1
 * and 2k + 2: c0 c0' c1 c1' c2 c2' c3 c3'), so that any window's pairs are
 * single loads; the weight pairs come broadcast (kx->pairs4). t gets 4 bytes
 * a pixel written, cn kept (it has spare bytes at its end). */
static void across_8u_sse2(const uint8_t *s, int cols, int cn, const kernel *kx, __m128i *even,
                           __m128i *odd, int16_t *w4, uint8_t *t)
{
    if (cn == 4) {
        for (size_t i = 0; i < 4 * (size_t)cols; i++)
            w4[i] = s[i];
    } else {
        for (int x = 0; x < cols; x++, s += 3, w4 += 4) {
            w4[0] = s[0];
            w4[1] = s[1];
            w4[2] = s[2];
            w4[3] = 0;
        }
        w4 -= 4 * (size_t)cols;
    }
    memset(w4 + 4 * (size_t)cols, 0, 12 * sizeof *w4); /* past the row: weight 0 or absent */
    for (int k = 0; 2 * k <= cols; k++) {
        __m128i e = _mm_loadu_si128((const __m128i *)(const void *)(w4 + 8 * (size_t)k));
        __m128i o = _mm_loadu_si128((const __m128i *)(const void *)(w4 + 8 * (size_t)k + 4));
        even[k] = _mm_unpacklo_epi16(e, _mm_srli_si128(e, 8));
        odd[k] = _mm_unpacklo_epi16(o, _mm_srli_si128(o, 8));
    }
    const int half = (kx->taps + 1) / 2;
    for (int x = 0; x < kx->n; x++) {
        const int f = kx->first[x];
        const __m128i *p = (f & 1 ? odd : even) + f / 2;
        const __m128i *w = kx->pairs4 + (size_t)x * half;
        const __m128i *end = p + (kx->count[x] + 1) / 2;
        __m128i acc = _mm_set1_epi32(1 << (FRACTION - 1)), acc2 = _mm_setzero_si128();
        for (; p + 1 < end; p += 2, w += 2) { /* two sums: half the dependency chain */
            acc = _mm_add_epi32(acc, _mm_madd_epi16(p[0], w[0]));
            acc2 = _mm_add_epi32(acc2, _mm_madd_epi16(p[1], w[1]));
        }
        if (p < end)
            acc = _mm_add_epi32(acc, _mm_madd_epi16(p[0], w[0]));
        acc = _mm_add_epi32(acc, acc2);
        __m128i v = _mm_packs_epi32(_mm_srai_epi32(acc, FRACTION), acc);
        uint32_t out = (uint32_t)_mm_cvtsi128_si32(_mm_packus_epi16(v, v));
        memcpy(t + (size_t)x * cn, &out, 4);
    }
}
#endif

#ifdef __SSE2__
/* One output row down from `count` rows of `line` bytes, 16 bytes a step,
 * two rows a pmaddwd; returns how many bytes it did (the rest: scalar). */
static size_t down_8u_sse2(const uint8_t *rows, size_t line, int count, const __m128i *w,
                           uint8_t *d)
{
    const __m128i zero = _mm_setzero_si128(), round = _mm_set1_epi32(1 << (FRACTION - 1));
    size_t i = 0;
    for (; i + 16 <= line; i += 16) {
        __m128i acc[4] = {round, round, round, round};
        for (int j = 0; j < count; j += 2) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(rows + (size_t)j * line + i));
            __m128i b = j + 1 < count ? _mm_loadu_si128((const __m128i *)(const void *)(
                                            rows + (size_t)(j + 1) * line + i))
                                      : zero;
            __m128i alo = _mm_unpacklo_epi8(a, zero), ahi = _mm_unpackhi_epi8(a, zero);
            __m128i blo = _mm_unpacklo_epi8(b, zero), bhi = _mm_unpackhi_epi8(b, zero);
            const __m128i wp = w[j / 2];
            acc[0] = _mm_add_epi32(acc[0], _mm_madd_epi16(_mm_unpacklo_epi16(alo, blo), wp));
            acc[1] = _mm_add_epi32(acc[1], _mm_madd_epi16(_mm_unpackhi_epi16(alo, blo), wp));
            acc[2] = _mm_add_epi32(acc[2], _mm_madd_epi16(_mm_unpacklo_epi16(ahi, bhi), wp));
            acc[3] = _mm_add_epi32(acc[3], _mm_madd_epi16(_mm_unpackhi_epi16(ahi, bhi), wp));
        }
        __m128i lo = _mm_packs_epi32(_mm_srai_epi32(acc[0], FRACTION), _mm_srai_epi32(acc[1], FRACTION));
        __m128i hi = _mm_packs_epi32(_mm_srai_epi32(acc[2], FRACTION), _mm_srai_epi32(acc[3], FRACTION));
        _mm_storeu_si128((__m128i *)(void *)(d + i), _mm_packus_epi16(lo, hi));
    }
    return i;
}
#endif

/* 8-bit: rows [y0, y1) of src filtered across into tmp (8-bit), then down. */
static void lanczos_8u(const imc_image *src, const kernel *kx, const kernel *ky, int y0,
                       uint8_t *tmp, int32_t *acc, imc_image *dst)
{
    const int cn = src->channels, w = kx->n;
    const size_t line = (size_t)w * cn;
    const int y1 = ky->first[ky->n - 1] + ky->count[ky->n - 1];
    void (*across)(const uint8_t *, const kernel *, uint8_t *) =
        cn == 1 ? across_8u_1 : cn == 2 ? across_8u_2 : cn == 3 ? across_8u_3 : across_8u_4;
#ifdef __SSE2__
    const size_t pairs = (size_t)src->cols / 2 + 2;
    __m128i *wide = cn >= 3 && kx->pairs4 ? aligned_alloc(16, 2 * pairs * sizeof *wide) : NULL;
    int16_t *w4 = wide ? malloc((4 * (size_t)src->cols + 16) * sizeof *w4) : NULL;
    if (!w4) {
        free(wide);
        wide = NULL;
    }
#endif
    for (int y = y0; y < y1; y++) {
#ifdef __SSE2__
        if (wide) {
            across_8u_sse2(row_of(src, y), src->cols, cn, kx, wide, wide + pairs, w4,
                           tmp + (size_t)(y - y0) * line);
            continue;
        }
#endif
        across(row_of(src, y), kx, tmp + (size_t)(y - y0) * line);
    }
#ifdef __SSE2__
    free(wide);
    free(w4);
#endif
    for (int oy = 0; oy < ky->n; oy++) {
        const int32_t *wt = ky->wi + (size_t)oy * ky->taps;
        const uint8_t *rows = tmp + (size_t)(ky->first[oy] - y0) * line;
        uint8_t *d = (uint8_t *)dst->data + (size_t)oy * dst->step;
        size_t done = 0;
#ifdef __SSE2__
        done = down_8u_sse2(rows, line, ky->count[oy], ky->pairs4 + (size_t)oy * ((ky->taps + 1) / 2),
                            d);
#endif
        memset(acc, 0, line * sizeof *acc);
        for (int j = 0; j < ky->count[oy]; j++) {
            const uint8_t *t = rows + (size_t)j * line;
            for (size_t i = done; i < line; i++)
                acc[i] += t[i] * wt[j];
        }
        for (size_t i = done; i < line; i++)
            d[i] = clip8(acc[i]);
    }
}

/* Any other depth, in float. */
static void lanczos_float(const imc_image *src, const kernel *kx, const kernel *ky, int y0,
                          float *tmp, float *acc, imc_image *dst)
{
    const int cn = src->channels, w = kx->n;
    const size_t line = (size_t)w * cn;
    const int y1 = ky->first[ky->n - 1] + ky->count[ky->n - 1];
    for (int y = y0; y < y1; y++) {
        const uint8_t *s = row_of(src, y);
        float *t = tmp + (size_t)(y - y0) * line;
        for (int x = 0; x < w; x++) {
            const float *wt = kx->wf + (size_t)x * kx->taps;
            for (int c = 0; c < cn; c++) {
                float acc = 0;
                for (int j = 0; j < kx->count[x]; j++)
                    acc += load(s, (size_t)(kx->first[x] + j) * cn + c, src->depth) * wt[j];
                t[(size_t)x * cn + c] = acc;
            }
        }
    }
    for (int oy = 0; oy < ky->n; oy++) {
        const float *wt = ky->wf + (size_t)oy * ky->taps;
        memset(acc, 0, line * sizeof *acc);
        for (int j = 0; j < ky->count[oy]; j++) {
            const float *t = tmp + (size_t)(ky->first[oy] + j - y0) * line;
            for (size_t i = 0; i < line; i++)
                acc[i] += t[i] * wt[j];
        }
        uint8_t *d = (uint8_t *)dst->data + (size_t)oy * dst->step;
        for (size_t i = 0; i < line; i++)
            store(d, i, src->depth, acc[i]);
    }
}

int imc_resample_lanczos3(const imc_image *src, imc_window win, int dst_cols, int dst_rows,
                          imc_image *dst, imc_error *err)
{
    kernel kx = {0}, ky = {0};
    int rc = make_kernel(src->cols, win.x0, win.w, dst_cols, &kx);
    if (rc == IMC_OK)
        rc = make_kernel(src->rows, win.y0, win.h, dst_rows, &ky);
    if (rc == IMC_OK)
        rc = imc_image_alloc(dst, dst_rows, dst_cols, src->channels, src->depth);
    void *tmp = NULL, *acc = NULL;
    if (rc == IMC_OK) {
        const int y0 = ky.first[0], y1 = ky.first[ky.n - 1] + ky.count[ky.n - 1];
        const size_t line = (size_t)dst_cols * (size_t)src->channels;
        const bool fixed = src->depth == IMC_8U;
        tmp = malloc((size_t)(y1 - y0) * line * (fixed ? 1 : sizeof(float)) + 4);
        acc = malloc(line * 4); /* int32_t or float sums of one output row */
        if (!tmp || !acc)
            rc = IMC_ERR_NOMEM;
        else if (fixed)
            lanczos_8u(src, &kx, &ky, y0, tmp, acc, dst);
        else
            lanczos_float(src, &kx, &ky, y0, tmp, acc, dst);
    }
    free(tmp);
    free(acc);
    kernel_free(&kx);
    kernel_free(&ky);
    if (rc != IMC_OK) {
        imc_image_free(dst);
        return imc_fail(err, rc, "cannot resample to %d x %d", dst_cols, dst_rows);
    }
    return IMC_OK;
}
