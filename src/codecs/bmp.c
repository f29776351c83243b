/* Windows and OS/2 bitmaps, reproducing cv2 4.6's BmpDecoder / BmpEncoder.
 *
 * Decoding follows cv2's readHeader / readData quirk for quirk: the native
 * type is 8UC1 for a gray palette, 8UC4 only for 32-bit BITFIELDS (not kept:
 * cv2 calls every OS/2, 12-byte header, file gray, so IMREAD_UNCHANGED loses
 * the colours of 24-bit and colour-palette OS/2 files; imc reads them as the
 * same image with a Windows header); 16-bit is 5-5-5 unless BITFIELDS masks
 * (read right after the info header, whatever its size) say 5-6-5; the
 * channel masks of a 32-bit BITFIELDS file are honoured only for 4-channel
 * output and only with a header of 56 bytes or more; RLE runs, deltas and
 * end-of-line codes fill with palette entry 0 exactly like FillUniColor.
 * cv2 never returns a partial BMP: any read past the end of the data, and
 * any RLE run past the end of a row, fails (None in Python).
 *
 * Encoding writes what cv2 4.6 writes: a 40-byte header, BI_RGB, 8 bits
 * with a gray palette for one channel, 24 or 32 bits otherwise, rows
 * bottom-up. Newer cv2's IMWRITE_BMP_COMPRESSION_BITFIELDS makes 4-channel
 * images 32-bit BI_BITFIELDS with a V5 header, so that alpha survives. */
#include "codecs.h"
#include "palette.h"

#include <string.h>

#include "../bytes.h"

enum { BMP_RGB = 0, BMP_RLE8 = 1, BMP_RLE4 = 2, BMP_BITFIELDS = 3 };
enum { FILE_HEADER_SIZE = 14, OS2_HEADER_SIZE = 12, V5_HEADER_SIZE = 124 };
/* cv2's thresholds: the fields it reads, and where it looks for 4 masks. */
enum { MIN_INFO_HEADER = 36, MASKS_HEADER = 56 };

typedef struct {
    const uint8_t *buf;
    size_t len;
    int64_t offset; /* of the pixel data; cv2 fails a negative one in readData */
    int width, height;
    bool bottom_up;
    int bpp; /* 15 stands for 16-bit 5-5-5 */
    int compression;
    uint32_t mask[4]; /* R, G, B, A masks of a 32-bit BITFIELDS header */
    int shift[4];     /* their lowest set bit; -1 where the mask is 0 or absent */
    imc_palette pal;
} decoder;

/* ---- Header --------------------------------------------------------------- */
static bool windows_layout_ok(int bpp, int compression)
{
    switch (bpp) {
    case 1: case 24: return compression == BMP_RGB;
    case 4: return compression == BMP_RGB || compression == BMP_RLE4;
    case 8: return compression == BMP_RGB || compression == BMP_RLE8;
    case 16: case 32: return compression == BMP_RGB || compression == BMP_BITFIELDS;
    default: return false;
    }
}

/* The R, G, B, A masks of a V3+ header and their shifts (cv2's initMask). */
static void read_masks(decoder *d, imc_bytes *b)
{
    for (int i = 0; i < 4; i++) {
        uint32_t m = imc_u32le(b);
        d->mask[i] = m;
        if (m) {
            int s = 0;
            while (!(m & 1)) {
                m >>= 1;
                s++;
            }
            d->shift[i] = s;
        }
    }
}

/* The 16-bit BITFIELDS masks cv2 accepts, read where a 40-byte header puts
 * them (also for the larger headers that carry them inside). */
static int read_16bit_masks(decoder *d, imc_bytes *b, imc_error *err)
{
    uint32_t red = imc_u32le(b), green = imc_u32le(b), blue = imc_u32le(b);
    if (b->overrun)
        return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the data ends in the color masks");
    if (blue == 0x1f && green == 0x3e0 && red == 0x7c00)
        d->bpp = 15;
    else if (!(blue == 0x1f && green == 0x7e0 && red == 0xf800))
        return imc_fail(err, IMC_ERR_UNSUPPORTED,
                        "bmp: 16-bit masks %08x/%08x/%08x are neither 5-5-5 nor 5-6-5", red, green,
                        blue);
    return IMC_OK;
}

