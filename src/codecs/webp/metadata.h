/* WebP's metadata chunks (metadata.c), for webp.c. */
#ifndef IMC_WEBP_METADATA_H
#define IMC_WEBP_METADATA_H

#include "../../internal.h"

/* The codec's read_metadata: the ICCP, EXIF and XMP chunks of an extended
 * (VP8X) file, each only when VP8X's flags announce it, as libwebp's
 * demuxer reads them. */
int imc_webp_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err);
/* Appends the encoded file webp[0..size) to out: as is without blobs, else
 * remuxed with their chunks (VP8X and its flags made by libwebpmux). */
int imc_webp_put_metadata(const uint8_t *webp, size_t size, const imc_metadata_blob *blobs,
                          imc_buffer *out, imc_error *err);

#endif
