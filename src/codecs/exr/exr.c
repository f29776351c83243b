/* OpenEXR through the OpenEXR 3 C API (OpenEXRCore), reproducing cv2 4.6's
 * ExrDecoder / ExrEncoder, which use the C++ API (grfmt_exr.cpp).
 *
 * Decoding follows cv2 step by step. The header picks channels by name:
 * R, G, B (colour), else Y or Z with RY, BY (luminance / chroma), plus A;
 * the native type is 32F with 1-4 channels. cv2 then reads "slices" into a
 * frame buffer, each channel converted to float (half and uint too), absent
 * channels filled with 0, sub-sampled channels packed at the top left:
 *  - when the output is 32F with the file's colour-ness ("justcopy"), the
 *    whole image goes straight into the output, then sub-sampled channels
 *    are expanded and luminance / chroma becomes BGR;
 *  - otherwise one line at a time goes through a 3-float line buffer that
 *    keeps its content between lines (so lines that a y-sub-sampled
 *    channel skips reuse the previous line's converted values, as in cv2),
 *    and is converted to gray with the chromaticities' x coordinates, or
 *    to BGR, and saturated to 8 bits.
 * imc decodes each chunk with OpenEXRCore straight into the same frame
 * buffer layout, then runs the same post-processing, so the pixels are
 * cv2's. Where cv2's output holds bytes it never wrote (32F output of a
 * luminance file in the "other" colour-ness), imc writes the same bytes and
 * zeros for the rest.
 *
 * Encoding writes the file cv2 writes, byte for byte: R, G, B (+A) or Y (+A)
 * channels of FLOAT or HALF (IMWRITE_EXR_TYPE, rounded to nearest even as
 * cv2's convertFp16), IMWRITE_EXR_COMPRESSION (default ZIP, zlib level 4 as
 * the C++ library), the header in the C++ library's order, and, as in newer
 * OpenCV, IMWRITE_EXR_DWA_COMPRESSION_LEVEL. Only 32F input, as in cv2. */
#include "exr_private.h"

static const uint8_t exr_magic[4] = {0x76, 0x2f, 0x31, 0x01};

static bool exr_sniff(const uint8_t *buf, size_t len)
{
    return len >= sizeof exr_magic && !memcmp(buf, exr_magic, sizeof exr_magic);
}

/* cv2's readHeader: which channels make the image. */
static bool choose_channels(decoder *d, const exr_attr_chlist_t *list)
{
    d->red = imc_exr_find_channel(list, "R");
    d->green = imc_exr_find_channel(list, "G");
    d->blue = imc_exr_find_channel(list, "B");
    d->alpha = imc_exr_find_channel(list, "A");
    d->hasalpha = d->alpha != NULL;
    if (d->red || d->green || d->blue) {
        d->iscolor = true;
        return true;
    }
    d->green = imc_exr_find_channel(list, "Y");
    if (!d->green)
        d->green = imc_exr_find_channel(list, "Z"); /* cv2 then reads "Y": zeros */
    if (!d->green)
        return false;
    d->ischroma = true;
    d->red = imc_exr_find_channel(list, "RY");
    d->blue = imc_exr_find_channel(list, "BY");
    d->iscolor = d->blue || d->red;
    return true;
}

/* A lower bound on the bytes the chunks need: their offsets and headers. */
static bool too_little_data(const decoder *d)
{
    int32_t chunks = 0;
    if (exr_get_chunk_count(d->ctx, 0, &chunks) != EXR_ERR_SUCCESS || chunks < 0)
        return false;
    return (uint64_t)chunks * 16 > d->io.len;
}