/* BITMAPINFOHEADER and its V2..V5 / OS/2 2.x extensions (size >= 36). */
static int read_windows_header(decoder *d, imc_bytes *b, int32_t size, bool *color,
                               imc_error *err)
{
    d->width = (int32_t)imc_u32le(b);
    d->height = (int32_t)imc_u32le(b);
    d->bpp = (int16_t)(imc_u32le(b) >> 16); /* cv2: (planes | bpp << 16) >> 16, signed */
    int32_t compression = (int32_t)imc_u32le(b);
    imc_bytes_skip(b, 12);
    int32_t colors_used = (int32_t)imc_u32le(b);
    if (b->overrun)
        return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the data ends in the header");
    if (compression < BMP_RGB || compression > BMP_BITFIELDS)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "bmp: compression %d is not supported",
                        compression);
    d->compression = compression;
    if (d->bpp == 32 && compression == BMP_BITFIELDS && size >= MASKS_HEADER) {
        imc_bytes_skip(b, 4);
        read_masks(d, b);
        if (b->overrun)
            return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the data ends in the color masks");
    }
    if (d->width <= 0 || d->height == 0 || !windows_layout_ok(d->bpp, compression))
        return imc_fail(err, IMC_ERR_UNSUPPORTED,
                        "bmp: %d x %d at %d bits per pixel with compression %d is not supported",
                        d->width, d->height, d->bpp, compression);

    imc_bytes_seek(b, FILE_HEADER_SIZE + (size_t)size);
    *color = true;
    if (d->bpp <= 8) {
        if (colors_used < 0 || colors_used > IMC_PALETTE_ENTRIES)
            return imc_fail(err, IMC_ERR_CORRUPT, "bmp: %d palette colors", colors_used);
        size_t entries = colors_used ? (size_t)colors_used : (size_t)1 << d->bpp;
        if (!imc_bytes_read(b, d->pal.bgra, entries * 4))
            return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the data ends in the palette");
        *color = imc_palette_is_color(&d->pal, d->bpp);
    } else if (d->bpp == 16 && compression == BMP_BITFIELDS) {
        return read_16bit_masks(d, b, err);
    } else if (d->bpp == 16) {
        d->bpp = 15;
    }
    return IMC_OK;
}

/* BITMAPCOREHEADER: 16-bit sizes, RGB triples. */
static int read_os2_header(decoder *d, imc_bytes *b, bool *color, imc_error *err)
{
    d->width = imc_u16le(b);
    d->height = imc_u16le(b);
    d->bpp = (int16_t)(imc_u32le(b) >> 16);
    if (b->overrun)
        return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the data ends in the header");
    d->compression = BMP_RGB;
    *color = false;
    if (d->width <= 0 || d->height == 0 ||
        !(d->bpp == 1 || d->bpp == 4 || d->bpp == 8 || d->bpp == 24 || d->bpp == 32))
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "bmp: OS/2 %d x %d at %d bits is not supported",
                        d->width, d->height, d->bpp);
    for (int i = 0; d->bpp <= 8 && i < 1 << d->bpp; i++) {
        imc_bytes_read(b, d->pal.bgra[i], 3);
        d->pal.bgra[i][3] = 0;
    }
    if (b->overrun)
        return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the data ends in the palette");
    *color = d->bpp > 8 || imc_palette_is_color(&d->pal, d->bpp);
    return IMC_OK;
}

static size_t row_pitch(const decoder *d)
{
    size_t bits = d->bpp == 15 ? 16 : (size_t)d->bpp;
    return (((size_t)d->width * bits + 7) / 8 + 3) & ~(size_t)3;
}

