/* TIFF through libtiff, reproducing cv2 4.6's TiffDecoder / TiffEncoder.
 *
 * Decoding makes cv2's libtiff calls in cv2's order: 8-bit output goes
 * through TIFFReadRGBAStrip / TIFFReadRGBATile (so libtiff does palette,
 * YCbCr, CMYK, 1/2/4-bit, JPEG and LogLuv-to-8-bit conversion and part of
 * the orientation), 16-bit output through TIFFReadEncodedStrip/Tile with
 * cv2's 10/12/14-bit unpacking and scaling, 32/64-bit output raw, LogLuv as
 * float XYZ turned into BGR with cv2's float arithmetic; then cv2's
 * orientation fixes. Pages are TIFF directories (cv2's nextPage).
 *
 * Encoding writes what cv2's writeLibTiff writes, byte for byte: LZW with
 * horizontal predictor by default, cv2's rows per strip, 32FC3 as LogLuv,
 * IMWRITE_TIFF_* params (and newer cv2's ROWSPERSTRIP / PREDICTOR, which 4.6
 * also reads by their tag numbers). Several images become pages.
 *
 * libtiff's messages go to per-handle handlers (libtiff >= 4.5): nothing is
 * printed and no global handler is touched. */
#include "codecs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tiffio.h>

/* ---- libtiff plumbing ---------------------------------------------------- */
/* libtiff's messages: the first error kept for the failure's reason; when
 * decoding, each also noted as damage (a warning as a warning, an error that
 * libtiff got past as corrupt data). */
typedef struct {
    char text[200];
    imc_damage *damage; /* NULL, or where to note: header, then the page's */
    imc_damage header;
} tiff_message;

static void note(tiff_message *m, int kind, const char *fmt, va_list ap)
{
    if (!m->damage)
        return;
    char text[200];
    vsnprintf(text, sizeof text, fmt, ap);
    imc_damage_note(m->damage, kind, -1, "%s", text);
}

static int keep_first_error(TIFF *tif, void *user, const char *module, const char *fmt,
                            va_list ap)
{
    (void)tif;
    (void)module;
    tiff_message *m = user;
    va_list again;
    va_copy(again, ap);
    if (!m->text[0])
        vsnprintf(m->text, sizeof m->text, fmt, ap);
    note(m, IMC_DAMAGE_ERROR, fmt, again);
    va_end(again);
    return 1; /* handled: libtiff's global handler is not called */
}

static int note_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    (void)module;
    /* "IO error during reading of <tag>; tag ignored": the tag's data lies
     * past the end, and a tag like ColorMap changes the pixels. */
    note(user, strstr(fmt, "IO error") ? IMC_DAMAGE_TRUNCATED : IMC_DAMAGE_WARNING, fmt, ap);
    return 1;
}

static int no_map(thandle_t h, void **base, toff_t *size)
{
    (void)h;
    (void)base;
    (void)size;
    return 0; /* the encoder's output grows: nothing to map */
}

static void no_unmap(thandle_t h, void *base, toff_t size)
{
    (void)h;
    (void)base;
    (void)size;
}

static int close_nothing(thandle_t h)
{
    (void)h;
    return 0;
}

static TIFF *open_client(const char *mode, thandle_t handle, TIFFReadWriteProc read,
                         TIFFReadWriteProc write, TIFFSeekProc seek, TIFFSizeProc size,
                         TIFFMapFileProc map, tiff_message *msg)
{
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts)
        return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, keep_first_error, msg);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, note_warning, msg);
    TIFF *tif = TIFFClientOpenExt("", mode, handle, read, write, seek, close_nothing, size,
                                  map, no_unmap, opts);
    TIFFOpenOptionsFree(opts);
    return tif;
}

/* ---- Decoding: the input stream, as cv2's TiffDecoderBufHelper ---------- */
typedef struct {
    const uint8_t *data;
    size_t size, pos;
} source;

static tmsize_t source_read(thandle_t h, void *out, tmsize_t n)
{
    source *s = h;
    if (n < 0)
        return 0;
    size_t take = (size_t)n < s->size - s->pos ? (size_t)n : s->size - s->pos;
    memcpy(out, s->data + s->pos, take);
    s->pos += take;
    return (tmsize_t)take;
}

static tmsize_t source_write(thandle_t h, void *data, tmsize_t n)
{
    (void)h;
    (void)data;
    (void)n;
    return 0;
}

static toff_t source_seek(thandle_t h, toff_t offset, int whence)
{
    source *s = h;
    toff_t pos = s->pos;
    if (whence == SEEK_SET)
        pos = offset;
    else if (whence == SEEK_CUR)
        pos += offset;
    else if (whence == SEEK_END)
        pos = s->size + offset;
    s->pos = pos < s->size ? (size_t)pos : s->size;
    return s->pos;
}

static toff_t source_size(thandle_t h)
{
    return ((source *)h)->size;
}

/* The input is already in memory: libtiff reads it in place (it never
 * writes to a read-only handle's map). cv2's map callback fails, so libtiff
 * copies through read(); its check of an uncompressed tile against the size
 * of that read buffer (rounded up) then refuses valid files whose tile size
 * is not a multiple of 1024 bytes at 8-bit output, in cv2 too. */
static int source_map(thandle_t h, void **base, toff_t *size)
{
    source *s = h;
    *base = (void *)s->data;
    *size = s->size;
    return 1;
}

typedef struct {
    TIFF *tif;
    source src;
    tiff_message msg;
    int width, height;
    bool hdr; /* cv2's m_hdr: a LogLuv page, native type 32FC3 (float XYZ) */
    const char *failed; /* what the last failure() was about */
} decoder;

static int failure(decoder *d, int code, const char *what, imc_error *err)
{
    d->failed = what;
    if (d->msg.text[0])
        return imc_fail(err, code, "tiff: %s: %s", what, d->msg.text);
    return imc_fail(err, code, "tiff: %s", what);
}

/* The fields cv2 reads with defaults: bits per sample 1 when absent (bilevel),
 * samples per pixel 1 for gray photometrics and 3 otherwise. */
static void sample_layout(TIFF *tif, uint16_t photometric, uint16_t *bpp, uint16_t *ncn)
{
    bool gray = photometric == PHOTOMETRIC_MINISWHITE || photometric == PHOTOMETRIC_MINISBLACK;
    *bpp = 8;
    *ncn = gray ? 1 : 3;
    if (!TIFFGetField(tif, TIFFTAG_BITSPERSAMPLE, bpp))
        *bpp = 1;
    TIFFGetField(tif, TIFFTAG_SAMPLESPERPIXEL, ncn);
}

