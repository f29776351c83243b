/* Sun raster (.sr, .ras), reproducing cv2 4.6's SunRasterDecoder / Encoder.
 *
 * What cv2 reads, and so imc: 1, 8, 24 and 32 bits, types RT_OLD (0) and
 * RT_STANDARD (1), no colormap or an RGB colormap of at most 2^bpp entries.
 * cv2 tests the RLE (RT_BYTE_ENCODED) and RT_FORMAT_RGB types against its
 * image type instead of the file's type, so it rejects both: imc does too
 * (its RLE decoder is dead code, left out here). Not kept, being wrong
 * pixels: without a colormap cv2 reads 1- and 8-bit files as gray through
 * an all-zero table (black images), and as color 1-bit files with 0 black;
 * imc reads 8-bit samples as gray levels and 1-bit ones with 0 white and 1
 * black, as Sun's monochrome rasters (and netpbm, Pillow, ImageMagick) do.
 * Quirks kept:
 * - 24-bit pixels are BGR, 32-bit pixels are XBGR (X first);
 * - any read past the end of the data fails (None in Python).
 *
 * Encoding writes cv2's bytes: RT_STANDARD, no colormap, 8/24/32 bits of the
 * image's own channels, rows padded to even length. cv2 pads with the byte
 * after the row in memory (the next row's first byte; past the end of the
 * image for the last row); imc writes the same, and 0 after the last row. */
#include "codecs.h"
#include "palette.h"

#include <string.h>

#include "../bytes.h"

static const uint8_t sun_magic[4] = {0x59, 0xA6, 0x6A, 0x95};
enum { SUN_HEADER_SIZE = 32 };
enum { RT_OLD = 0, RT_STANDARD = 1, RT_BYTE_ENCODED = 2, RT_FORMAT_RGB = 3 };
enum { RMT_NONE = 0, RMT_EQUAL_RGB = 1 };

typedef struct {
    const uint8_t *buf;
    size_t len, offset;
    int width, height, bpp;
    bool has_map;
    imc_palette pal;
} decoder;

static size_t row_pitch(const decoder *d)
{
    return (((size_t)d->width * (size_t)d->bpp + 7) / 8 + 1) & ~(size_t)1;
}

/* An RGB colormap: all reds, then greens, then blues. */
static int read_colormap(decoder *d, imc_bytes *b, int32_t length, imc_error *err)
{
    const uint8_t *map = b->data + b->pos;
    if (imc_bytes_left(b) < (size_t)length)
        return imc_fail(err, IMC_ERR_TRUNCATED, "sunras: the data ends in the colormap");
    int n = length / 3;
    for (int i = 0; i < n; i++) {
        d->pal.bgra[i][0] = map[i + 2 * n];
        d->pal.bgra[i][1] = map[i + n];
        d->pal.bgra[i][2] = map[i];
    }
    return IMC_OK;
}

static int sun_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    (void)scale_denom; /* cv2 resizes Sun rasters after decoding */
    decoder *d = state;
    d->buf = buf;
    d->len = len;
    imc_bytes b = imc_bytes_of(buf, len);
    imc_bytes_skip(&b, 4);
    d->width = (int32_t)imc_u32be(&b);
    d->height = (int32_t)imc_u32be(&b);
    d->bpp = (int32_t)imc_u32be(&b);
    imc_bytes_skip(&b, 4); /* the data length, which cv2 ignores */
    int32_t type = (int32_t)imc_u32be(&b), map_type = (int32_t)imc_u32be(&b);
    int32_t map_length = (int32_t)imc_u32be(&b);
    if (b.overrun)
        return imc_fail(err, IMC_ERR_TRUNCATED, "sunras: the data ends in the header");

    if (d->width <= 0 || d->height <= 0 ||
        !(d->bpp == 1 || d->bpp == 8 || d->bpp == 24 || d->bpp == 32))
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "sunras: %d x %d at %d bits is not supported",
                        d->width, d->height, d->bpp);
    if (type != RT_OLD && type != RT_STANDARD)
        return imc_fail(err, IMC_ERR_UNSUPPORTED,
                        "sunras: raster type %d is not read (OpenCV reads only types 0 and 1)",
                        type);
    int32_t map_max = d->bpp <= 8 ? 3 << d->bpp : 0;
    d->has_map = map_type == RMT_EQUAL_RGB && map_length > 0 && map_length <= map_max;
    if (!d->has_map && !(map_type == RMT_NONE && map_length == 0))
        return imc_fail(err, IMC_ERR_UNSUPPORTED,
                        "sunras: colormap type %d of %d bytes is not supported", map_type,
                        map_length);

    int channels;
    if (d->has_map) {
        int rc = read_colormap(d, &b, map_length, err);
        if (rc != IMC_OK)
            return rc;
        channels = imc_palette_is_color(&d->pal, d->bpp) ? 3 : 1;
    } else {
        channels = d->bpp > 8 ? 3 : 1;
        if (channels == 1)
            imc_palette_fill_gray(&d->pal, d->bpp);
        if (d->bpp == 1) /* monochrome: 1 is ink */
            for (int c = 0; c < 3; c++) {
                d->pal.bgra[0][c] = 255;
                d->pal.bgra[1][c] = 0;
            }
    }
    d->offset = SUN_HEADER_SIZE + (size_t)(d->has_map ? map_length : 0);
    hdr->width = d->width;
    hdr->height = d->height;
    hdr->channels = channels;
    hdr->depth = IMC_8U;
    hdr->data_too_short = !imc_rows_fit(len, d->offset, (uint64_t)d->height, row_pitch(d));
    return IMC_OK;
}