static bool is_rle(const decoder *d)
{
    return d->compression == BMP_RLE4 || d->compression == BMP_RLE8;
}

static int bmp_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    (void)scale_denom; /* cv2 resizes BMPs after decoding */
    decoder *d = state;
    d->buf = buf;
    d->len = len;
    for (int i = 0; i < 4; i++)
        d->shift[i] = -1;
    imc_bytes b = imc_bytes_of(buf, len);
    imc_bytes_skip(&b, 10);
    d->offset = (int32_t)imc_u32le(&b);
    int32_t size = (int32_t)imc_u32le(&b);
    if (b.overrun)
        return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the data ends in the file header");
    bool color = false;
    int rc;
    if (size >= MIN_INFO_HEADER)
        rc = read_windows_header(d, &b, size, &color, err);
    else if (size == OS2_HEADER_SIZE)
        rc = read_os2_header(d, &b, &color, err);
    else
        rc = imc_fail(err, IMC_ERR_CORRUPT, "bmp: info header size %d", size);
    if (rc != IMC_OK)
        return rc;
    if (d->height == INT32_MIN) /* cv2's abs() leaves it negative; its size check throws */
        return imc_fail(err, IMC_ERR_LIMITS, "bmp: height %d is out of range", d->height);
    d->bottom_up = d->height > 0;
    d->height = d->height < 0 ? -d->height : d->height;

    hdr->width = d->width;
    hdr->height = d->height;
    hdr->depth = IMC_8U;
    hdr->channels = !color ? 1 : d->bpp == 32 && d->compression != BMP_RGB ? 4 : 3;
    /* Plain rows must all be there; RLE data needs at least one 2-byte code. */
    uint64_t rows = is_rle(d) ? 1 : (uint64_t)d->height, pitch = is_rle(d) ? 2 : row_pitch(d);
    hdr->data_too_short = d->offset >= 0 && !imc_rows_fit(len, (uint64_t)d->offset, rows, pitch);
    return IMC_OK;
}

/* ---- Pixels --------------------------------------------------------------- */
static uint8_t *image_row(const imc_image *img, int y, bool bottom_up)
{
    int r = bottom_up ? img->rows - 1 - y : y;
    return (uint8_t *)img->data + (size_t)r * img->step;
}

/* cv2's maskBGRA: each channel is (pixel & mask) >> shift, cut to 8 bits;
 * no alpha mask gives 255. */
static void mask_row(const decoder *d, const uint8_t *src, uint8_t *dst, int width)
{
    for (int x = 0; x < width; x++, src += 4, dst += 4) {
        uint32_t v = imc_load_le32(src);
        dst[0] = (uint8_t)((d->mask[2] & v) >> d->shift[2]);
        dst[1] = (uint8_t)((d->mask[1] & v) >> d->shift[1]);
        dst[2] = (uint8_t)((d->mask[0] & v) >> d->shift[0]);
        dst[3] = d->shift[3] >= 0 ? (uint8_t)((d->mask[3] & v) >> d->shift[3]) : 255;
    }
}

static void convert_row(const decoder *d, const uint8_t *src, uint8_t *dst, int cn)
{
    const int w = d->width, nch = cn > 1 ? 3 : 1;
    switch (d->bpp) {
    case 1: case 4: case 8:
        imc_palette_expand_row(&d->pal, src, d->bpp, w, dst, nch);
        break;
    case 15: case 16:
        imc_row_bgr555_to_bgr_8u(src, dst, w, nch, d->bpp == 16);
        break;
    case 24:
        if (cn == 1)
            imc_row_bgr_to_gray_8u(src, 3, dst, w, false);
        else
            memcpy(dst, src, (size_t)w * 3);
        break;
    default: /* 32 */
        if (cn == 1)
            imc_row_bgr_to_gray_8u(src, 4, dst, w, false);
        else if (cn == 3)
            imc_row_bgra_to_bgr_8u(src, dst, w, false);
        else if (d->shift[0] >= 0 && d->shift[1] >= 0 && d->shift[2] >= 0)
            mask_row(d, src, dst, w);
        else
            memcpy(dst, src, (size_t)w * 4);
    }
}

