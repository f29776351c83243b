/* Radiance HDR (.hdr, .pic: RGBE pixels, run-length encoded or flat),
 * reproducing cv2 4.6's HdrDecoder / HdrEncoder (grfmt_hdr.cpp, rgbe.cpp):
 *  - the header is read as fgets() with a 128-byte buffer reads it: a line
 *    of 127 bytes or more continues as the next "line"; it ends at an empty
 *    line and needs "FORMAT=32-bit_rle_rgbe" before that; the next line must
 *    be "-Y <height> +X <width>" (sscanf rules);
 *  - a scanline is run-length encoded when it starts with 2, 2 and its width
 *    (only for widths 8..32767); any other start switches to flat pixels for
 *    the rest of the image;
 *  - the result is 3-channel BGR whatever the flags ask (cv2 converts with
 *    convertTo, which keeps channels): float, or v * 255 rounded to 8 bits;
 *  - the encoder writes the newest cv2's output: IMWRITE_HDR_COMPRESSION
 *    picks RLE (default) or flat; gray input is written as gray RGB; depths
 *    other than float are scaled by 1/255. */
#include "codecs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../bytes.h"

enum { LINE_MAX_BYTES = 128, RLE_MIN_WIDTH = 8, RLE_MAX_WIDTH = 0x7fff };

typedef struct {
    imc_bytes in;
    int width, height;
} decoder;

static bool hdr_sniff(const uint8_t *buf, size_t len)
{
    return (len >= 6 && !memcmp(buf, "#?RGBE", 6)) || (len >= 10 && !memcmp(buf, "#?RADIANCE", 10));
}

/* fgets(line, 128, f): false at the end of the data. */
static bool next_line(imc_bytes *in, char line[LINE_MAX_BYTES])
{
    if (!imc_bytes_left(in))
        return false;
    int n = 0;
    while (n < LINE_MAX_BYTES - 1 && imc_bytes_left(in)) {
        int c = imc_bytes_get(in);
        line[n++] = (char)c;
        if (c == '\n')
            break;
    }
    line[n] = '\0';
    return true;
}

/* sscanf's " %d": whitespace, then a number as strtol reads it, stored
 * into an int as glibc does (truncated). NULL when there is no number. */
static const char *scan_int(const char *p, int *out)
{
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p)
        return NULL;
    *out = (int)(unsigned)v;
    return end;
}

/* sscanf(line, "-Y %d +X %d", &height, &width) == 2 */
static bool parse_resolution(const char *p, int *height, int *width)
{
    if (strncmp(p, "-Y", 2) != 0 || !(p = scan_int(p + 2, height)))
        return false;
    while (imc_is_space((unsigned char)*p))
        p++;
    return strncmp(p, "+X", 2) == 0 && scan_int(p + 2, width) != NULL;
}

static int header_error(bool truncated, const char *what, imc_error *err)
{
    return imc_fail(err, truncated ? IMC_ERR_TRUNCATED : IMC_ERR_CORRUPT, "hdr: %s", what);
}

/* The fewest bytes a scanline takes: flat pixels, or RLE's 4-byte start and
 * one 2-byte run per 127 bytes of each channel. */
static size_t min_scanline_bytes(int width)
{
    if (width < RLE_MIN_WIDTH || width > RLE_MAX_WIDTH)
        return (size_t)width * 4;
    return 4 + 8 * (((size_t)width + 126) / 127);
}

