/* What the WebP, AVIF and JPEG XL metadata readers check of the EXIF and
 * ICC payloads they take out of their containers before adding them: the
 * blob formats of imc.h, so that a reader never hands on (and an encoder
 * given the blob back never refuses) something that only looks like one. */
#ifndef IMC_MODERN_METADATA_H
#define IMC_MODERN_METADATA_H

#include "../internal.h"

#include <string.h>

#include "../bytes.h"

/* An EXIF payload: the TIFF structure, after a JPEG-style "Exif\0\0" some
 * writers put in front (dropped); anything else is refused. */
static inline int imc_add_exif_payload(imc_metadata *md, const uint8_t *p, size_t n,
                                       const char *codec, imc_error *err)
{
    if (n >= 6 && !memcmp(p, "Exif\0\0", 6)) {
        p += 6;
        n -= 6;
    }
    if (n < 8 || (memcmp(p, "II*\0", 4) && memcmp(p, "MM\0*", 4))) {
        imc_metadata_refuse(md, "%s: the EXIF payload does not start with a TIFF header",
                            codec);
        return IMC_OK;
    }
    return imc_metadata_add(md, IMC_METADATA_EXIF, p, n, err);
}

/* An ICC profile: its header gives its own size and the 'acsp' mark. */
static inline int imc_add_icc_payload(imc_metadata *md, const uint8_t *p, size_t n,
                                      const char *codec, imc_error *err)
{
    if (n < 132 || imc_load_be32(p) != n || memcmp(p + 36, "acsp", 4)) {
        imc_metadata_refuse(md, "%s: malformed ICC profile (%zu bytes)", codec, n);
        return IMC_OK;
    }
    return imc_metadata_add(md, IMC_METADATA_ICCP, p, n, err);
}

#endif