static int decode_rows(const decoder *d, imc_image *dst, imc_error *err)
{
    size_t pitch = row_pitch(d);
    if (!imc_rows_fit(d->len, (uint64_t)d->offset, (uint64_t)d->height, pitch))
        return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the data ends before the last row");
    const uint8_t *src = d->buf + d->offset;
    for (int y = 0; y < d->height; y++, src += pitch)
        convert_row(d, src, image_row(dst, y, d->bottom_up), dst->channels);
    return IMC_OK;
}

/* ---- RLE4 / RLE8 ------------------------------------------------------------
 * A cursor over the output, in cv2's terms: x counts bytes within the row
 * (width * nch of them), y counts rows in file order. */
typedef struct {
    const decoder *d;
    imc_image *dst;
    size_t pos; /* next byte of d->buf */
    int nch, width3, x, y;
} rle;

static bool rle_byte(rle *s, int *v)
{
    if (s->pos >= s->d->len)
        return false;
    *v = s->d->buf[s->pos++];
    return true;
}

static uint8_t *rle_at(const rle *s)
{
    return image_row(s->dst, s->y, s->d->bottom_up) + s->x;
}

/* cv2's FillUniColor / FillUniGray: `count` bytes of one palette entry,
 * wrapping to the start of the next row at the end of one, stopping after
 * the last row. */
static void rle_fill(rle *s, int64_t count, int index)
{
    const uint8_t *ink = imc_palette_ink(&s->d->pal, index, s->nch);
    do {
        int64_t room = s->width3 - s->x, n = count < room ? count : room;
        uint8_t *p = rle_at(s);
        if (s->nch == 1)
            memset(p, *ink, (size_t)n);
        else
            for (int64_t i = 0; i < n; i += 3)
                memcpy(p + i, ink, 3);
        count -= n;
        s->x += (int)n;
        if (s->x >= s->width3) {
            s->x = 0;
            if (++s->y >= s->dst->rows)
                break;
        }
    } while (count > 0);
}

/* Absolute mode: `count` literal indices, padded to an even byte count. */
static int rle_literal(rle *s, int count, int bits, imc_error *err)
{
    size_t size = bits == 8 ? (size_t)(count + 1) & ~(size_t)1
                            : (size_t)(((count + 1) >> 1) + 1) & ~(size_t)1;
    if (s->x + count * s->nch > s->width3)
        return imc_fail(err, IMC_ERR_CORRUPT, "bmp: RLE literal run past the end of row %d", s->y);
    if (size > s->d->len - s->pos)
        return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the data ends in an RLE literal run");
    imc_palette_expand_row(&s->d->pal, s->d->buf + s->pos, bits, count, rle_at(s), s->nch);
    s->pos += size;
    s->x += count * s->nch;
    return IMC_OK;
}

static int rle_truncated(imc_error *err)
{
    return imc_fail(err, IMC_ERR_TRUNCATED, "bmp: the RLE data ends before the image");
}

static int rle_past_row(const rle *s, imc_error *err)
{
    return imc_fail(err, IMC_ERR_CORRUPT, "bmp: RLE run past the end of row %d", s->y);
}

/* RLE4 as cv2 decodes it: a delta moves right only (its dy byte is
 * skipped), and end-of-bitmap acts like end-of-line. */
