/* AVIF through libavif, with newest OpenCV's semantics (cv2 4.6 has no AVIF).
 *
 * Decoding follows cv2's AvifDecoder: the native type is 8U for 8-bit files
 * and 16U for 10- and 12-bit ones, whose samples keep their range (0..1023,
 * 0..4095; no scaling to 16 bits); libavif converts YUV to BGR(A) at the
 * requested depth, except monochrome images, whose Y plane is copied (or
 * scaled by 2^(8 - depth) with rounding for 8-bit output, as convertTo does).
 * Other channel counts come from cvtColor-style conversions of that result,
 * and the EXIF orientation applies. Frames of image sequences are pages.
 *
 * Encoding makes cv2's libavif calls: lossless (identity matrix, 4:4:4) at
 * quality 100, which libavif 0.11's defaults amount to; else 4:2:0 BT.601.
 * Several images make an image sequence (all key frames when lossless).
 * Metadata: metadata.c. */
#include "../codecs.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <avif/avif.h>

#include "metadata.h"

static int avif_failure(avifResult r, const avifDiagnostics *diag, imc_error *err)
{
    int code = r == AVIF_RESULT_TRUNCATED_DATA      ? IMC_ERR_TRUNCATED
               : r == AVIF_RESULT_OUT_OF_MEMORY     ? IMC_ERR_NOMEM
               : r == AVIF_RESULT_NO_CODEC_AVAILABLE ? IMC_ERR_UNSUPPORTED
                                                     : IMC_ERR_CORRUPT;
    return imc_fail(err, code, "avif: %s%s%s", avifResultToString(r),
                    diag && diag->error[0] ? ": " : "", diag ? diag->error : "");
}

/* EXIF orientation of the Exif item: libavif 0.11 gives the payload after
 * the header-offset field, usually the TIFF header itself. */
static int exif_orientation(const avifRWData *exif)
{
    const uint8_t *p = exif->data;
    size_t n = exif->size;
    if (n >= 6 && !memcmp(p, "Exif\0\0", 6)) {
        p += 6;
        n -= 6;
    }
    return n ? imc_exif_orientation(p, n) : 0;
}

/* ---- Decoding ------------------------------------------------------------ */
typedef struct {
    avifDecoder *dec;
    int channels;      /* native */
    uint32_t current;  /* the page dispatch is on */
    uint32_t decoded;  /* the frame in dec->image, when have_frame */
    bool have_frame;
} decoder;

static bool avif_sniff(const uint8_t *buf, size_t len)
{
    avifROData data = {buf, len};
    return len >= 12 && avifPeekCompatibleFileType(&data);
}

static int avif_open(void *state, const uint8_t *buf, size_t len, int scale_denom,
                     imc_header *hdr, imc_error *err)
{
    (void)scale_denom; /* cv2 resizes AVIFs after decoding */
    decoder *d = state;
    d->dec = avifDecoderCreate();
    if (!d->dec)
        return imc_fail(err, IMC_ERR_NOMEM, "avif: cannot create the decoder");
    d->dec->strictFlags = AVIF_STRICT_DISABLED; /* as cv2 */
    d->dec->ignoreXMP = AVIF_TRUE;
    avifResult r = avifDecoderSetIOMemory(d->dec, buf, len);
    if (r == AVIF_RESULT_OK)
        r = avifDecoderParse(d->dec);
    if (r != AVIF_RESULT_OK)
        return avif_failure(r, &d->dec->diag, err);
    const avifImage *im = d->dec->image;
    if (im->depth != 8 && im->depth != 10 && im->depth != 12)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "avif: %u-bit samples", im->depth);
    bool gray = im->yuvFormat == AVIF_PIXEL_FORMAT_YUV400;
    d->channels = d->dec->alphaPresent ? 4 : gray ? 1 : 3;
    hdr->width = (int)im->width;
    hdr->height = (int)im->height;
    hdr->channels = d->channels;
    hdr->depth = im->depth == 8 ? IMC_8U : IMC_16U;
    hdr->orientation = exif_orientation(&im->exif);
    return IMC_OK;
}

static avifResult decode_current(decoder *d)
{
    if (d->have_frame && d->decoded == d->current)
        return AVIF_RESULT_OK;
    bool next = d->have_frame ? d->decoded + 1 == d->current : d->current == 0;
    avifResult r = next ? avifDecoderNextImage(d->dec) : avifDecoderNthImage(d->dec, d->current);
    d->have_frame = r == AVIF_RESULT_OK;
    d->decoded = d->current;
    return r;
}

