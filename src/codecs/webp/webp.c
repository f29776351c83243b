/* WebP through libwebp, reproducing cv2 4.6's WebPDecoder / WebPEncoder,
 * plus what newer cv2 adds: animated files (frames composited on the
 * canvas by WebPAnimDecoder) and animated encoding of several images.
 *
 * cv2 recognises WebP by running WebPGetFeatures on the first 32 bytes
 * (space-padded when the data is shorter) and decodes with libwebp's simple
 * API into BGR or BGRA, converting to gray with cvtColor; imc makes
 * the same calls, so the pixels match by construction. Encoding uses the
 * same simple API calls as cv2 (lossless by default, lossy when the FIRST
 * param is IMWRITE_WEBP_QUALITY <= 100), so the bytes match too; metadata
 * (metadata.c) is muxed in afterwards, the image chunks untouched. */
#include "../codecs.h"
#include "../../bytes.h"
#include "metadata.h"

#include <stdlib.h>
#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>
#include <webp/mux.h>

enum { HEADER_SIZE = 32 }; /* cv2's WEBP_HEADER_SIZE */

/* cv2's signature check: WebPGetFeatures on exactly 32 bytes, the data
 * padded with spaces as cv2's findDecoder pads short buffers. */
static bool header_features(const uint8_t *buf, size_t len, WebPBitstreamFeatures *features)
{
    uint8_t head[HEADER_SIZE];
    memset(head, ' ', sizeof head);
    memcpy(head, buf, len < sizeof head ? len : sizeof head);
    return WebPGetFeatures(head, sizeof head, features) == VP8_STATUS_OK;
}

static bool webp_sniff(const uint8_t *buf, size_t len)
{
    WebPBitstreamFeatures features;
    return header_features(buf, len, &features);
}

/* ---- Decoding ------------------------------------------------------------ */
typedef struct {
    const uint8_t *buf;
    size_t len;
    int width, height, channels;
    int out_width, out_height; /* the size decoded: smaller when shrunk on load */
    bool animated;
    WebPAnimDecoder *anim; /* animated files, from the first read on */
    int loop_count;        /* from the ANIM chunk: 0 means forever */
    uint32_t bgcolor;      /* the ANIM chunk's B, G, R, A bytes, read little-endian */
    uint32_t frame_count;
    uint32_t frame;        /* index of the frame read() delivers */
    uint32_t frames_done;  /* frames WebPAnimDecoderGetNext has produced */
    uint8_t *canvas;       /* the last frame produced (owned by anim) */
    int end_ms, start_ms;  /* display interval of the last frame produced */
} decoder;

/* The animation's facts from its chunks alone: the decoder, which allocates
 * the whole canvas at once, is made by the first read, after dispatch has
 * checked the size against the limits. */
static int open_animation(decoder *d, imc_error *err)
{
    WebPData data = {d->buf, d->len};
    WebPDemuxer *demux = WebPDemux(&data);
    if (!demux)
        return imc_fail(err, IMC_ERR_CORRUPT, "webp: cannot parse the animation");
    d->frame_count = WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT);
    d->loop_count = (int)WebPDemuxGetI(demux, WEBP_FF_LOOP_COUNT);
    d->bgcolor = WebPDemuxGetI(demux, WEBP_FF_BACKGROUND_COLOR);
    WebPDemuxDelete(demux);
    if (d->frame_count == 0)
        return imc_fail(err, IMC_ERR_CORRUPT, "webp: animation without frames");
    d->animated = true;
    return IMC_OK;
}

static int start_animation(decoder *d, imc_error *err)
{
    WebPAnimDecoderOptions options;
    if (!WebPAnimDecoderOptionsInit(&options))
        return imc_fail(err, IMC_ERR_INTERNAL, "webp: libwebp version mismatch");
    options.color_mode = MODE_BGRA;
    options.use_threads = 0;
    WebPData data = {d->buf, d->len};
    d->anim = WebPAnimDecoderNew(&data, &options);
    if (!d->anim)
        return imc_fail(err, IMC_ERR_CORRUPT, "webp: cannot decode the animation");
    return IMC_OK;
}

