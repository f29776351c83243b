/* AVIF metadata: libavif reads the ICC profile (a colr box of type prof),
 * the Exif and XMP items and the CICP values, which come from a colr box
 * of type nclx or, without one, from the AV1 sequence header. imc reports
 * cICP only for an nclx box (as PNG's cICP chunk, a statement of the
 * container); telling libavif's two sources apart takes a walk of the
 * boxes, since libavif 0.11 does not say.
 *
 * Writing: libavif converts RGB to YUV with the matrix coefficients and the
 * range, so those stay imc's own (identity for lossless and gray, BT.601
 * otherwise; full range) and the pixels stay what imc writes without
 * metadata: a cICP blob gives the colour primaries and the transfer only
 * (libavif's conversion does not depend on them for these matrices). */
#include "metadata.h"

#include <string.h>

#include "../../bytes.h"

/* The boxes that lead to colr boxes, and the bytes of their own fields
 * before their children: the items' properties (meta/iprp/ipco) and a
 * track's sample entry (moov/trak/mdia/minf/stbl/stsd/av01). */
static const struct {
    char type[5];
    unsigned skip;
} containers[] = {
    {"meta", 4}, {"iprp", 0}, {"ipco", 0}, {"moov", 0}, {"trak", 0}, {"mdia", 0},
    {"minf", 0}, {"stbl", 0}, {"stsd", 8}, {"av01", 78},
};
enum { MAX_DEPTH = 8 }; /* moov/trak/mdia/minf/stbl/stsd/av01/colr */

/* Whether the boxes in p[0..n) hold an nclx colr box with exactly cicp's
 * values (the one libavif used, not one of another item). */
static bool has_nclx(const uint8_t *p, uint64_t n, const uint16_t cicp[4], int depth)
{
    for (uint64_t at = 0; at + 8 <= n;) {
        uint64_t size = imc_load_be32(p + at), head = 8;
        if (size == 1 && at + 16 <= n) { /* a 64-bit size */
            size = (uint64_t)imc_load_be32(p + at + 8) << 32 | imc_load_be32(p + at + 12);
            head = 16;
        } else if (size == 0) { /* to the end */
            size = n - at;
        }
        if (size < head || size > n - at)
            return false;
        const uint8_t *type = p + at + 4, *body = p + at + head;
        uint64_t body_size = size - head;
        if (!memcmp(type, "colr", 4) && body_size >= 11 && !memcmp(body, "nclx", 4) &&
            imc_load_be16(body + 4) == cicp[0] && imc_load_be16(body + 6) == cicp[1] &&
            imc_load_be16(body + 8) == cicp[2] && (body[10] >> 7) == cicp[3])
            return true;
        for (size_t i = 0; depth < MAX_DEPTH && i < sizeof containers / sizeof containers[0];
             i++)
            if (!memcmp(type, containers[i].type, 4) && body_size >= containers[i].skip &&
                has_nclx(body + containers[i].skip, body_size - containers[i].skip, cicp,
                         depth + 1))
                return true;
        at += size;
    }
    return false;
}

static int add_cicp(const uint8_t *buf, size_t len, const avifImage *im, imc_metadata *md,
                    imc_error *err)
{
    const uint16_t cicp[4] = {im->colorPrimaries, im->transferCharacteristics,
                              im->matrixCoefficients, im->yuvRange == AVIF_RANGE_FULL};
    if (!has_nclx(buf, len, cicp, 0))
        return IMC_OK; /* from the AV1 bitstream, or absent */
    if (cicp[0] > 255 || cicp[1] > 255 || cicp[2] > 255) {
        imc_metadata_refuse(md, "avif: nclx values %u/%u/%u do not fit cICP's bytes", cicp[0],
                            cicp[1], cicp[2]);
        return IMC_OK;
    }
    const uint8_t bytes[4] = {(uint8_t)cicp[0], (uint8_t)cicp[1], (uint8_t)cicp[2],
                              (uint8_t)cicp[3]};
    return imc_metadata_add(md, IMC_METADATA_CICP, bytes, 4, "avif", err);
}

int imc_avif_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err)
{
    avifDecoder *dec = avifDecoderCreate();
    if (!dec)
        return imc_fail(err, IMC_ERR_NOMEM, "avif: cannot create the decoder");
    dec->strictFlags = AVIF_STRICT_DISABLED; /* as the decoder reads the file */
    avifResult r = avifDecoderSetIOMemory(dec, buf, len);
    if (r == AVIF_RESULT_OK)
        r = avifDecoderParse(dec);
    int rc = IMC_OK;
    if (r == AVIF_RESULT_OUT_OF_MEMORY) {
        rc = imc_fail(err, IMC_ERR_NOMEM, "avif: out of memory for the metadata");
    } else if (r == AVIF_RESULT_OK) { /* else nothing can be told of the file */
        const avifImage *im = dec->image;
        if (im->icc.size)
            rc = imc_metadata_add(md, IMC_METADATA_ICCP, im->icc.data, im->icc.size, "avif", err);
        if (rc == IMC_OK)
            rc = add_cicp(buf, len, im, md, err);
        /* libavif 0.11 gives the Exif item after its TIFF header offset
         * field, whatever the offset: 0, or 6 for a JPEG-style prefix */
        if (rc == IMC_OK && im->exif.size)
            rc = imc_metadata_add(md, IMC_METADATA_EXIF, im->exif.data, im->exif.size, "avif", err);
        if (rc == IMC_OK && im->xmp.size)
            rc = imc_metadata_add(md, IMC_METADATA_XMP, im->xmp.data, im->xmp.size, "avif", err);
    }
    avifDecoderDestroy(dec);
    return rc;
}

int imc_avif_set_metadata(avifImage *im, const imc_metadata_blob *blobs, bool first,
                          imc_error *err)
{
    const imc_metadata_blob *icc = &blobs[IMC_METADATA_ICCP], *exif = &blobs[IMC_METADATA_EXIF],
                            *xmp = &blobs[IMC_METADATA_XMP], *cicp = &blobs[IMC_METADATA_CICP];
    if (cicp->data) {
        im->colorPrimaries = cicp->data[0];
        im->transferCharacteristics = cicp->data[1];
    }
    if (!first)
        return IMC_OK;
    if (icc->data)
        avifImageSetProfileICC(im, icc->data, icc->size);
    if (exif->data) /* its orientation also becomes irot / imir, as avifenc makes them */
        avifImageSetMetadataExif(im, exif->data, exif->size);
    if (xmp->data)
        avifImageSetMetadataXMP(im, xmp->data, xmp->size);
    if ((icc->data && im->icc.size != icc->size) || (exif->data && im->exif.size != exif->size) ||
        (xmp->data && im->xmp.size != xmp->size))
        return imc_fail(err, IMC_ERR_NOMEM, "avif: out of memory for the metadata");
    return IMC_OK;
}
