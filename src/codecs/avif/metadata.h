/* AVIF's metadata (metadata.c), for avif.c. */
#ifndef IMC_AVIF_METADATA_H
#define IMC_AVIF_METADATA_H

#include "../../internal.h"

#include <avif/avif.h>

/* The codec's read_metadata: what avifDecoderParse finds (no pixels
 * decoded): the ICC profile, the cICP of an nclx colr box, EXIF, XMP. */
int imc_avif_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err);
/* Puts the blobs on a frame converted to YUV: cICP's primaries and
 * transfer on every frame, the profile, EXIF and XMP on the first (libavif
 * stores the first frame's). */
int imc_avif_set_metadata(avifImage *im, const imc_metadata_blob *blobs, bool first,
                          imc_error *err);

#endif
