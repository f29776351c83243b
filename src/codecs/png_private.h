/* Pieces of the PNG codec shared by its files: png.c (descriptor, libpng
 * paths), png_fastread.c (libdeflate decoder), png_write.c (encoder),
 * png_filter.c (the encoder's row filters). */
#ifndef IMC_PNG_PRIVATE_H
#define IMC_PNG_PRIVATE_H

#include "codecs.h"

static const uint8_t imc_png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/* Decodes well-formed PNGs with libdeflate, giving exactly what cv2's libpng
 * calls give. Returns IMC_OK, or IMC_ERR_UNSUPPORTED when the file needs
 * libpng (any irregularity, or a conversion only libpng does exactly), in
 * which case `dst` may have been written and the caller decodes again. */
int imc_png_fast_read(const uint8_t *buf, size_t len, imc_image *dst, imc_read_request *req);

/* Row filters (png_filter.c). Costs: for each filter type, libpng's sum of
 * absolute residuals over the row (every other 16 bytes of long rows when
 * `sampled`) and how many residuals repeat their left neighbour. */
void imc_png_filter_costs(const uint8_t *cur, const uint8_t *prev, size_t n, int bpp, bool sampled,
                          uint32_t sums[5], uint32_t repeats[5]);
/* Residuals of filter `type` (0-4) of row `cur` over `prev`, n bytes. */
void imc_png_apply_filter(int type, const uint8_t *cur, const uint8_t *prev, size_t n, int bpp,
                          uint8_t *out);

/* PNG encoder: cv2's parameters, libdeflate and a fast filter + Huffman coder. */
int imc_png_write(const imc_image *img, const int *params, size_t nparams,
                  const imc_encode_request *req, imc_buffer *out, imc_error *err);

#endif
