/* PBM, PGM and PPM (P1-P6: plain and raw, maxval up to 65535), reproducing
 * cv2 4.6's PxMDecoder / PxMEncoder (grfmt_pxm.cpp) with its quirks:
 *  - every number may be preceded by whitespace and '#' comments (to the end
 *    of the line); any other byte fails, and so does the end of the data right
 *    after a number, because cv2 always reads the byte that ends it;
 *  - plain 8-bit samples are scaled to 0..255 through maxval (values above it
 *    are clamped), raw 8-bit samples are taken as they are;
 *  - 16-bit samples (maxval > 255) are never scaled; to 8 bits they become
 *    v >> 8, whatever the maxval;
 *  - the encoder writes P4/P5/P6 (P1/P2/P3 with IMWRITE_PXM_BINARY=0) after
 *    the extension: .pbm, .pgm, .ppm, and .pnm, which follows the channels. */
#include "codecs.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../bytes.h"

typedef struct {
    imc_bytes in;
    int width, height, maxval;
    int channels; /* 1, or 3 for PPM */
    bool bitmap;  /* PBM: one bit per pixel, 1 is black */
    bool binary;  /* P4-P6 */
    bool wide;    /* maxval > 255: 16-bit samples */
} decoder;

static bool pnm_sniff(const uint8_t *buf, size_t len)
{
    /* cv2 pads short data with spaces before matching "P[1-6]<space>". */
    return len >= 2 && buf[0] == 'P' && buf[1] >= '1' && buf[1] <= '6' &&
           (len == 2 || imc_is_space(buf[2]));
}

static int end_of_data(imc_error *err)
{
    return imc_fail(err, IMC_ERR_TRUNCATED, "pnm: the data ends inside the header or a sample");
}

/* cv2's ReadNumber: skips whitespace and comments, then reads digits (at
 * most `maxdigits`, 0 for any number of them) and the byte after them. */
static int read_number(imc_bytes *in, int maxdigits, int *value, imc_error *err)
{
    int c = imc_bytes_get(in);
    while (!imc_is_digit(c)) {
        if (c == '#') {
            do
                c = imc_bytes_get(in);
            while (c >= 0 && c != '\n' && c != '\r');
            if (c >= 0)
                c = imc_bytes_get(in);
        } else if (imc_is_space(c)) {
            while (imc_is_space(c))
                c = imc_bytes_get(in);
        } else if (c >= 0) {
            return imc_fail(err, IMC_ERR_CORRUPT, "pnm: unexpected byte 0x%02x instead of a number",
                            c);
        }
        if (c < 0)
            return end_of_data(err);
    }
    int64_t v = 0;
    int digits = 0;
    do {
        v = v * 10 + (c - '0');
        if (v > INT_MAX)
            return imc_fail(err, IMC_ERR_CORRUPT, "pnm: number larger than %d", INT_MAX);
        if (maxdigits && ++digits >= maxdigits)
            break;
        c = imc_bytes_get(in);
    } while (imc_is_digit(c));
    if (c < 0)
        return end_of_data(err);
    *value = (int)v;
    return IMC_OK;
}

/* Bytes one raw row takes (the caller has checked that it fits). */
static size_t raw_pitch(const decoder *d)
{
    if (d->bitmap)
        return ((size_t)d->width + 7) / 8;
    return (size_t)d->width * (size_t)d->channels * (d->wide ? 2 : 1);
}

