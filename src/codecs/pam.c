/* PAM (P7), reproducing cv2 4.6's PAMDecoder / PAMEncoder (grfmt_pam.cpp),
 * quirks included:
 *  - samples come back in file order (an RGB file gives R, G, B in channels
 *    0, 1, 2) and are written as they are in memory;
 *  - without a TUPLTYPE only 1 or 3 channels with maxval < 256 are accepted;
 *  - (not kept: cv2 reads the rows of a MAXVAL 1 file as packed bits, but
 *    PAM samples are whole bytes at any maxval; imc reads the bytes, 1 as
 *    255, which is what cv2 means by its 0 / 255 palette);
 *  - 16-bit samples become 8-bit as v >> 8, and 8-bit ones are never scaled;
 *  - converting to another channel count walks only the first width/depth
 *    pixels of a row (cv2 steps by the file's channel count through `width`
 *    samples): imc writes what cv2 writes there and zeros where cv2 leaves
 *    memory uninitialized, never past the row (cv2 can overflow the image).
 * The header reader keeps cv2's line rules: a field's value starts after any
 * whitespace (newlines included) and runs to the end of the line. */
#include "codecs.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../bytes.h"

enum { VALUE_MAX = 255 }; /* cv2's MAX_PAM_HEADER_VALUE_LENGTH */

/* IMWRITE_PAM_FORMAT_* values index this table, as in cv2. */
static const char *const tuple_types[] = {"", "BLACKANDWHITE", "GRAYSCALE", "GRAYSCALE_ALPHA",
                                          "RGB", "RGB_ALPHA"};
enum {
    TT_NULL = IMC_IMWRITE_PAM_FORMAT_NULL,
    TT_BLACKANDWHITE = IMC_IMWRITE_PAM_FORMAT_BLACKANDWHITE,
    TT_GRAYSCALE = IMC_IMWRITE_PAM_FORMAT_GRAYSCALE,
    TT_GRAYSCALE_ALPHA = IMC_IMWRITE_PAM_FORMAT_GRAYSCALE_ALPHA,
    TT_RGB = IMC_IMWRITE_PAM_FORMAT_RGB,
    TT_RGB_ALPHA = IMC_IMWRITE_PAM_FORMAT_RGB_ALPHA,
    TT_COUNT
};

typedef enum { F_COMMENT, F_ENDHDR, F_HEIGHT, F_WIDTH, F_DEPTH, F_MAXVAL, F_TUPLTYPE } field;
static const char *const field_names[] = {"", "ENDHDR", "HEIGHT", "WIDTH", "DEPTH", "MAXVAL",
                                          "TUPLTYPE"};

typedef struct {
    imc_bytes in;
    int width, height, channels, maxval;
    int tuple_type; /* TT_* */
    bool wide;      /* maxval > 255 */
    bool bilevel;   /* maxval == 1: samples 0 and 1 become 0 and 255 */
} decoder;

static bool pam_sniff(const uint8_t *buf, size_t len)
{
    return len >= 2 && buf[0] == 'P' && buf[1] == '7' && (len == 2 || imc_is_space(buf[2]));
}

static int end_of_data(imc_error *err)
{
    return imc_fail(err, IMC_ERR_TRUNCATED, "pam: the data ends inside the header");
}

/* cv2's ReadPAMHeaderLine: a comment, or a field name and its value
 * (NUL-padded to VALUE_MAX + 1 bytes, trailing whitespace removed). */
static int read_line(imc_bytes *in, field *f, char value[VALUE_MAX + 1], imc_error *err)
{
    int c;
    do
        c = imc_bytes_get(in);
    while (imc_is_space(c));
    if (c < 0)
        return end_of_data(err);
    if (c == '#') {
        do
            c = imc_bytes_get(in);
        while (c >= 0 && c != '\n' && c != '\r');
        *f = F_COMMENT;
        return c < 0 ? end_of_data(err) : IMC_OK;
    }
    char name[9];
    int n = 0;
    for (; n < 8 && !imc_is_space(c); n++) {
        name[n] = (char)c;
        if ((c = imc_bytes_get(in)) < 0)
            return end_of_data(err);
    }
    name[n] = '\0';
    if (!imc_is_space(c))
        return imc_fail(err, IMC_ERR_CORRUPT, "pam: header field name too long");
    int i = F_ENDHDR;
    while (i <= F_TUPLTYPE && strcmp(field_names[i], name) != 0)
        i++;
    if (i > F_TUPLTYPE)
        return imc_fail(err, IMC_ERR_CORRUPT, "pam: unknown header field '%s'", name);
    *f = (field)i;
    memset(value, 0, VALUE_MAX + 1);
    if (c == '\n' || c == '\r')
        return IMC_OK;
    do
        c = imc_bytes_get(in);
    while (imc_is_space(c));
    for (n = 0; n < VALUE_MAX && c != '\n' && c != '\r'; n++) {
        if (c < 0)
            return end_of_data(err);
        value[n] = (char)c;
        c = imc_bytes_get(in);
    }
    if (c < 0)
        return end_of_data(err);
    if (c != '\n' && c != '\r')
        return imc_fail(err, IMC_ERR_CORRUPT, "pam: header value too long");
    while (--n >= 0 && imc_is_space((unsigned char)value[n]))
        value[n] = '\0';
    return IMC_OK;
}

