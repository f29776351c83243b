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
/* Rows of a block summed into `sums` per source column (integers for 8-bit),
 * then each block's kx columns averaged and rounded into `out`. */
struct imc_box {
    int cols, rows, cn, depth, kx, ky;
    int out_cols, in_block, out_y;
    uint32_t *isums;
    double *fsums;
    uint8_t *out; /* one reduced row */
};

void imc_box_free(imc_box *b)
{
    if (!b)
        return;
    free(b->isums);
    free(b->fsums);
    free(b->out);
    free(b);
}

int imc_box_new(imc_box **out, int cols, int rows, int channels, int depth, int kx, int ky,
                imc_error *err)
{
    imc_box *b = calloc(1, sizeof *b);
    const size_t line = (size_t)cols * (size_t)channels;
    if (b) {
        *b = (imc_box){cols, rows, channels, depth, kx, ky, (cols + kx - 1) / kx, 0, 0,
                       NULL, NULL, NULL};
        if (depth == IMC_8U)
            b->isums = calloc(line, sizeof *b->isums);
        else
            b->fsums = calloc(line, sizeof *b->fsums);
        b->out = malloc((size_t)b->out_cols * (size_t)channels * imc_depth_size(depth));
    }
    if (!b || (!b->isums && !b->fsums) || !b->out) {
        imc_box_free(b);
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    }
    *out = b;
    return IMC_OK;
}

