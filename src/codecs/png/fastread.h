/* The libdeflate decoder of well-formed PNGs (fastread.c). */
#ifndef IMC_PNG_FASTREAD_H
#define IMC_PNG_FASTREAD_H

#include "../../internal.h"

/* Decodes well-formed PNGs with libdeflate, giving exactly what cv2's libpng
 * calls give. Returns IMC_OK, or IMC_ERR_UNSUPPORTED when the file needs
 * libpng (any irregularity, or a conversion only libpng does exactly), in
 * which case `dst` may have been written and the caller decodes again. */
int imc_png_fast_read(const uint8_t *buf, size_t len, imc_image *dst, imc_read_request *req);

#endif
