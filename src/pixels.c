/* Per-pixel conversions shared by dispatch and codecs, with cv2's rounding
 * and saturation rules. */
#include "internal.h"

#include <limits.h>
#include <math.h>
#include <string.h>

int imc_cv_round(double v)
{
    double r = nearbyint(v); /* default rounding mode: ties to even */
    if (!(r >= (double)INT_MIN && r <= (double)INT_MAX))
        return INT_MIN;
    return (int)r;
}

static inline uint8_t sat_u8(int64_t v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

int imc_convert_to_8u(const imc_image *src, imc_image *dst, imc_error *err)
{
    int rc = imc_image_alloc(dst, src->rows, src->cols, src->channels, IMC_8U);
    if (rc != IMC_OK)
        return imc_fail(err, rc, "cannot allocate 8-bit copy");
    size_t n = (size_t)src->cols * (size_t)src->channels;
    for (int y = 0; y < src->rows; y++) {
        const uint8_t *s = (const uint8_t *)src->data + (size_t)y * src->step;
        uint8_t *d = (uint8_t *)dst->data + (size_t)y * dst->step;
        size_t i;
        switch (src->depth) {
        case IMC_8U: memcpy(d, s, n); break;
        case IMC_8S: for (i = 0; i < n; i++) d[i] = sat_u8(((const int8_t *)s)[i]); break;
        case IMC_16U: for (i = 0; i < n; i++) d[i] = sat_u8(((const uint16_t *)s)[i]); break;
        case IMC_16S: for (i = 0; i < n; i++) d[i] = sat_u8(((const int16_t *)s)[i]); break;
        case IMC_32S: for (i = 0; i < n; i++) d[i] = sat_u8(((const int32_t *)s)[i]); break;
        case IMC_32F:
            for (i = 0; i < n; i++) d[i] = sat_u8(imc_cv_round(((const float *)s)[i]));
            break;
        case IMC_64F:
            for (i = 0; i < n; i++) d[i] = sat_u8(imc_cv_round(((const double *)s)[i]));
            break;
        default:
            imc_image_free(dst);
            return imc_fail(err, IMC_ERR_ARG, "unknown depth %d", src->depth);
        }
    }
    return IMC_OK;
}

void imc_swap_rb(imc_image *img)
{
    if (img->channels < 3)
        return;
    int cn = img->channels;
    size_t elem = imc_depth_size(img->depth);
    for (int y = 0; y < img->rows; y++) {
        uint8_t *row = (uint8_t *)img->data + (size_t)y * img->step;
        if (elem == 1) {
            for (int x = 0; x < img->cols; x++) {
                uint8_t t = row[x * cn];
                row[x * cn] = row[x * cn + 2];
                row[x * cn + 2] = t;
            }
        } else {
            for (int x = 0; x < img->cols; x++) {
                uint8_t *p = row + (size_t)x * cn * elem, t[8];
                memcpy(t, p, elem);
                memmove(p, p + 2 * elem, elem);
                memcpy(p + 2 * elem, t, elem);
            }
        }
    }
}
