/* The two-pass driver of cv2's bit-exact INTER_LINEAR_EXACT
 * (resize_two_pass.c), which resize.c and resize_wide.c run with their own
 * row and column passes. */
#ifndef IMC_RESIZE_H
#define IMC_RESIZE_H

#include "internal.h"

typedef struct {
    int *offset;    /* left/top source index of each destination index */
    int64_t *coeff; /* two fixed-point weights per destination index */
    int min, max;   /* [min, max) interpolates; outside, the edge is copied */
} imc_axis_map;

/* Horizontal pass: one source row into dst_width * channels fixed-point
 * sums at `out` (of the element type the caller chose). */
typedef void (*imc_resize_row_fn)(const uint8_t *src, int channels, const imc_axis_map *x,
                                  int dst_width, void *out);
/* Vertical pass: one output row of `line` samples from the sums of one
 * source row (h1 NULL: an edge row, copied) or of two, weighted c0 and c1. */
typedef void (*imc_resize_column_fn)(uint8_t *out, size_t line, const void *h0, const void *h1,
                                     int64_t c0, int64_t c1);

/* Runs both passes over the image with `shift` fraction bits, keeping the
 * sums of two source rows (each `line` elements of sum_size bytes). */
int imc_resize_two_pass(const imc_image *src, imc_image *dst, int shift, size_t sum_size,
                        imc_resize_row_fn row, imc_resize_column_fn column, imc_error *err);

#endif
