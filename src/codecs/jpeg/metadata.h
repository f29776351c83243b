/* JPEG's metadata segments (metadata.c), for jpeg.c. */
#ifndef IMC_JPEG_METADATA_H
#define IMC_JPEG_METADATA_H

#include "../codecs.h"

#include <stdio.h>

#include <jpeglib.h>

/* The codec's read_metadata: walks the markers before the first scan. */
int imc_jpeg_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err);
/* IMC_ERR_LIMITS for blobs JPEG's segments cannot hold (checked before
 * compressing). */
int imc_jpeg_metadata_fits(const imc_metadata_blob *blobs, imc_error *err);
/* Writes the blobs' segments: between jpeg_start_compress and the rows. */
void imc_jpeg_write_metadata(j_compress_ptr cinfo, const imc_metadata_blob *blobs);

#endif