/* cv2's readHeader: the page's size and native type. */
static int read_header(decoder *d, imc_header *hdr, imc_error *err)
{
    TIFF *tif = d->tif;
    uint32_t w = 0, h = 0;
    uint16_t photometric = 0;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h) ||
        !TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric))
        return failure(d, IMC_ERR_CORRUPT, "no ImageWidth, ImageLength or Photometric", err);
    if (w > INT32_MAX || h > INT32_MAX)
        return imc_fail(err, IMC_ERR_LIMITS, "tiff: %u x %u image is too large", w, h);
    bool gray = photometric == PHOTOMETRIC_MINISWHITE || photometric == PHOTOMETRIC_MINISBLACK;
    uint16_t bpp, ncn;
    sample_layout(tif, photometric, &bpp, &ncn);
    d->width = hdr->width = (int)w;
    d->height = hdr->height = (int)h;
    d->hdr = ncn == 3 && photometric == PHOTOMETRIC_LOGLUV;
    if (d->hdr) {
        hdr->channels = 3;
        hdr->depth = IMC_32F;
        return IMC_OK;
    }
    if (bpp > 8 && (photometric > 2 || (ncn != 1 && ncn != 3 && ncn != 4)))
        bpp = 8;
    uint16_t format = SAMPLEFORMAT_UINT;
    TIFFGetField(tif, TIFFTAG_SAMPLEFORMAT, &format);
    if (ncn < 1 || ncn > 4)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %u samples per pixel", ncn);
    const bool integer = format == SAMPLEFORMAT_UINT || format == SAMPLEFORMAT_INT;
    const bool is_int = format == SAMPLEFORMAT_INT;
    hdr->channels = gray ? 1 : ncn;
    switch (bpp) {
    case 4: /* newer cv2: 4-bit palette */
        if (photometric != PHOTOMETRIC_PALETTE)
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: 4-bit samples outside a palette");
        /* fall through */
    case 1:
    case 8:
        if (!integer)
            break;
        hdr->depth = is_int ? IMC_8S : IMC_8U;
        if (photometric == PHOTOMETRIC_PALETTE && bpp != 1)
            hdr->channels = 3;
        return IMC_OK;
    case 10: case 12: case 14: case 16:
        if (!integer)
            break;
        hdr->depth = is_int ? IMC_16S : IMC_16U;
        return IMC_OK;
    case 32:
        if (format != SAMPLEFORMAT_IEEEFP && format != SAMPLEFORMAT_INT)
            break;
        hdr->depth = format == SAMPLEFORMAT_IEEEFP ? IMC_32F : IMC_32S;
        hdr->channels = ncn;
        return IMC_OK;
    case 64:
        if (format != SAMPLEFORMAT_IEEEFP)
            break;
        hdr->depth = IMC_64F;
        hdr->channels = ncn;
        return IMC_OK;
    default:
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %u bits per sample", bpp);
    }
    return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %u-bit samples of format %u", bpp, format);
}

static int tiff_open(void *state, const uint8_t *buf, size_t len, int scale_denom,
                     imc_header *hdr, imc_error *err)
{
    (void)scale_denom; /* cv2 resizes TIFFs after decoding */
    decoder *d = state;
    d->src = (source){buf, len, 0};
    d->msg.header = (imc_damage)IMC_DAMAGE_NONE_YET;
    d->msg.damage = &d->msg.header;
    d->tif = open_client("r", &d->src, source_read, source_write, source_seek, source_size,
                         source_map, &d->msg);
    if (!d->tif)
        return failure(d, IMC_ERR_CORRUPT, "cannot read the header", err);
    return read_header(d, hdr, err);
}

/* cv2's nextPage: the next directory, if any, and its header. */
static int tiff_next_page(void *state, imc_header *hdr, imc_error *err)
{
    decoder *d = state;
    d->msg.header = (imc_damage)IMC_DAMAGE_NONE_YET;
    d->msg.damage = &d->msg.header;
    if (!d->tif || TIFFLastDirectory(d->tif))
        return 0;
    if (!TIFFReadDirectory(d->tif)) /* the file says a page follows: it is lost */
        return failure(d, IMC_ERR_CORRUPT, "cannot read the next page's directory", err);
    int rc = read_header(d, hdr, err);
    return rc == IMC_OK ? 1 : rc;
}

static void tiff_close(void *state)
{
    decoder *d = state;
    if (d->tif)
        TIFFClose(d->tif);
}

/* ---- Decoding: pixels ---------------------------------------------------- */
/* What cv2's readData learns about the page before reading it. */
typedef struct {
    bool tiled;
    bool planar;             /* PlanarConfiguration 2 read by imc, not libtiff's RGBA reader */
    uint16_t bpp, ncn, orientation;
    uint32_t tile_w, tile_h; /* cv2's tile_width0 / tile_height0 */
    int dst_bpp;             /* bits per output sample: 8, 16, 32 or 64 */
    int order;
    size_t row_bytes;        /* of one tile / strip row in the read buffer */
    size_t unpacked_row_bytes;
    size_t plane_row_bytes;  /* planar: one sample's row of a tile / strip */
    uint32_t per_plane;      /* planar: tiles or strips in each plane */
    uint8_t *buf, *unpacked, *plane;
} page;

/* cv2's limits on tiles and strips, then imc's own: a tile far larger than
 * the image would make libtiff and cv2 allocate without bound. */
static int check_tiles(decoder *d, page *p, imc_error *err)
{
    if (p->tile_w == 0)
        p->tile_w = (uint32_t)d->width;
    if (p->tile_h == 0 || (!p->tiled && p->tile_h == UINT32_MAX))
        p->tile_h = (uint32_t)d->height;
    if ((int32_t)p->tile_w <= 0 || p->tile_w > (1u << 24) || (int32_t)p->tile_h <= 0 ||
        p->tile_h > (1u << 24))
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %u x %u tiles", p->tile_w, p->tile_h);
    if (p->ncn > 4 || p->bpp > 64)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %u samples of %u bits", p->ncn, p->bpp);
    uint64_t bytes = (uint64_t)p->tile_w * p->tile_h * p->ncn * (p->bpp / 8 ? p->bpp / 8 : 1);
    if (bytes >= (1u << 30))
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: tile size is too large: >= 1 GiB");
    if (!p->tiled && p->tile_h > (uint32_t)d->height) /* only `height` rows are ever read */
        p->tile_h = (uint32_t)d->height;
    if ((uint64_t)p->tile_w * p->tile_h > (uint64_t)d->width * (uint64_t)d->height + (1u << 20))
        return imc_fail(err, IMC_ERR_LIMITS, "tiff: %u x %u tiles for a %d x %d image", p->tile_w,
                        p->tile_h, d->width, d->height);
    return IMC_OK;
}

static int read_layout(decoder *d, const imc_image *dst, page *p, imc_error *err)
{
    TIFF *tif = d->tif;
    uint16_t photometric = 0;
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    p->tiled = TIFFIsTiled(tif) != 0;
    sample_layout(tif, photometric, &p->bpp, &p->ncn);
    p->orientation = ORIENTATION_TOPLEFT;
    TIFFGetField(tif, TIFFTAG_ORIENTATION, &p->orientation);
    p->dst_bpp = (int)imc_depth_size(dst->depth) * 8;
    if (p->dst_bpp == 8) {
        char msg[1024];
        if (!TIFFRGBAImageOK(tif, msg))
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %s", msg);
    }
    p->tile_w = (uint32_t)d->width;
    p->tile_h = 0;
    if (p->tiled) {
        if (!TIFFGetField(tif, TIFFTAG_TILEWIDTH, &p->tile_w) ||
            !TIFFGetField(tif, TIFFTAG_TILELENGTH, &p->tile_h))
            return failure(d, IMC_ERR_CORRUPT, "no TileWidth or TileLength", err);
    } else {
        TIFFGetField(tif, TIFFTAG_ROWSPERSTRIP, &p->tile_h);
    }
    int rc = check_tiles(d, p, err);
    if (rc != IMC_OK)
        return rc;
    uint16_t config = PLANARCONFIG_CONTIG;
    TIFFGetField(tif, TIFFTAG_PLANARCONFIG, &config);
    /* cv2 4.6 reads separate planes' blocks as if interleaved (scrambled
     * pixels); libtiff's RGBA reader, behind 8-bit output, handles them. */
    p->planar = config == PLANARCONFIG_SEPARATE && p->ncn > 1 && p->dst_bpp > 8;
    if (p->planar) {
        uint32_t blocks = p->tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
        p->per_plane = blocks / p->ncn;
        if (p->per_plane == 0 || blocks % p->ncn)
            return imc_fail(err, IMC_ERR_CORRUPT, "tiff: %u %s for %u separate planes", blocks,
                            p->tiled ? "tiles" : "strips", p->ncn);
    }
    if (p->dst_bpp == 8) { /* TIFFReadRGBA* deliver 8-bit RGBA */
        p->bpp = 8;
        p->ncn = 4;
    } else if (p->dst_bpp >= 32) {
        if (p->ncn != dst->channels)
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %u samples read as %d channels",
                            p->ncn, dst->channels);
        if (!TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP))
            return failure(d, IMC_ERR_CORRUPT, "cannot set SampleFormat", err);
    }
    return IMC_OK;
}

