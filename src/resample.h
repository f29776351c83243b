/* High-quality reduction for thumbnails (resample.c): whole-factor box
 * averages for the bulk of a large reduction, then a separable Lanczos-3
 * filter for the rest. Gamma-naive (on the stored values, as cv2 and Pillow
 * resize); 4-channel images are filtered with premultiplied alpha. */
#ifndef IMC_RESAMPLE_H
#define IMC_RESAMPLE_H

#include "internal.h"

/* dst (allocated here): ceil(cols / kx) x ceil(rows / ky), each pixel the
 * mean of its kx x ky block (the partial blocks at the edges: of what is
 * there), rounded. */
int imc_reduce_box(const imc_image *src, int kx, int ky, imc_image *dst, imc_error *err);

/* The source window starting at (x0, y0) of w x h pixels (fractions allowed)
 * resampled with Lanczos-3 onto a new dst_cols x dst_rows image. */
typedef struct {
    double x0, y0, w, h;
} imc_window;
int imc_resample_lanczos3(const imc_image *src, imc_window win, int dst_cols, int dst_rows,
                          imc_image *dst, imc_error *err);

/* Colour samples times alpha / the maximum (undo: divided back), in place:
 * filtering premultiplied keeps transparent pixels' colours out. */
void imc_alpha_premultiply(imc_image *img, bool undo);

#endif