static int exr_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    (void)scale_denom; /* cv2 resizes after decoding */
    decoder *d = state;
    d->io.buf = buf;
    d->io.len = len;
    size_t header_end = 0;
    int r = imc_exr_cxx_headers(&d->io, &header_end, err);
    if (r != IMC_OK)
        return r;
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.error_handler_fn = imc_exr_keep_message;
    init.user_data = &d->io;
    init.read_fn = imc_exr_read_memory;
    init.size_fn = imc_exr_memory_size;
    exr_result_t rc = exr_start_read(&d->ctx, "memory", &init);
    if (rc != EXR_ERR_SUCCESS)
        return imc_exr_failure(&d->io, rc, "cannot read the header", err);
    d->table = header_end;
    r = imc_exr_cxx_chunk_offsets(&d->io, d->ctx, header_end, err);
    if (r != IMC_OK)
        return r;
    exr_storage_t storage;
    rc = exr_get_storage(d->ctx, 0, &storage);
    if (rc != EXR_ERR_SUCCESS)
        return imc_exr_failure(&d->io, rc, "cannot read the header", err);
    if (storage != EXR_STORAGE_SCANLINE && storage != EXR_STORAGE_TILED)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "exr: deep data (cv2 reads flat images only)");
    const exr_attr_chlist_t *list = NULL;
    if ((rc = exr_get_data_window(d->ctx, 0, &d->window)) != EXR_ERR_SUCCESS ||
        (rc = exr_get_channels(d->ctx, 0, &list)) != EXR_ERR_SUCCESS)
        return imc_exr_failure(&d->io, rc, "cannot read the header", err);
    int64_t w = (int64_t)d->window.max.x - d->window.min.x + 1;
    int64_t h = (int64_t)d->window.max.y - d->window.min.y + 1;
    if (w <= 0 || h <= 0 || w > INT_MAX || h > INT_MAX)
        return imc_fail(err, IMC_ERR_CORRUPT, "exr: invalid data window");
    d->width = (int)w;
    d->height = (int)h;
    /* Rec. 709, ImfChromaticities' default, unless the file has its own. */
    d->chroma = (exr_attr_chromaticities_t){0.64f, 0.33f, 0.30f, 0.60f, 0.15f, 0.06f,
                                            0.3127f, 0.3290f};
    exr_attr_chromaticities_t c;
    if (exr_attr_get_chromaticities(d->ctx, 0, "chromaticities", &c) == EXR_ERR_SUCCESS)
        d->chroma = c;
    if (!choose_channels(d, list))
        return imc_fail(err, IMC_ERR_UNSUPPORTED,
                        "exr: no R, G, B, Y or Z channel (cv2 reads no other layout)");
    hdr->width = d->width;
    hdr->height = d->height;
    hdr->channels = d->iscolor && d->hasalpha ? 4 : d->iscolor ? 3 : d->hasalpha ? 2 : 1;
    hdr->depth = IMC_32F;
    hdr->data_too_short = too_little_data(d);
    return IMC_OK;
}

static int exr_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    if (dst->cols != d->width || dst->rows != d->height)
        return imc_fail(err, IMC_ERR_INTERNAL, "exr: unexpected output size");
    plan p;
    int rc = imc_exr_make_plan(d, dst, &p, err);
    if (rc == IMC_OK)
        rc = p.justcopy ? imc_exr_read_direct(d, &p, dst, err) : imc_exr_read_by_lines(d, &p, dst, err);
    if (rc == IMC_OK && req->order == IMC_ORDER_RGB)
        imc_swap_rb(dst);
    return rc;
}

static void exr_close(void *state)
{
    decoder *d = state;
    if (d->ctx)
        exr_finish(&d->ctx);
    free(d->io.patched);
}

const imc_codec imc_codec_exr = {
    .name = "exr",
    .signatures = {IMC_SIGNATURE("\x76\x2f\x31\x01")},
    .extensions = "exr",
    .sniff = exr_sniff,
    .decoder_size = sizeof(decoder),
    .open = exr_open,
    .read = exr_read,
    .close = exr_close,
    .encode = imc_exr_encode,
    IMC_CODEC_PARAMS(imc_exr_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_32F),
};
