/* JPEG XL through libjxl, with newest OpenCV's semantics (cv2 4.6 has no
 * JPEG XL).
 *
 * Decoding follows cv2's JpegXLDecoder: libjxl converts to the requested
 * depth (8U, 16U, 32F for float files) and channel count, applying the
 * codestream orientation itself; BGR order and gray from color are done
 * here. Beyond cv2: any integer bit depth (up to 8 gives 8U, up to 16 gives
 * 16U, scaled by libjxl to the full range), gray + alpha as BGRA, and the
 * frames of animations (composited by libjxl) as pages with their durations.
 *
 * Encoding makes cv2's libjxl calls (XYB, distance 1 by default). Lossless
 * (distance 0, quality 100) keeps the original color space, which libjxl
 * requires; several images make an animation. Metadata: metadata.c. */
#include "../codecs.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jxl/decode.h>
#include <jxl/encode.h>
#ifdef IMC_HAVE_JXL_THREADS
#include <jxl/thread_parallel_runner.h>
#endif

#include "metadata.h"

static const uint8_t container_signature[12] = {0, 0, 0, 0x0c, 'J', 'X', 'L', ' ',
                                                0x0d, 0x0a, 0x87, 0x0a};

static bool jxl_sniff(const uint8_t *buf, size_t len)
{
    return (len >= 2 && buf[0] == 0xff && buf[1] == 0x0a) ||
           (len >= sizeof container_signature &&
            !memcmp(buf, container_signature, sizeof container_signature));
}

/* libjxl's sample type for each depth imc gives or takes. */
static const JxlDataType sample_types[] = {[IMC_8U] = JXL_TYPE_UINT8, [IMC_16U] = JXL_TYPE_UINT16,
                                           [IMC_32F] = JXL_TYPE_FLOAT};

/* ---- Threads: libjxl's pool, when libjxl_threads is there ---------------- */
static void *make_runner(void)
{
#ifdef IMC_HAVE_JXL_THREADS
    return JxlThreadParallelRunnerCreate(NULL, JxlThreadParallelRunnerDefaultNumWorkerThreads());
#else
    return NULL;
#endif
}

static void free_runner(void *runner)
{
#ifdef IMC_HAVE_JXL_THREADS
    if (runner)
        JxlThreadParallelRunnerDestroy(runner);
#else
    (void)runner;
#endif
}

#ifdef IMC_HAVE_JXL_THREADS
#define RUNNER_FN JxlThreadParallelRunner
#else
#define RUNNER_FN NULL
#endif

/* ---- Decoding ------------------------------------------------------------ */
typedef struct {
    JxlDecoder *dec;
    void *runner;
    const uint8_t *buf;
    size_t len;
    JxlBasicInfo info;
    int color;       /* 1 or 3 color channels */
    size_t frames;   /* 0 until counted */
    size_t current;  /* the page dispatch is on */
    size_t consumed; /* frames decoded or skipped so far */
    int duration_ms;
} decoder;

/* A failed decoding step: input runs out (truncation) or libjxl refuses. */
static int stream_failure(JxlDecoderStatus s, const char *what, imc_error *err)
{
    return s == JXL_DEC_NEED_MORE_INPUT
               ? imc_fail(err, IMC_ERR_TRUNCATED, "jxl: data ends before the %s", what)
               : imc_fail(err, IMC_ERR_CORRUPT, "jxl: invalid data before the %s", what);
}

static JxlDecoder *make_decoder(const uint8_t *buf, size_t len, int events, void *runner)
{
    JxlDecoder *dec = JxlDecoderCreate(NULL);
    if (!dec)
        return NULL;
    if ((runner && JxlDecoderSetParallelRunner(dec, RUNNER_FN, runner) != JXL_DEC_SUCCESS) ||
        JxlDecoderSubscribeEvents(dec, events) != JXL_DEC_SUCCESS ||
        JxlDecoderSetInput(dec, buf, len) != JXL_DEC_SUCCESS) {
        JxlDecoderDestroy(dec);
        return NULL;
    }
    /* Input left open, as cv2 leaves it: libjxl then tells truncation
     * (JXL_DEC_NEED_MORE_INPUT) from damage (JXL_DEC_ERROR). */
    return dec;
}