/* cv2's ParseInt: an optional '-', digits (below INT_MAX), then only NULs. */
static int parse_int(const char *value, const char *what, int *out, imc_error *err)
{
    int pos = 0;
    bool negative = value[0] == '-';
    if (negative && !imc_is_digit(value[++pos]))
        return imc_fail(err, IMC_ERR_CORRUPT, "pam: %s is not a number", what);
    int64_t v = 0;
    for (; pos < VALUE_MAX && imc_is_digit(value[pos]); pos++)
        if ((v = v * 10 + (value[pos] - '0')) >= INT_MAX)
            return imc_fail(err, IMC_ERR_CORRUPT, "pam: %s is too large", what);
    if (pos < VALUE_MAX && value[pos] != '\0')
        return imc_fail(err, IMC_ERR_CORRUPT, "pam: %s is not a number", what);
    *out = negative ? -(int)v : (int)v;
    return IMC_OK;
}

/* Stores a numeric field; each may appear once. */
static int set_field(decoder *d, field f, const char *value, unsigned *seen, imc_error *err)
{
    static const char *const what[] = {"", "", "HEIGHT", "WIDTH", "DEPTH", "MAXVAL"};
    if (*seen & (1u << f))
        return imc_fail(err, IMC_ERR_CORRUPT, "pam: %s given twice", what[f]);
    *seen |= 1u << f;
    int *slot = f == F_HEIGHT ? &d->height : f == F_WIDTH ? &d->width
              : f == F_DEPTH  ? &d->channels : &d->maxval;
    int rc = parse_int(value, what[f], slot, err);
    if (rc == IMC_OK && f == F_MAXVAL && d->maxval > 65535)
        return imc_fail(err, IMC_ERR_CORRUPT, "pam: MAXVAL %d exceeds 65535", d->maxval);
    return rc;
}

static int read_fields(decoder *d, imc_error *err)
{
    char value[VALUE_MAX + 1];
    unsigned seen = 0;
    field f = F_COMMENT;
    do {
        int rc = read_line(&d->in, &f, value, err);
        if (rc != IMC_OK)
            return rc;
        if (f == F_TUPLTYPE) {
            int t = 0;
            while (t < TT_COUNT && strcmp(tuple_types[t], value) != 0)
                t++;
            if (t == TT_COUNT)
                return imc_fail(err, IMC_ERR_CORRUPT, "pam: unknown TUPLTYPE '%.40s'", value);
            d->tuple_type = t;
        } else if (f != F_COMMENT && f != F_ENDHDR) {
            rc = set_field(d, f, value, &seen, err);
            if (rc != IMC_OK)
                return rc;
        }
    } while (f != F_ENDHDR);
    unsigned all = 1u << F_HEIGHT | 1u << F_WIDTH | 1u << F_DEPTH | 1u << F_MAXVAL;
    if ((seen & all) != all)
        return imc_fail(err, IMC_ERR_CORRUPT, "pam: WIDTH, HEIGHT, DEPTH or MAXVAL missing");
    return IMC_OK;
}

/* cv2 guesses a missing TUPLTYPE only for 8-bit gray and RGB. */
static int settle_tuple_type(decoder *d, imc_error *err)
{
    if (d->tuple_type == TT_NULL) {
        if (d->channels == 1 && d->maxval == 1)
            d->tuple_type = TT_BLACKANDWHITE;
        else if (d->channels == 1 && d->maxval < 256)
            d->tuple_type = TT_GRAYSCALE;
        else if (d->channels == 3 && d->maxval < 256)
            d->tuple_type = TT_RGB;
        else
            return imc_fail(err, IMC_ERR_UNSUPPORTED,
                            "pam: no TUPLTYPE for %d channels with MAXVAL %d", d->channels,
                            d->maxval);
    }
    if (d->channels < 1 || d->channels > 4)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "pam: DEPTH %d (1 to 4 supported)", d->channels);
    return IMC_OK;
}