static int hdr_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    (void)scale_denom;
    decoder *d = state;
    d->in = imc_bytes_of(buf, len);
    char line[LINE_MAX_BYTES];
    if (!next_line(&d->in, line)) /* the "#?RADIANCE" line, not checked */
        return header_error(true, "the data ends inside the header", err);
    bool has_format = false;
    for (;;) {
        if (!next_line(&d->in, line))
            return header_error(true, "the data ends inside the header", err);
        if (line[0] == '\n')
            break;
        if (!strcmp(line, "FORMAT=32-bit_rle_rgbe\n"))
            has_format = true;
    }
    if (!has_format)
        return header_error(false, "no FORMAT=32-bit_rle_rgbe line", err);
    if (!next_line(&d->in, line))
        return header_error(true, "the data ends before the image size", err);
    if (!parse_resolution(line, &d->height, &d->width))
        return header_error(false, "no \"-Y <height> +X <width>\" line", err);
    if (d->width <= 0 || d->height <= 0)
        return header_error(false, "width or height is not positive", err);
    hdr->width = d->width;
    hdr->height = d->height;
    hdr->channels = 3;
    hdr->depth = IMC_32F;
    hdr->native_channels = true;
    size_t need;
    hdr->data_too_short = !imc_mul_size(min_scanline_bytes(d->width), (size_t)d->height, &need) ||
                          need > imc_bytes_left(&d->in);
    return IMC_OK;
}

/* rgbe2float into BGR (RGB when rgb) floats. */
static void rgbe_to_float(const uint8_t rgbe[4], float *out, bool rgb)
{
    float f = rgbe[3] ? (float)ldexp(1.0, rgbe[3] - (128 + 8)) : 0.0f;
    out[rgb ? 0 : 2] = rgbe[0] * f;
    out[1] = rgbe[1] * f;
    out[rgb ? 2 : 0] = rgbe[2] * f;
}

/* One channel of an RLE scanline: runs (count > 128) and literal spans. */
static int read_rle_channel(imc_bytes *in, uint8_t *p, uint8_t *end, imc_error *err)
{
    while (p < end) {
        uint8_t pair[2];
        if (!imc_bytes_read(in, pair, 2))
            return imc_fail(err, IMC_ERR_TRUNCATED, "hdr: the data ends inside a scanline");
        bool run = pair[0] > 128;
        size_t count = run ? pair[0] - 128u : pair[0];
        if (count == 0 || count > (size_t)(end - p))
            return imc_fail(err, IMC_ERR_CORRUPT, "hdr: bad scanline data (a run past the row)");
        if (run) {
            memset(p, pair[1], count);
            p += count;
            continue;
        }
        *p++ = pair[1];
        if (count > 1 && !imc_bytes_read(in, p, count - 1))
            return imc_fail(err, IMC_ERR_TRUNCATED, "hdr: the data ends inside a scanline");
        p += count - 1;
    }
    return IMC_OK;
}

/* cv2's RGBE_ReadPixels_RLE, one scanline at a time. `flat` turns true, for
 * good, at the first scanline that does not start like an RLE one. */
static int read_scanline(decoder *d, uint8_t *planes, bool *flat, float *row, bool rgb,
                         imc_error *err)
{
    const int w = d->width;
    int x = 0;
    if (!*flat) {
        uint8_t rgbe[4];
        if (!imc_bytes_read(&d->in, rgbe, 4))
            return imc_fail(err, IMC_ERR_TRUNCATED, "hdr: the data ends before the last scanline");
        if (rgbe[0] != 2 || rgbe[1] != 2 || (rgbe[2] & 0x80)) {
            rgbe_to_float(rgbe, row, rgb);
            *flat = true;
            x = 1;
        } else if (imc_load_be16(rgbe + 2) != w) {
            return imc_fail(err, IMC_ERR_CORRUPT, "hdr: scanline width %d, not %d",
                            imc_load_be16(rgbe + 2), w);
        } else {
            for (int c = 0; c < 4; c++) {
                int rc = read_rle_channel(&d->in, planes + (size_t)c * (size_t)w,
                                          planes + (size_t)(c + 1) * (size_t)w, err);
                if (rc != IMC_OK)
                    return rc;
            }
            for (int i = 0; i < w; i++) {
                uint8_t px[4] = {planes[i], planes[w + i], planes[2 * w + i], planes[3 * w + i]};
                rgbe_to_float(px, row + 3 * (size_t)i, rgb);
            }
            return IMC_OK;
        }
    }
    for (; x < w; x++) {
        uint8_t rgbe[4];
        if (!imc_bytes_read(&d->in, rgbe, 4))
            return imc_fail(err, IMC_ERR_TRUNCATED, "hdr: the data ends before the last pixel");
        rgbe_to_float(rgbe, row + 3 * (size_t)x, rgb);
    }
    return IMC_OK;
}