static int depth_of(const JxlBasicInfo *info)
{
    if (info->exponent_bits_per_sample > 0 || info->bits_per_sample > 16)
        return IMC_32F;
    return info->bits_per_sample > 8 ? IMC_16U : IMC_8U;
}

static int jxl_open(void *state, const uint8_t *buf, size_t len, int scale_denom,
                    imc_header *hdr, imc_error *err)
{
    (void)scale_denom; /* cv2 resizes JPEG XL images after decoding */
    decoder *d = state;
    d->buf = buf;
    d->len = len;
    d->runner = make_runner();
    d->dec = make_decoder(buf, len, JXL_DEC_BASIC_INFO | JXL_DEC_FRAME | JXL_DEC_FULL_IMAGE,
                          d->runner);
    if (!d->dec)
        return imc_fail(err, IMC_ERR_NOMEM, "jxl: cannot create the decoder");
    JxlDecoderStatus s = JxlDecoderProcessInput(d->dec);
    if (s != JXL_DEC_BASIC_INFO || JxlDecoderGetBasicInfo(d->dec, &d->info) != JXL_DEC_SUCCESS)
        return stream_failure(s, "image header", err);
    const JxlBasicInfo *info = &d->info;
    if (info->xsize == 0 || info->ysize == 0 || info->xsize > INT_MAX || info->ysize > INT_MAX)
        return imc_fail(err, IMC_ERR_CORRUPT, "jxl: %u x %u image", info->xsize, info->ysize);
    d->color = info->num_color_channels == 1 ? 1 : 3;
    d->frames = info->have_animation ? 0 : 1;
    hdr->width = (int)info->xsize;
    hdr->height = (int)info->ysize;
    hdr->channels = info->alpha_bits > 0 ? 4 : d->color;
    hdr->depth = depth_of(info);
    hdr->loop_count = info->have_animation && info->animation.num_loops <= INT_MAX
                          ? (int)info->animation.num_loops
                          : 0;
    return IMC_OK;
}

/* The frames of an animation: libjxl reports every composited frame, and
 * skips the pixels when nobody asks for them. */
static size_t count_frames(const decoder *d)
{
    JxlDecoder *dec = make_decoder(d->buf, d->len, JXL_DEC_FRAME, NULL);
    size_t n = 0;
    for (JxlDecoderStatus s = JXL_DEC_FRAME; dec && s == JXL_DEC_FRAME; n += s == JXL_DEC_FRAME)
        s = JxlDecoderProcessInput(dec);
    if (dec)
        JxlDecoderDestroy(dec);
    return n ? n : 1;
}

static int frame_duration_ms(const decoder *d)
{
    JxlFrameHeader fh;
    const JxlAnimationHeader *a = &d->info.animation;
    if (!d->info.have_animation || a->tps_numerator == 0 ||
        JxlDecoderGetFrameHeader(d->dec, &fh) != JXL_DEC_SUCCESS)
        return -1;
    double ms = (double)fh.duration * 1000.0 * a->tps_denominator / a->tps_numerator;
    return ms < INT_MAX ? (int)ms : INT_MAX;
}