static int alloc_buffers(page *p, imc_error *err)
{
    p->row_bytes = ((size_t)p->ncn * p->tile_w * p->bpp + 7) / 8;
    p->unpacked_row_bytes = ((size_t)p->ncn * p->tile_w * (size_t)p->dst_bpp + 7) / 8;
    p->plane_row_bytes = ((size_t)p->tile_w * p->bpp + 7) / 8;
    p->buf = calloc(p->tile_h, p->row_bytes);
    if (p->bpp < p->dst_bpp)
        p->unpacked = calloc(p->tile_h, p->unpacked_row_bytes);
    /* planar: one plane's block, then (packed samples) one row of it unpacked */
    if (p->planar)
        p->plane = calloc((size_t)p->tile_h * p->plane_row_bytes + 1 + (size_t)p->tile_w * 2, 1);
    if (!p->buf || (p->bpp < p->dst_bpp && !p->unpacked) || (p->planar && !p->plane))
        return imc_fail(err, IMC_ERR_NOMEM, "tiff: out of memory for a %u x %u tile", p->tile_w,
                        p->tile_h);
    return IMC_OK;
}

/* cv2's _unpack10To16 / _unpack12To16 / _unpack14To16: big-endian packets of
 * `bits`-bit samples, a short last packet padded with zeros. */
static void unpack_to_16(const uint8_t *src, const uint8_t *src_end, uint16_t *dst,
                         uint16_t *dst_end, size_t expected, int bits)
{
    const size_t src_per = bits == 10 ? 5 : bits == 12 ? 3 : 7, dst_per = bits == 12 ? 2 : 4;
    const uint64_t mask = (1u << bits) - 1;
    size_t full = expected / dst_per;
    if ((size_t)(src_end - src) / src_per < full)
        full = (size_t)(src_end - src) / src_per;
    if ((size_t)(dst_end - dst) / dst_per < full)
        full = (size_t)(dst_end - dst) / dst_per;
    for (size_t i = 0; i < full; i++, dst += dst_per) {
        uint64_t v = 0;
        for (size_t j = 0; j < src_per; j++)
            v = v << 8 | *src++;
        for (size_t j = 0; j < dst_per; j++, v >>= bits)
            dst[dst_per - 1 - j] = (uint16_t)(v & mask);
    }
    size_t remaining = expected - full * dst_per;
    if ((size_t)(dst_end - dst) < remaining)
        remaining = (size_t)(dst_end - dst);
    bool stop = remaining == 0;
    while (!stop) {
        uint64_t v = 0;
        for (size_t j = 0; j < src_per; j++)
            v = v << 8 | (src < src_end ? *src++ : 0);
        for (size_t j = 0; j < dst_per; j++) {
            stop |= remaining-- == 0;
            if (!stop)
                *dst++ = (uint16_t)((v >> (dst_per * (size_t)bits - (j + 1) * (size_t)bits)) & mask);
        }
    }
}

/* One tile (or strip) of the loop cv2 runs over the image. */
typedef struct {
    uint32_t index;      /* tile or strip number */
    int x, y;            /* where the tile starts in the image */
    int width, height;   /* the part of the tile inside the image */
    int img_y;           /* first image row it fills */
} tile;

static uint8_t *pixel_at(const imc_image *img, int row, int col)
{
    return (uint8_t *)img->data + (size_t)row * img->step +
           (size_t)col * (size_t)img->channels * imc_depth_size(img->depth);
}

/* The orientations libtiff's RGBA reader turns by mirroring columns. */
static bool mirrored_columns(uint16_t orientation)
{
    return orientation == ORIENTATION_TOPRIGHT || orientation == ORIENTATION_BOTRIGHT ||
           orientation == ORIENTATION_RIGHTTOP || orientation == ORIENTATION_RIGHTBOT;
}

/* 8-bit output: libtiff's RGBA raster rows, bottom-up, converted as cv2. */
static int read_rgba_tile(decoder *d, page *p, const tile *t, imc_image *dst, imc_error *err)
{
    uint8_t *start = p->buf;
    if (!p->tiled) {
        if (!TIFFReadRGBAStrip(d->tif, (uint32_t)t->y, (uint32_t *)(void *)p->buf))
            return failure(d, IMC_ERR_CORRUPT, "cannot read a strip", err);
    } else {
        if (!TIFFReadRGBATile(d->tif, (uint32_t)t->x, (uint32_t)t->y, (uint32_t *)(void *)p->buf))
            return failure(d, IMC_ERR_CORRUPT, "cannot read a tile", err);
        start += (size_t)(p->tile_h - (uint32_t)t->height) * p->tile_w * 4; /* bottom-up */
    }
    const bool rgb = p->order == IMC_ORDER_RGB;
    /* libtiff mirrors each tile within itself for the right-to-left
     * orientations; the tile then belongs at the mirrored place (cv2 4.6
     * leaves it where it was: every tile mirrored on its own). */
    const int x = p->tiled && mirrored_columns(p->orientation) ? d->width - t->x - t->width : t->x;
    for (int i = 0; i < t->height; i++) {
        const uint8_t *s = start + (size_t)i * p->tile_w * 4;
        uint8_t *o = pixel_at(dst, t->img_y + t->height - i - 1, x);
        if (dst->channels == 4 && rgb)
            memcpy(o, s, (size_t)t->width * 4);
        else if (dst->channels == 4)
            imc_row_swap_rb_8u(s, o, t->width, 4);
        else if (dst->channels == 3)
            imc_row_bgra_to_bgr_8u(s, o, t->width, !rgb);
        else
            imc_row_bgr_to_gray_8u(s, 4, o, t->width, true);
    }
    return IMC_OK;
}

static int read_block(decoder *d, const page *p, uint32_t index, uint8_t *out, size_t size,
                      imc_error *err)
{
    /* A Deflate strip whose data decodes past the strip's size passes in
     * libtiff (libdeflate's "insufficient space") with its last bytes left
     * unwritten: zeros then, not what the buffer held from the block before
     * (cv2's pixels there depend on its read order; imc's would depend on
     * how strips were shared among threads). */
    memset(out, 0, size);
    tmsize_t got = p->tiled ? TIFFReadEncodedTile(d->tif, index, out, (tmsize_t)size)
                            : TIFFReadEncodedStrip(d->tif, index, out, (tmsize_t)size);
    if ((int)got < 0) /* cv2 casts the size to int */
        return failure(d, IMC_ERR_CORRUPT, p->tiled ? "cannot read a tile" : "cannot read a strip",
                       err);
    return IMC_OK;
}

/* Copies one plane's samples into every ncn-th place of interleaved rows. */
static void interleave_plane(const uint8_t *plane, uint8_t *row, int width, int ncn, int sample,
                             size_t elem)
{
    uint8_t *o = row + (size_t)sample * elem;
    const size_t step = (size_t)ncn * elem;
    for (int x = 0; x < width; x++, plane += elem, o += step)
        memcpy(o, plane, elem);
}

