/* PNG's chunk layer: walking the chunks of a file and framing new ones,
 * shared by the decoder, the encoder and the metadata. */
#include "chunks.h"

#include <string.h>

#include <libdeflate.h>

#include "../../bytes.h"
#include "format.h"

/* Calls `visit` for each chunk found by walking the chunk lengths; `size` is
 * clipped to the bytes present. Stops at IEND, the end, or when visit says. */
void imc_png_walk_chunks(const uint8_t *buf, size_t len,
                         bool (*visit)(const uint8_t *type, const uint8_t *data, size_t size,
                                       void *ctx),
                         void *ctx)
{
    size_t at = sizeof imc_png_signature;
    while (len >= 8 && at <= len - 8) {
        uint32_t n = imc_load_be32(buf + at);
        const uint8_t *type = buf + at + 4, *data = buf + at + 8;
        size_t avail = len - at - 8, size = n < avail ? n : avail;
        if (!visit(type, data, size, ctx) || !memcmp(type, "IEND", 4) || n > avail)
            return;
        if (avail - size < 4)
            return;
        at += 12 + (size_t)n;
    }
}

int imc_png_put_chunk(imc_buffer *out, const char *type, const uint8_t *data, size_t n)
{
    uint8_t head[8];
    imc_store_be32(head, (uint32_t)n);
    memcpy(head + 4, type, 4);
    uint32_t crc = libdeflate_crc32(0, type, 4);
    if (n)
        crc = libdeflate_crc32(crc, data, n);
    uint8_t tail[4];
    imc_store_be32(tail, crc);
    int rc = imc_buffer_append(out, head, 8);
    if (rc == IMC_OK)
        rc = imc_buffer_append(out, data, n);
    return rc == IMC_OK ? imc_buffer_append(out, tail, 4) : rc;
}