static int webp_open(void *state, const uint8_t *buf, size_t len, int scale_denom,
                     imc_header *hdr, imc_error *err)
{
    /* cv2 resizes WebP after decoding; only a thumbnail shrinks on load */
    decoder *d = state;
    d->buf = buf;
    d->len = len;
    if (len < HEADER_SIZE)
        return imc_fail(err, IMC_ERR_TRUNCATED, "webp: %zu bytes, fewer than the 32 of a header",
                        len);
    WebPBitstreamFeatures features;
    if (!header_features(buf, len, &features))
        return imc_fail(err, IMC_ERR_CORRUPT, "webp: invalid header");
    d->width = features.width;
    d->height = features.height;
    d->channels = features.has_alpha ? 4 : 3;
    if (features.has_animation) {
        int rc = open_animation(d, err);
        if (rc != IMC_OK)
            return rc;
    }
    const int shrink = scale_denom & IMC_SHRINK_ON_LOAD ? scale_denom & 0xff : 1;
    d->out_width = d->width;
    d->out_height = d->height;
    if (shrink > 1 && !d->animated) { /* thumbnails: libwebp's own area scaling */
        d->out_width = (d->width + shrink - 1) / shrink;
        d->out_height = (d->height + shrink - 1) / shrink;
        hdr->scaled = true;
    }
    hdr->width = d->out_width;
    hdr->height = d->out_height;
    hdr->channels = d->channels;
    hdr->depth = IMC_8U;
    hdr->loop_count = d->loop_count;
    for (int i = 0; i < 4; i++)
        hdr->bgcolor[i] = (uint8_t)(d->bgcolor >> (8 * i));
    return IMC_OK;
}

/* Writes a decoded BGR(A) image of `src_cn` channels into dst (1, 3 or 4
 * channels, BGR or RGB order) with cv2's conversions. */
static void convert_rows(const uint8_t *src, size_t src_step, int src_cn, imc_image *dst,
                         int order)
{
    const bool rgb = order == IMC_ORDER_RGB;
    for (int y = 0; y < dst->rows; y++) {
        const uint8_t *s = src + (size_t)y * src_step;
        uint8_t *o = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (dst->channels == 1)
            imc_row_cvt_bgr_to_gray_8u(s, src_cn, o, dst->cols);
        else if (dst->channels == 3 && src_cn == 4)
            imc_row_bgra_to_bgr_8u(s, o, dst->cols, rgb);
        else if (rgb)
            imc_row_swap_rb_8u(s, o, dst->cols, src_cn);
        else
            memcpy(o, s, (size_t)dst->cols * (size_t)src_cn);
    }
}

/* The still image in `mode` into out (a thumbnail's: scaled by libwebp). */
static uint8_t *decode_into(const decoder *d, WEBP_CSP_MODE mode, uint8_t *out, size_t size,
                            int stride)
{
    if (d->out_width == d->width && d->out_height == d->height) {
        switch (mode) {
        case MODE_RGB: return WebPDecodeRGBInto(d->buf, d->len, out, size, stride);
        case MODE_RGBA: return WebPDecodeRGBAInto(d->buf, d->len, out, size, stride);
        case MODE_BGRA: return WebPDecodeBGRAInto(d->buf, d->len, out, size, stride);
        default: return WebPDecodeBGRInto(d->buf, d->len, out, size, stride);
        }
    }
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config))
        return NULL;
    config.options.use_scaling = 1;
    config.options.scaled_width = d->out_width;
    config.options.scaled_height = d->out_height;
    config.output.colorspace = mode;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = out;
    config.output.u.RGBA.stride = stride;
    config.output.u.RGBA.size = size;
    return WebPDecode(d->buf, d->len, &config) == VP8_STATUS_OK ? out : NULL;
}

/* Decodes straight into dst when libwebp can write its layout (BGR, BGRA,
 * RGB, RGBA); gray goes through a BGR copy, as cv2 converts it. */