/* Decodes the current frame into pixels (size bytes, format fmt). */
static int decode_frame(decoder *d, void *pixels, size_t size, const JxlPixelFormat *fmt,
                        imc_error *err)
{
    if (d->consumed > d->current)
        return imc_fail(err, IMC_ERR_INTERNAL, "jxl: frame %zu was read already", d->current);
    if (d->consumed < d->current)
        JxlDecoderSkipFrames(d->dec, d->current - d->consumed);
    size_t needed;
    for (;;) {
        JxlDecoderStatus s = JxlDecoderProcessInput(d->dec);
        if (s == JXL_DEC_FRAME) {
            d->duration_ms = frame_duration_ms(d);
        } else if (s == JXL_DEC_NEED_IMAGE_OUT_BUFFER) {
            if (JxlDecoderImageOutBufferSize(d->dec, fmt, &needed) != JXL_DEC_SUCCESS ||
                needed != size ||
                JxlDecoderSetImageOutBuffer(d->dec, fmt, pixels, size) != JXL_DEC_SUCCESS)
                return imc_fail(err, IMC_ERR_INTERNAL, "jxl: unexpected output size");
        } else if (s == JXL_DEC_FULL_IMAGE) {
            d->consumed = d->current + 1;
            return IMC_OK;
        } else {
            return stream_failure(s == JXL_DEC_SUCCESS ? JXL_DEC_ERROR : s, "image ends", err);
        }
    }
}

/* cv2's float gray (its callback's order of operations), RGB input. */
static void rgb_to_gray_32f(const float *src, float *dst, int width)
{
    const float r = 0.299f, g = 0.587f, b = 1.000f - r - g;
    for (int x = 0; x < width; x++, src += 3)
        dst[x] = src[0] * r + src[1] * g + src[2] * b;
}

static int jxl_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    /* libjxl cannot make gray from color: ask for RGB and convert. */
    bool to_gray = dst->channels == 1 && d->color == 3;
    imc_image rgb = *dst;
    if (to_gray) {
        int rc = imc_image_alloc(&rgb, dst->rows, dst->cols, 3, dst->depth);
        if (rc != IMC_OK)
            return imc_fail(err, rc, "jxl: out of memory");
    }
    size_t elem = imc_depth_size(dst->depth), row = (size_t)rgb.cols * (size_t)rgb.channels * elem;
    JxlPixelFormat fmt = {(uint32_t)rgb.channels, sample_types[dst->depth], JXL_NATIVE_ENDIAN, rgb.step};
    int rc = decode_frame(d, rgb.data, rgb.step * (size_t)(rgb.rows - 1) + row, &fmt, err);
    for (int y = 0; rc == IMC_OK && y < dst->rows; y++) {
        uint8_t *src = (uint8_t *)rgb.data + (size_t)y * rgb.step;
        uint8_t *out = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (dst->depth == IMC_32F && to_gray)
            rgb_to_gray_32f((const float *)src, (float *)out, dst->cols);
        else if (dst->depth == IMC_32F && req->order == IMC_ORDER_BGR && dst->channels > 1)
            for (int x = 0; x < dst->cols; x++) {
                float *p = (float *)out + (size_t)x * (size_t)dst->channels, t = p[0];
                p[0] = p[2];
                p[2] = t;
            }
        else if (to_gray && dst->depth == IMC_8U) /* cv2's imgcodecs gray, RGB input */
            imc_row_bgr_to_gray_8u(src, 3, out, dst->cols, true);
        else if (to_gray)
            imc_row_bgr_to_gray_16u((const uint16_t *)src, 3, (uint16_t *)out, dst->cols, true);
        else if (dst->depth != IMC_32F && req->order == IMC_ORDER_BGR)
            imc_row_convert(src, rgb.channels, true, out, dst->channels, false, dst->cols,
                            dst->depth);
    }
    if (to_gray)
        imc_image_free(&rgb);
    req->duration_ms = d->duration_ms;
    return rc;
}

static int jxl_next_page(void *state, imc_header *hdr, imc_error *err)
{
    (void)hdr; /* composited frames all have the image's size */
    (void)err;
    decoder *d = state;
    if (d->frames == 0)
        d->frames = count_frames(d);
    if (d->current + 1 >= d->frames)
        return 0;
    d->current++;
    return 1;
}

static void jxl_close(void *state)
{
    decoder *d = state;
    if (d->dec)
        JxlDecoderDestroy(d->dec);
    free_runner(d->runner);
}

