/* The two-pass driver of cv2's bit-exact INTER_LINEAR_EXACT (resize.h),
 * shared by the 8U/16U paths of resize.c and the 8S/16S/32S ones of
 * resize_wide.c: the fixed-point axis maps, then a horizontal pass per
 * source row (two kept) and a vertical pass per output row. */
#include "resize.h"

#include <math.h>
#include <stdlib.h>

/* cv::interpolationLinear::getCoeffs for every destination index. */
static void map_axis(int src_size, int dst_size, int shift, imc_axis_map *m)
{
    const int64_t one = (int64_t)1 << shift;
    double inv_scale = (double)dst_size / (double)src_size;
    double scale = 1.0 / inv_scale;
    m->min = 0;
    m->max = dst_size;
    for (int v = 0; v < dst_size; v++) {
        double pos = scale * ((double)v + 0.5);
        pos = pos - 0.5;
        int ipos = (int)floor(pos);
        m->offset[v] = 0;
        m->coeff[2 * v] = one;
        m->coeff[2 * v + 1] = 0;
        if (ipos >= 0 && src_size > 1) {
            if (ipos < src_size - 1) {
                double frac = pos - (double)ipos;
                int64_t c1 = (int64_t)nearbyint(frac * (double)one); /* cvRound: ties to even */
                m->offset[v] = ipos;
                m->coeff[2 * v + 1] = c1;
                m->coeff[2 * v] = c1 < one ? one - c1 : 0;
            } else {
                m->offset[v] = src_size - 1;
                if (v < m->max)
                    m->max = v;
            }
        } else if (v + 1 > m->min) {
            m->min = v + 1;
        }
    }
}

int imc_resize_two_pass(const imc_image *src, imc_image *dst, int shift, size_t sum_size,
                        imc_resize_row_fn row, imc_resize_column_fn column, imc_error *err)
{
    const int cn = src->channels, dw = dst->cols, dh = dst->rows;
    const size_t line = (size_t)dw * (size_t)cn;
    imc_axis_map x, y;
    int *offsets = malloc(sizeof(int) * ((size_t)dw + (size_t)dh));
    int64_t *coeffs = malloc(sizeof(int64_t) * 2 * ((size_t)dw + (size_t)dh));
    uint8_t *lines = malloc(sum_size * 2 * line);
    if (!offsets || !coeffs || !lines) {
        free(offsets);
        free(coeffs);
        free(lines);
        return imc_fail(err, IMC_ERR_NOMEM, "resize: out of memory");
    }
    x.offset = offsets;
    y.offset = offsets + dw;
    x.coeff = coeffs;
    y.coeff = coeffs + 2 * (size_t)dw;
    map_axis(src->cols, dw, shift, &x);
    map_axis(src->rows, dh, shift, &y);

    /* Two cached horizontal passes, tagged with their source row. */
    int cached[2] = {-1, -1};
    for (int dy = 0; dy < dh; dy++) {
        uint8_t *out = (uint8_t *)dst->data + (size_t)dy * dst->step;
        bool edge = dy < y.min || dy >= y.max;
        int rows[2] = {dy < y.min ? 0 : dy >= y.max ? src->rows - 1 : y.offset[dy], 0};
        rows[1] = edge ? rows[0] : rows[0] + 1;
        void *h[2];
        const int nrows = edge ? 1 : 2;
        for (int k = 0; k < nrows; k++) {
            int slot = cached[0] == rows[k] ? 0 : cached[1] == rows[k] ? 1 : -1;
            if (slot < 0) {
                /* reuse the slot that does not hold the other row needed */
                int other = nrows == 2 ? rows[1 - k] : -2;
                slot = cached[0] == other ? 1 : 0;
                row((const uint8_t *)src->data + (size_t)rows[k] * src->step, cn, &x, dw,
                    lines + (size_t)slot * line * sum_size);
                cached[slot] = rows[k];
            }
            h[k] = lines + (size_t)slot * line * sum_size;
        }
        column(out, line, h[0], edge ? NULL : h[1], y.coeff[2 * dy], y.coeff[2 * dy + 1]);
    }
    free(offsets);
    free(coeffs);
    free(lines);
    return IMC_OK;
}
