/* imc_decode and imc_probe: cv::imdecode's control flow, codec-neutral.
 * Sniff the codec, read the header, pick the output type from the flags
 * exactly as cv2 does, check limits, allocate once, read, then apply the
 * REDUCED_* resize (for codecs that cannot scale) and the EXIF orientation. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* cv2: REDUCED_* only counts when flags > IMREAD_LOAD_GDAL. */
static int scale_denom_of(int flags)
{
    if (flags > IMC_IMREAD_LOAD_GDAL) {
        if (flags & IMC_IMREAD_REDUCED_GRAYSCALE_2)
            return 2;
        if (flags & IMC_IMREAD_REDUCED_GRAYSCALE_4)
            return 4;
        if (flags & IMC_IMREAD_REDUCED_GRAYSCALE_8)
            return 8;
    }
    return 1;
}

/* cv2's imdecode_ type selection, bit for bit (negative flags included). */
static void output_type(int flags, const imc_header *hdr, int *channels, int *depth)
{
    *channels = hdr->channels;
    *depth = hdr->depth;
    if ((flags & IMC_IMREAD_LOAD_GDAL) != IMC_IMREAD_LOAD_GDAL && flags != IMC_IMREAD_UNCHANGED) {
        if ((flags & IMC_IMREAD_ANYDEPTH) == 0)
            *depth = IMC_8U;
        if ((flags & IMC_IMREAD_COLOR) != 0 || ((flags & IMC_IMREAD_ANYCOLOR) != 0 && hdr->channels > 1))
            *channels = 3;
        else
            *channels = 1;
    }
}

static int decode_with(const imc_codec *codec, void *state, const uint8_t *buf, size_t len,
                       const imc_decode_options *opts, const imc_limits *limits,
                       imc_image *out, imc_error *err)
{
    int flags = opts->flags, scale = scale_denom_of(flags);
    imc_header hdr = {0};
    int rc = codec->open(state, buf, len, scale, &hdr, err);
    if (rc != IMC_OK)
        return rc;

    int channels, depth;
    output_type(flags, &hdr, &channels, &depth);
    rc = imc_check_limits(limits, (uint64_t)hdr.width, (uint64_t)hdr.height, channels, depth, err);
    if (rc != IMC_OK)
        return rc;
    if (hdr.data_too_short)
        return imc_fail(err, IMC_ERR_TRUNCATED, "%s: the data is too short for a %d x %d image",
                        codec->name, hdr.width, hdr.height);
    rc = imc_image_alloc(out, hdr.height, hdr.width, channels, depth);
    if (rc != IMC_OK)
        return imc_fail(err, rc, "cannot allocate %d x %d x %d image", hdr.width, hdr.height,
                        channels);

    imc_read_request req = {.order = opts->order, .orientation = 0};
    rc = codec->read(state, out, &req, err);
    if (rc != IMC_OK)
        return rc;

    if (scale > 1 && !hdr.scaled) {
        imc_image reduced;
        int w = hdr.width / scale, h = hdr.height / scale;
        if (w <= 0 || h <= 0)
            return imc_fail(err, IMC_ERR_ARG, "%d x %d image is too small for 1/%d reduction",
                            hdr.width, hdr.height, scale);
        rc = imc_image_alloc(&reduced, h, w, channels, depth);
        if (rc != IMC_OK)
            return imc_fail(err, rc, "cannot allocate reduced image");
        rc = imc_resize_linear_exact(out, &reduced, err);
        imc_image_free(out);
        *out = reduced;
        if (rc != IMC_OK)
            return rc;
    }

    if ((flags & IMC_IMREAD_IGNORE_ORIENTATION) == 0 && flags != IMC_IMREAD_UNCHANGED &&
        req.orientation > 1)
        return imc_apply_orientation(out, req.orientation, err);
    return IMC_OK;
}

int imc_decode_ex(const void *buf, size_t len, const imc_decode_options *opts, imc_image *out,
                  imc_error *err)
{
    imc_error_clear(err);
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !opts)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    if (!buf || len == 0)
        return imc_fail(err, IMC_ERR_ARG, "empty input buffer");
    if (opts->order != IMC_ORDER_BGR && opts->order != IMC_ORDER_RGB)
        return imc_fail(err, IMC_ERR_ARG, "invalid channel order %d", opts->order);

    const imc_codec *codec = imc_find_decoder(buf, len);
    if (!codec)
        return imc_fail(err, IMC_ERR_UNKNOWN_FORMAT, "no codec recognises the data");

    imc_limits limits;
    imc_limits_resolve(&opts->limits, &limits);

    void *state = calloc(1, codec->decoder_size ? codec->decoder_size : 1);
    if (!state)
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    int rc = decode_with(codec, state, buf, len, opts, &limits, out, err);
    codec->close(state);
    free(state);
    if (rc != IMC_OK) {
        imc_image_free(out);
        if (err && err->code == IMC_OK)
            imc_fail(err, rc, "%s: %s", codec->name, imc_strerror(rc));
    }
    return rc;
}

int imc_decode(const void *buf, size_t len, int flags, imc_image *out)
{
    imc_decode_options opts = {.flags = flags, .order = IMC_ORDER_BGR};
    return imc_decode_ex(buf, len, &opts, out, NULL);
}

int imc_probe_ex(const void *buf, size_t len, imc_info *info, imc_error *err)
{
    imc_error_clear(err);
    if (info)
        memset(info, 0, sizeof *info);
    if (!info)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    if (!buf || len == 0)
        return imc_fail(err, IMC_ERR_ARG, "empty input buffer");
    const imc_codec *codec = imc_find_decoder(buf, len);
    if (!codec)
        return imc_fail(err, IMC_ERR_UNKNOWN_FORMAT, "no codec recognises the data");

    int rc;
    if (codec->probe) {
        rc = codec->probe(buf, len, info, err);
    } else {
        void *state = calloc(1, codec->decoder_size ? codec->decoder_size : 1);
        if (!state)
            return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
        imc_header hdr = {0};
        rc = codec->open(state, buf, len, 1, &hdr, err);
        codec->close(state);
        free(state);
        if (rc == IMC_OK) {
            info->width = hdr.width;
            info->height = hdr.height;
            info->channels = hdr.channels;
            info->depth = hdr.depth;
        }
    }
    if (rc != IMC_OK) {
        memset(info, 0, sizeof *info);
        return rc;
    }
    info->format = codec->name;
    return IMC_OK;
}

int imc_probe(const void *buf, size_t len, imc_info *info)
{
    return imc_probe_ex(buf, len, info, NULL);
}