static void convert_row(const decoder *d, const uint8_t *src, uint8_t *dst, int cn)
{
    const int w = d->width;
    switch (d->bpp) {
    case 1: case 8:
        imc_palette_expand_row(&d->pal, src, d->bpp, w, dst, cn);
        break;
    case 24:
        if (cn == 1)
            imc_row_bgr_to_gray_8u(src, 3, dst, w, false);
        else
            memcpy(dst, src, (size_t)w * 3);
        break;
    default: /* 32: X, B, G, R */
        if (cn == 1)
            imc_row_bgr_to_gray_8u(src + 1, 4, dst, w, false);
        else
            imc_row_bgra_to_bgr_8u(src + 1, dst, w, false);
    }
}

static int sun_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    const int cn = dst->channels > 1 ? 3 : 1;
    const size_t pitch = row_pitch(d);
    if (!imc_rows_fit(d->len, d->offset, (uint64_t)d->height, pitch))
        return imc_fail(err, IMC_ERR_TRUNCATED, "sunras: the data ends before the last row");
    if (cn == 1 && d->bpp <= 8)
        imc_palette_make_gray(&d->pal, 1 << d->bpp);
    const uint8_t *src = d->buf + d->offset;
    for (int y = 0; y < d->height; y++, src += pitch)
        convert_row(d, src, (uint8_t *)dst->data + (size_t)y * dst->step, cn);
    if (req->order == IMC_ORDER_RGB)
        imc_swap_rb(dst);
    return IMC_OK;
}

static void sun_close(void *state)
{
    (void)state;
}

static bool sun_sniff(const uint8_t *buf, size_t len)
{
    return len >= sizeof sun_magic && !memcmp(buf, sun_magic, sizeof sun_magic);
}

static uint8_t *put_be32(uint8_t *p, uint32_t v)
{
    imc_store_be32(p, v);
    return p + 4;
}

/* cv2's Sun raster writer takes no params. */
static int sun_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                      imc_error *err)
{
    const int cn = img->channels;
    const size_t row = (size_t)img->cols * (size_t)cn, step = (row + 1) & ~(size_t)1;
    size_t total;
    if (!imc_mul_size(step, (size_t)img->rows, &total) || total > SIZE_MAX - SUN_HEADER_SIZE)
        return imc_fail(err, IMC_ERR_LIMITS, "sunras: image too large");
    if (imc_buffer_reserve(out, total + SUN_HEADER_SIZE) != IMC_OK)
        return imc_fail(err, IMC_ERR_NOMEM, "sunras: out of memory");

    uint8_t *p = out->data;
    memcpy(p, sun_magic, sizeof sun_magic);
    p = put_be32(p + 4, (uint32_t)img->cols);
    p = put_be32(p, (uint32_t)img->rows);
    p = put_be32(p, (uint32_t)cn * 8);
    p = put_be32(p, (uint32_t)total); /* cv2 writes it as a (wrapping) int */
    p = put_be32(p, RT_STANDARD);
    p = put_be32(p, RMT_NONE);
    p = put_be32(p, 0);
    const bool swap = req->order == IMC_ORDER_RGB && cn >= 3;
    for (int y = 0; y < img->rows; y++, p += step) {
        memcpy(p, (const uint8_t *)img->data + (size_t)y * img->step, row);
        if (swap)
            imc_row_swap_rb_8u(p, p, img->cols, cn);
    }
    /* The padding byte: the first byte of the next row as written. */
    for (int y = 0; step > row && y < img->rows; y++) {
        uint8_t *pad = out->data + SUN_HEADER_SIZE + (size_t)y * step + row;
        *pad = y + 1 < img->rows ? pad[1] : 0;
    }
    out->size = total + SUN_HEADER_SIZE;
    return IMC_OK;
}

const imc_codec imc_codec_sunras = {
    .name = "sunras",
    .signatures = {IMC_SIGNATURE("\x59\xa6\x6a\x95")},
    .extensions = "sr ras",
    .sniff = sun_sniff,
    .decoder_size = sizeof(decoder),
    .open = sun_open,
    .read = sun_read,
    .close = sun_close,
    .encode = sun_encode,
    .encode_depths = IMC_DEPTH_BIT(IMC_8U),
};
