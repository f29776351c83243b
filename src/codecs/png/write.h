/* The PNG encoder (write.c). */
#ifndef IMC_PNG_WRITE_H
#define IMC_PNG_WRITE_H

#include "../../internal.h"

/* PNG encoder: cv2's parameters, libdeflate and a fast filter + Huffman coder. */
int imc_png_write(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                  imc_error *err);
/* The params it takes. */
extern const imc_param_spec imc_png_params[5];

#endif
