/* JPEG encoding in strips on several threads (strips.c), for jpeg.c. */
#ifndef IMC_JPEG_STRIPS_H
#define IMC_JPEG_STRIPS_H

#include "../codecs.h"

/* Compresses rows (a view of the image) as a whole JPEG; `first`: the
 * strip at the top, which carries the headers kept (and the metadata). */
typedef struct {
    int (*compress)(const imc_image *rows, bool first, void *ctx, imc_buffer *out,
                    imc_error *err);
    void *ctx;
} imc_jpeg_strip_coder;

/* The image encoded in strips on up to `threads` threads (-1: one per CPU)
 * and spliced into the file one thread writes; IMC_ERR_UNSUPPORTED, out
 * untouched, when it is not worth it or there are no restarts to split on
 * (the caller then encodes on one). MCUs are mcu_width x mcu_height pixels;
 * restart_interval counts MCUs. */
int imc_jpeg_encode_in_strips(const imc_image *img, int threads, int mcu_width, int mcu_height,
                              int restart_interval, const imc_jpeg_strip_coder *coder,
                              imc_buffer *out, imc_error *err);

#endif