/* Separate planes: the block of each sample at the same place, interleaved
 * into the buffers the contiguous path reads (packed 10/12/14-bit samples
 * unpacked a plane row at a time, straight into p->unpacked). */
static int read_planes(decoder *d, const page *p, uint32_t index, imc_error *err)
{
    const bool packed = p->unpacked != NULL;
    const size_t elem = packed ? 2 : (size_t)p->bpp / 8;
    uint8_t *rows = packed ? p->unpacked : p->buf;
    const size_t row_bytes = packed ? p->unpacked_row_bytes : p->row_bytes;
    const size_t block = (size_t)p->tile_h * p->plane_row_bytes;
    uint16_t *row16 = (uint16_t *)(void *)(p->plane + block + (block & 1));
    for (int s = 0; s < p->ncn; s++) {
        int rc = read_block(d, p, index + (uint32_t)s * p->per_plane, p->plane, block, err);
        if (rc != IMC_OK)
            return rc;
        for (uint32_t i = 0; i < p->tile_h; i++) {
            const uint8_t *src = p->plane + i * p->plane_row_bytes;
            if (packed) {
                unpack_to_16(src, src + p->plane_row_bytes, row16, row16 + p->tile_w, p->tile_w,
                             p->bpp);
                src = (const uint8_t *)row16;
            }
            interleave_plane(src, rows + i * row_bytes, (int)p->tile_w, p->ncn, s, elem);
        }
    }
    return IMC_OK;
}

static int read_encoded(decoder *d, const page *p, uint32_t index, imc_error *err)
{
    if (p->planar)
        return read_planes(d, p, index, err);
    return read_block(d, p, index, p->buf, (size_t)p->tile_h * p->row_bytes, err);
}

/* 16-bit output: samples as stored (10/12/14 bits unpacked), converted. */
static int read_16_tile(decoder *d, page *p, const tile *t, imc_image *dst, imc_error *err)
{
    int rc = read_encoded(d, p, t->index, err);
    if (rc != IMC_OK)
        return rc;
    const bool rgb = p->order == IMC_ORDER_RGB;
    for (int i = 0; i < t->height; i++) {
        const uint16_t *s = (const uint16_t *)(void *)(p->buf + (size_t)i * p->row_bytes);
        if (p->unpacked && p->planar) { /* read_planes unpacked them */
            s = (const uint16_t *)(void *)(p->unpacked + (size_t)i * p->unpacked_row_bytes);
        } else if (p->unpacked) {
            uint8_t *u = p->unpacked + (size_t)i * p->unpacked_row_bytes;
            const uint8_t *packed = p->buf + (size_t)i * p->row_bytes;
            unpack_to_16(packed, packed + p->row_bytes, (uint16_t *)(void *)u,
                         (uint16_t *)(void *)(u + p->unpacked_row_bytes),
                         (size_t)p->ncn * p->tile_w, p->bpp);
            s = (const uint16_t *)(void *)u;
        }
        uint16_t *o = (uint16_t *)(void *)pixel_at(dst, t->img_y + i, t->x);
        int cn = dst->channels;
        if (cn == 1 && p->ncn == 1)
            memcpy(o, s, (size_t)t->width * 2);
        else if (cn == 1)
            imc_row_bgr_to_gray_16u(s, p->ncn, o, t->width, true);
        else if (cn == 3 && p->ncn == 1)
            imc_row_gray_to_bgr_16u(s, o, t->width);
        else if (cn == 3 && p->ncn == 4)
            imc_row_bgra_to_bgr_16u(s, o, t->width, !rgb);
        else if (cn == p->ncn && rgb)
            memcpy(o, s, (size_t)t->width * (size_t)cn * 2);
        else if (cn == p->ncn)
            imc_row_swap_rb_16u(s, o, t->width, cn);
        else
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %u samples read as %d channels",
                            p->ncn, cn);
    }
    return IMC_OK;
}

/* Swaps samples 0 and 2 of each pixel of any sample size. */
static void swap_rb_any(const uint8_t *src, uint8_t *dst, int width, int cn, size_t elem)
{
    if (elem == 1) { /* the common cases, vectorized */
        imc_row_swap_rb_8u(src, dst, width, cn);
        return;
    }
    if (elem == 2 && (uintptr_t)src % 2 == 0 && (uintptr_t)dst % 2 == 0) {
        imc_row_swap_rb_16u((const uint16_t *)(const void *)src, (uint16_t *)(void *)dst, width, cn);
        return;
    }
    const size_t px = (size_t)cn * elem;
    for (int x = 0; x < width; x++, src += px, dst += px) {
        uint8_t t[8];
        memcpy(t, src, elem);
        memmove(dst + elem, src + elem, px - elem);
        memcpy(dst, src + 2 * elem, elem);
        memcpy(dst + 2 * elem, t, elem);
    }
}

/* 32/64-bit output: samples copied, RGB(A) turned to BGR(A); newer cv2 also
 * for integer and double samples, where 4.6's cvtColor refuses them. */
static int read_wide_tile(decoder *d, page *p, const tile *t, imc_image *dst, imc_error *err)
{
    int rc = read_encoded(d, p, t->index, err);
    if (rc != IMC_OK)
        return rc;
    const size_t elem = imc_depth_size(dst->depth);
    const bool swap = !d->hdr && p->order == IMC_ORDER_BGR && (p->ncn == 3 || p->ncn == 4);
    for (int i = 0; i < t->height; i++) {
        const uint8_t *s = p->buf + (size_t)i * p->row_bytes;
        uint8_t *o = pixel_at(dst, t->img_y + i, t->x);
        if (swap)
            swap_rb_any(s, o, t->width, p->ncn, elem);
        else
            memcpy(o, s, (size_t)t->width * p->ncn * elem);
    }
    return IMC_OK;
}

/* Rows [first, end) of tiles (or strips) of cv2's loop: top to bottom; for
 * 8-bit output of bottom-up orientations the strips land from the bottom of
 * the image. */
static int read_tile_rows(decoder *d, page *p, imc_image *dst, uint32_t first, uint32_t end,
                          imc_error *err)
{
    const bool vert_flip = p->dst_bpp == 8 &&
                           (p->orientation == ORIENTATION_BOTRIGHT ||
                            p->orientation == ORIENTATION_RIGHTBOT ||
                            p->orientation == ORIENTATION_BOTLEFT ||
                            p->orientation == ORIENTATION_LEFTBOT);
    const uint64_t across = ((uint64_t)d->width + p->tile_w - 1) / p->tile_w;
    tile t = {.index = (uint32_t)(first * across)};
    for (int64_t y = (int64_t)first * p->tile_h; y < d->height && y < (int64_t)end * p->tile_h;
         y += p->tile_h) {
        t.y = (int)y;
        t.height = (int)(p->tile_h < (uint64_t)(d->height - y) ? p->tile_h : d->height - y);
        t.img_y = vert_flip ? d->height - t.y - t.height : t.y;
        for (int64_t x = 0; x < d->width; x += p->tile_w, t.index++) {
            t.x = (int)x;
            t.width = (int)(p->tile_w < (uint64_t)(d->width - x) ? p->tile_w : d->width - x);
            int rc = p->dst_bpp == 8    ? read_rgba_tile(d, p, &t, dst, err)
                     : p->dst_bpp == 16 ? read_16_tile(d, p, &t, dst, err)
                                        : read_wide_tile(d, p, &t, dst, err);
            if (rc != IMC_OK)
                return rc;
        }
    }
    return IMC_OK;
}

