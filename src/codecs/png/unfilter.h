/* The decoder's reversal of PNG row filters (unfilter.c). */
#ifndef IMC_PNG_UNFILTER_H
#define IMC_PNG_UNFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reverses filter `type` of one row of n bytes in place; prev is the previous
 * unfiltered row (zeros for the first), bpp the bytes per pixel (at least 1).
 * Returns false for an unknown filter type. */
bool imc_png_unfilter(int type, uint8_t *row, const uint8_t *prev, size_t n, int bpp);

#endif