static int pnm_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    (void)scale_denom;
    decoder *d = state;
    d->in = imc_bytes_of(buf, len);
    imc_bytes_skip(&d->in, 1);
    int kind = imc_bytes_get(&d->in) - '0'; /* 1..6: sniffed */
    d->bitmap = kind == 1 || kind == 4;
    d->channels = kind == 3 || kind == 6 ? 3 : 1;
    d->binary = kind >= 4;
    d->maxval = 1;
    int rc = read_number(&d->in, 0, &d->width, err);
    if (rc == IMC_OK)
        rc = read_number(&d->in, 0, &d->height, err);
    if (rc == IMC_OK && !d->bitmap)
        rc = read_number(&d->in, 0, &d->maxval, err);
    if (rc != IMC_OK)
        return rc;
    if (d->maxval > 65535)
        return imc_fail(err, IMC_ERR_CORRUPT, "pnm: maxval %d exceeds 65535", d->maxval);
    if (d->width == 0 || d->height == 0 || d->maxval == 0)
        return imc_fail(err, IMC_ERR_CORRUPT, "pnm: zero width, height or maxval");
    d->wide = d->maxval > 255;

    hdr->width = d->width;
    hdr->height = d->height;
    hdr->channels = d->channels;
    hdr->depth = d->wide ? IMC_16U : IMC_8U;
    /* A plain sample takes at least one byte, a raw row raw_pitch() bytes. */
    size_t need, per_row = d->binary ? raw_pitch(d) : (size_t)d->width * (size_t)d->channels;
    hdr->data_too_short = !imc_mul_size(per_row, (size_t)d->height, &need) ||
                          need > imc_bytes_left(&d->in);
    return IMC_OK;
}

/* One row of samples, 8-bit (row8) or 16-bit (row16), as cv2 holds it before
 * its color conversion: plain 8-bit samples go through `palette`. */
static int read_samples(decoder *d, const uint8_t *palette, uint8_t *row8, uint16_t *row16,
                        uint8_t *raw, int *clamped, imc_error *err)
{
    size_t n = (size_t)d->width * (size_t)d->channels;
    if (d->binary) {
        if (!imc_bytes_read(&d->in, d->wide ? raw : row8, raw_pitch(d)))
            return end_of_data(err);
        if (d->wide)
            for (size_t i = 0; i < n; i++)
                row16[i] = imc_load_be16(raw + 2 * i);
        return IMC_OK;
    }
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        int rc = read_number(&d->in, 0, &v, err);
        if (rc != IMC_OK)
            return rc;
        if (v > d->maxval) {
            *clamped = v;
            v = d->maxval;
        }
        if (d->wide)
            row16[i] = (uint16_t)v;
        else
            row8[i] = palette[v];
    }
    return IMC_OK;
}

/* A PBM row: pixels are 0 (white, 255) or 1 (black, 0). */
static int read_bitmap_row(decoder *d, uint8_t *raw, uint8_t *out, int cn, imc_error *err)
{
    if (d->binary) {
        if (!imc_bytes_read(&d->in, raw, raw_pitch(d)))
            return end_of_data(err);
        imc_row_bits_to_8u(raw, out, d->width, cn, 255, 0);
        return IMC_OK;
    }
    for (int x = 0; x < d->width; x++) {
        int v = 0;
        int rc = read_number(&d->in, 1, &v, err);
        if (rc != IMC_OK)
            return rc;
        memset(out + (size_t)x * (size_t)cn, v ? 0 : 255, (size_t)cn);
    }
    return IMC_OK;
}

/* cv2's conversion of one row of samples into the requested layout. */
static void convert_row(const decoder *d, const uint8_t *row8, const uint16_t *row16, uint8_t *out,
                        const imc_image *dst, int order)
{
    const int w = d->width;
    if (dst->depth == IMC_8U) {
        if (d->channels == 1 && dst->channels == 3)
            imc_row_gray_to_bgr_8u(row8, out, w);
        else if (d->channels == 3 && dst->channels == 1)
            imc_row_bgr_to_gray_8u(row8, 3, out, w, true);
        else if (d->channels == 3 && order == IMC_ORDER_BGR)
            imc_row_swap_rb_8u(row8, out, w, 3);
        else
            memcpy(out, row8, (size_t)w * (size_t)d->channels);
        return;
    }
    uint16_t *out16 = (uint16_t *)(void *)out;
    if (d->channels == 1 && dst->channels == 3)
        imc_row_gray_to_bgr_16u(row16, out16, w);
    else if (d->channels == 3 && dst->channels == 1)
        imc_row_bgr_to_gray_16u(row16, 3, out16, w, true);
    else if (d->channels == 3 && order == IMC_ORDER_BGR)
        imc_row_swap_rb_16u(row16, out16, w, 3);
    else
        memcpy(out, row16, (size_t)w * (size_t)d->channels * 2);
}

