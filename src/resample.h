/* High-quality reduction for thumbnails (resample.c): whole-factor box
 * averages for the bulk of a large reduction, then a separable Lanczos-3
 * filter for the rest. Gamma-naive (on the stored values, as cv2 and Pillow
 * resize); 4-channel images are filtered with premultiplied alpha. */
#ifndef IMC_RESAMPLE_H
#define IMC_RESAMPLE_H

#include "internal.h"

/* Box averages by kx x ky, fed source rows in order (all of them): every
 * ky rows (and after the last) a reduced row of ceil(cols / kx) pixels,
 * each the rounded mean of its block (partial blocks at the edges: of what
 * is there). */
typedef struct imc_box imc_box;
int imc_box_new(imc_box **b, int cols, int rows, int channels, int depth, int kx, int ky,
                imc_error *err);
/* NULL, or the reduced row completed by row y (its index in *out_y); valid
 * until the next call. */
const void *imc_box_row(imc_box *b, int y, const void *row, int *out_y);
void imc_box_free(imc_box *b);

/* A source window starting at (x0, y0), w x h pixels (fractions allowed). */
typedef struct {
    double x0, y0, w, h;
} imc_window;

/* Lanczos-3 of the window onto dst (rows, cols, channels, depth and memory
 * set by the caller), fed the source rows one at a time, in order (all of
 * them), holding only the few the vertical filter needs: dst is complete
 * after the last. */
typedef struct imc_resampler imc_resampler;
int imc_resampler_new(imc_resampler **r, int src_cols, int src_rows, int channels, int depth,
                      imc_window win, imc_image *dst, imc_error *err);
void imc_resampler_row(imc_resampler *r, int y, const void *row);
void imc_resampler_free(imc_resampler *r);

/* Colour samples times alpha / the maximum (undo: divided back), in place:
 * filtering premultiplied keeps transparent pixels' colours out. */
void imc_alpha_premultiply(imc_image *img, bool undo);

#endif
