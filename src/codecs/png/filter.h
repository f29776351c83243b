/* The encoder's row filters (filter.c). */
#ifndef IMC_PNG_FILTER_H
#define IMC_PNG_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Costs: for each filter type, libpng's sum of absolute residuals over the
 * row (every other 16 bytes of long rows when `sampled`) and how many
 * residuals repeat their left neighbour. */
void imc_png_filter_costs(const uint8_t *cur, const uint8_t *prev, size_t n, int bpp, bool sampled,
                          uint32_t sums[5], uint32_t repeats[5]);
/* Residuals of filter `type` (0-4) of row `cur` over `prev`, n bytes. */
void imc_png_apply_filter(int type, const uint8_t *cur, const uint8_t *prev, size_t n, int bpp,
                          uint8_t *out);

#endif
