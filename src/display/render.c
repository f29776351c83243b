/* What imshow shows: cv2 4.6 highgui's convertToShow (precomp.hpp), which
 * every backend (Qt in Debian's build, GTK, Win32) runs before drawing:
 *   8U   as is
 *   8S   convertScaleAbs(src, 1, 127)       |v + 127|
 *   16U  convertScaleAbs(src, 1/255., 0)    |v / 255|
 *   16S  convertScaleAbs(src, 1/255., 127)  |v / 255 + 127|
 *   32F, 64F  convertTo(CV_8U, 255, 0)      v * 255, no absolute value
 * then cvtColor(BGR2RGB) to three channels: gray is replicated, alpha is
 * dropped, never blended. 32S is refused by a CV_Assert.
 *
 * The arithmetic is that of cv2's vectorised loops, which handle every image
 * of 16 samples or more: the sample is converted to float (double to float
 * first), multiplied by the float scale and added to the shift with one
 * fused multiply-add, rounded to nearest even and saturated; a value out of
 * int range converts to INT_MIN and so saturates to 0. */
#include "display.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    float scale, shift;
    bool absolute;
} show_scale;

static uint8_t show_sample(float v, const show_scale *s)
{
    float x = fmaf(v, s->scale, s->shift);
    if (s->absolute)
        x = fabsf(x);
    int r = imc_cv_round(x);
    return (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
}

/* One row of `n` samples of `depth` to 8 bits. */
static void row_to_8u(const void *src, int depth, size_t n, uint8_t *dst, const show_scale *s)
{
    size_t i;
    switch (depth) {
    case IMC_8S:
        for (i = 0; i < n; i++) dst[i] = show_sample(((const int8_t *)src)[i], s);
        break;
    case IMC_16U:
        for (i = 0; i < n; i++) dst[i] = show_sample(((const uint16_t *)src)[i], s);
        break;
    case IMC_16S:
        for (i = 0; i < n; i++) dst[i] = show_sample(((const int16_t *)src)[i], s);
        break;
    case IMC_32F:
        for (i = 0; i < n; i++) dst[i] = show_sample(((const float *)src)[i], s);
        break;
    case IMC_64F:
        for (i = 0; i < n; i++) dst[i] = show_sample((float)((const double *)src)[i], s);
        break;
    default:
        break;
    }
}

static bool show_scale_for(int depth, show_scale *s)
{
    const float inv255 = (float)(1.0 / 255.0);
    switch (depth) {
    case IMC_8U: *s = (show_scale){1.0f, 0.0f, false}; return true; /* copied as is */
    case IMC_8S: *s = (show_scale){1.0f, 127.0f, true}; return true;
    case IMC_16U: *s = (show_scale){inv255, 0.0f, true}; return true;
    case IMC_16S: *s = (show_scale){inv255, 127.0f, true}; return true;
    case IMC_32F: case IMC_64F: *s = (show_scale){255.0f, 0.0f, false}; return true;
    default: return false;
    }
}

int imc_check_displayable(const imc_image *img, imc_error *err)
{
    if (!img || !img->data || img->rows <= 0 || img->cols <= 0)
        return imc_fail(err, IMC_ERR_ARG, "imshow: the image is empty");
    if (img->channels != 1 && img->channels != 3 && img->channels != 4)
        return imc_fail(err, IMC_ERR_ARG, "imshow: images have 1, 3 or 4 channels, not %d",
                        img->channels);
    show_scale s = {1.0f, 0.0f, false};
    if (img->depth == IMC_32S)
        return imc_fail(err, IMC_ERR_ARG,
                        "imshow: 32-bit integer images cannot be shown (cv2 refuses them too); "
                        "convert to uint8, uint16 or float32");
    if (!show_scale_for(img->depth, &s))
        return imc_fail(err, IMC_ERR_ARG, "imshow: unknown depth %d", img->depth);
    size_t elem = imc_depth_size(img->depth), row_bytes;
    if (!imc_mul_size((size_t)img->cols, (size_t)img->channels * elem, &row_bytes) ||
        (img->rows > 1 && img->step < row_bytes))
        return imc_fail(err, IMC_ERR_ARG, "imshow: step %zu is shorter than a row",
                        img->step);
    if ((uintptr_t)img->data % elem || (img->rows > 1 && img->step % elem))
        return imc_fail(err, IMC_ERR_ARG,
                        "imshow: samples must be aligned (data and step multiples of %zu)", elem);
    return IMC_OK;
}

int imc_display_convert(const imc_image *img, imc_image *rgb, imc_error *err)
{
    imc_error_clear(err);
    if (!rgb)
        return imc_fail(err, IMC_ERR_ARG, "imshow: no output image");
    memset(rgb, 0, sizeof *rgb);
    int rc = imc_check_displayable(img, err);
    if (rc != IMC_OK)
        return rc;
    rc = imc_image_alloc(rgb, img->rows, img->cols, 3, IMC_8U);
    if (rc != IMC_OK)
        return imc_fail(err, rc, "imshow: cannot allocate %dx%d pixels", img->cols, img->rows);
    show_scale s = {1.0f, 0.0f, false};
    show_scale_for(img->depth, &s);
    const int cn = img->channels;
    uint8_t *row = malloc((size_t)img->cols * (size_t)cn);
    if (!row) {
        imc_image_free(rgb);
        return imc_fail(err, IMC_ERR_NOMEM, "imshow: out of memory");
    }
    for (int y = 0; y < img->rows; y++) {
        const uint8_t *src = (const uint8_t *)img->data + (size_t)y * img->step;
        uint8_t *dst = (uint8_t *)rgb->data + (size_t)y * rgb->step;
        if (img->depth != IMC_8U) {
            row_to_8u(src, img->depth, (size_t)img->cols * (size_t)cn, row, &s);
            src = row;
        }
        if (cn == 1)
            imc_row_gray_to_bgr_8u(src, dst, img->cols);
        else if (cn == 4)
            imc_row_bgra_to_bgr_8u(src, dst, img->cols, true);
        else
            imc_row_swap_rb_8u(src, dst, img->cols, 3);
    }
    free(row);
    return IMC_OK;
}