static int read_still(decoder *d, imc_image *dst, int order, imc_error *err)
{
    const bool rgb = order == IMC_ORDER_RGB;
    uint8_t *ok;
    if (dst->channels == 1) {
        size_t step = (size_t)dst->cols * 3, size;
        if (!imc_mul_size(step, (size_t)dst->rows, &size) || size > INT32_MAX)
            return imc_fail(err, IMC_ERR_LIMITS, "webp: image too large");
        uint8_t *bgr = malloc(size);
        if (!bgr)
            return imc_fail(err, IMC_ERR_NOMEM, "webp: out of memory");
        ok = decode_into(d, MODE_BGR, bgr, size, (int)step);
        if (ok)
            convert_rows(bgr, step, 3, dst, order);
        free(bgr);
    } else {
        size_t size = dst->step * (size_t)dst->rows;
        if (size > INT32_MAX || dst->step > INT32_MAX)
            return imc_fail(err, IMC_ERR_LIMITS, "webp: image too large");
        uint8_t *out = dst->data;
        const WEBP_CSP_MODE mode = dst->channels == 3 ? (rgb ? MODE_RGB : MODE_BGR)
                                                      : (rgb ? MODE_RGBA : MODE_BGRA);
        ok = decode_into(d, mode, out, size, (int)dst->step);
    }
    if (!ok)
        return imc_fail(err, IMC_ERR_CORRUPT, "webp: cannot decode the image data");
    return IMC_OK;
}

/* Newer cv2: the frame composited on the canvas, converted from BGRA. */
static int read_frame(decoder *d, imc_image *dst, imc_read_request *req, imc_error *err)
{
    if (!d->anim) {
        int rc = start_animation(d, err);
        if (rc != IMC_OK)
            return rc;
    }
    while (d->frames_done <= d->frame) {
        int timestamp; /* when the frame ends */
        if (!WebPAnimDecoderGetNext(d->anim, &d->canvas, &timestamp))
            return imc_fail(err, IMC_ERR_CORRUPT, "webp: cannot decode frame %u",
                            d->frames_done + 1);
        d->frames_done++;
        d->start_ms = d->end_ms;
        d->end_ms = timestamp;
    }
    req->duration_ms = d->end_ms - d->start_ms;
    convert_rows(d->canvas, (size_t)d->width * 4, 4, dst, req->order);
    return IMC_OK;
}

static int webp_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    if (dst->depth != IMC_8U || dst->cols != d->out_width || dst->rows != d->out_height)
        return imc_fail(err, IMC_ERR_INTERNAL, "webp: unexpected output type");
    int rc = d->animated ? read_frame(d, dst, req, err) : read_still(d, dst, req->order, err);
    /* libwebp reads the RIFF size's bytes; more is not WebP (a spliced file?) */
    uint64_t riff_end = d->len >= 12 && !memcmp(d->buf, "RIFF", 4)
                            ? 8 + (uint64_t)imc_load_le32(d->buf + 4) : d->len;
    riff_end += riff_end & 1; /* a chunk's padding byte */
    if (rc == IMC_OK && riff_end < d->len)
        imc_damage_note(req->damage, IMC_DAMAGE_WARNING, -1, "%llu bytes after the RIFF data",
                        (unsigned long long)(d->len - riff_end));
    return rc;
}

static int webp_next_page(void *state, imc_header *hdr, imc_error *err)
{
    (void)hdr; /* every frame has the canvas size and type */
    (void)err;
    decoder *d = state;
    if (!d->animated || d->frame + 1 >= d->frame_count)
        return 0;
    d->frame++;
    return 1;
}

static void webp_close(void *state)
{
    decoder *d = state;
    WebPAnimDecoderDelete(d->anim);
}

/* ---- Encoding ------------------------------------------------------------ */
/* cv2 only looks at the first param: IMWRITE_WEBP_QUALITY there selects lossy
 * coding (quality clamped up to 1), unless it exceeds 100. */
typedef struct {
    bool has_quality;
    float quality;
} webp_settings;

/* cv2 4.6 reads WEBP_QUALITY only as the first param (the encoder sets
 * params_first_pair_only); above 100, or absent, means lossless. */
static const imc_param_spec webp_params[] = {
    IMC_PARAM(WEBP_QUALITY, 1, INT_MAX, IMC_PARAM_CLAMPED, IMC_PARAM_CLAMPED, -1),
};

static webp_settings read_settings(const imc_param_values *p)
{
    return (webp_settings){p->given[0], p->given[0] ? (float)p->value[0] : 100.0f};
}

