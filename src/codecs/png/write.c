/* PNG encoding with cv2's parameters: IMWRITE_PNG_COMPRESSION (0-9; default:
 * cv2's speed setting), IMWRITE_PNG_STRATEGY, IMWRITE_PNG_BILEVEL, and newest
 * cv2's IMWRITE_PNG_FILTER (the filter types rows may use) and
 * IMWRITE_PNG_ZLIBBUFFER_SIZE (libpng's IDAT chunk length).
 *
 * The bytes differ from cv2's (libpng + zlib); the pixels never do. Rows get
 * the filter with the smallest sum of absolute residuals (libpng's heuristic,
 * which cv2's default setting skips in favour of SUB alone; for the levels
 * given to libdeflate summed over whole rows, so the choices are exactly
 * those of cv2's libpng), then:
 *  - the default, RLE, HUFFMAN_ONLY and FIXED strategies use imc's run +
 *    Huffman coder (deflate.c): zlib's Z_RLE output, at memory speed;
 *  - levels 1-9 with the DEFAULT or FILTERED strategy use libdeflate, which
 *    matches zlib's ratio at each level several times faster;
 *  - level 0 stores. */
#include "write.h"
#include "../../bytes.h"
#include "deflate.h"
#include "filter.h"
#include "format.h"
#include "chunks.h"
#include "metadata.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>


enum png_param { P_COMPRESSION, P_STRATEGY, P_BILEVEL, P_FILTER, P_ZBUF };
static const int filter_values[] = {
    IMC_IMWRITE_PNG_FILTER_NONE, IMC_IMWRITE_PNG_FILTER_SUB,   IMC_IMWRITE_PNG_FILTER_UP,
    IMC_IMWRITE_PNG_FILTER_AVG,  IMC_IMWRITE_PNG_FILTER_PAETH, IMC_IMWRITE_PNG_FAST_FILTERS,
    IMC_IMWRITE_PNG_ALL_FILTERS};
const imc_param_spec imc_png_params[5] = {
    IMC_PARAM_CLAMPED(PNG_COMPRESSION, 0, 9, -1), /* -1: cv2's speed setting */
    IMC_PARAM_CLAMPED(PNG_STRATEGY, 0, 4, IMC_IMWRITE_PNG_STRATEGY_RLE),
    IMC_PARAM_ANY(PNG_BILEVEL, 0),
    /* newest cv2 takes SUB for a value not in cv::ImwritePNGFilterFlags */
    {.info = {.name = "PNG_FILTER", .id = IMC_IMWRITE_PNG_FILTER, .min = INT_MIN, .max = INT_MAX,
              .values = filter_values, .nvalues = sizeof filter_values / sizeof filter_values[0],
              .below = IMC_PARAM_REPLACED, .above = IMC_PARAM_REPLACED,
              .replacement = IMC_IMWRITE_PNG_FILTER_SUB, .def = IMC_IMWRITE_PNG_ALL_FILTERS}},
    IMC_PARAM_CLAMPED(PNG_ZLIBBUFFER_SIZE, 6, 1 << 20, 0), /* 0: one IDAT chunk */
};

typedef struct {
    int level; /* -1: cv2's default */
    int strategy;
    bool bilevel;
    size_t idat_size; /* 0: one IDAT chunk */
} png_settings;

/* As cv2: a compression level also sets the DEFAULT strategy, unless a
 * strategy comes after it. */
static png_settings read_settings(const imc_param_values *p)
{
    bool level_last = imc_param_later(p, P_COMPRESSION, P_STRATEGY);
    return (png_settings){p->value[P_COMPRESSION],
                          level_last ? IMC_IMWRITE_PNG_STRATEGY_DEFAULT : p->value[P_STRATEGY],
                          p->value[P_BILEVEL] != 0, (size_t)p->value[P_ZBUF]};
}

/* The filter types rows may use, bit t for type t (PNG_FILTER_NONE's bit 3
 * is type 0's). Without IMWRITE_PNG_FILTER: all five, as libpng's default
 * (cv2's default path asks for SUB alone, which the adaptive choice is never
 * worse than), and none for 1-bit rows. As libpng, an image of one row
 * drops the types that need a row above, one of one column those that need
 * a pixel to the left, and NONE is what is left when nothing is. */
