/* PNG's metadata chunks (metadata.c) and the chunk walk and framing they
 * share with the decoder (png.c) and the encoder (write.c). */
#ifndef IMC_PNG_METADATA_H
#define IMC_PNG_METADATA_H

#include "../../internal.h"

/* Calls visit for each chunk from the first after the signature until it
 * returns false, after IEND, or where the data ends (the last chunk's data
 * clipped to what is there). (png.c) */
void imc_png_walk_chunks(const uint8_t *buf, size_t len,
                         bool (*visit)(const uint8_t *type, const uint8_t *data, size_t size,
                                       void *ctx),
                         void *ctx);
/* Appends one chunk: length, type, data, CRC. (write.c) */
int imc_png_put_chunk(imc_buffer *out, const char *type, const uint8_t *data, size_t n);

/* The codec's read_metadata: eXIf, iCCP (inflated), iTXt XML:com.adobe.xmp,
 * cICP, in file order. */
int imc_png_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err);
/* Appends the blobs' chunks (cICP, iCCP, eXIf, iTXt): after IHDR, before
 * any IDAT. */
int imc_png_put_metadata(imc_buffer *out, const imc_metadata_blob *blobs, imc_error *err);

#endif