/* A contiguous copy of img as BGR (gray expanded, as cv2's GRAY2BGR) or as
 * BGRA (alpha 255 added) when `bgra`; RGB input stays RGB. */
static uint8_t *packed_copy(const imc_image *img, bool bgra, int *cn_out)
{
    int cn = bgra ? 4 : img->channels == 1 ? 3 : img->channels;
    size_t row = (size_t)img->cols * (size_t)cn, size;
    if (!imc_mul_size(row, (size_t)img->rows, &size))
        return NULL;
    uint8_t *out = malloc(size ? size : 1);
    if (!out)
        return NULL;
    for (int y = 0; y < img->rows; y++) {
        const uint8_t *s = (const uint8_t *)img->data + (size_t)y * img->step;
        uint8_t *o = out + (size_t)y * row;
        if (img->channels == cn) {
            memcpy(o, s, row);
            continue;
        }
        for (int x = 0; x < img->cols; x++, o += cn) {
            const uint8_t *p = s + (size_t)x * (size_t)img->channels;
            o[0] = p[0];
            o[1] = img->channels == 1 ? p[0] : p[1];
            o[2] = img->channels == 1 ? p[0] : p[2];
            if (cn == 4)
                o[3] = img->channels == 4 ? p[3] : 255;
        }
    }
    *cn_out = cn;
    return out;
}

static int webp_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                       imc_error *err)
{
    webp_settings s = read_settings(req->params);
    const bool lossless = !s.has_quality || s.quality > 100.0f;
    const bool rgb = req->order == IMC_ORDER_RGB;
    const uint8_t *pixels = img->data;
    size_t step = img->step;
    int cn = img->channels;
    uint8_t *copy = NULL;
    if (cn == 1) { /* cv2: cvtColor(GRAY2BGR) first */
        copy = packed_copy(img, false, &cn);
        if (!copy)
            return imc_fail(err, IMC_ERR_NOMEM, "webp: out of memory");
        pixels = copy;
        step = (size_t)img->cols * 3;
    }
    if (step > INT32_MAX) {
        free(copy);
        return imc_fail(err, IMC_ERR_LIMITS, "webp: image too large");
    }
    const int w = img->cols, h = img->rows, stride = (int)step;
    uint8_t *data = NULL;
    size_t size;
    if (lossless && cn == 3)
        size = rgb ? WebPEncodeLosslessRGB(pixels, w, h, stride, &data)
                   : WebPEncodeLosslessBGR(pixels, w, h, stride, &data);
    else if (lossless)
        size = rgb ? WebPEncodeLosslessRGBA(pixels, w, h, stride, &data)
                   : WebPEncodeLosslessBGRA(pixels, w, h, stride, &data);
    else if (cn == 3)
        size = rgb ? WebPEncodeRGB(pixels, w, h, stride, s.quality, &data)
                   : WebPEncodeBGR(pixels, w, h, stride, s.quality, &data);
    else
        size = rgb ? WebPEncodeRGBA(pixels, w, h, stride, s.quality, &data)
                   : WebPEncodeBGRA(pixels, w, h, stride, s.quality, &data);
    free(copy);
    int rc = size ? imc_webp_put_metadata(data, size, req->metadata, out, err)
                  : imc_fail(err, IMC_ERR_ARG, "webp: libwebp cannot encode a %d x %d image", w, h);
    WebPFree(data);
    return rc;
}

/* Newer cv2's animation writer: one frame per image, each shown for its
 * duration (1000 ms when none are given). Lossy quality 75 (libwebp's
 * default config) unless the first param is IMWRITE_WEBP_QUALITY; lossless
 * from 100 up. */
