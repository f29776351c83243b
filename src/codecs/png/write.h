/* The PNG encoder (write.c). */
#ifndef IMC_PNG_WRITE_H
#define IMC_PNG_WRITE_H

#include "../../internal.h"

/* PNG encoder: cv2's parameters, libdeflate and a fast filter + Huffman coder. */
int imc_png_write(const imc_image *img, const int *params, size_t nparams,
                  const imc_encode_request *req, imc_buffer *out, imc_error *err);

#endif
