/* EXIF orientation, applied as cv2's ExifTransform does: flips in place,
 * transposes (orientations 5..8) into a new buffer. */
#include "internal.h"

#include <string.h>

static size_t pixel_size(const imc_image *img)
{
    return (size_t)img->channels * imc_depth_size(img->depth);
}

static void swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

static void flip_horizontal(imc_image *img)
{
    size_t ps = pixel_size(img);
    for (int y = 0; y < img->rows; y++) {
        uint8_t *row = (uint8_t *)img->data + (size_t)y * img->step;
        for (int l = 0, r = img->cols - 1; l < r; l++, r--)
            swap_bytes(row + (size_t)l * ps, row + (size_t)r * ps, ps);
    }
}

static void flip_vertical(imc_image *img)
{
    size_t bytes = (size_t)img->cols * pixel_size(img);
    for (int t = 0, b = img->rows - 1; t < b; t++, b--)
        swap_bytes((uint8_t *)img->data + (size_t)t * img->step,
                   (uint8_t *)img->data + (size_t)b * img->step, bytes);
}

/* dst(i, j) = src(j, i), in cache-sized tiles. */
static void transpose(const imc_image *src, imc_image *dst)
{
    enum { TILE = 32 };
    size_t ps = pixel_size(src);
    for (int y0 = 0; y0 < src->rows; y0 += TILE) {
        for (int x0 = 0; x0 < src->cols; x0 += TILE) {
            int y1 = y0 + TILE < src->rows ? y0 + TILE : src->rows;
            int x1 = x0 + TILE < src->cols ? x0 + TILE : src->cols;
            for (int y = y0; y < y1; y++) {
                const uint8_t *s = (const uint8_t *)src->data + (size_t)y * src->step;
                for (int x = x0; x < x1; x++)
                    memcpy((uint8_t *)dst->data + (size_t)x * dst->step + (size_t)y * ps,
                           s + (size_t)x * ps, ps);
            }
        }
    }
}

int imc_apply_orientation(imc_image *img, int orientation, imc_error *err)
{
    switch (orientation) {
    case 2: flip_horizontal(img); return IMC_OK;
    case 3: flip_horizontal(img); flip_vertical(img); return IMC_OK;
    case 4: flip_vertical(img); return IMC_OK;
    case 5: case 6: case 7: case 8: break;
    default: return IMC_OK; /* 1 and unknown values: as read */
    }
    imc_image t;
    int rc = imc_image_alloc(&t, img->cols, img->rows, img->channels, img->depth);
    if (rc != IMC_OK)
        return imc_fail(err, rc, "cannot allocate rotated image");
    transpose(img, &t);
    imc_image_free(img);
    *img = t;
    if (orientation == 6 || orientation == 7)
        flip_horizontal(img);
    if (orientation == 7 || orientation == 8)
        flip_vertical(img);
    return IMC_OK;
}

int imc_orient(imc_image *img, int orientation, imc_error *err)
{
    imc_error_clear(err);
    if (!img || !img->data || img->rows <= 0 || img->cols <= 0 || !imc_depth_size(img->depth) ||
        img->channels < 1 || img->channels > 4)
        return imc_fail(err, IMC_ERR_ARG, "invalid image");
    return imc_apply_orientation(img, orientation, err);
}
