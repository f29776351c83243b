/* imc_encode: cv::imencode's checks and depth conversion, codec-neutral. */
#include "internal.h"

#include <string.h>

static int check_image(const imc_image *img, imc_error *err)
{
    if (!img || !img->data || img->rows <= 0 || img->cols <= 0)
        return imc_fail(err, IMC_ERR_ARG, "empty image");
    if (img->channels != 1 && img->channels != 3 && img->channels != 4)
        return imc_fail(err, IMC_ERR_ARG, "images must have 1, 3 or 4 channels, not %d",
                        img->channels);
    size_t elem = imc_depth_size(img->depth), row;
    if (elem == 0)
        return imc_fail(err, IMC_ERR_ARG, "unknown depth %d", img->depth);
    if (!imc_mul_size((size_t)img->cols, (size_t)img->channels * elem, &row) || img->step < row)
        return imc_fail(err, IMC_ERR_ARG, "row step %zu is shorter than a row", img->step);
    size_t span;
    if (!imc_mul_size(img->step, (size_t)img->rows - 1, &span) || span > SIZE_MAX - row)
        return imc_fail(err, IMC_ERR_ARG, "image size overflows");
    return IMC_OK;
}

int imc_encode_ex(const char *ext, const imc_image *img, const int *params, size_t nparams,
                  const imc_encode_options *opts, imc_buffer *out, imc_error *err)
{
    imc_error_clear(err);
    if (out)
        memset(out, 0, sizeof *out);
    if (!out)
        return imc_fail(err, IMC_ERR_ARG, "NULL output buffer");
    int rc = check_image(img, err);
    if (rc != IMC_OK)
        return rc;
    if (nparams % 2)
        return imc_fail(err, IMC_ERR_PARAM, "params must be (id, value) pairs; got %zu values",
                        nparams);
    if (nparams && !params)
        return imc_fail(err, IMC_ERR_ARG, "NULL params");
    if (nparams > 2 * 50) /* cv2's OPENCV_IO_MAX_IMAGE_PARAMS */
        return imc_fail(err, IMC_ERR_PARAM, "too many params (%zu pairs, at most 50)",
                        nparams / 2);
    int order = opts ? opts->order : IMC_ORDER_BGR;
    if (order != IMC_ORDER_BGR && order != IMC_ORDER_RGB)
        return imc_fail(err, IMC_ERR_ARG, "invalid channel order %d", order);

    const imc_codec *codec = imc_find_encoder(ext);
    if (!codec)
        return imc_fail(err, IMC_ERR_NO_ENCODER, "no encoder for extension '%s'",
                        ext ? ext : "(null)");

    imc_image converted = {0};
    const imc_image *src = img;
    if (!(codec->encode_depths & IMC_DEPTH_BIT(img->depth))) {
        rc = imc_convert_to_8u(img, &converted, err);
        if (rc != IMC_OK)
            return rc;
        src = &converted;
    }
    rc = codec->encode(src, params, nparams, order, out, err);
    imc_image_free(&converted);
    if (rc != IMC_OK) {
        imc_buffer_free(out);
        if (err && err->code == IMC_OK)
            imc_fail(err, rc, "%s: %s", codec->name, imc_strerror(rc));
    }
    return rc;
}

int imc_encode(const char *ext, const imc_image *img, const int *params, size_t nparams,
               imc_buffer *out)
{
    return imc_encode_ex(ext, img, params, nparams, NULL, out, NULL);
}