/* ---- Encoding ------------------------------------------------------------ */
typedef struct {
    float distance;
    int effort, decoding_speed; /* -1: libjxl's default */
} jxl_settings;

/* libjxl 0.10's JxlEncoderDistanceFromQuality (cjxl's mapping). */
static float distance_from_quality(int q)
{
    double d = q >= 100 ? 0.0
               : q >= 30 ? 0.1 + (100 - q) * 0.09
                         : 53.0 / 3000.0 * q * q - 23.0 / 20.0 * q + 25.0;
    return (float)d;
}

/* cv2's params, the later of QUALITY and DISTANCE winning. Efforts 8 and
 * 9 run as 7 (libjxl's default): libjxl 0.7 kills the process there (an
 * assertion in its ANS coder, SIGILL) on some small images, lossy or
 * lossless (three inputs found by fuzz_encode). */
enum jxl_param { P_QUALITY, P_EFFORT, P_DISTANCE, P_DECODING_SPEED };
static const imc_param_spec jxl_params[] = {
    IMC_PARAM_CLAMPED(JPEGXL_QUALITY, 0, 100, -1), /* absent: DISTANCE decides */
    IMC_PARAM_CLAMPED(JPEGXL_EFFORT, 1, 7, -1), /* -1: libjxl's default */
    IMC_PARAM_CLAMPED(JPEGXL_DISTANCE, 0, 25, 1),
    IMC_PARAM_CLAMPED(JPEGXL_DECODING_SPEED, 0, 4, -1),
};

/* Distances are libjxl 0.7's: at most 15. */
static jxl_settings read_settings(const imc_param_values *p)
{
    float distance = imc_param_later(p, P_QUALITY, P_DISTANCE)
                         ? distance_from_quality(p->value[P_QUALITY])
                         : (float)p->value[P_DISTANCE];
    return (jxl_settings){distance > 15.0f ? 15.0f : distance, p->value[P_EFFORT],
                          p->value[P_DECODING_SPEED]};
}

/* The colour space: sRGB, or the caller's ICC profile (which the pixels are
 * taken to be in: libjxl converts from it only for lossy coding in XYB). */
static bool set_basic_info(JxlEncoder *enc, const imc_image *img, bool lossless, bool animated,
                           int loop_count, const imc_metadata_blob *icc)
{
    JxlBasicInfo info;
    JxlEncoderInitBasicInfo(&info);
    info.xsize = (uint32_t)img->cols;
    info.ysize = (uint32_t)img->rows;
    info.num_color_channels = img->channels == 1 ? 1 : 3;
    info.num_extra_channels = img->channels == 4 ? 1 : 0;
    info.bits_per_sample = 8 * (uint32_t)imc_depth_size(img->depth);
    info.exponent_bits_per_sample = img->depth == IMC_32F ? 8 : 0;
    if (img->channels == 4) {
        info.alpha_bits = info.bits_per_sample;
        info.alpha_exponent_bits = info.exponent_bits_per_sample;
    }
    info.uses_original_profile = lossless || icc->data;
    if (animated) {
        info.have_animation = JXL_TRUE;
        info.animation.tps_numerator = 1000; /* ticks are milliseconds */
        info.animation.tps_denominator = 1;
        info.animation.num_loops = (uint32_t)loop_count;
    }
    JxlColorEncoding color;
    JxlColorEncodingSetToSRGB(&color, img->channels == 1);
    return JxlEncoderSetBasicInfo(enc, &info) == JXL_ENC_SUCCESS &&
           (icc->data ? JxlEncoderSetICCProfile(enc, icc->data, icc->size)
                      : JxlEncoderSetColorEncoding(enc, &color)) == JXL_ENC_SUCCESS;
}