static int pnm_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    const size_t n = (size_t)d->width * (size_t)d->channels;
    uint8_t palette[256];
    for (int i = 0; i <= d->maxval && i < 256; i++)
        palette[i] = (uint8_t)(i * 255 / d->maxval);
    uint8_t *raw = malloc(raw_pitch(d) + 1), *row8 = malloc(n);
    uint16_t *row16 = d->wide ? malloc(n * sizeof *row16) : NULL;
    int rc = raw && row8 && (row16 || !d->wide) ? IMC_OK : imc_fail(err, IMC_ERR_NOMEM,
                                                                    "pnm: out of memory");
    for (int y = 0; y < d->height && rc == IMC_OK; y++) {
        uint8_t *out = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (d->bitmap) {
            rc = read_bitmap_row(d, raw, out, dst->channels, err);
            continue;
        }
        int clamped = -1;
        rc = read_samples(d, palette, row8, row16, raw, &clamped, err);
        if (rc != IMC_OK)
            break;
        if (clamped >= 0) /* not a sample of this file: cv2 makes it maxval */
            imc_damage_note(req->damage, IMC_DAMAGE_ERROR, y,
                            "sample %d above maxval %d (read as maxval, as cv2 does)", clamped,
                            d->maxval);
        if (d->wide && dst->depth == IMC_8U)
            for (size_t i = 0; i < n; i++)
                row8[i] = (uint8_t)(row16[i] >> 8);
        convert_row(d, row8, row16, out, dst, req->order);
    }
    free(raw);
    free(row8);
    free(row16);
    return rc;
}

/* ---- Encoding ------------------------------------------------------------ */
typedef enum { PNM_PBM = 1, PNM_PGM = 2, PNM_PPM = 3 } pnm_kind;

static pnm_kind kind_for(const char *ext, int channels)
{
    if (!strcmp(ext, "pbm"))
        return PNM_PBM;
    if (!strcmp(ext, "pgm"))
        return PNM_PGM;
    if (!strcmp(ext, "ppm"))
        return PNM_PPM;
    return channels == 1 ? PNM_PGM : PNM_PPM; /* .pnm */
}

static int check_layout(pnm_kind kind, const imc_image *img, imc_error *err)
{
    if (kind == PNM_PGM && img->channels > 1)
        return imc_fail(err, IMC_ERR_ARG, "pgm: expects a gray image, not %d channels",
                        img->channels);
    if (kind == PNM_PPM && img->channels != 3)
        return imc_fail(err, IMC_ERR_ARG, "ppm: expects a 3-channel image, not %d channels",
                        img->channels);
    if (kind == PNM_PBM && img->channels != 1)
        return imc_fail(err, IMC_ERR_ARG, "pbm: expects a gray 8-bit image, not %d channels",
                        img->channels);
    return IMC_OK;
}

/* Raw row: PBM packs "pixel is 0" bits MSB first; PPM is RGB; 16-bit is
 * big-endian. */
static size_t raw_row(pnm_kind kind, const imc_image *img, const uint8_t *row, int order,
                      uint8_t *out)
{
    const int w = img->cols, cn = img->channels;
    if (kind == PNM_PBM) {
        size_t bytes = ((size_t)w + 7) / 8;
        memset(out, 0, bytes);
        for (int x = 0; x < w; x++)
            if (row[x] == 0)
                out[x >> 3] |= (uint8_t)(0x80 >> (x & 7));
        return bytes;
    }
    const size_t n = (size_t)w * (size_t)cn;
    const bool swap = cn == 3 && order == IMC_ORDER_BGR;
    if (img->depth == IMC_8U) {
        if (swap)
            imc_row_swap_rb_8u(row, out, w, 3);
        else
            memcpy(out, row, n);
        return n;
    }
    imc_row_16u_to_be((const uint16_t *)(const void *)row, out, w, cn, swap);
    return 2 * n;
}