/* cv2's copy of a monochrome image's Y plane: as is, or to 8 bits by
 * convertTo's scale 2^(8 - depth) (round half to even, saturate). */
static void copy_luma(const avifImage *im, imc_image *out)
{
    int shift = out->depth == IMC_8U ? (int)im->depth - 8 : 0;
    for (int y = 0; y < out->rows; y++) {
        const uint8_t *src = im->yuvPlanes[AVIF_CHAN_Y] + (size_t)y * im->yuvRowBytes[AVIF_CHAN_Y];
        uint8_t *dst = (uint8_t *)out->data + (size_t)y * out->step;
        if (im->depth == 8 || out->depth == IMC_16U) {
            memcpy(dst, src, (size_t)out->cols * (im->depth == 8 ? 1 : 2));
            continue;
        }
        const uint16_t *s16 = (const uint16_t *)src;
        for (int x = 0; x < out->cols; x++) {
            unsigned v = s16[x], q = v >> shift, rem = v & ((1u << shift) - 1), half = 1u << (shift - 1);
            q += rem > half || (rem == half && (q & 1));
            dst[x] = (uint8_t)(q > 255 ? 255 : q);
        }
    }
}

/* The image in its native channel count, at out's depth, into out. */
static int to_native(const decoder *d, imc_image *out, bool rgb, imc_error *err)
{
    const avifImage *im = d->dec->image;
    if (d->channels == 1) {
        copy_luma(im, out);
        return IMC_OK;
    }
    avifRGBImage px;
    avifRGBImageSetDefaults(&px, im);
    px.format = d->channels == 4 ? (rgb ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_BGRA)
                                 : (rgb ? AVIF_RGB_FORMAT_RGB : AVIF_RGB_FORMAT_BGR);
    px.depth = out->depth == IMC_16U ? im->depth : 8;
    px.pixels = out->data;
    px.rowBytes = (uint32_t)out->step;
    avifResult r = avifImageYUVToRGB(im, &px);
    return r == AVIF_RESULT_OK ? IMC_OK : avif_failure(r, NULL, err);
}

/* cv2's frame duration: libavif's seconds times 1000, truncated. */
static int duration_ms(const avifImageTiming *t)
{
    double ms = t->duration * 1000;
    return ms >= 0 && ms < INT_MAX ? (int)ms : -1;
}

static int avif_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    avifResult r = decode_current(d);
    if (r != AVIF_RESULT_OK)
        return avif_failure(r, &d->dec->diag, err);
    const avifImage *im = d->dec->image;
    if ((int)im->width != dst->cols || (int)im->height != dst->rows)
        return imc_fail(err, IMC_ERR_CORRUPT, "avif: frame %u is %u x %u, not %d x %d",
                        d->current, im->width, im->height, dst->cols, dst->rows);
    bool rgb = req->order == IMC_ORDER_RGB;
    int rc;
    if (dst->channels == d->channels) {
        rc = to_native(d, dst, rgb, err);
    } else { /* cv2 converts the native image with cvtColor */
        imc_image native;
        rc = imc_image_alloc(&native, dst->rows, dst->cols, d->channels, dst->depth);
        if (rc != IMC_OK)
            return imc_fail(err, rc, "avif: out of memory");
        rc = to_native(d, &native, rgb, err);
        for (int y = 0; rc == IMC_OK && y < dst->rows; y++)
            imc_row_convert((uint8_t *)native.data + (size_t)y * native.step, d->channels, rgb,
                            (uint8_t *)dst->data + (size_t)y * dst->step, dst->channels, rgb,
                            dst->cols, dst->depth);
        imc_image_free(&native);
    }
    req->orientation = exif_orientation(&im->exif);
    req->duration_ms = duration_ms(&d->dec->imageTiming);
    return rc;
}

static int avif_next_page(void *state, imc_header *hdr, imc_error *err)
{
    (void)hdr; /* the frames of a sequence share the header's size and type */
    (void)err;
    decoder *d = state;
    if (d->dec->imageCount < 0 || d->current + 1 >= (uint32_t)d->dec->imageCount)
        return 0;
    d->current++;
    return 1;
}