static JxlEncoderFrameSettings *frame_settings(JxlEncoder *enc, const jxl_settings *s)
{
    JxlEncoderFrameSettings *fs = JxlEncoderFrameSettingsCreate(enc, NULL);
    if (!fs || JxlEncoderSetFrameDistance(fs, s->distance) != JXL_ENC_SUCCESS ||
        (s->distance == 0 && JxlEncoderSetFrameLossless(fs, JXL_TRUE) != JXL_ENC_SUCCESS) ||
        (s->effort > 0 &&
         JxlEncoderFrameSettingsSetOption(fs, JXL_ENC_FRAME_SETTING_EFFORT, s->effort) !=
             JXL_ENC_SUCCESS) ||
        (s->decoding_speed >= 0 &&
         JxlEncoderFrameSettingsSetOption(fs, JXL_ENC_FRAME_SETTING_DECODING_SPEED,
                                          s->decoding_speed) != JXL_ENC_SUCCESS))
        return NULL;
    return fs;
}

/* One frame, packed and in RGB(A) order as libjxl takes it. */
static bool add_frame(JxlEncoderFrameSettings *fs, const imc_image *img, int order,
                      int duration_ms, bool animated)
{
    if (animated) {
        JxlFrameHeader fh;
        JxlEncoderInitFrameHeader(&fh);
        fh.duration = (uint32_t)duration_ms;
        if (JxlEncoderSetFrameHeader(fs, &fh) != JXL_ENC_SUCCESS)
            return false;
    }
    size_t elem = imc_depth_size(img->depth), row = (size_t)img->cols * (size_t)img->channels * elem;
    uint8_t *packed = malloc(row * (size_t)img->rows + 1);
    if (!packed)
        return false;
    bool swap = order == IMC_ORDER_BGR && img->channels > 1;
    for (int y = 0; y < img->rows; y++) {
        const uint8_t *src = (const uint8_t *)img->data + (size_t)y * img->step;
        uint8_t *dst = packed + (size_t)y * row;
        memcpy(dst, src, row);
        for (int x = 0; swap && x < img->cols; x++) { /* BGR(A) -> RGB(A), any sample size */
            uint8_t *p = dst + (size_t)x * (size_t)img->channels * elem, t[4];
            memcpy(t, p, elem);
            memcpy(p, p + 2 * elem, elem);
            memcpy(p + 2 * elem, t, elem);
        }
    }
    JxlPixelFormat fmt = {(uint32_t)img->channels, sample_types[img->depth], JXL_NATIVE_ENDIAN, 0};
    bool ok = JxlEncoderAddImageFrame(fs, &fmt, packed, row * (size_t)img->rows) == JXL_ENC_SUCCESS;
    free(packed);
    return ok;
}

static int collect_output(JxlEncoder *enc, imc_buffer *out, imc_error *err)
{
    JxlEncoderStatus s = JXL_ENC_NEED_MORE_OUTPUT;
    while (s == JXL_ENC_NEED_MORE_OUTPUT) {
        size_t chunk = out->size < 65536 ? 65536 : out->size;
        if (imc_buffer_reserve(out, out->size + chunk) != IMC_OK)
            return imc_fail(err, IMC_ERR_NOMEM, "jxl: out of memory");
        uint8_t *next = out->data + out->size;
        size_t avail = out->capacity - out->size;
        s = JxlEncoderProcessOutput(enc, &next, &avail);
        out->size = (size_t)(next - out->data);
    }
    return s == JXL_ENC_SUCCESS ? IMC_OK
                                : imc_fail(err, IMC_ERR_INTERNAL, "jxl: encoding failed (%d)",
                                           (int)JxlEncoderGetError(enc));
}

/* libjxl 0.7's lossy float path aborts (a trap, not an error) on NaN,
 * infinities and huge samples: lossy float input must stay within half
 * float's range. Lossless coding takes any value. */
static bool floats_in_range(const imc_image *img)
{
    size_t n = (size_t)img->cols * (size_t)img->channels;
    for (int y = 0; y < img->rows; y++) {
        const float *row = (const float *)(const void *)((const uint8_t *)img->data +
                                                         (size_t)y * img->step);
        for (size_t i = 0; i < n; i++)
            if (!(row[i] >= -65504.0f && row[i] <= 65504.0f))
                return false;
    }
    return true;
}