/* `v` right-aligned in `width` characters, as printf("% 4d") / ("% 6d"). */
static char *put_padded(char *p, unsigned v, int width)
{
    char digits[8];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (int i = n; i < width; i++)
        *p++ = ' ';
    while (n)
        *p++ = digits[--n];
    return p;
}

/* Plain row: PBM as '0'/'1' characters; samples as "% 4d" (16-bit "% 6d"),
 * RGB pixels followed by two spaces; then a newline. */
static size_t plain_row(pnm_kind kind, const imc_image *img, const uint8_t *row, int order,
                        char *out)
{
    const int w = img->cols, cn = img->channels, width = img->depth == IMC_8U ? 4 : 6;
    const uint16_t *row16 = (const uint16_t *)(const void *)row;
    char *p = out;
    for (int x = 0; x < w; x++) {
        if (kind == PNM_PBM) {
            *p++ = row[x] ? '0' : '1';
            continue;
        }
        for (int c = 0; c < cn; c++) {
            int at = x * cn + (cn == 3 && order == IMC_ORDER_BGR ? 2 - c : c);
            p = put_padded(p, img->depth == IMC_8U ? row[at] : row16[at], width);
        }
        if (cn == 3) {
            *p++ = ' ';
            *p++ = ' ';
        }
    }
    *p++ = '\n';
    return (size_t)(p - out);
}

static int write_pnm(pnm_kind kind, bool binary, const imc_image *img, int order, imc_buffer *out,
                     imc_error *err)
{
    const int w = img->cols;
    /* the longest row: plain 16-bit RGB, 20 characters a pixel */
    size_t row_max;
    if (!imc_mul_size((size_t)w, 20, &row_max))
        return imc_fail(err, IMC_ERR_LIMITS, "pnm: image too wide");
    row_max += 2;
    int rc = imc_buffer_printf(out, "P%d\n%d %d\n", kind + (binary ? 3 : 0), w, img->rows);
    if (rc == IMC_OK && kind != PNM_PBM)
        rc = imc_buffer_printf(out, "%d\n", img->depth == IMC_8U ? 255 : 65535);
    char *line = malloc(row_max);
    if (!line)
        rc = IMC_ERR_NOMEM;
    for (int y = 0; y < img->rows && rc == IMC_OK; y++) {
        const uint8_t *row = (const uint8_t *)img->data + (size_t)y * img->step;
        size_t n = binary ? raw_row(kind, img, row, order, (uint8_t *)line)
                          : plain_row(kind, img, row, order, line);
        rc = imc_buffer_append(out, line, n);
    }
    free(line);
    return rc == IMC_OK ? IMC_OK : imc_fail(err, rc, "pnm: cannot write the image");
}

static const imc_param_spec pnm_params[] = {
    IMC_PARAM_ANY(PXM_BINARY, 1), /* 0: ASCII */
};

static int pnm_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                      imc_error *err)
{
    const bool binary = req->params->value[0] != 0;
    pnm_kind kind = kind_for(req->ext, img->channels);
    /* cv2 has PBM take 8-bit images only: it converts 16-bit ones first. */
    imc_image narrow = {0};
    if (kind == PNM_PBM && img->depth != IMC_8U) {
        int rc = imc_convert_to_8u(img, &narrow, err);
        if (rc != IMC_OK)
            return rc;
        img = &narrow;
    }
    int rc = check_layout(kind, img, err);
    if (rc == IMC_OK)
        rc = write_pnm(kind, binary, img, req->order, out, err);
    imc_image_free(&narrow);
    return rc;
}

const imc_codec imc_codec_pnm = {
    .name = "pnm",
    /* "P1".."P6" and PFM's "Pf"/"PF" share it: the fuzz seeds pick */
    .signatures = {IMC_SIGNATURE("P")},
    .extensions = "pbm pgm ppm pnm",
    .sniff = pnm_sniff,
    .decoder_size = sizeof(decoder),
    .open = pnm_open,
    .read = pnm_read,
    .encode = pnm_encode,
    IMC_CODEC_PARAMS(pnm_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_8U) | IMC_DEPTH_BIT(IMC_16U),
};