static void avif_close(void *state)
{
    decoder *d = state;
    if (d->dec)
        avifDecoderDestroy(d->dec);
}

/* ---- Encoding ------------------------------------------------------------ */
enum avif_param { P_QUALITY, P_DEPTH, P_SPEED };
static const imc_param_spec avif_params[] = {
    IMC_PARAM_CLAMPED(AVIF_QUALITY, 0, 100, -1), /* -1: libavif's default, lossless */
    IMC_PARAM_ANY(AVIF_DEPTH, 8),                /* checked against the input below */
    IMC_PARAM_CLAMPED(AVIF_SPEED, AVIF_SPEED_SLOWEST, AVIF_SPEED_FASTEST, AVIF_SPEED_FASTEST),
};

typedef struct {
    int quantizer; /* -1: libavif's default (lossless) */
    int depth, speed;
} avif_settings;

static avif_settings read_settings(const imc_param_values *p)
{
    avif_settings s = {-1, p->value[P_DEPTH], p->value[P_SPEED]};
    if (p->given[P_QUALITY]) /* cv2's mapping for libavif < 1.0 */
        s.quantizer = (AVIF_QUANTIZER_BEST_QUALITY - AVIF_QUANTIZER_WORST_QUALITY) *
                          p->value[P_QUALITY] / 100 +
                      AVIF_QUANTIZER_WORST_QUALITY;
    return s;
}

/* One frame as libavif's YUV image, built as cv2's ConvertToAvif does. */
static avifImage *to_yuv(const imc_image *img, bool lossless, int depth, int order)
{
    bool gray = img->channels == 1;
    avifImage *im = avifImageCreate(img->cols, img->rows, (uint32_t)depth,
                                    gray       ? AVIF_PIXEL_FORMAT_YUV400
                                    : lossless ? AVIF_PIXEL_FORMAT_YUV444
                                               : AVIF_PIXEL_FORMAT_YUV420);
    if (!im)
        return NULL;
    bool identity = gray || lossless;
    im->colorPrimaries = identity ? AVIF_COLOR_PRIMARIES_UNSPECIFIED : AVIF_COLOR_PRIMARIES_BT709;
    im->transferCharacteristics = identity ? AVIF_TRANSFER_CHARACTERISTICS_UNSPECIFIED
                                           : AVIF_TRANSFER_CHARACTERISTICS_SRGB;
    im->matrixCoefficients = identity ? AVIF_MATRIX_COEFFICIENTS_IDENTITY
                                      : AVIF_MATRIX_COEFFICIENTS_BT601;
    im->yuvRange = AVIF_RANGE_FULL;
    avifResult r;
    if (gray) { /* cv2 hands the samples over as the Y plane */
        avifImageAllocatePlanes(im, AVIF_PLANES_YUV);
        size_t row = (size_t)img->cols * imc_depth_size(img->depth);
        for (int y = 0; y < img->rows; y++)
            memcpy(im->yuvPlanes[AVIF_CHAN_Y] + (size_t)y * im->yuvRowBytes[AVIF_CHAN_Y],
                   (const uint8_t *)img->data + (size_t)y * img->step, row);
        r = AVIF_RESULT_OK;
    } else {
        avifRGBImage px;
        avifRGBImageSetDefaults(&px, im);
        bool rgb = order == IMC_ORDER_RGB;
        px.format = img->channels == 4 ? (rgb ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_BGRA)
                                       : (rgb ? AVIF_RGB_FORMAT_RGB : AVIF_RGB_FORMAT_BGR);
        px.depth = (uint32_t)depth;
        px.pixels = img->data; /* read only */
        px.rowBytes = (uint32_t)img->step;
        r = avifImageRGBToYUV(im, &px);
    }
    if (r != AVIF_RESULT_OK) {
        avifImageDestroy(im);
        return NULL;
    }
    return im;
}

static int check_frames(const imc_image *imgs, size_t n, int depth, imc_error *err)
{
    if (depth != 8 && depth != 10 && depth != 12)
        return imc_fail(err, IMC_ERR_PARAM, "avif: IMWRITE_AVIF_DEPTH must be 8, 10 or 12, not %d",
                        depth);
    for (size_t i = 0; i < n; i++) {
        if ((depth == 8) != (imgs[i].depth == IMC_8U))
            return imc_fail(err, IMC_ERR_ARG,
                            "avif: %d-bit AVIF needs %s input (IMWRITE_AVIF_DEPTH 8 for uint8, "
                            "10 or 12 for uint16)",
                            depth, depth == 8 ? "8-bit" : "16-bit");
        if (imgs[i].cols != imgs[0].cols || imgs[i].rows != imgs[0].rows)
            return imc_fail(err, IMC_ERR_ARG, "avif: frame %zu is %d x %d, frame 0 %d x %d", i,
                            imgs[i].cols, imgs[i].rows, imgs[0].cols, imgs[0].rows);
    }
    return IMC_OK;
}