static unsigned filter_types(const imc_param_values *p, int bit_depth, int rows, int cols)
{
    unsigned types = p->given[P_FILTER] ? (unsigned)p->value[P_FILTER] >> 3
                     : bit_depth >= 8   ? 0x1fu
                                        : 0x01u;
    if (rows == 1)
        types &= 0x03u; /* NONE, SUB */
    if (cols == 1)
        types &= 0x05u; /* NONE, UP */
    return types ? types : 0x01u;
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

/* Rows in PNG order, filtered one at a time into the caller's buffer. 8-bit
 * rows are filtered straight from the image: filter choice does not depend
 * on channel order, and BGR residuals become RGB ones by swapping bytes. */
typedef struct {
    const imc_image *img;
    int bit_depth, bpp;
    unsigned types; /* filter_types() */
    bool swap_rb, direct;
    bool run_aware; /* judge filters for the run coder rather than for LZ77 */
    size_t rowbytes;
    uint8_t *rows;       /* storage of the three rows below */
    uint8_t *cur, *prev; /* raw rows (converted): this one and the one above */
    uint8_t *residuals;  /* BGR residuals before their swap to RGB */
    int y;
} row_filter;

static int row_filter_init(row_filter *f, const imc_image *img, int bit_depth, unsigned types,
                           bool swap_rb, bool run_aware, size_t rowbytes)
{
    *f = (row_filter){.img = img, .bit_depth = bit_depth, .swap_rb = swap_rb,
                      .types = types, .direct = bit_depth == 8, .rowbytes = rowbytes,
                      .run_aware = run_aware,
                      .bpp = bit_depth < 8 ? 1 : img->channels * bit_depth / 8};
    f->rows = calloc(3, rowbytes);
    f->cur = f->rows;
    f->prev = f->rows ? f->rows + rowbytes : NULL;
    f->residuals = f->rows ? f->rows + 2 * rowbytes : NULL;
    return f->rows ? IMC_OK : IMC_ERR_NOMEM;
}

/* Starts at row y (the pieces of a threaded encode): the row above is the
 * image's. */
static void row_filter_seek(row_filter *f, int y)
{
    f->y = y;
    if (y > 0 && !f->direct)
        raw_row(f->img, y - 1, f->bit_depth, f->swap_rb, f->prev);
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
    int best = __builtin_ctz(f->types); /* the only type allowed, or the choice below */
    if (f->types & (f->types - 1)) {
        /* libpng's minimum sum of absolute residuals; for imc's run coder
         * scaled by the share of residuals that break a run, so that flat
         * synthetic areas keep the filters that leave runs (on photos the
         * choice is libpng's; on drawings the output shrinks by up to a third). */
        uint32_t sums[5], repeats[5];
        imc_png_filter_costs(cur, prev, f->rowbytes, f->bpp, f->run_aware, sums, repeats);
        uint64_t best_cost = UINT64_MAX;
        for (int t = 0; t < 5; t++) {
            if (!(f->types >> t & 1))
                continue;
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
        imc_png_apply_filter(best, cur, prev, f->rowbytes, f->bpp, f->residuals);
        imc_row_swap_rb_8u(f->residuals, dst + 1, f->img->cols, f->img->channels);
    } else {
        imc_png_apply_filter(best, cur, prev, f->rowbytes, f->bpp, dst + 1);
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

/* ---- One image on several threads ------------------------------------------------ */
/* The rows split into pieces, each filtered and coded by its own thread into
 * raw deflate data that ends on a byte boundary (a sync flush; the last
 * piece ends the stream); the pieces joined make one zlib stream, its
 * Adler-32 combined from theirs (the first piece codes into the file
 * itself: one copy less). A piece starts no run into the one before, so the
 * bytes differ from one thread's only at the joins. */
enum { PIECE_MIN_BYTES = 1 << 20 }; /* below this a thread costs more than it saves */

typedef struct {
    row_filter f;
    const png_settings *s;
    int y0, y1;
    bool last;
    imc_buffer *out; /* the first piece codes straight into the file, the others into own */
    imc_buffer own;
    uint32_t adler;
    int rc;
} piece;

static void *code_piece(void *arg)
{
    piece *p = arg;
    imc_deflate_fast_options o = {.runs = p->s->strategy != IMC_IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY,
                                  .fixed_codes = p->s->strategy == IMC_IMWRITE_PNG_STRATEGY_FIXED,
                                  .raw = true};
    size_t line = p->f.rowbytes + 1, per_strip = IMC_DEFLATE_FAST_BLOCK / line;
    if (per_strip < 1)
        per_strip = 1;
    uint8_t *strip = malloc(per_strip * line + 1);
    imc_zlib_fast_state *z = NULL;
    int rc = strip ? imc_zlib_fast_init(&z, &o, p->out) : IMC_ERR_NOMEM;
    for (int y = p->y0; rc == IMC_OK && y < p->y1;) {
        size_t k = (size_t)(p->y1 - y) < per_strip ? (size_t)(p->y1 - y) : per_strip;
        for (size_t i = 0; i < k; i++)
            row_filter_next(&p->f, strip + 1 + i * line);
        y += (int)k;
        rc = imc_zlib_fast_block(z, strip + 1, k * line, p->last && y == p->y1);
        strip[0] = strip[k * line];
    }
    if (rc == IMC_OK && !p->last)
        rc = imc_zlib_fast_sync(z);
    if (z)
        p->adler = imc_zlib_fast_adler(z);
    imc_zlib_fast_free(z);
    free(strip);
    p->rc = rc;
    return NULL;
}

/* How many pieces `threads` threads make of the image (1: no split). */
static int piece_count(int threads, int rows, size_t line)
{
    threads = imc_threads_of(threads);
    uint64_t total = (uint64_t)rows * line;
    int n = threads;
    while (n > 1 && (total / (uint64_t)n < PIECE_MIN_BYTES || rows / n < 16))
        n--;
    return n < 1 ? 1 : n;
}

static int compress_pieces(const row_filter *proto, int rows, int n, const png_settings *s,
                           imc_buffer *zlib)
{
    piece *pieces = calloc((size_t)n, sizeof *pieces);
    int rc = pieces ? IMC_OK : IMC_ERR_NOMEM;
    for (int i = 0; rc == IMC_OK && i < n; i++) {
        piece *p = &pieces[i];
        p->s = s;
        p->y0 = (int)((int64_t)rows * i / n);
        p->y1 = (int)((int64_t)rows * (i + 1) / n);
        p->last = i == n - 1;
        p->out = i == 0 ? zlib : &p->own;
        rc = row_filter_init(&p->f, proto->img, proto->bit_depth, proto->types, proto->swap_rb,
                             proto->run_aware, proto->rowbytes);
        if (rc == IMC_OK)
            row_filter_seek(&p->f, p->y0);
    }
    static const uint8_t header[2] = {0x78, 0x01};
    if (rc == IMC_OK)
        rc = imc_buffer_append(zlib, header, 2);
    if (rc == IMC_OK)
        imc_run_parallel(code_piece, pieces, sizeof *pieces, n);
    uint32_t adler = 1;
    size_t line = proto->rowbytes + 1;
    for (int i = 0; rc == IMC_OK && i < n; i++) {
        rc = pieces[i].rc;
        if (rc == IMC_OK && i > 0)
            rc = imc_buffer_append(zlib, pieces[i].own.data, pieces[i].own.size);
        adler = imc_adler32_concat(adler, pieces[i].adler,
                                   (uint64_t)(pieces[i].y1 - pieces[i].y0) * line);
    }
    uint8_t trailer[4];
    imc_store_be32(trailer, adler);
    if (rc == IMC_OK)
        rc = imc_buffer_append(zlib, trailer, 4);
    for (int i = 0; pieces && i < n; i++) {
        free(pieces[i].f.rows);
        imc_buffer_free(&pieces[i].own);
    }
    free(pieces);
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

/* The zlib stream was written into `out` after 8 bytes kept at idat_at:
 * frame it as one IDAT chunk, or as several if it is too long for one or
 * `chunk` (0: no limit) asks for them, as libpng writes its buffer's worth. */
static int finish_idat(imc_buffer *out, size_t idat_at, size_t chunk)
{
    size_t n = out->size - idat_at - 8;
    if (!chunk)
        chunk = n <= 0x7FFFFFFF ? n : 0x40000000;
    if (n <= chunk) {
        uint8_t *head = out->data + idat_at;
        imc_store_be32(head, (uint32_t)n);
        memcpy(head + 4, "IDAT", 4);
        uint8_t tail[4];
        imc_store_be32(tail, libdeflate_crc32(0, head + 4, n + 4));
        return imc_buffer_append(out, tail, 4);
    }
    imc_buffer zlib = {0};
    int rc = imc_buffer_append(&zlib, out->data + idat_at + 8, n);
    out->size = idat_at;
    for (size_t at = 0; rc == IMC_OK && at < n; at += chunk)
        rc = imc_png_put_chunk(out, "IDAT", zlib.data + at, n - at < chunk ? n - at : chunk);
    imc_buffer_free(&zlib);
    return rc;
}

int imc_png_write(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                  imc_error *err)
{
    png_settings s = read_settings(req->params);
    const int bit_depth = img->depth == IMC_16U ? 16 : s.bilevel ? 1 : 8;
    if (bit_depth == 1 && img->channels != 1)
        return imc_fail(err, IMC_ERR_ARG, "png: IMWRITE_PNG_BILEVEL needs a 1-channel image");
    size_t rowbytes = ((size_t)img->cols * (size_t)img->channels * (size_t)bit_depth + 7) / 8;
    size_t total;
    if (!imc_mul_size(rowbytes + 1, (size_t)img->rows, &total))
        return imc_fail(err, IMC_ERR_LIMITS, "png: image too large");

    static const uint8_t color_types[5] = {0, 0, 0, 2, 6};
    uint8_t ihdr[13] = {0};
    imc_store_be32(ihdr, (uint32_t)img->cols);
    imc_store_be32(ihdr + 4, (uint32_t)img->rows);
    ihdr[8] = (uint8_t)bit_depth;
    ihdr[9] = color_types[img->channels];

    row_filter f;
    int rc = row_filter_init(&f, img, bit_depth,
                             filter_types(req->params, bit_depth, img->rows, img->cols),
                             req->order == IMC_ORDER_BGR && img->channels >= 3, fast_coder(&s),
                             rowbytes);
    /* Room for the data uncompressed: only the pages written get memory, and
     * the coders need never move the buffer. */
    if (rc == IMC_OK)
        rc = imc_buffer_reserve(out, total + total / 64 + 1024);
    if (rc == IMC_OK)
        rc = imc_buffer_append(out, imc_png_signature, sizeof imc_png_signature);
    if (rc == IMC_OK)
        rc = imc_png_put_chunk(out, "IHDR", ihdr, sizeof ihdr);
    if (rc == IMC_OK)
        rc = imc_png_put_metadata(out, req->metadata, err);
    size_t idat_at = out->size;
    if (rc == IMC_OK)
        rc = imc_buffer_append(out, "\0\0\0\0IDAT", 8); /* filled in by finish_idat */
    int pieces = fast_coder(&s) ? piece_count(req->threads, img->rows, rowbytes + 1) : 1;
    if (rc == IMC_OK)
        rc = pieces > 1       ? compress_pieces(&f, img->rows, pieces, &s, out)
             : fast_coder(&s) ? compress_streaming(&f, img->rows, &s, out)
                              : compress_whole(&f, img->rows, &s, out);
    free(f.rows);
    if (rc == IMC_OK)
        rc = finish_idat(out, idat_at, s.idat_size);
    if (rc == IMC_OK)
        rc = imc_png_put_chunk(out, "IEND", NULL, 0);
    return rc == IMC_OK || (err && err->code) ? rc : imc_fail(err, rc, "png: %s", imc_strerror(rc));
}