static int jxl_encode_multi(const imc_image *imgs, size_t n, const imc_encode_request *req,
                            imc_buffer *out, imc_error *err)
{
    for (size_t i = 1; i < n; i++)
        if (imgs[i].cols != imgs[0].cols || imgs[i].rows != imgs[0].rows ||
            imgs[i].channels != imgs[0].channels || imgs[i].depth != imgs[0].depth)
            return imc_fail(err, IMC_ERR_ARG, "jxl: frame %zu differs from frame 0 in size or type",
                            i);
    jxl_settings s = read_settings(req->params);
    for (size_t i = 0; s.distance > 0 && i < n; i++)
        if (imgs[i].depth == IMC_32F && !floats_in_range(&imgs[i]))
            return imc_fail(err, IMC_ERR_ARG,
                            "jxl: lossy float encoding needs finite samples within +-65504 "
                            "(JPEGXL_DISTANCE 0 stores any value)");
    bool animated = n > 1 || req->durations;
    JxlEncoder *enc = JxlEncoderCreate(NULL);
    void *runner = make_runner();
    int rc = IMC_OK;
    if (!enc || (runner && JxlEncoderSetParallelRunner(enc, RUNNER_FN, runner) != JXL_ENC_SUCCESS))
        rc = imc_fail(err, IMC_ERR_NOMEM, "jxl: cannot create the encoder");
    else if (!set_basic_info(enc, &imgs[0], s.distance == 0, animated, req->loop_count,
                             &req->metadata[IMC_METADATA_ICCP]))
        rc = imc_fail(err, IMC_ERR_ARG, "jxl: libjxl refuses a %d x %d image%s", imgs[0].cols,
                      imgs[0].rows, req->metadata[IMC_METADATA_ICCP].data
                                        ? " with this ICC profile (does it describe "
                                          "its channels?)"
                                        : "");
    if (rc == IMC_OK)
        rc = imc_jxl_add_boxes(enc, req->metadata, err);
    JxlEncoderFrameSettings *fs = rc == IMC_OK ? frame_settings(enc, &s) : NULL;
    if (rc == IMC_OK && !fs)
        rc = imc_fail(err, IMC_ERR_PARAM, "jxl: libjxl refuses the settings");
    for (size_t i = 0; rc == IMC_OK && i < n; i++)
        if (!add_frame(fs, &imgs[i], req->order, req->durations ? req->durations[i] : 1000,
                       animated))
            rc = imc_fail(err, IMC_ERR_INTERNAL, "jxl: cannot add frame %zu (%d)", i,
                          (int)JxlEncoderGetError(enc));
    if (rc == IMC_OK) {
        JxlEncoderCloseInput(enc);
        rc = collect_output(enc, out, err);
    }
    if (enc)
        JxlEncoderDestroy(enc);
    free_runner(runner);
    return rc;
}

const imc_codec imc_codec_jxl = {
    .name = "jxl",
    .signatures = {IMC_SIGNATURE("\xff\x0a")},
    .extensions = "jxl",
    .sniff = jxl_sniff,
    .decoder_size = sizeof(decoder),
    .open = jxl_open,
    .read = jxl_read,
    .close = jxl_close,
    .next_page = jxl_next_page,
    .encode_multi = jxl_encode_multi,
    IMC_CODEC_PARAMS(jxl_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_8U) | IMC_DEPTH_BIT(IMC_16U) | IMC_DEPTH_BIT(IMC_32F),
    .quality_param = IMC_IMWRITE_JPEGXL_QUALITY,
    .animation = true,
    .read_metadata = imc_jxl_read_metadata,
    .metadata_written = 1u << IMC_METADATA_EXIF | 1u << IMC_METADATA_XMP | 1u << IMC_METADATA_ICCP,
};