static int decode_rle4(rle *s, imc_error *err)
{
    for (;;) {
        int len, code;
        if (!rle_byte(s, &len) || !rle_byte(s, &code))
            return rle_truncated(err);
        if (len) { /* a run of two alternating indices */
            if (s->x + len * s->nch > s->width3)
                return rle_past_row(s, err);
            const uint8_t *ink[2] = {imc_palette_ink(&s->d->pal, code >> 4, s->nch),
                                     imc_palette_ink(&s->d->pal, code & 15, s->nch)};
            uint8_t *p = rle_at(s);
            for (int i = 0; i < len; i++)
                memcpy(p + i * s->nch, ink[i & 1], (size_t)s->nch);
            s->x += len * s->nch;
        } else if (code > 2) {
            int rc = rle_literal(s, code, 4, err);
            if (rc != IMC_OK)
                return rc;
        } else {
            int skip = s->width3 - s->x, dx, dy;
            if (code == 2) {
                if (!rle_byte(s, &dx) || !rle_byte(s, &dy))
                    return rle_truncated(err);
                skip = dx * s->nch;
            }
            rle_fill(s, skip, 0);
            if (s->y >= s->dst->rows)
                return IMC_OK;
        }
    }
}

/* RLE8 as cv2 decodes it, including its `line_end_flag`: an end-of-line right
 * after a run that ended a row does not skip another row. */
static int decode_rle8(rle *s, imc_error *err)
{
    bool run_ended_row = false;
    for (;;) {
        int len, code;
        if (!rle_byte(s, &len) || !rle_byte(s, &code))
            return rle_truncated(err);
        if (len) {
            int y0 = s->y;
            if (s->x + len * s->nch > s->width3)
                return rle_past_row(s, err);
            rle_fill(s, (int64_t)len * s->nch, code);
            run_ended_row = s->y != y0;
            if (s->y >= s->dst->rows)
                return IMC_OK;
        } else if (code > 2) {
            int rc = rle_literal(s, code, 8, err);
            if (rc != IMC_OK)
                return rc;
            run_ended_row = false;
        } else {
            int64_t skip = s->width3 - s->x, rows = s->dst->rows - s->y;
            if (code || !run_ended_row || skip < s->width3) {
                if (code == 2) {
                    int dx, dy;
                    if (!rle_byte(s, &dx) || !rle_byte(s, &dy))
                        return rle_truncated(err);
                    skip = (int64_t)dx * s->nch;
                    rows = dy;
                }
                if (code) /* end of bitmap, delta: also skip whole rows */
                    skip += rows * s->width3;
                rle_fill(s, skip, 0);
                if (s->y >= s->dst->rows)
                    return IMC_OK;
            }
            run_ended_row = false;
        }
    }
}

static int bmp_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    const int nch = dst->channels > 1 ? 3 : 1;
    if ((uint64_t)d->height * (uint64_t)d->width * (uint64_t)nch >= (uint64_t)1 << 30)
        return imc_fail(err, IMC_ERR_UNSUPPORTED,
                        "bmp: images of 1 GiB or more are not supported (as in OpenCV)");
    if (d->offset < 0)
        return imc_fail(err, IMC_ERR_CORRUPT, "bmp: negative pixel data offset");
    if (nch == 1 && d->bpp <= 8)
        imc_palette_make_gray(&d->pal, 1 << d->bpp);
    int rc;
    if (is_rle(d)) {
        rle s = {.d = d, .dst = dst, .pos = (size_t)d->offset, .nch = nch,
                 .width3 = d->width * nch};
        if (s.pos > d->len)
            s.pos = d->len;
        rc = d->compression == BMP_RLE4 ? decode_rle4(&s, err) : decode_rle8(&s, err);
    } else {
        rc = decode_rows(d, dst, err);
    }
    if (rc == IMC_OK && req->order == IMC_ORDER_RGB)
        imc_swap_rb(dst);
    return rc;
}

static void bmp_close(void *state)
{
    (void)state;
}

static bool bmp_sniff(const uint8_t *buf, size_t len)
{
    return len >= 2 && buf[0] == 'B' && buf[1] == 'M';
}

/* ---- Encoding ------------------------------------------------------------- */
static uint8_t *put_le(uint8_t *p, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        *p++ = (uint8_t)(v >> 8 * i);
    return p;
}

/* IMWRITE_BMP_COMPRESSION (newer cv2): BI_RGB by default, as cv2 4.6 writes;
 * BITFIELDS changes only 4-channel images. */
