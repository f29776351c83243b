/* imc_encode: cv::imencode's checks and depth conversion, codec-neutral. */
#include "internal.h"

#include <stdlib.h>
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

int imc_params_check(const int *params, size_t nparams, imc_error *err)
{
    if (nparams % 2)
        return imc_fail(err, IMC_ERR_PARAM, "params must be (id, value) pairs; got %zu values",
                        nparams);
    if (nparams && !params)
        return imc_fail(err, IMC_ERR_ARG, "NULL params");
    if (nparams > 2 * 50) /* cv2's OPENCV_IO_MAX_IMAGE_PARAMS */
        return imc_fail(err, IMC_ERR_PARAM, "too many params (%zu pairs, at most 50)",
                        nparams / 2);
    return IMC_OK;
}

/* Checks the call; `opts` receives the caller's options (NULL: defaults). */
static int check_call(const int *params, size_t nparams, const imc_encode_options *caller,
                      imc_encode_options *opts, imc_buffer *out, imc_error *err)
{
    if (!out)
        return imc_fail(err, IMC_ERR_ARG, "NULL output buffer");
    int rc = imc_params_check(params, nparams, err);
    if (rc != IMC_OK)
        return rc;
    *opts = (imc_encode_options)IMC_ENCODE_OPTIONS_INIT;
    if (caller && (rc = imc_options_in(opts, sizeof *opts, caller, "imc_encode_options", err)))
        return rc;
    if (opts->order != IMC_ORDER_BGR && opts->order != IMC_ORDER_RGB)
        return imc_fail(err, IMC_ERR_ARG, "invalid channel order %d", opts->order);
    return imc_threads_check(opts->threads, err);
}

/* The images as the codec takes them: depths it cannot store become 8-bit,
 * as cv2's convertTo(CV_8U) makes them. converted[i] owns any copy. */
static int prepare(const imc_codec *codec, const imc_image *imgs, size_t n, imc_image *ready,
                   imc_image *converted, imc_error *err)
{
    for (size_t i = 0; i < n; i++) {
        int rc = check_image(&imgs[i], err);
        if (rc != IMC_OK)
            return rc;
        ready[i] = imgs[i];
        if (!(codec->encode_depths & IMC_DEPTH_BIT(imgs[i].depth))) {
            rc = imc_convert_to_8u(&imgs[i], &converted[i], err);
            if (rc != IMC_OK)
                return rc;
            ready[i] = converted[i];
        }
    }
    return IMC_OK;
}

/* Animation settings of an encode call: durations NULL for a plain one. */
typedef struct {
    const int *durations;
    int loop_count;
} timing;

static int encode_images(const char *ext, const imc_image *images, size_t n, const timing *t,
                         const int *params, size_t nparams, const imc_encode_options *caller,
                         imc_buffer *out, imc_error *err)
{
    imc_encode_options opts;
    int rc = check_call(params, nparams, caller, &opts, out, err);
    if (rc != IMC_OK)
        return rc;
    if (!images || n == 0)
        return imc_fail(err, IMC_ERR_ARG, "no images to encode");
    char word[IMC_EXT_MAX];
    const imc_codec *codec = imc_find_encoder(ext, word);
    if (!codec)
        return imc_fail(err, IMC_ERR_NO_ENCODER, "no encoder for extension '%s'",
                        ext ? ext : "(null)");
    if (t->durations && !codec->animation)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "%s cannot hold an animation", codec->name);
    if (n > 1 && !codec->encode_multi)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "%s holds one image, not %zu", codec->name, n);

    imc_image *ready = calloc(n, sizeof *ready), *converted = calloc(n, sizeof *converted);
    if (!ready || !converted) {
        free(ready);
        free(converted);
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    }
    imc_param_values values;
    imc_metadata_blob blobs[IMC_METADATA_KINDS];
    rc = imc_params_read(codec, params, nparams, &values, err);
    if (rc == IMC_OK)
        rc = imc_metadata_check(opts.metadata, codec->metadata_written, codec->name, blobs, err);
    if (rc == IMC_OK)
        rc = prepare(codec, images, n, ready, converted, err);
    if (rc == IMC_OK) {
        imc_encode_request req = {.params = &values, .order = opts.order, .ext = word,
                                  .durations = t->durations, .loop_count = t->loop_count,
                                  .metadata = blobs, .threads = opts.threads};
        rc = n > 1 || t->durations || !codec->encode ? codec->encode_multi(ready, n, &req, out, err)
                                                      : codec->encode(ready, &req, out, err);
    }
    for (size_t i = 0; i < n; i++)
        imc_image_free(&converted[i]);
    free(ready);
    free(converted);
    if (rc != IMC_OK) {
        imc_buffer_free(out);
        if (err && err->code == IMC_OK)
            imc_fail(err, rc, "%s: %s", codec->name, imc_strerror(rc));
    }
    return rc;
}

int imc_encode_multi(const char *ext, const imc_image *images, size_t n, const int *params,
                     size_t nparams, const imc_encode_options *opts, imc_buffer *out,
                     imc_error *err)
{
    imc_error_clear(err);
    if (out)
        memset(out, 0, sizeof *out);
    timing t = {NULL, 0};
    return encode_images(ext, images, n, &t, params, nparams, opts, out, err);
}

int imc_encode_animation(const char *ext, const imc_animation *anim, const int *params,
                         size_t nparams, const imc_encode_options *opts, imc_buffer *out,
                         imc_error *err)
{
    imc_error_clear(err);
    if (out)
        memset(out, 0, sizeof *out);
    if (!anim || !anim->frames || anim->count == 0)
        return imc_fail(err, IMC_ERR_ARG, "no frames to encode");
    if (!anim->durations)
        return imc_fail(err, IMC_ERR_ARG, "no frame durations");
    for (size_t i = 0; i < anim->count; i++)
        if (anim->durations[i] < 0)
            return imc_fail(err, IMC_ERR_ARG, "frame %zu has a negative duration (%d ms)", i,
                            anim->durations[i]);
    if (anim->loop_count < 0 || anim->loop_count > 0xffff)
        return imc_fail(err, IMC_ERR_ARG, "loop count %d is outside 0..65535", anim->loop_count);
    timing t = {anim->durations, anim->loop_count};
    return encode_images(ext, anim->frames, anim->count, &t, params, nparams, opts, out, err);
}

int imc_encode_ex(const char *ext, const imc_image *img, const int *params, size_t nparams,
                  const imc_encode_options *opts, imc_buffer *out, imc_error *err)
{
    if (!img) {
        imc_error_clear(err);
        if (out)
            memset(out, 0, sizeof *out);
        return imc_fail(err, IMC_ERR_ARG, "empty image");
    }
    return imc_encode_multi(ext, img, 1, params, nparams, opts, out, err);
}

int imc_encode(const char *ext, const imc_image *img, const int *params, size_t nparams,
               imc_buffer *out)
{
    return imc_encode_ex(ext, img, params, nparams, NULL, out, NULL);
}