static int add_frames(WebPAnimEncoder *enc, const imc_image *imgs, size_t count,
                      const WebPConfig *config, const imc_encode_request *req, imc_error *err)
{
    const bool rgb = req->order == IMC_ORDER_RGB;
    int timestamp = 0;
    for (size_t i = 0; i < count; i++) {
        if (imgs[i].cols != imgs[0].cols || imgs[i].rows != imgs[0].rows)
            return imc_fail(err, IMC_ERR_ARG, "webp: frame %zu is %d x %d, the first %d x %d", i,
                            imgs[i].cols, imgs[i].rows, imgs[0].cols, imgs[0].rows);
        int cn;
        uint8_t *bgra = packed_copy(&imgs[i], true, &cn);
        if (!bgra)
            return imc_fail(err, IMC_ERR_NOMEM, "webp: out of memory");
        for (int y = 0; rgb && y < imgs[i].rows; y++) /* libwebp's ARGB words are BGRA bytes */
            imc_row_swap_rb_8u(bgra + (size_t)y * (size_t)imgs[i].cols * 4,
                               bgra + (size_t)y * (size_t)imgs[i].cols * 4, imgs[i].cols, 4);
        WebPPicture pic;
        int ok = WebPPictureInit(&pic);
        pic.width = imgs[i].cols;
        pic.height = imgs[i].rows;
        pic.use_argb = 1;
        pic.argb_stride = imgs[i].cols;
        pic.argb = (uint32_t *)(void *)bgra;
        ok = ok && WebPAnimEncoderAdd(enc, &pic, timestamp, config);
        free(bgra);
        if (!ok)
            return imc_fail(err, IMC_ERR_ARG, "webp: frame %zu: %s", i,
                            WebPAnimEncoderGetError(enc));
        int duration = req->durations ? req->durations[i] : 1000;
        if (duration > INT32_MAX - timestamp)
            return imc_fail(err, IMC_ERR_ARG, "webp: the animation lasts too long");
        timestamp += duration;
    }
    if (!WebPAnimEncoderAdd(enc, NULL, timestamp, NULL))
        return imc_fail(err, IMC_ERR_ARG, "webp: %s", WebPAnimEncoderGetError(enc));
    return IMC_OK;
}

static int webp_encode_multi(const imc_image *imgs, size_t count, const imc_encode_request *req,
                             imc_buffer *out, imc_error *err)
{
    WebPAnimEncoderOptions options;
    WebPConfig config;
    if (!WebPAnimEncoderOptionsInit(&options) || !WebPConfigInit(&config))
        return imc_fail(err, IMC_ERR_INTERNAL, "webp: libwebp version mismatch");
    options.anim_params.loop_count = req->loop_count;
    options.anim_params.bgcolor = 0;
    webp_settings s = read_settings(req->params);
    if (s.has_quality) {
        config.lossless = s.quality >= 100.0f;
        config.quality = s.quality;
    }
    WebPAnimEncoder *enc = WebPAnimEncoderNew(imgs[0].cols, imgs[0].rows, &options);
    if (!enc)
        return imc_fail(err, IMC_ERR_ARG, "webp: cannot encode a %d x %d animation", imgs[0].cols,
                        imgs[0].rows);
    int rc = add_frames(enc, imgs, count, &config, req, err);
    WebPData data;
    WebPDataInit(&data);
    if (rc == IMC_OK && !WebPAnimEncoderAssemble(enc, &data))
        rc = imc_fail(err, IMC_ERR_ARG, "webp: %s", WebPAnimEncoderGetError(enc));
    if (rc == IMC_OK)
        rc = imc_webp_put_metadata(data.bytes, data.size, req->metadata, out, err);
    WebPDataClear(&data);
    WebPAnimEncoderDelete(enc);
    return rc;
}

const imc_codec imc_codec_webp = {
    .name = "webp",
    .signatures = {IMC_SIGNATURE("RIFF")},
    .extensions = "webp",
    .sniff = webp_sniff,
    .decoder_size = sizeof(decoder),
    .open = webp_open,
    .read = webp_read,
    .close = webp_close,
    .next_page = webp_next_page,
    .encode = webp_encode,
    .encode_multi = webp_encode_multi,
    IMC_CODEC_PARAMS(webp_params),
    .params_first_pair_only = true,
    .encode_depths = IMC_DEPTH_BIT(IMC_8U),
    .quality_param = IMC_IMWRITE_WEBP_QUALITY,
    .animation = true,
    .read_metadata = imc_webp_read_metadata,
    .metadata_written = 1u << IMC_METADATA_EXIF | 1u << IMC_METADATA_XMP | 1u << IMC_METADATA_ICCP,
};
