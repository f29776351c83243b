/* PNG's chunk layer (chunks.c). */
#ifndef IMC_PNG_CHUNKS_H
#define IMC_PNG_CHUNKS_H

#include "../../internal.h"

/* Calls visit for each chunk from the first after the signature until it
 * returns false, after IEND, or where the data ends (the last chunk's data
 * clipped to what is there). */
void imc_png_walk_chunks(const uint8_t *buf, size_t len,
                         bool (*visit)(const uint8_t *type, const uint8_t *data, size_t size,
                                       void *ctx),
                         void *ctx);
/* Appends one chunk: length, type, data, CRC. */
int imc_png_put_chunk(imc_buffer *out, const char *type, const uint8_t *data, size_t n);

#endif