/* One share of a page's rows of tiles, read through its own libtiff handle
 * (share 0: the caller's). */
typedef struct {
    decoder own, *d;
    page p;
    imc_image *dst;
    uint32_t first, end;
    imc_damage damage; /* what libtiff said while reading the share's tiles */
    imc_error err;
    int rc;
} share;

static void *read_share(void *arg)
{
    share *s = arg;
    s->rc = read_tile_rows(s->d, &s->p, s->dst, s->first, s->end, &s->err);
    return NULL;
}

static void close_share(share *s)
{
    if (s->own.tif)
        TIFFClose(s->own.tif);
    free(s->p.buf);
    free(s->p.unpacked);
    free(s->p.plane);
}

/* A second handle on d's page, with the same layout as p; its messages,
 * once the directory is read, go to s->damage. */
static bool open_share(const decoder *d, const page *p, const imc_image *dst, share *s)
{
    decoder *c = &s->own;
    c->src = (source){d->src.data, d->src.size, 0};
    c->msg.header = (imc_damage)IMC_DAMAGE_NONE_YET;
    c->msg.damage = &c->msg.header; /* the directory's messages were the caller's to report */
    c->tif = open_client("r", &c->src, source_read, source_write, source_seek, source_size,
                         source_map, &c->msg);
    uint32_t w = 0, h = 0;
    if (!c->tif || !TIFFSetDirectory(c->tif, TIFFCurrentDirectory(d->tif)) ||
        !TIFFGetField(c->tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(c->tif, TIFFTAG_IMAGELENGTH, &h) ||
        w != (uint32_t)d->width || h != (uint32_t)d->height)
        return false;
    c->width = d->width;
    c->height = d->height;
    s->p = (page){.order = p->order};
    imc_error ignored;
    if (read_layout(c, dst, &s->p, &ignored) != IMC_OK || alloc_buffers(&s->p, &ignored) != IMC_OK ||
        s->p.tiled != p->tiled || s->p.planar != p->planar || s->p.bpp != p->bpp ||
        s->p.ncn != p->ncn || s->p.orientation != p->orientation || s->p.tile_w != p->tile_w ||
        s->p.tile_h != p->tile_h || s->p.dst_bpp != p->dst_bpp)
        return false;
    c->msg.text[0] = '\0';
    c->failed = NULL;
    s->damage = (imc_damage)IMC_DAMAGE_NONE_YET;
    c->msg.damage = &s->damage;
    s->d = c;
    return true;
}

/* Compressions whose strips and tiles decode on their own, whatever was
 * read before on the handle (OJPEG, say, keeps state from strip to strip). */
static bool independent_blocks(TIFF *tif)
{
    uint16_t c = COMPRESSION_NONE;
    TIFFGetField(tif, TIFFTAG_COMPRESSION, &c);
    switch (c) {
    case COMPRESSION_NONE: case COMPRESSION_CCITTRLE: case COMPRESSION_CCITTFAX3:
    case COMPRESSION_CCITTFAX4: case COMPRESSION_LZW: case COMPRESSION_JPEG:
    case COMPRESSION_ADOBE_DEFLATE: case COMPRESSION_DEFLATE: case COMPRESSION_PACKBITS:
    case COMPRESSION_LZMA: case COMPRESSION_ZSTD: case COMPRESSION_WEBP:
        return true;
    default:
        return false;
    }
}

/* Whether a share met nothing: no failure and not a word from libtiff. */
static bool quiet(const share *s)
{
    return s->rc == IMC_OK && s->damage.kind == IMC_DAMAGE_NONE && s->damage.warnings == 0 &&
           !s->own.msg.text[0];
}

/* All of a page's rows of tiles through one second handle, its messages
 * taken as the caller's handle would have taken them; `damage` and `text`
 * are the caller's as they were before the tiles. */
static int read_again(decoder *d, page *p, imc_image *dst, uint32_t rows, const imc_damage *damage,
                      const char *text, imc_error *err)
{
    *d->msg.damage = *damage;
    memcpy(d->msg.text, text, sizeof d->msg.text);
    share again = {0};
    if (!open_share(d, p, dst, &again)) {
        close_share(&again);
        return read_tile_rows(d, p, dst, 0, rows, err);
    }
    imc_error_clear(&again.err);
    int rc = read_tile_rows(&again.own, &again.p, dst, 0, rows, &again.err);
    imc_damage_worst(d->msg.damage, &again.damage, d->msg.damage->page);
    if (!d->msg.text[0])
        memcpy(d->msg.text, again.own.msg.text, sizeof d->msg.text);
    if (rc != IMC_OK && again.own.failed)
        failure(d, rc, again.own.failed, err); /* with the message the caller's handle keeps */
    else if (rc != IMC_OK && err)
        *err = again.err;
    close_share(&again);
    return rc;
}

/* The page's rows of tiles split into `threads` runs, each read by its own
 * handle. When the runs after the first meet nothing (an intact file), the
 * image is one thread's. When one of them meets a failure or a message,
 * libtiff's once-per-handle messages and one thread's stop at the first
 * failure could differ: the page is read again on one handle. A failure
 * in the first run is one thread's already. Falls back to one thread when
 * a second handle does not see the same page. */
static int read_tiles(decoder *d, page *p, imc_image *dst, int threads, imc_error *err)
{
    const uint32_t rows = (uint32_t)(((uint64_t)d->height + p->tile_h - 1) / p->tile_h);
    if (threads > (int)rows)
        threads = (int)rows;
    share *s = threads > 1 && !d->hdr && independent_blocks(d->tif)
                   ? calloc((size_t)threads, sizeof *s)
                   : NULL;
    bool ready = s != NULL;
    for (int k = 1; ready && k < threads; k++)
        ready = open_share(d, p, dst, &s[k]);
    if (!ready) {
        for (int k = 1; s && k < threads; k++)
            close_share(&s[k]);
        free(s);
        return read_tile_rows(d, p, dst, 0, rows, err);
    }
    const imc_damage before = *d->msg.damage;
    char text[sizeof d->msg.text];
    memcpy(text, d->msg.text, sizeof text);
    s[0].d = d;
    s[0].p = *p;
    for (int k = 0; k < threads; k++) {
        s[k].dst = dst;
        s[k].first = (uint32_t)((uint64_t)rows * (uint64_t)k / (uint64_t)threads);
        s[k].end = (uint32_t)((uint64_t)rows * (uint64_t)(k + 1) / (uint64_t)threads);
        imc_error_clear(&s[k].err);
    }
    imc_run_parallel(read_share, s, sizeof *s, threads);
    int rc = s[0].rc;
    bool all_quiet = true;
    for (int k = 1; k < threads; k++)
        all_quiet = all_quiet && quiet(&s[k]);
    if (rc != IMC_OK && err)
        *err = s[0].err;
    for (int k = 1; k < threads; k++)
        close_share(&s[k]);
    free(s);
    if (rc == IMC_OK && !all_quiet)
        rc = read_again(d, p, dst, rows, &before, text, err);
    return rc;
}

/* cv2's `img *= 1 << (16 - bpp)` for 10/12/14-bit samples, saturating. */
static void scale_16(imc_image *img, int shift)
{
    for (int y = 0; y < img->rows; y++) {
        uint8_t *row = (uint8_t *)img->data + (size_t)y * img->step;
        size_t n = (size_t)img->cols * (size_t)img->channels;
        for (size_t i = 0; i < n; i++) {
            if (img->depth == IMC_16S) {
                int16_t v;
                memcpy(&v, row + 2 * i, 2);
                int32_t s = (int32_t)v * (1 << shift);
                v = (int16_t)(s > INT16_MAX ? INT16_MAX : s < INT16_MIN ? INT16_MIN : s);
                memcpy(row + 2 * i, &v, 2);
            } else {
                uint16_t v;
                memcpy(&v, row + 2 * i, 2);
                uint32_t s = (uint32_t)v << shift;
                v = (uint16_t)(s > UINT16_MAX ? UINT16_MAX : s);
                memcpy(row + 2 * i, &v, 2);
            }
        }
    }
}

/* cv2's fixOrientation. libtiff's RGBA reader already handled the flips for
 * 8-bit output, so only transposes remain there (fixOrientationPartial:
 * flip both axes then transpose for 6 and 8, which is imc's orientation 7;
 * transpose alone for 5 and 7); other depths get the full EXIF transform. */
static int fix_orientation(imc_image *img, int orientation, int dst_bpp, imc_error *err)
{
    if (dst_bpp != 8)
        return imc_apply_orientation(img, orientation, err);
    switch (orientation) {
    case ORIENTATION_RIGHTTOP:
    case ORIENTATION_LEFTBOT:
        return imc_apply_orientation(img, 7, err);
    case ORIENTATION_LEFTTOP:
    case ORIENTATION_RIGHTBOT:
        return imc_apply_orientation(img, 5, err);
    default:
        return IMC_OK;
    }
}

/* cv2's float XYZ <-> RGB matrices (sRGB, D65), rounded to float. Rows give
 * X, Y, Z from R, G, B (to_xyz) or R, G, B from X, Y, Z. */
static const double rgb2xyz[9] = {0.412453, 0.357580, 0.180423, 0.212671, 0.715160,
                                  0.072169, 0.019334, 0.119193, 0.950227};
static const double xyz2rgb[9] = {3.240479, -1.53715, -0.498535, -0.969256, 1.875991,
                                  0.041556, 0.055648, -0.204043, 1.057311};

/* cvtColor between float XYZ and BGR/RGB, in place, with cv2's arithmetic:
 * its SSE2 loop (4 pixels at a time) computes a*c0 + (b*c1 + c*c2), the
 * scalar tail (a*c0 + b*c1) + c*c2, each operation rounded to float.
 * `bgr_side` swaps the matrix as cv2's blueIdx 0 does. */
static void convert_xyz_rows(float *row, int width, bool to_xyz, bool bgr_side)
{
    float c[9];
    for (int i = 0; i < 9; i++)
        c[i] = (float)(to_xyz ? rgb2xyz : xyz2rgb)[i];
    if (bgr_side) {
        for (int r = 0; r < 3; r++) {
            /* to XYZ the input columns swap (B first); from XYZ the output rows */
            int a = to_xyz ? 3 * r : r, b = to_xyz ? 3 * r + 2 : r + 6;
            float t = c[a];
            c[a] = c[b];
            c[b] = t;
        }
    }
    const int vectorized = width / 4 * 4;
    for (int x = 0; x < width; x++, row += 3) {
        const float p0 = row[0], p1 = row[1], p2 = row[2];
        float out[3];
        for (int k = 0; k < 3; k++) {
            const float *m = c + 3 * k;
            if (x < vectorized) {
                float t = p2 * m[2];
                t = p1 * m[1] + t;
                out[k] = p0 * m[0] + t;
            } else {
                float t = p0 * m[0] + p1 * m[1];
                out[k] = t + p2 * m[2];
            }
        }
        memcpy(row, out, sizeof out);
    }
}

static void convert_xyz_image(imc_image *img, bool to_xyz, bool bgr_side)
{
    for (int y = 0; y < img->rows; y++)
        convert_xyz_rows((float *)(void *)((uint8_t *)img->data + (size_t)y * img->step), img->cols,
                         to_xyz, bgr_side);
}

static int read_pixels(decoder *d, imc_image *dst, int order, int threads, imc_error *err)
{
    page p = {.order = order};
    int rc = read_layout(d, dst, &p, err);
    if (rc == IMC_OK)
        rc = alloc_buffers(&p, err);
    if (rc == IMC_OK)
        rc = read_tiles(d, &p, dst, threads, err);
    free(p.buf);
    free(p.unpacked);
    free(p.plane);
    if (rc != IMC_OK)
        return rc;
    if (p.bpp < p.dst_bpp && p.dst_bpp == 16)
        scale_16(dst, p.dst_bpp - p.bpp);
    return fix_orientation(dst, p.orientation, p.dst_bpp, err);
}

static int read_page(decoder *d, imc_image *dst, imc_read_request *req, imc_error *err)
{
    if (dst->channels == 2)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: two-channel images are not supported");
    const bool float_out = dst->depth == IMC_32F || dst->depth == IMC_64F;
    if (d->hdr && float_out && !TIFFSetField(d->tif, TIFFTAG_SGILOGDATAFMT, SGILOGDATAFMT_FLOAT))
        return failure(d, IMC_ERR_CORRUPT, "cannot read LogLuv as float", err);
    int rc = read_pixels(d, dst, req->order, req->threads, err);
    if (rc != IMC_OK)
        return rc;
    if (d->hdr && float_out) {
        if (dst->depth != IMC_32F)
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: LogLuv read as double");
        convert_xyz_image(dst, false, req->order == IMC_ORDER_BGR);
    }
    return IMC_OK;
}

static int tiff_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    imc_damage_worst(req->damage, &d->msg.header, 0); /* what reading the directory met */
    d->msg.header = (imc_damage)IMC_DAMAGE_NONE_YET;
    d->msg.damage = req->damage;
    int rc = read_page(d, dst, req, err);
    d->msg.damage = &d->msg.header; /* req->damage lives only as long as this call */
    return rc;
}

