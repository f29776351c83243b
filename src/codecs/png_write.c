/* PNG encoding with cv2's parameters: IMWRITE_PNG_COMPRESSION (0-9; default:
 * cv2's speed setting), IMWRITE_PNG_STRATEGY, IMWRITE_PNG_BILEVEL.
 *
 * The bytes differ from cv2's (libpng + zlib); the pixels never do. Rows get
 * the filter with the smallest sum of absolute residuals (libpng's heuristic,
 * which cv2's default setting skips in favour of SUB alone), then:
 *  - the default, RLE, HUFFMAN_ONLY and FIXED strategies use imc's run +
 *    Huffman coder (deflate_fast.c): zlib's Z_RLE output, at memory speed;
 *  - levels 1-9 with the DEFAULT or FILTERED strategy use libdeflate, which
 *    matches zlib's ratio at each level several times faster;
 *  - level 0 stores. */
#include "png_private.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#include "../deflate_fast.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct {
    int level; /* -1: cv2's default */
    int strategy;
    bool bilevel;
} png_settings;

static png_settings read_params(const int *params, size_t nparams)
{
    png_settings s = {.level = -1, .strategy = IMC_IMWRITE_PNG_STRATEGY_RLE};
    for (size_t i = 0; i < nparams; i += 2) {
        int id = params[i], v = params[i + 1];
        if (id == IMC_IMWRITE_PNG_COMPRESSION) {
            s.strategy = IMC_IMWRITE_PNG_STRATEGY_DEFAULT;
            s.level = v < 0 ? 0 : v > 9 ? 9 : v;
        } else if (id == IMC_IMWRITE_PNG_STRATEGY) {
            s.strategy = v < 0 ? 0 : v > 4 ? 4 : v;
        } else if (id == IMC_IMWRITE_PNG_BILEVEL) {
            s.bilevel = v != 0;
        }
    }
    return s;
}

/* ---- Raw rows as the PNG stores them --------------------------------------------- */
static void raw_row(const imc_image *img, int y, int bit_depth, bool swap_rb, uint8_t *out)
{
    const uint8_t *src = (const uint8_t *)img->data + (size_t)y * img->step;
    const int cn = img->channels, w = img->cols;
    if (bit_depth == 1) { /* libpng's packing: any nonzero sample is white */
        memset(out, 0, ((size_t)w + 7) / 8);
        for (int x = 0; x < w; x++)
            if (src[x])
                out[x >> 3] |= (uint8_t)(0x80 >> (x & 7));
    } else if (bit_depth == 16) { /* rows of caller memory may be unaligned */
        for (int x = 0; x < w; x++)
            for (int c = 0; c < cn; c++) {
                int from = swap_rb && c != 1 && c != 3 ? 2 - c : c;
                uint16_t v;
                memcpy(&v, src + 2 * ((size_t)x * cn + (size_t)from), 2);
                out[2 * ((size_t)x * cn + c)] = (uint8_t)(v >> 8);
                out[2 * ((size_t)x * cn + c) + 1] = (uint8_t)v;
            }
    } else if (swap_rb) {
        imc_row_swap_rb_8u(src, out, w, cn);
    } else {
        memcpy(out, src, (size_t)w * cn);
    }
}

/* ---- Filter choice: minimum sum of absolute residuals, as libpng ---------------------- */
static inline uint8_t paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return (uint8_t)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

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
    default: return paeth(a, b, c);
    }
}

/* Residuals of filter `type` for bytes [from, n) and the costs of all five
 * filters there; either output may be NULL. Scalar. */
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
static inline __m128i abs_diff16(__m128i x, __m128i y)
{
    __m128i d = _mm_sub_epi16(x, y);
    return _mm_max_epi16(d, _mm_sub_epi16(_mm_setzero_si128(), d));
}