static size_t row_bytes(const decoder *d)
{
    return (size_t)d->width * (size_t)d->channels * (d->wide ? 2 : 1);
}

static int pam_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    (void)scale_denom;
    decoder *d = state;
    d->in = imc_bytes_of(buf, len);
    imc_bytes_skip(&d->in, 2);
    int c = imc_bytes_get(&d->in);
    if (c != '\n' && c != '\r')
        return imc_fail(err, IMC_ERR_CORRUPT, "pam: no line break after P7");
    int rc = read_fields(d, err);
    if (rc == IMC_OK)
        rc = settle_tuple_type(d, err);
    if (rc != IMC_OK)
        return rc;
    d->wide = d->maxval > 255;
    d->bilevel = d->maxval == 1;
    /* cv2 accepts the header, then its size check throws (a raise, not None). */
    if (d->width <= 0 || d->height <= 0)
        return imc_fail(err, IMC_ERR_LIMITS, "pam: %d x %d is not a valid size", d->width,
                        d->height);
    hdr->width = d->width;
    hdr->height = d->height;
    hdr->channels = d->channels;
    hdr->depth = d->wide ? IMC_16U : IMC_8U;
    size_t need;
    hdr->data_too_short = !imc_mul_size(row_bytes(d), (size_t)d->height, &need) ||
                          need > imc_bytes_left(&d->in);
    return IMC_OK;
}

/* ---- Reading: cv2's conversions on its row buffer ------------------------ */
static inline unsigned sample(const uint8_t *buf, int depth, size_t i)
{
    return depth == IMC_8U ? buf[i] : ((const uint16_t *)(const void *)buf)[i];
}

static inline void put(uint8_t *out, int depth, size_t i, unsigned v)
{
    if (depth == IMC_8U)
        out[i] = (uint8_t)v;
    else
        ((uint16_t *)(void *)out)[i] = (uint16_t)v;
}

/* cv2's basic_conversion: one output pixel per `channels` input samples, for
 * the first `width` samples only. A gray output pixel is written three times
 * in a row (cv2's d += 3), clipped here to the row; the rest stays zero. */
static void basic_conversion(const decoder *d, const uint8_t *buf, uint8_t *out, const imc_image *dst)
{
    const int w = d->width, cn = d->channels, depth = dst->depth;
    const bool rgb = d->tuple_type == TT_RGB || d->tuple_type == TT_RGB_ALPHA;
    const size_t limit = (size_t)w * (size_t)dst->channels;
    memset(out, 0, limit * imc_depth_size(depth));
    size_t o = 0;
    for (size_t s = 0; s < (size_t)w; s += (size_t)cn, o += 3) {
        if (dst->channels == 1) {
            for (size_t k = 0; k < 3 && o + k < limit; k++)
                put(out, depth, o + k, sample(buf, depth, s));
        } else {
            put(out, depth, o, sample(buf, depth, s + (rgb ? 2 : 0)));
            put(out, depth, o + 1, sample(buf, depth, s + (rgb ? 1 : 0)));
            put(out, depth, o + 2, sample(buf, depth, s));
        }
    }
}

/* One row of the general path: cv2's byte swap and v >> 8 in place on its
 * buffer, then a copy, the RGB conversion or basic_conversion. */
static void convert_row(const decoder *d, uint8_t *buf, uint8_t *out, const imc_image *dst)
{
    const size_t n = (size_t)d->width * (size_t)d->channels;
    if (d->wide) {
        for (size_t i = 0; i < n; i++) {
            uint8_t t = buf[2 * i];
            buf[2 * i] = buf[2 * i + 1];
            buf[2 * i + 1] = t;
        }
        if (dst->depth == IMC_8U)
            for (size_t i = 0; i < n; i++)
                buf[i] = buf[2 * i + 1];
    }
    const int w = d->width;
    if (dst->channels == d->channels) {
        memcpy(out, buf, n * imc_depth_size(dst->depth));
    } else if (d->tuple_type == TT_RGB && dst->channels == 3) {
        if (dst->depth == IMC_8U)
            imc_row_swap_rb_8u(buf, out, w, 3);
        else
            imc_row_swap_rb_16u((const uint16_t *)(void *)buf, (uint16_t *)(void *)out, w, 3);
    } else if (d->tuple_type == TT_RGB) {
        if (dst->depth == IMC_8U)
            imc_row_bgr_to_gray_8u(buf, 3, out, w, true);
        else
            imc_row_bgr_to_gray_16u((const uint16_t *)(void *)buf, 3, (uint16_t *)(void *)out, w,
                                    true);
    } else {
        basic_conversion(d, buf, out, dst);
    }
}