static const int compressions[] = {IMC_IMWRITE_BMP_COMPRESSION_RGB,
                                   IMC_IMWRITE_BMP_COMPRESSION_BITFIELDS};
static const imc_param_spec bmp_params[] = {
    IMC_PARAM_ONE_OF(BMP_COMPRESSION, compressions, IMC_IMWRITE_BMP_COMPRESSION_RGB),
};

/* The BITMAPV5HEADER fields after the 40 basic bytes: B, G, R, A masks for
 * BGRA pixels, sRGB, no endpoints or gamma, LCS_GM_IMAGES intent. */
static uint8_t *put_v5_tail(uint8_t *p)
{
    p = put_le(p, 0x00FF0000, 4);
    p = put_le(p, 0x0000FF00, 4);
    p = put_le(p, 0x000000FF, 4);
    p = put_le(p, 0xFF000000, 4);
    p = put_le(p, 0x73524742, 4); /* 'sRGB' */
    memset(p, 0, 48);
    p = put_le(p + 48, 4, 4);
    memset(p, 0, 12);
    return p + 12;
}

static int bmp_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                      imc_error *err)
{
    int compression = req->params->value[0];
    const int cn = img->channels;
    const bool bitfields = compression == IMC_IMWRITE_BMP_COMPRESSION_BITFIELDS && cn == 4;
    const size_t info_size = bitfields ? V5_HEADER_SIZE : 40;
    const size_t row = (size_t)img->cols * (size_t)cn, step = (row + 3) & ~(size_t)3;
    const size_t header = FILE_HEADER_SIZE + info_size + (cn > 1 ? 0 : 4 * IMC_PALETTE_ENTRIES);
    size_t total;
    if (!imc_mul_size(step, (size_t)img->rows, &total) || total > (size_t)INT32_MAX - header)
        return imc_fail(err, IMC_ERR_LIMITS, "bmp: a %d x %d x %d image exceeds 2 GiB", img->cols,
                        img->rows, cn);
    total += header;
    if (imc_buffer_reserve(out, total) != IMC_OK)
        return imc_fail(err, IMC_ERR_NOMEM, "bmp: out of memory");

    uint8_t *p = out->data;
    *p++ = 'B';
    *p++ = 'M';
    p = put_le(p, (uint32_t)total, 4);
    p = put_le(p, 0, 4);
    p = put_le(p, (uint32_t)header, 4);
    p = put_le(p, (uint32_t)info_size, 4);
    p = put_le(p, (uint32_t)img->cols, 4);
    p = put_le(p, (uint32_t)img->rows, 4);
    p = put_le(p, 1, 2);
    p = put_le(p, (uint32_t)cn * 8, 2);
    p = put_le(p, bitfields ? BMP_BITFIELDS : BMP_RGB, 4);
    memset(p, 0, 20); /* image size, resolution, colors used / important */
    p += 20;
    if (bitfields)
        p = put_v5_tail(p);
    for (int i = 0; cn == 1 && i < IMC_PALETTE_ENTRIES; i++) {
        p[0] = p[1] = p[2] = (uint8_t)i;
        p[3] = 0;
        p += 4;
    }
    const bool swap = req->order == IMC_ORDER_RGB && cn >= 3;
    for (int y = img->rows - 1; y >= 0; y--, p += step) {
        memcpy(p, (const uint8_t *)img->data + (size_t)y * img->step, row);
        if (swap)
            imc_row_swap_rb_8u(p, p, img->cols, cn);
        memset(p + row, 0, step - row);
    }
    out->size = total;
    return IMC_OK;
}

const imc_codec imc_codec_bmp = {
    .name = "bmp",
    .signatures = {IMC_SIGNATURE("BM")},
    .extensions = "bmp dib",
    .sniff = bmp_sniff,
    .decoder_size = sizeof(decoder),
    .open = bmp_open,
    .read = bmp_read,
    .close = bmp_close,
    .encode = bmp_encode,
    IMC_CODEC_PARAMS(bmp_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_8U),
};