/* ---- Encoding: the output stream, as cv2's TiffEncoderBufHelper --------- */
typedef struct {
    imc_buffer *out;
    uint64_t pos;
    bool nomem;
} sink;

static tmsize_t sink_read(thandle_t h, void *data, tmsize_t n)
{
    sink *s = h;
    if (n < 0 || s->pos >= s->out->size)
        return 0;
    size_t take = (size_t)n < s->out->size - s->pos ? (size_t)n : s->out->size - (size_t)s->pos;
    memcpy(data, s->out->data + s->pos, take);
    s->pos += take;
    return (tmsize_t)take;
}

static tmsize_t sink_write(thandle_t h, void *data, tmsize_t n)
{
    sink *s = h;
    if (n < 0 || s->pos > SIZE_MAX - (size_t)n) {
        s->nomem = true;
        return 0;
    }
    size_t end = (size_t)s->pos + (size_t)n;
    if (end > s->out->size) {
        if (imc_buffer_reserve(s->out, end) != IMC_OK) {
            s->nomem = true;
            return 0;
        }
        if (s->pos > s->out->size) /* a seek past the end leaves zeros, as vector::resize */
            memset(s->out->data + s->out->size, 0, (size_t)s->pos - s->out->size);
        s->out->size = end;
    }
    memcpy(s->out->data + s->pos, data, (size_t)n);
    s->pos = end;
    return n;
}

static toff_t sink_seek(thandle_t h, toff_t offset, int whence)
{
    sink *s = h;
    if (whence == SEEK_SET)
        s->pos = offset;
    else if (whence == SEEK_CUR)
        s->pos += offset;
    else if (whence == SEEK_END)
        s->pos = s->out->size + offset;
    return s->pos;
}

static toff_t sink_size(thandle_t h)
{
    return ((sink *)h)->out->size;
}

