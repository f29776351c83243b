/* PNG's metadata chunks (metadata.c), for png.c and write.c. */
#ifndef IMC_PNG_METADATA_H
#define IMC_PNG_METADATA_H

#include "../../internal.h"

/* The codec's read_metadata: eXIf, iCCP (inflated), iTXt XML:com.adobe.xmp,
 * cICP, in file order. */
int imc_png_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err);
/* Appends the blobs' chunks (cICP, iCCP, eXIf, iTXt): after IHDR, before
 * any IDAT. */
int imc_png_put_metadata(imc_buffer *out, const imc_metadata_blob *blobs, imc_error *err);

#endif