static int hdr_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    const size_t n = (size_t)d->width * 3;
    bool flat = d->width < RLE_MIN_WIDTH || d->width > RLE_MAX_WIDTH;
    uint8_t *planes = malloc((size_t)d->width * 4);
    float *row = malloc(n * sizeof *row);
    int rc = planes && row ? IMC_OK : imc_fail(err, IMC_ERR_NOMEM, "hdr: out of memory");
    for (int y = 0; y < d->height && rc == IMC_OK; y++) {
        rc = read_scanline(d, planes, &flat, row, req->order == IMC_ORDER_RGB, err);
        uint8_t *out = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (rc != IMC_OK)
            break;
        if (dst->depth == IMC_32F)
            memcpy(out, row, n * sizeof *row);
        else
            imc_row_32f_to_8u(row, out, n, 255.0f);
    }
    free(planes);
    free(row);
    return rc;
}

/* ---- Encoding ------------------------------------------------------------ */
/* (unsigned char)f as x86 computes it: truncation to int32, low byte; NaN
 * and values out of int32 range give 0. */
static uint8_t truncate_to_byte(float f)
{
    if (!(f >= -2147483648.0f && f < 2147483648.0f))
        return 0;
    return (uint8_t)(uint32_t)(int32_t)f;
}

/* rgbe.cpp's float2rgbe. */
static void float_to_rgbe(float r, float g, float b, uint8_t rgbe[4])
{
    float v = r;
    if (g > v)
        v = g;
    if (b > v)
        v = b;
    if (v < 1e-32) {
        memset(rgbe, 0, 4);
        return;
    }
    int e;
    float s = (float)(frexp(v, &e) * 256.0 / v);
    rgbe[0] = truncate_to_byte(r * s);
    rgbe[1] = truncate_to_byte(g * s);
    rgbe[2] = truncate_to_byte(b * s);
    rgbe[3] = (uint8_t)(e + 128);
}

/* Sample i of a row as cv2's convertTo(CV_32F, 1/255.0f) gives it (float
 * samples are taken as they are). */
static float as_float(const uint8_t *row, int depth, size_t i)
{
    float v = imc_sample_to_float(row, depth, i);
    return depth == IMC_32F ? v : v * (1.0f / 255.0f);
}

static int emit(imc_buffer *out, uint8_t count, uint8_t value)
{
    uint8_t pair[2] = {count, value};
    return imc_buffer_append(out, pair, 2);
}

/* RGBE_WriteBytes_RLE: runs of 4 or more equal bytes (at most 127) as
 * (128 + n, byte); a run of 2-3 directly before one also as a run; other
 * bytes as literal spans of at most 128. The output matches cv2's. */
static int write_rle_channel(imc_buffer *out, const uint8_t *data, int n)
{
    int cur = 0, rc = IMC_OK;
    while (cur < n && rc == IMC_OK) {
        int start = cur, run = 0, previous = 0;
        while (run < 4 && start < n) {
            start += run;
            previous = run;
            run = 1;
            while (start + run < n && run < 127 && data[start] == data[start + run])
                run++;
        }
        if (previous > 1 && previous == start - cur) {
            rc = emit(out, (uint8_t)(128 + previous), data[cur]);
            cur = start;
        }
        while (cur < start && rc == IMC_OK) {
            int span = start - cur > 128 ? 128 : start - cur;
            uint8_t count = (uint8_t)span;
            rc = imc_buffer_append(out, &count, 1);
            if (rc == IMC_OK)
                rc = imc_buffer_append(out, data + cur, (size_t)span);
            cur += span;
        }
        if (run >= 4 && rc == IMC_OK) {
            rc = emit(out, (uint8_t)(128 + run), data[start]);
            cur += run;
        }
    }
    return rc;
}

