/* PFM (Pf gray, PF color: 32-bit floats, rows bottom to top), reproducing
 * cv2 4.6's PFMDecoder / PFMEncoder (grfmt_pfm.cpp):
 *  - the header is "P[fF]\n", then three tokens that each end at one
 *    whitespace byte (no skipping: a second space makes an empty token, 0),
 *    read with atoi / atof; a byte above 127 fails;
 *  - a scale >= 0 means big-endian data, < 0 little-endian; samples are
 *    multiplied by 1 / |scale| (rounded to float), then converted to 8 bits
 *    with cv2's rounding when the flags do not ask for ANYDEPTH;
 *  - the channel count is the file's whatever the flags (cv2 converts with
 *    convertTo, which keeps channels);
 *  - the encoder takes any depth, converts it to float and writes "-1"
 *    (little-endian) as the scale. */
#include "codecs.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../bytes.h"

enum { TOKEN_MAX = 2048 }; /* cv2's read_number buffer */

typedef struct {
    imc_bytes in;
    int width, height, channels;
    double scale;
} decoder;

static bool pfm_sniff(const uint8_t *buf, size_t len)
{
    return len >= 2 && buf[0] == 'P' && (buf[1] == 'f' || buf[1] == 'F') &&
           (len == 2 || imc_is_space(buf[2]));
}

/* cv2's read_number: bytes up to (and consuming) one whitespace byte, at
 * most TOKEN_MAX of them; `token` gets TOKEN_MAX + 1 bytes, NUL-padded. */
static int read_token(imc_bytes *in, char *token, imc_error *err)
{
    memset(token, 0, TOKEN_MAX + 1);
    for (int i = 0; i < TOKEN_MAX; i++) {
        int c = imc_bytes_get(in);
        if (c < 0)
            return imc_fail(err, IMC_ERR_TRUNCATED, "pfm: the data ends inside the header");
        if (c > 127)
            return imc_fail(err, IMC_ERR_CORRUPT, "pfm: byte 0x%02x in the header", c);
        if (imc_is_space(c))
            break;
        token[i] = (char)c;
    }
    return IMC_OK;
}

/* atoi: glibc's (int)strtol, truncating what does not fit an int. */
static int atoi_like(const char *s)
{
    return (int)(unsigned)strtol(s, NULL, 10);
}

static int pfm_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    (void)scale_denom;
    decoder *d = state;
    d->in = imc_bytes_of(buf, len);
    imc_bytes_skip(&d->in, 1);
    d->channels = imc_bytes_get(&d->in) == 'F' ? 3 : 1;
    if (imc_bytes_get(&d->in) != '\n')
        return imc_fail(err, IMC_ERR_CORRUPT, "pfm: no line break after the magic number");
    char *token = malloc(TOKEN_MAX + 1);
    if (!token)
        return imc_fail(err, IMC_ERR_NOMEM, "pfm: out of memory");
    int rc = read_token(&d->in, token, err);
    if (rc == IMC_OK) {
        d->width = atoi_like(token);
        rc = read_token(&d->in, token, err);
    }
    if (rc == IMC_OK) {
        d->height = atoi_like(token);
        rc = read_token(&d->in, token, err);
    }
    if (rc == IMC_OK)
        d->scale = strtod(token, NULL);
    free(token);
    if (rc != IMC_OK)
        return rc;
    /* cv2 accepts the header, then its size check throws (a raise, not None). */
    if (d->width <= 0 || d->height <= 0)
        return imc_fail(err, IMC_ERR_LIMITS, "pfm: %d x %d is not a valid size", d->width,
                        d->height);
    hdr->width = d->width;
    hdr->height = d->height;
    hdr->channels = d->channels;
    hdr->depth = IMC_32F;
    hdr->native_channels = true;
    size_t row = (size_t)d->width * (size_t)d->channels * 4, need;
    hdr->data_too_short = !imc_mul_size(row, (size_t)d->height, &need) ||
                          need > imc_bytes_left(&d->in);
    return IMC_OK;
}