static int pam_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    const size_t stride = row_bytes(d);
    const bool as_is = !d->bilevel && dst->channels == d->channels &&
                       dst->depth == (d->wide ? IMC_16U : IMC_8U);
    /* cv2's row buffer holds 2 * width * channels bytes; its RGB conversion
     * may read 3 samples a pixel from it: zeros stand for what it never
     * filled. It keeps its content from row to row, as cv2's does. */
    size_t size = stride * (d->wide ? 1 : 2);
    if (size < (size_t)d->width * 6)
        size = (size_t)d->width * 6;
    uint16_t *buf16 = calloc(size / 2 + 1, sizeof *buf16);
    if (!buf16)
        return imc_fail(err, IMC_ERR_NOMEM, "pam: out of memory");
    uint8_t *buf = (uint8_t *)buf16;
    int rc = IMC_OK;
    for (int y = 0; y < d->height; y++) {
        uint8_t *out = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (!imc_bytes_read(&d->in, buf, stride)) {
            rc = imc_fail(err, IMC_ERR_TRUNCATED, "pam: the data ends at row %d of %d", y,
                          d->height);
            break;
        }
        if (as_is && !d->wide)
            memcpy(out, buf, stride);
        else if (as_is)
            for (size_t i = 0; i < stride; i += 2) {
                out[i] = buf[i + 1];
                out[i + 1] = buf[i];
            }
        else {
            if (d->bilevel)
                for (size_t i = 0; i < stride; i++)
                    buf[i] = buf[i] ? 255 : 0;
            convert_row(d, buf, out, dst);
        }
    }
    free(buf16);
    if (rc == IMC_OK && req->order == IMC_ORDER_RGB)
        imc_swap_rb(dst);
    return rc;
}

/* ---- Encoding: the header, then memory as it is (16-bit big-endian) ------ */
/* A tuple type cv2 does not name is skipped. */
static const imc_param_spec pam_params[] = {
    IMC_PARAM(PAM_TUPLETYPE, TT_NULL + 1, TT_COUNT - 1, IMC_PARAM_IGNORED, IMC_PARAM_IGNORED,
              TT_NULL),
};

static int pam_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                      imc_error *err)
{
    const int tuple_type = req->params->value[0];
    const bool wide = img->depth == IMC_16U;
    int rc = imc_buffer_printf(out, "P7\nWIDTH %d\nHEIGHT %d\nDEPTH %d\nMAXVAL %d\n", img->cols,
                               img->rows, img->channels, wide ? 65535 : 255);
    if (rc == IMC_OK && tuple_type != TT_NULL)
        rc = imc_buffer_printf(out, "TUPLTYPE %s\n", tuple_types[tuple_type]);
    if (rc == IMC_OK)
        rc = imc_buffer_printf(out, "ENDHDR\n");
    const size_t n = (size_t)img->cols * (size_t)img->channels, bytes = n * (wide ? 2 : 1);
    uint8_t *line = rc == IMC_OK ? malloc(bytes) : NULL;
    if (rc == IMC_OK && !line)
        rc = IMC_ERR_NOMEM;
    /* cv2 writes its BGR memory: RGB input is swapped back to that. */
    const bool swap = req->order == IMC_ORDER_RGB && img->channels >= 3;
    for (int y = 0; y < img->rows && rc == IMC_OK; y++) {
        const uint8_t *row = (const uint8_t *)img->data + (size_t)y * img->step;
        if (!wide) {
            if (swap)
                imc_row_swap_rb_8u(row, line, img->cols, img->channels);
            else
                memcpy(line, row, n);
        } else {
            imc_row_16u_to_be((const uint16_t *)(const void *)row, line, img->cols, img->channels,
                              swap);
        }
        rc = imc_buffer_append(out, line, bytes);
    }
    free(line);
    return rc == IMC_OK ? IMC_OK : imc_fail(err, rc, "pam: cannot write the image");
}

const imc_codec imc_codec_pam = {
    .name = "pam",
    .signatures = {IMC_SIGNATURE("P7\n")},
    .extensions = "pam",
    .sniff = pam_sniff,
    .decoder_size = sizeof(decoder),
    .open = pam_open,
    .read = pam_read,
    .encode = pam_encode,
    IMC_CODEC_PARAMS(pam_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_8U) | IMC_DEPTH_BIT(IMC_16U),
};