static int write_scanline(const uint8_t *row, int depth, int cn, int width, bool rgb, bool rle,
                          uint8_t *planes, imc_buffer *out)
{
    const int r_at = rgb ? 0 : 2, b_at = rgb ? 2 : 0;
    for (int x = 0; x < width; x++) {
        size_t at = (size_t)x * (size_t)cn;
        float r = as_float(row, depth, cn == 1 ? at : at + (size_t)r_at);
        float g = as_float(row, depth, cn == 1 ? at : at + 1);
        float b = as_float(row, depth, cn == 1 ? at : at + (size_t)b_at);
        uint8_t rgbe[4];
        float_to_rgbe(r, g, b, rgbe);
        for (int c = 0; c < 4; c++)
            planes[(size_t)c * (size_t)width + (size_t)x] = rgbe[c];
    }
    if (!rle) {
        int rc = imc_buffer_reserve(out, out->size + (size_t)width * 4);
        for (int x = 0; x < width && rc == IMC_OK; x++) {
            uint8_t px[4] = {planes[x], planes[width + x], planes[2 * width + x],
                             planes[3 * width + x]};
            rc = imc_buffer_append(out, px, 4);
        }
        return rc;
    }
    uint8_t start[4] = {2, 2, (uint8_t)(width >> 8), (uint8_t)(width & 0xFF)};
    int rc = imc_buffer_append(out, start, 4);
    for (int c = 0; c < 4 && rc == IMC_OK; c++)
        rc = write_rle_channel(out, planes + (size_t)c * (size_t)width, width);
    return rc;
}

/* IMWRITE_HDR_COMPRESSION (newer cv2): RLE by default, as cv2 4.6 writes. */
static const imc_param_spec hdr_params[] = {
    IMC_PARAM(HDR_COMPRESSION, IMC_IMWRITE_HDR_COMPRESSION_NONE, IMC_IMWRITE_HDR_COMPRESSION_RLE,
              IMC_PARAM_REFUSED, IMC_PARAM_REFUSED, IMC_IMWRITE_HDR_COMPRESSION_RLE),
};

static int hdr_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                      imc_error *err)
{
    const int compression = req->params->value[0];
    if (img->channels != 1 && img->channels != 3)
        return imc_fail(err, IMC_ERR_ARG, "hdr: expects 1 or 3 channels, not %d", img->channels);
    const int w = img->cols;
    const bool rle = compression == IMC_IMWRITE_HDR_COMPRESSION_RLE && w >= RLE_MIN_WIDTH &&
                     w <= RLE_MAX_WIDTH;
    int rc = imc_buffer_printf(out, "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y %d +X %d\n", img->rows,
                               w);
    uint8_t *planes = rc == IMC_OK ? malloc((size_t)w * 4) : NULL;
    if (rc == IMC_OK && !planes)
        rc = IMC_ERR_NOMEM;
    for (int y = 0; y < img->rows && rc == IMC_OK; y++)
        rc = write_scanline((const uint8_t *)img->data + (size_t)y * img->step, img->depth,
                            img->channels, w, req->order == IMC_ORDER_RGB, rle, planes, out);
    free(planes);
    return rc == IMC_OK ? IMC_OK : imc_fail(err, rc, "hdr: cannot write the image");
}

const imc_codec imc_codec_hdr = {
    .name = "hdr",
    .signatures = {IMC_SIGNATURE("#?RADIANCE\n")},
    .extensions = "hdr pic",
    .sniff = hdr_sniff,
    .decoder_size = sizeof(decoder),
    .open = hdr_open,
    .read = hdr_read,
    .encode = hdr_encode,
    IMC_CODEC_PARAMS(hdr_params),
    /* cv2's isFormatSupported: all but 64F, which it first converts to 8U */
    .encode_depths = IMC_DEPTH_BIT(IMC_8U) | IMC_DEPTH_BIT(IMC_8S) | IMC_DEPTH_BIT(IMC_16U) |
                     IMC_DEPTH_BIT(IMC_16S) | IMC_DEPTH_BIT(IMC_32S) | IMC_DEPTH_BIT(IMC_32F),
};