static int avif_encode_multi(const imc_image *imgs, size_t n, const imc_encode_request *req,
                             imc_buffer *out, imc_error *err)
{
    avif_settings s = read_settings(req->params);
    int rc = check_frames(imgs, n, s.depth, err);
    if (rc != IMC_OK)
        return rc;
    avifEncoder *enc = avifEncoderCreate();
    if (!enc)
        return imc_fail(err, IMC_ERR_NOMEM, "avif: cannot create the encoder");
    if (s.quantizer >= 0)
        enc->minQuantizer = enc->maxQuantizer = s.quantizer;
    bool lossless = enc->minQuantizer == AVIF_QUANTIZER_LOSSLESS &&
                    enc->maxQuantizer == AVIF_QUANTIZER_LOSSLESS;
    enc->speed = s.speed;
    enc->timescale = 1000;
    /* libaom's inter frames are not exactly lossless for alpha: keep every
     * frame of a lossless sequence a key frame. */
    if (lossless)
        enc->keyframeInterval = 1;
    avifAddImageFlags flags = n == 1 ? AVIF_ADD_IMAGE_FLAG_SINGLE : AVIF_ADD_IMAGE_FLAG_NONE;
    avifResult r = AVIF_RESULT_OK;
    for (size_t i = 0; rc == IMC_OK && r == AVIF_RESULT_OK && i < n; i++) {
        avifImage *im = to_yuv(&imgs[i], lossless, s.depth, req->order);
        if (!im) {
            rc = imc_fail(err, IMC_ERR_NOMEM, "avif: cannot convert frame %zu to YUV", i);
            break;
        }
        rc = imc_avif_set_metadata(im, req->metadata, i == 0, err);
        uint64_t duration = req->durations ? (uint64_t)req->durations[i] : 1000;
        if (rc == IMC_OK)
            r = avifEncoderAddImage(enc, im, duration, flags);
        avifImageDestroy(im);
    }
    avifRWData data = AVIF_DATA_EMPTY;
    if (rc == IMC_OK && r == AVIF_RESULT_OK)
        r = avifEncoderFinish(enc, &data);
    if (rc == IMC_OK && r != AVIF_RESULT_OK)
        rc = imc_fail(err, r == AVIF_RESULT_OUT_OF_MEMORY      ? IMC_ERR_NOMEM
                           : r == AVIF_RESULT_NO_CODEC_AVAILABLE ? IMC_ERR_UNSUPPORTED
                                                                 : IMC_ERR_ARG,
                      "avif: %s%s%s", avifResultToString(r), enc->diag.error[0] ? ": " : "",
                      enc->diag.error);
    if (rc == IMC_OK)
        rc = imc_buffer_append(out, data.data, data.size);
    avifRWDataFree(&data);
    avifEncoderDestroy(enc);
    return rc;
}

const imc_codec imc_codec_avif = {
    .name = "avif",
    /* a whole ftyp box: the brands are what marks AVIF */
    .signatures = {IMC_SIGNATURE("\0\0\0\x1c" "ftypavif\0\0\0\0" "avifmif1miaf")},
    .extensions = "avif",
    .sniff = avif_sniff,
    .decoder_size = sizeof(decoder),
    .open = avif_open,
    .read = avif_read,
    .close = avif_close,
    .next_page = avif_next_page,
    .encode_multi = avif_encode_multi,
    IMC_CODEC_PARAMS(avif_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_8U) | IMC_DEPTH_BIT(IMC_16U),
    .quality_param = IMC_IMWRITE_AVIF_QUALITY,
    .animation = true,
    .read_metadata = imc_avif_read_metadata,
    .metadata_written = 1u << IMC_METADATA_EXIF | 1u << IMC_METADATA_XMP |
                        1u << IMC_METADATA_ICCP | 1u << IMC_METADATA_CICP,
};