/* cv2's params; cv2's readParam takes the first value given for each.
 * Newer cv2 accepts only the libtiff schemes it names and falls back to LZW,
 * and takes an unknown predictor as HORIZONTAL. */
enum tiff_param { P_COMPRESSION, P_PREDICTOR, P_RESUNIT, P_XDPI, P_YDPI, P_ROWSPERSTRIP };
static const int known_compressions[] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 32766, 32771, 32773, 32809, 32895, 32896, 32897, 32898,
    32908, 32909, 32946, 32947, 34661, 34676, 34677, 34712, 34887, 34925, 50000, 50001, 50002};
#define TIFF_PARAM(id_, min_, max_, rule_, replacement_)                                     \
    {.info = {.name = #id_, .id = IMC_IMWRITE_##id_, .min = (min_), .max = (max_),            \
              .below = (rule_), .above = (rule_), .replacement = (replacement_), .def = -1,   \
              .first_wins = 1}}
static const imc_param_spec tiff_params[] = {
    {.info = {.name = "TIFF_COMPRESSION", .id = IMC_IMWRITE_TIFF_COMPRESSION, .min = INT_MIN,
              .max = INT_MAX, .values = known_compressions,
              .nvalues = sizeof known_compressions / sizeof known_compressions[0],
              .below = IMC_PARAM_REPLACED, .above = IMC_PARAM_REPLACED,
              .replacement = COMPRESSION_LZW, .def = -1, .first_wins = 1}},
    TIFF_PARAM(TIFF_PREDICTOR, PREDICTOR_NONE, PREDICTOR_FLOATINGPOINT, IMC_PARAM_REPLACED,
               PREDICTOR_HORIZONTAL),
    TIFF_PARAM(TIFF_RESUNIT, INT_MIN, INT_MAX, 0, 0), /* any value */
    TIFF_PARAM(TIFF_XDPI, INT_MIN, INT_MAX, 0, 0), /* any value */
    TIFF_PARAM(TIFF_YDPI, INT_MIN, INT_MAX, 0, 0), /* any value */
    TIFF_PARAM(TIFF_ROWSPERSTRIP, INT_MIN, INT_MAX, 0, 0), /* any value */
};

typedef struct {
    int compression; /* -1: cv2's default for the depth */
    int predictor;   /* -1: cv2's default */
    int res_unit, dpi_x, dpi_y, rows_per_strip;
    bool has_rows_per_strip;
} tiff_settings;

static tiff_settings read_settings(const imc_param_values *p)
{
    tiff_settings s = {p->value[P_COMPRESSION], p->value[P_PREDICTOR], p->value[P_RESUNIT],
                       p->value[P_XDPI], p->value[P_YDPI], 0, p->given[P_ROWSPERSTRIP]};
    if (s.has_rows_per_strip)
        s.rows_per_strip = p->value[P_ROWSPERSTRIP];
    return s;
}

typedef struct {
    TIFF *tif;
    tiff_message msg;
    int order;
    const imc_metadata_blob *metadata; /* by kind */
} encoder;

static int write_failure(encoder *e, const char *what, imc_error *err)
{
    if (e->msg.text[0])
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %s: %s", what, e->msg.text);
    return imc_fail(err, IMC_ERR_UNSUPPORTED, "tiff: %s", what);
}

/* cv2's write_32FC3_SGILOG (and newer cv2's 32FC1 / SGILOG24 variant):
 * float XYZ (or luminance) rows as LogLuv strips of one row. */
static int write_sgilog(encoder *e, const imc_image *img, int compression, imc_error *err)
{
    TIFF *tif = e->tif;
    const int cn = img->channels;
    if (!TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, cn) ||
        !TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 32) ||
        !TIFFSetField(tif, TIFFTAG_COMPRESSION, compression) ||
        !TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, cn == 1 ? PHOTOMETRIC_LOGL : PHOTOMETRIC_LOGLUV) ||
        !TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) ||
        !TIFFSetField(tif, TIFFTAG_SGILOGDATAFMT, SGILOGDATAFMT_FLOAT) ||
        !TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 1))
        return write_failure(e, "cannot set the LogLuv fields", err);
    const size_t row = (size_t)img->cols * (size_t)cn * sizeof(float);
    float *xyz = malloc(row);
    if (!xyz)
        return imc_fail(err, IMC_ERR_NOMEM, "tiff: out of memory");
    int rc = IMC_OK;
    for (int y = 0; y < img->rows && rc == IMC_OK; y++) {
        memcpy(xyz, (const uint8_t *)img->data + (size_t)y * img->step, row);
        if (cn == 3)
            convert_xyz_rows(xyz, img->cols, true, e->order == IMC_ORDER_BGR);
        if (TIFFWriteEncodedStrip(tif, (uint32_t)y, xyz, (tmsize_t)row) == -1)
            rc = write_failure(e, "cannot write a strip", err);
    }
    free(xyz);
    if (rc == IMC_OK && !TIFFWriteDirectory(tif))
        rc = write_failure(e, "cannot write the directory", err);
    return rc;
}

/* Sample format and bits of a depth; compression forced to none where cv2
 * 4.6 forces it (32-bit and 64-bit samples), unless newer cv2's explicit
 * IMWRITE_TIFF_COMPRESSION asks otherwise (never for 64-bit). */
static void page_format(int depth, const tiff_settings *s, int *bits, int *format,
                        int *compression, int *predictor)
{
    static const int bits_of[] = {8, 8, 16, 16, 32, 32, 64};
    static const int format_of[] = {SAMPLEFORMAT_UINT, SAMPLEFORMAT_INT, SAMPLEFORMAT_UINT,
                                    SAMPLEFORMAT_INT, SAMPLEFORMAT_INT, SAMPLEFORMAT_IEEEFP,
                                    SAMPLEFORMAT_IEEEFP};
    *bits = bits_of[depth];
    *format = format_of[depth];
    *compression = s->compression >= 0 ? s->compression : COMPRESSION_LZW;
    if ((*bits >= 32 && s->compression < 0) || *bits == 64)
        *compression = COMPRESSION_NONE;
    *predictor = s->predictor >= 0    ? s->predictor
                 : depth == IMC_32F ? PREDICTOR_FLOATINGPOINT
                                    : PREDICTOR_HORIZONTAL;
}

static int set_page_fields(encoder *e, const imc_image *img, const tiff_settings *s,
                           imc_error *err)
{
    TIFF *tif = e->tif;
    int bits, format, compression, predictor;
    page_format(img->depth, s, &bits, &format, &compression, &predictor);
    size_t file_step = (size_t)img->cols * (size_t)img->channels * (size_t)bits / 8;
    int rows = (int)((1u << 13) / file_step);
    if (s->has_rows_per_strip)
        rows = s->rows_per_strip;
    rows = rows < img->rows ? rows : img->rows;
    rows = rows > 1 ? rows : 1;
    bool ok = TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits) &&
              TIFFSetField(tif, TIFFTAG_COMPRESSION, compression) &&
              TIFFSetField(tif, TIFFTAG_PHOTOMETRIC,
                           img->channels > 1 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK) &&
              TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, img->channels) &&
              TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
              TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows) &&
              TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, format);
    if (ok && (compression == COMPRESSION_LZW || compression == COMPRESSION_ADOBE_DEFLATE ||
               compression == COMPRESSION_DEFLATE))
        ok = TIFFSetField(tif, TIFFTAG_PREDICTOR, predictor);
    if (ok && s->res_unit >= RESUNIT_NONE && s->res_unit <= RESUNIT_CENTIMETER)
        ok = TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, s->res_unit);
    if (ok && s->dpi_x >= 0)
        ok = TIFFSetField(tif, TIFFTAG_XRESOLUTION, (double)(float)s->dpi_x);
    if (ok && s->dpi_y >= 0)
        ok = TIFFSetField(tif, TIFFTAG_YRESOLUTION, (double)(float)s->dpi_y);
    return ok ? IMC_OK : write_failure(e, "cannot set the page fields", err);
}