static inline float load_float(const uint8_t *p, bool big_endian)
{
    uint32_t u = big_endian ? imc_load_be32(p) : imc_load_le32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int pfm_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    if (!(fabs(d->scale) > 0.0))
        return imc_fail(err, IMC_ERR_CORRUPT, "pfm: the scale factor is zero or not a number");
    const double alpha = 1.0 / fabs(d->scale);
    /* cv2's convertTo copies when the scale is 1, else computes x * a + 0. */
    const bool no_scale = fabs(alpha - 1.0) < DBL_EPSILON;
    const float a = (float)alpha;
    const bool big_endian = d->scale >= 0.0;
    const bool swap = d->channels == 3 && req->order == IMC_ORDER_BGR;
    const size_t n = (size_t)d->width * (size_t)d->channels;
    uint8_t *raw = malloc(n * 4);
    float *row = malloc(n * sizeof *row);
    int rc = raw && row ? IMC_OK : imc_fail(err, IMC_ERR_NOMEM, "pfm: out of memory");
    for (int y = d->height - 1; y >= 0 && rc == IMC_OK; y--) {
        if (!imc_bytes_read(&d->in, raw, n * 4)) {
            rc = imc_fail(err, IMC_ERR_TRUNCATED, "pfm: the data ends before the last row");
            break;
        }
        for (size_t i = 0; i < n; i++) {
            size_t from = swap ? i + 2 - 2 * (i % 3) : i; /* file RGB -> BGR */
            float v = load_float(raw + 4 * from, big_endian);
            row[i] = no_scale ? v : v * a + 0.0f;
        }
        uint8_t *out = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (dst->depth == IMC_32F)
            memcpy(out, row, n * sizeof *row);
        else
            imc_row_32f_to_8u(row, out, n, 1.0f);
    }
    free(raw);
    free(row);
    return rc;
}

/* ---- Encoding ------------------------------------------------------------ */
static int pfm_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                      imc_error *err)
{
    const int cn = img->channels;
    if (cn != 1 && cn != 3)
        return imc_fail(err, IMC_ERR_ARG, "pfm: expects 1 or 3 channels, not %d", cn);
    int rc = imc_buffer_printf(out, "P%c\n%d %d\n-1\n", cn == 3 ? 'F' : 'f', img->cols, img->rows);
    const size_t n = (size_t)img->cols * (size_t)cn;
    uint8_t *line = rc == IMC_OK ? malloc(n * 4) : NULL;
    if (rc == IMC_OK && !line)
        rc = IMC_ERR_NOMEM;
    const bool swap = cn == 3 && req->order == IMC_ORDER_BGR;
    for (int y = img->rows - 1; y >= 0 && rc == IMC_OK; y--) {
        const uint8_t *row = (const uint8_t *)img->data + (size_t)y * img->step;
        for (size_t i = 0; i < n; i++) {
            float v = imc_sample_to_float(row, img->depth, swap ? i + 2 - 2 * (i % 3) : i);
            uint32_t u;
            memcpy(&u, &v, sizeof u);
            for (int b = 0; b < 4; b++)
                line[4 * i + (size_t)b] = (uint8_t)(u >> (8 * b));
        }
        rc = imc_buffer_append(out, line, n * 4);
    }
    free(line);
    return rc == IMC_OK ? IMC_OK : imc_fail(err, rc, "pfm: cannot write the image");
}

const imc_codec imc_codec_pfm = {
    .name = "pfm",
    .signatures = {IMC_SIGNATURE("P")}, /* shared with PNM: the fuzz seeds pick */
    .extensions = "pfm",
    .sniff = pfm_sniff,
    .decoder_size = sizeof(decoder),
    .open = pfm_open,
    .read = pfm_read,
    .encode = pfm_encode,
    .encode_depths = IMC_DEPTH_BIT(IMC_8U) | IMC_DEPTH_BIT(IMC_8S) | IMC_DEPTH_BIT(IMC_16U) |
                     IMC_DEPTH_BIT(IMC_16S) | IMC_DEPTH_BIT(IMC_32S) | IMC_DEPTH_BIT(IMC_32F) |
                     IMC_DEPTH_BIT(IMC_64F),
};