/* Paeth predictions of 8 bytes held in 16-bit lanes. */
static inline __m128i paeth8(__m128i a, __m128i b, __m128i c)
{
    __m128i pa = abs_diff16(b, c), pb = abs_diff16(a, c);
    __m128i pc = abs_diff16(_mm_add_epi16(a, b), _mm_add_epi16(c, c));
    __m128i one = _mm_set1_epi16(1);
    __m128i use_a = _mm_and_si128(_mm_cmplt_epi16(pa, _mm_add_epi16(pb, one)),
                                  _mm_cmplt_epi16(pa, _mm_add_epi16(pc, one)));
    __m128i use_b = _mm_cmplt_epi16(pb, _mm_add_epi16(pc, one));
    __m128i p = _mm_or_si128(_mm_and_si128(use_b, b), _mm_andnot_si128(use_b, c));
    return _mm_or_si128(_mm_and_si128(use_a, a), _mm_andnot_si128(use_a, p));
}

/* The filters' predictions of 16 bytes. */
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
            paeth8(_mm_unpacklo_epi8(a, zero), _mm_unpacklo_epi8(b, zero), _mm_unpacklo_epi8(c, zero)),
            paeth8(_mm_unpackhi_epi8(a, zero), _mm_unpackhi_epi8(b, zero), _mm_unpackhi_epi8(c, zero)));
    }
}

static inline __m128i cost16(__m128i r)
{
    const __m128i zero = _mm_setzero_si128();
    return _mm_sad_epu8(_mm_min_epu8(r, _mm_sub_epi8(zero, r)), zero);
}

static inline uint32_t sum64(__m128i v)
{
    return (uint32_t)(_mm_cvtsi128_si32(v) + _mm_cvtsi128_si32(_mm_srli_si128(v, 8)));
}

#define LOAD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))

/* For each filter, the sum of absolute residuals and how many residuals
 * repeat their left neighbour, in one pass. */
