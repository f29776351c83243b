/* JPEG XL's metadata (metadata.c), for jxl.c. */
#ifndef IMC_JXL_METADATA_H
#define IMC_JXL_METADATA_H

#include "../../internal.h"

#include <jxl/encode.h>

/* The codec's read_metadata: the codestream's own ICC profile (not one
 * libjxl makes up for an enumerated colour space), the first "Exif" and
 * "xml " boxes, Brotli-compressed ("brob") ones inflated. */
int imc_jxl_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err);
/* Before any frame: the "Exif" and "xml " boxes (and the container they
 * need), uncompressed so that every reader finds them. */
int imc_jxl_add_boxes(JxlEncoder *enc, const imc_metadata_blob *blobs, imc_error *err);

#endif