/* One page as cv2 writes it: RGB(A) scanlines from a copy of each row,
 * because libtiff may modify what it is given. */
static int write_scanlines(encoder *e, const imc_image *img, imc_error *err)
{
    tmsize_t line = TIFFScanlineSize(e->tif);
    const size_t elem = imc_depth_size(img->depth);
    const size_t row = (size_t)img->cols * (size_t)img->channels * elem;
    if (line <= 0 || (size_t)line < row)
        return write_failure(e, "unexpected scanline size", err);
    uint8_t *buf = calloc(1, (size_t)line + 32);
    if (!buf)
        return imc_fail(err, IMC_ERR_NOMEM, "tiff: out of memory");
    const bool swap = img->channels >= 3 && e->order == IMC_ORDER_BGR;
    int rc = IMC_OK;
    for (int y = 0; y < img->rows && rc == IMC_OK; y++) {
        const uint8_t *s = (const uint8_t *)img->data + (size_t)y * img->step;
        if (swap)
            swap_rb_any(s, buf, img->cols, img->channels, elem);
        else
            memcpy(buf, s, row);
        if (TIFFWriteScanline(e->tif, buf, (uint32_t)y, 0) != 1)
            rc = write_failure(e, "cannot write a scanline", err);
    }
    free(buf);
    if (rc == IMC_OK && !TIFFWriteDirectory(e->tif))
        rc = write_failure(e, "cannot write the directory", err);
    return rc;
}

static int write_page(encoder *e, const imc_image *img, size_t page_no, size_t count,
                      const tiff_settings *s, imc_error *err)
{
    TIFF *tif = e->tif;
    if (!TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, img->cols) ||
        !TIFFSetField(tif, TIFFTAG_IMAGELENGTH, img->rows))
        return write_failure(e, "cannot set the image size", err);
    if (count > 1 && (!TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE) ||
                      !TIFFSetField(tif, TIFFTAG_PAGENUMBER, (int)page_no, (int)count)))
        return write_failure(e, "cannot set the page number", err);
    /* The metadata describes the image: the first page holds it. */
    const imc_metadata_blob *icc = &e->metadata[IMC_METADATA_ICCP];
    const imc_metadata_blob *xmp = &e->metadata[IMC_METADATA_XMP];
    if (page_no == 0 && icc->data &&
        !TIFFSetField(tif, TIFFTAG_ICCPROFILE, (uint32_t)icc->size, icc->data))
        return write_failure(e, "cannot store the ICC profile", err);
    if (page_no == 0 && xmp->data &&
        !TIFFSetField(tif, TIFFTAG_XMLPACKET, (uint32_t)xmp->size, xmp->data))
        return write_failure(e, "cannot store the XMP packet", err);
    int c = s->compression;
    const bool is_32f = img->depth == IMC_32F;
    if (c == COMPRESSION_SGILOG || c == COMPRESSION_SGILOG24) {
        if (!is_32f || (c == COMPRESSION_SGILOG24 && img->channels != 3) || img->channels == 4)
            return imc_fail(err, IMC_ERR_PARAM,
                            "tiff: SGILOG needs 32-bit float, one or three channels "
                            "(SGILOG24: three)");
        return write_sgilog(e, img, c, err);
    }
    if (is_32f && img->channels == 3 && c < 0) /* cv2 4.6: 32FC3 is LogLuv by default */
        return write_sgilog(e, img, COMPRESSION_SGILOG, err);
    int rc = set_page_fields(e, img, s, err);
    return rc == IMC_OK ? write_scanlines(e, img, err) : rc;
}

static int tiff_encode_multi(const imc_image *imgs, size_t count, const imc_encode_request *req,
                             imc_buffer *out, imc_error *err)
{
    tiff_settings s = read_settings(req->params);
    encoder e = {.order = req->order, .metadata = req->metadata};
    sink k = {.out = out};
    e.tif = open_client("w", &k, sink_read, sink_write, sink_seek, sink_size, no_map, &e.msg);
    if (!e.tif)
        return write_failure(&e, "cannot start the file", err);
    int rc = IMC_OK;
    for (size_t i = 0; i < count && rc == IMC_OK; i++)
        rc = write_page(&e, &imgs[i], i, count, &s, err);
    TIFFClose(e.tif);
    if (rc == IMC_OK && k.nomem)
        rc = imc_fail(err, IMC_ERR_NOMEM, "tiff: out of memory");
    return rc;
}

/* The first page's ICC profile (tag 34675) and XMP packet (tag 700).
 * EXIF is no blob in a TIFF: its tags are the file's own IFDs (exiftool
 * extracts no EXIF block either). */
static int tiff_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err)
{
    decoder d = {.src = {buf, len, 0}};
    d.msg.header = (imc_damage)IMC_DAMAGE_NONE_YET;
    d.msg.damage = &d.msg.header;
    d.tif = open_client("r", &d.src, source_read, source_write, source_seek, source_size,
                        source_map, &d.msg);
    if (!d.tif)
        return IMC_OK; /* no header: no metadata (decoding says why) */
    static const struct { uint32_t tag; int kind; } tags[] = {
        {TIFFTAG_XMLPACKET, IMC_METADATA_XMP}, {TIFFTAG_ICCPROFILE, IMC_METADATA_ICCP}};
    int rc = IMC_OK;
    for (size_t i = 0; i < 2 && rc == IMC_OK; i++) {
        uint32_t n = 0;
        const void *data = NULL;
        if (TIFFGetField(d.tif, tags[i].tag, &n, &data) && data && n)
            rc = imc_metadata_add(md, tags[i].kind, data, n, "tiff", err);
    }
    TIFFClose(d.tif);
    return rc;
}

static bool tiff_sniff(const uint8_t *buf, size_t len)
{
    static const uint8_t signatures[4][4] = {
        {'I', 'I', 0x2a, 0}, {'M', 'M', 0, 0x2a}, {'I', 'I', 0x2b, 0}, {'M', 'M', 0, 0x2b}};
    for (int i = 0; len >= 4 && i < 4; i++)
        if (!memcmp(buf, signatures[i], 4))
            return true;
    return false;
}

const imc_codec imc_codec_tiff = {
    .name = "tiff",
    .signatures = {IMC_SIGNATURE("II*\0")}, /* MM and BigTIFF inputs pass as they are */
    .extensions = "tiff tif",
    .sniff = tiff_sniff,
    .decoder_size = sizeof(decoder),
    .open = tiff_open,
    .read = tiff_read,
    .close = tiff_close,
    .next_page = tiff_next_page,
    .pages_independent = true,
    .encode_multi = tiff_encode_multi,
    IMC_CODEC_PARAMS(tiff_params),
    .read_metadata = tiff_read_metadata,
    .metadata_written = 1u << IMC_METADATA_XMP | 1u << IMC_METADATA_ICCP,
    .encode_depths = IMC_DEPTH_BIT(IMC_8U) | IMC_DEPTH_BIT(IMC_8S) | IMC_DEPTH_BIT(IMC_16U) |
                     IMC_DEPTH_BIT(IMC_16S) | IMC_DEPTH_BIT(IMC_32S) | IMC_DEPTH_BIT(IMC_32F) |
                     IMC_DEPTH_BIT(IMC_64F),
};