const void *imc_box_row(imc_box *b, int y, const void *row, int *out_y)
{
    const size_t line = (size_t)b->cols * (size_t)b->cn;
    if (b->isums)
        for (size_t i = 0; i < line; i++)
            b->isums[i] += ((const uint8_t *)row)[i];
    else
        for (size_t i = 0; i < line; i++)
            b->fsums[i] += load(row, i, b->depth);
    if (++b->in_block < b->ky && y + 1 < b->rows)
        return NULL;
    const int cn = b->cn;
    for (int ox = 0; ox < b->out_cols; ox++) {
        const int x0 = ox * b->kx, x1 = x0 + b->kx < b->cols ? x0 + b->kx : b->cols;
        const uint32_t n = (uint32_t)(x1 - x0) * (uint32_t)b->in_block;
        for (int c = 0; c < cn; c++) {
            if (b->isums) {
                uint32_t sum = 0;
                for (int x = x0; x < x1; x++)
                    sum += b->isums[(size_t)x * cn + c];
                b->out[(size_t)ox * cn + c] = (uint8_t)((sum + n / 2) / n);
            } else {
                double sum = 0;
                for (int x = x0; x < x1; x++)
                    sum += b->fsums[(size_t)x * cn + c];
                store(b->out, (size_t)ox * cn + c, b->depth, sum / n);
            }
        }
    }
    if (b->isums)
        memset(b->isums, 0, line * sizeof *b->isums);
    else
        memset(b->fsums, 0, line * sizeof *b->fsums);
    b->in_block = 0;
    *out_y = b->out_y++;
    return b->out;
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
static size_t down_8u_sse2(const uint8_t *const *rows, size_t line, int count, const __m128i *w,
                           uint8_t *d)
{
    const __m128i zero = _mm_setzero_si128(), round = _mm_set1_epi32(1 << (FRACTION - 1));
    size_t i = 0;
    for (; i + 16 <= line; i += 16) {
        __m128i acc[4] = {round, round, round, round};
        for (int j = 0; j < count; j += 2) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(rows[j] + i));
            __m128i b = j + 1 < count ? _mm_loadu_si128((const __m128i *)(const void *)(rows[j + 1] + i))
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

/* ---- The row-fed resampler -------------------------------------------------
 * Source rows come in order; each one needed is filtered across into a ring
 * of as many rows as the vertical filter's taps, and an output row is made as
 * soon as its last source row is there. So a thumbnail never holds more than
 * a few rows of the source. */
struct imc_resampler {
    kernel kx, ky;
    int cn, depth, src_cols;
    size_t line;    /* output samples a row */
    size_t stride;  /* bytes between ring rows: a row and the 4 bytes across_8u_sse2 may spill */
    int ring_rows;  /* the vertical taps at the most */
    uint8_t *ring;  /* ring_rows rows of line samples: uint8_t (8U) or float */
    void *acc;      /* one output row's sums: int32_t or float */
    const void **rows;
    int next;       /* the next output row to make */
    imc_image *dst;
#ifdef __SSE2__
    __m128i *wide;  /* across_8u_sse2's interleaved rows */
    int16_t *w4;
    size_t pairs;
#endif
};

void imc_resampler_free(imc_resampler *r)
{
    if (!r)
        return;
    kernel_free(&r->kx);
    kernel_free(&r->ky);
    free(r->ring);
    free(r->acc);
    free(r->rows);
#ifdef __SSE2__
    free(r->wide);
    free(r->w4);
#endif
    free(r);
}

int imc_resampler_new(imc_resampler **out, int src_cols, int src_rows, int channels, int depth,
                      imc_window win, imc_image *dst, imc_error *err)
{
    imc_resampler *r = calloc(1, sizeof *r);
    int rc = r ? make_kernel(src_cols, win.x0, win.w, dst->cols, &r->kx) : IMC_ERR_NOMEM;
    if (rc == IMC_OK)
        rc = make_kernel(src_rows, win.y0, win.h, dst->rows, &r->ky);
    if (rc == IMC_OK) {
        r->cn = channels;
        r->depth = depth;
        r->src_cols = src_cols;
        r->dst = dst;
        r->line = (size_t)dst->cols * (size_t)channels;
        for (int i = 0; i < r->ky.n; i++)
            r->ring_rows = r->ky.count[i] > r->ring_rows ? r->ky.count[i] : r->ring_rows;
        r->stride = r->line * (depth == IMC_8U ? 1 : sizeof(float)) + 4;
        r->ring = malloc((size_t)r->ring_rows * r->stride);
        r->acc = malloc(r->line * 4);
        r->rows = malloc((size_t)r->ring_rows * sizeof *r->rows);
        if (!r->ring || !r->acc || !r->rows)
            rc = IMC_ERR_NOMEM;
#ifdef __SSE2__
        if (rc == IMC_OK && depth == IMC_8U && channels >= 3) {
            r->pairs = (size_t)src_cols / 2 + 2;
            r->wide = aligned_alloc(16, 2 * r->pairs * sizeof *r->wide);
            r->w4 = malloc((4 * (size_t)src_cols + 16) * sizeof *r->w4);
            if (!r->wide || !r->w4)
                rc = IMC_ERR_NOMEM;
        }
#endif
    }
    if (rc != IMC_OK) {
        imc_resampler_free(r);
        return imc_fail(err, rc, "cannot resample to %d x %d", dst->cols, dst->rows);
    }
    *out = r;
    return IMC_OK;
}

static void across(imc_resampler *r, const uint8_t *s, void *t)
{
    const kernel *kx = &r->kx;
    const int cn = r->cn;
    if (r->depth == IMC_8U) {
#ifdef __SSE2__
        if (r->wide) {
            across_8u_sse2(s, r->src_cols, cn, kx, r->wide, r->wide + r->pairs, r->w4, t);
            return;
        }
#endif
        (cn == 1 ? across_8u_1 : cn == 2 ? across_8u_2 : cn == 3 ? across_8u_3 : across_8u_4)(s, kx, t);
        return;
    }
    float *f = t;
    for (int x = 0; x < kx->n; x++) {
        const float *wt = kx->wf + (size_t)x * kx->taps;
        for (int c = 0; c < cn; c++) {
            float acc = 0;
            for (int j = 0; j < kx->count[x]; j++)
                acc += load(s, (size_t)(kx->first[x] + j) * cn + c, r->depth) * wt[j];
            f[(size_t)x * cn + c] = acc;
        }
    }
}

/* Output row oy from its source rows (all in the ring now). */
static void down(imc_resampler *r, int oy)
{
    const kernel *ky = &r->ky;
    const size_t line = r->line;
    for (int j = 0; j < ky->count[oy]; j++)
        r->rows[j] = r->ring + (size_t)((ky->first[oy] + j) % r->ring_rows) * r->stride;
    uint8_t *d = (uint8_t *)r->dst->data + (size_t)oy * r->dst->step;
    if (r->depth == IMC_8U) {
        const int32_t *wt = ky->wi + (size_t)oy * ky->taps;
        const uint8_t *const *rows = (const uint8_t *const *)r->rows;
        int32_t *acc = r->acc;
        size_t done = 0;
#ifdef __SSE2__
        done = down_8u_sse2(rows, line, ky->count[oy], ky->pairs4 + (size_t)oy * ((ky->taps + 1) / 2),
                            d);
#endif
        memset(acc, 0, line * sizeof *acc);
        for (int j = 0; j < ky->count[oy]; j++)
            for (size_t i = done; i < line; i++)
                acc[i] += rows[j][i] * wt[j];
        for (size_t i = done; i < line; i++)
            d[i] = clip8(acc[i]);
        return;
    }
    const float *wt = ky->wf + (size_t)oy * ky->taps;
    float *acc = r->acc;
    memset(acc, 0, line * sizeof *acc);
    for (int j = 0; j < ky->count[oy]; j++)
        for (size_t i = 0; i < line; i++)
            acc[i] += ((const float *)r->rows[j])[i] * wt[j];
    for (size_t i = 0; i < line; i++)
        store(d, i, r->depth, acc[i]);
}

void imc_resampler_row(imc_resampler *r, int y, const void *row)
{
    const kernel *ky = &r->ky;
    if (r->next >= ky->n || y < ky->first[r->next])
        return; /* no output row needs it (any more) */
    across(r, row, r->ring + (size_t)(y % r->ring_rows) * r->stride);
    while (r->next < ky->n && y >= ky->first[r->next] + ky->count[r->next] - 1)
        down(r, r->next++);
}