static void filter_costs(const uint8_t *cur, const uint8_t *prev, size_t n, int bpp, uint32_t *sums,
                         uint32_t *repeats)
{
    size_t head = (size_t)bpp < n ? (size_t)bpp : n, i = head;
    memset(sums, 0, 5 * sizeof *sums);
    memset(repeats, 0, 5 * sizeof *repeats);
    filter_scalar(0, cur, prev, 0, head, bpp, NULL, sums);
    __m128i s[5], e[5];
    for (int t = 0; t < 5; t++)
        s[t] = e[t] = _mm_setzero_si128();
    const __m128i ones_but_first = _mm_setr_epi8(0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    /* Long rows are judged on every other 16 bytes: the same choices, at
     * half the cost. Repeats are counted within each 16 bytes. */
    const size_t stride = n >= 512 ? 32 : 16;
    for (; i + 16 <= n; i += stride) {
        __m128i x = LOAD(cur + i), a = LOAD(cur + i - bpp), b = LOAD(prev + i);
        __m128i c = LOAD(prev + i - bpp);
        for (int t = 0; t < 5; t++) {
            __m128i r = _mm_sub_epi8(x, predict16(t, a, b, c));
            s[t] = _mm_add_epi64(s[t], cost16(r));
            /* 1 in each byte equal to the one before it (byte 0 has none) */
            __m128i eq = _mm_and_si128(_mm_cmpeq_epi8(r, _mm_slli_si128(r, 1)), ones_but_first);
            e[t] = _mm_add_epi64(e[t], _mm_sad_epu8(eq, _mm_setzero_si128()));
        }
    }
    for (int t = 0; t < 5; t++) {
        sums[t] += sum64(s[t]);
        repeats[t] = sum64(e[t]);
    }
    if (stride == 16)
        filter_scalar(0, cur, prev, i, n, bpp, NULL, sums);
}

static void apply_filter(int type, const uint8_t *cur, const uint8_t *prev, size_t n, int bpp,
                         uint8_t *out)
{
    size_t head = (size_t)bpp < n ? (size_t)bpp : n, i = head;
    filter_scalar(type, cur, prev, 0, head, bpp, out, NULL);
    for (; i + 16 <= n; i += 16) {
        __m128i x = LOAD(cur + i), a = LOAD(cur + i - bpp), b = LOAD(prev + i);
        __m128i c = LOAD(prev + i - bpp);
        _mm_storeu_si128((__m128i *)(void *)(out + i), _mm_sub_epi8(x, predict16(type, a, b, c)));
    }
    filter_scalar(type, cur, prev, i, n, bpp, out, NULL);
}
#undef LOAD
#else
static void filter_costs(const uint8_t *cur, const uint8_t *prev, size_t n, int bpp, uint32_t *sums,
                         uint32_t *repeats)
{
    memset(sums, 0, 5 * sizeof *sums);
    memset(repeats, 0, 5 * sizeof *repeats);
    filter_scalar(0, cur, prev, 0, n, bpp, NULL, sums);
}

static void apply_filter(int type, const uint8_t *cur, const uint8_t *prev, size_t n, int bpp,
                         uint8_t *out)
{
    filter_scalar(type, cur, prev, 0, n, bpp, out, NULL);
}
#endif

/* Rows in PNG order, filtered one at a time into the caller's buffer. 8-bit
 * rows are filtered straight from the image: filter choice does not depend
 * on channel order, and BGR residuals become RGB ones by swapping bytes. */
typedef struct {
    const imc_image *img;
    int bit_depth, bpp;
    bool swap_rb, adaptive, direct;
    bool run_aware; /* judge filters for the run coder rather than for LZ77 */
    size_t rowbytes;
    uint8_t *rows;       /* storage of the three rows below */
    uint8_t *cur, *prev; /* raw rows (converted): this one and the one above */
    uint8_t *residuals;  /* BGR residuals before their swap to RGB */
    int y;
} row_filter;

static int row_filter_init(row_filter *f, const imc_image *img, int bit_depth, bool swap_rb,
                           bool run_aware, size_t rowbytes)
{
    /* libpng filters 8- and 16-bit rows only; cv2's default path filters
     * with SUB alone, which the adaptive choice is never worse than. */
    *f = (row_filter){.img = img, .bit_depth = bit_depth, .swap_rb = swap_rb,
                      .adaptive = bit_depth >= 8, .direct = bit_depth == 8, .rowbytes = rowbytes,
                      .run_aware = run_aware,
                      .bpp = bit_depth < 8 ? 1 : img->channels * bit_depth / 8};
    f->rows = calloc(3, rowbytes);
    f->cur = f->rows;
    f->prev = f->rows ? f->rows + rowbytes : NULL;
    f->residuals = f->rows ? f->rows + 2 * rowbytes : NULL;
    return f->rows ? IMC_OK : IMC_ERR_NOMEM;
}

/* Writes the next row as filter byte + residuals (rowbytes + 1 bytes). */
static void row_filter_next(row_filter *f, uint8_t *dst)
{
    const uint8_t *cur, *prev;
    if (f->direct) {
        cur = (const uint8_t *)f->img->data + (size_t)f->y * f->img->step;
        prev = f->y ? cur - f->img->step : f->prev; /* zeros above the first row */
    } else {
        raw_row(f->img, f->y, f->bit_depth, f->swap_rb, f->cur);
        cur = f->cur;
        prev = f->prev;
        f->prev = f->cur;
        f->cur = (uint8_t *)prev;
    }
    f->y++;
    int best = 0;
    if (f->adaptive) {
        /* libpng's minimum sum of absolute residuals; for imc's run coder
         * scaled by the share of residuals that break a run, so that flat
         * synthetic areas keep the filters that leave runs (on photos the
         * choice is libpng's; on drawings the output shrinks by up to a third). */
        uint32_t sums[5], repeats[5];
        filter_costs(cur, prev, f->rowbytes, f->bpp, sums, repeats);
        uint64_t best_cost = UINT64_MAX;
        for (int t = 0; t < 5; t++) {
            uint64_t breaks = f->rowbytes > repeats[t] ? f->rowbytes - repeats[t] : 1;
            uint64_t cost = f->run_aware ? (uint64_t)sums[t] * breaks : sums[t];
            if (cost < best_cost) { /* ties keep the simpler filter, as libpng */
                best_cost = cost;
                best = t;
            }
        }
    }
    dst[0] = (uint8_t)best;
    if (f->direct && f->swap_rb) { /* swapping in place would stall on store forwarding */
        apply_filter(best, cur, prev, f->rowbytes, f->bpp, f->residuals);
        imc_row_swap_rb_8u(f->residuals, dst + 1, f->img->cols, f->img->channels);
    } else {
        apply_filter(best, cur, prev, f->rowbytes, f->bpp, dst + 1);
    }
}

/* ---- Compression and chunks ------------------------------------------------------- */
static bool fast_coder(const png_settings *s)
{
    int level = s->level < 0 ? 1 : s->level;
    return level > 0 && (s->strategy == IMC_IMWRITE_PNG_STRATEGY_RLE ||
                         s->strategy == IMC_IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY ||
                         s->strategy == IMC_IMWRITE_PNG_STRATEGY_FIXED);
}

/* imc's coder, fed strips of rows as they are filtered: no buffer for the
 * whole filtered image. */
static int compress_streaming(row_filter *f, int rows, const png_settings *s, imc_buffer *zlib)
{
    imc_deflate_fast_options o = {.runs = s->strategy != IMC_IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY,
                                  .fixed_codes = s->strategy == IMC_IMWRITE_PNG_STRATEGY_FIXED};
    size_t line = f->rowbytes + 1, per_strip = IMC_DEFLATE_FAST_BLOCK / line;
    if (per_strip < 1)
        per_strip = 1;
    /* one spare byte in front: runs may continue the previous strip's last byte */
    uint8_t *strip = malloc(per_strip * line + 1);
    imc_zlib_fast_state *z = NULL;
    int rc = strip ? imc_zlib_fast_init(&z, &o, zlib) : IMC_ERR_NOMEM;
    for (int y = 0; rc == IMC_OK && y < rows;) {
        size_t k = (size_t)(rows - y) < per_strip ? (size_t)(rows - y) : per_strip;
        for (size_t i = 0; i < k; i++)
            row_filter_next(f, strip + 1 + i * line);
        y += (int)k;
        rc = imc_zlib_fast_block(z, strip + 1, k * line, y == rows);
        strip[0] = strip[k * line];
    }
    imc_zlib_fast_free(z);
    free(strip);
    return rc;
}

/* libdeflate, which needs the whole filtered image at once. */
static int compress_whole(row_filter *f, int rows, const png_settings *s, imc_buffer *zlib)
{
    size_t line = f->rowbytes + 1, n;
    if (!imc_mul_size(line, (size_t)rows, &n))
        return IMC_ERR_LIMITS;
    uint8_t *filtered = imc_alloc_pixels(n);
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(s->level < 0 ? 1 : s->level);
    int rc = filtered && c ? IMC_OK : IMC_ERR_NOMEM;
    for (int y = 0; rc == IMC_OK && y < rows; y++)
        row_filter_next(f, filtered + (size_t)y * line);
    size_t bound = rc == IMC_OK ? libdeflate_zlib_compress_bound(c, n) : 0;
    if (rc == IMC_OK)
        rc = imc_buffer_reserve(zlib, zlib->size + bound);
    if (rc == IMC_OK) {
        size_t made = libdeflate_zlib_compress(c, filtered, n, zlib->data + zlib->size, bound);
        zlib->size += made;
        rc = made ? IMC_OK : IMC_ERR_INTERNAL;
    }
    if (c)
        libdeflate_free_compressor(c);
    free(filtered);
    return rc;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int put_chunk(imc_buffer *out, const char *type, const uint8_t *data, size_t n)
{
    uint8_t head[8];
    put_be32(head, (uint32_t)n);
    memcpy(head + 4, type, 4);
    uint32_t crc = libdeflate_crc32(0, type, 4);
    if (n)
        crc = libdeflate_crc32(crc, data, n);
    uint8_t tail[4];
    put_be32(tail, crc);
    int rc = imc_buffer_append(out, head, 8);
    if (rc == IMC_OK)
        rc = imc_buffer_append(out, data, n);
    return rc == IMC_OK ? imc_buffer_append(out, tail, 4) : rc;
}

/* The zlib stream was written into `out` after 8 bytes kept at idat_at:
 * frame it as one IDAT chunk, or as several if it is too long for one. */
static int finish_idat(imc_buffer *out, size_t idat_at)
{
    size_t n = out->size - idat_at - 8;
    if (n <= 0x7FFFFFFF) {
        uint8_t *head = out->data + idat_at;
        put_be32(head, (uint32_t)n);
        memcpy(head + 4, "IDAT", 4);
        uint8_t tail[4];
        put_be32(tail, libdeflate_crc32(0, head + 4, n + 4));
        return imc_buffer_append(out, tail, 4);
    }
    imc_buffer zlib = {0};
    int rc = imc_buffer_append(&zlib, out->data + idat_at + 8, n);
    out->size = idat_at;
    for (size_t at = 0; rc == IMC_OK && at < n; at += 0x40000000)
        rc = put_chunk(out, "IDAT", zlib.data + at, n - at < 0x40000000 ? n - at : 0x40000000);
    imc_buffer_free(&zlib);
    return rc;
}

int imc_png_write(const imc_image *img, const int *params, size_t nparams,
                  const imc_encode_request *req, imc_buffer *out, imc_error *err)
{
    png_settings s = read_params(params, nparams);
    const int bit_depth = img->depth == IMC_16U ? 16 : s.bilevel ? 1 : 8;
    if (bit_depth == 1 && img->channels != 1)
        return imc_fail(err, IMC_ERR_ARG, "png: IMWRITE_PNG_BILEVEL needs a 1-channel image");
    size_t rowbytes = ((size_t)img->cols * (size_t)img->channels * (size_t)bit_depth + 7) / 8;
    size_t total;
    if (!imc_mul_size(rowbytes + 1, (size_t)img->rows, &total))
        return imc_fail(err, IMC_ERR_LIMITS, "png: image too large");

    static const uint8_t color_types[5] = {0, 0, 0, 2, 6};
    uint8_t ihdr[13] = {0};
    put_be32(ihdr, (uint32_t)img->cols);
    put_be32(ihdr + 4, (uint32_t)img->rows);
    ihdr[8] = (uint8_t)bit_depth;
    ihdr[9] = color_types[img->channels];

    row_filter f;
    int rc = row_filter_init(&f, img, bit_depth, req->order == IMC_ORDER_BGR && img->channels >= 3,
                             fast_coder(&s), rowbytes);
    /* Room for the data uncompressed: only the pages written get memory, and
     * the coders need never move the buffer. */
    if (rc == IMC_OK)
        rc = imc_buffer_reserve(out, total + total / 64 + 1024);
    if (rc == IMC_OK)
        rc = imc_buffer_append(out, imc_png_signature, sizeof imc_png_signature);
    if (rc == IMC_OK)
        rc = put_chunk(out, "IHDR", ihdr, sizeof ihdr);
    size_t idat_at = out->size;
    if (rc == IMC_OK)
        rc = imc_buffer_append(out, "\0\0\0\0IDAT", 8); /* filled in by finish_idat */
    if (rc == IMC_OK)
        rc = fast_coder(&s) ? compress_streaming(&f, img->rows, &s, out)
                            : compress_whole(&f, img->rows, &s, out);
    free(f.rows);
    if (rc == IMC_OK)
        rc = finish_idat(out, idat_at);
    if (rc == IMC_OK)
        rc = put_chunk(out, "IEND", NULL, 0);
    return rc == IMC_OK ? IMC_OK : imc_fail(err, rc, "png: %s", imc_strerror(rc));
}
