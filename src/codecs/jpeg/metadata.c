/* JPEG metadata: EXIF (APP1 "Exif\0\0"), XMP (APP1, with Adobe's extended
 * XMP reassembled from its chunks) and the ICC profile (APP2, split over up
 * to 255 numbered segments), read by walking the markers before the first
 * scan, written as segments after libjpeg's JFIF header. */
#include "metadata.h"

#include <stdlib.h>
#include <string.h>

#include "../../bytes.h"

#define EXIF_ID "Exif\0\0"
#define XMP_ID "http://ns.adobe.com/xap/1.0/"             /* + NUL */
#define XMP_EXT_ID "http://ns.adobe.com/xmp/extension/"   /* + NUL */
#define ICC_ID "ICC_PROFILE"                              /* + NUL */

enum {
    XMP_ID_LEN = sizeof XMP_ID, XMP_EXT_ID_LEN = sizeof XMP_EXT_ID, ICC_ID_LEN = sizeof ICC_ID,
    SEGMENT_MAX = 65533, /* payload bytes after the 2-byte length */
    ICC_CHUNK_MAX = SEGMENT_MAX - ICC_ID_LEN - 2
};

typedef struct {
    const uint8_t *data;
    size_t size;
} span;

/* The ICC segments: numbered 1..count, each once, all of one count. */
typedef struct {
    span part[256];
    int count; /* as the first segment said */
    bool bad;  /* misnumbered, repeated, or counts that disagree */
} icc_parts;

/* Adobe's extended XMP: one packet, its chunks at offsets of a full length,
 * all tagged with the same 32-character GUID. */
typedef struct {
    uint8_t guid[32];
    uint8_t *data;
    uint32_t length, filled;
    bool bad;
} xmp_extension;

static int assemble_icc(icc_parts *icc, imc_metadata *md, imc_error *err)
{
    if (icc->bad) {
        imc_metadata_refuse(md, "jpeg: the ICC profile's segments are misnumbered");
        return IMC_OK;
    }
    size_t total = 0;
    for (int i = 1; i <= icc->count; i++) {
        if (!icc->part[i].data) {
            imc_metadata_refuse(md, "jpeg: ICC profile segment %d of %d missing", i, icc->count);
            return IMC_OK;
        }
        total += icc->part[i].size;
    }
    if (icc->count == 0)
        return IMC_OK;
    uint8_t *profile = malloc(total ? total : 1);
    if (!profile)
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory for the ICC profile");
    size_t at = 0;
    for (int i = 1; i <= icc->count; i++) {
        memcpy(profile + at, icc->part[i].data, icc->part[i].size);
        at += icc->part[i].size;
    }
    int rc = imc_metadata_add(md, IMC_METADATA_ICCP, profile, total, "jpeg", err);
    free(profile);
    return rc;
}

static void add_icc_segment(icc_parts *icc, const uint8_t *p, size_t n)
{
    if (n < ICC_ID_LEN + 2) {
        icc->bad = true;
        return;
    }
    int seq = p[ICC_ID_LEN], count = p[ICC_ID_LEN + 1];
    if (seq == 0 || seq > count || icc->part[seq].data || (icc->count && icc->count != count)) {
        icc->bad = true;
        return;
    }
    icc->count = count;
    icc->part[seq] = (span){p + ICC_ID_LEN + 2, n - ICC_ID_LEN - 2};
}

static int add_xmp_chunk(xmp_extension *x, const uint8_t *p, size_t n, imc_error *err)
{
    if (x->bad || n < XMP_EXT_ID_LEN + 40)
        return IMC_OK;
    const uint8_t *guid = p + XMP_EXT_ID_LEN;
    uint32_t length = imc_load_be32(guid + 32), offset = imc_load_be32(guid + 36);
    const uint8_t *chunk = guid + 40;
    size_t size = n - XMP_EXT_ID_LEN - 40;
    if (!x->data) {
        if (length == 0 || length > IMC_METADATA_MAX_BLOB) {
            x->bad = true;
            return IMC_OK;
        }
        if (!(x->data = calloc(1, length)))
            return imc_fail(err, IMC_ERR_NOMEM, "out of memory for extended XMP");
        memcpy(x->guid, guid, 32);
        x->length = length;
    }
    if (memcmp(x->guid, guid, 32) != 0)
        return IMC_OK; /* another packet's chunk (only the first is kept) */
    if (length != x->length || offset > length || size > length - offset) {
        x->bad = true;
        return IMC_OK;
    }
    memcpy(x->data + offset, chunk, size);
    x->filled += (uint32_t)size;
    return IMC_OK;
}

static int finish_xmp_extension(xmp_extension *x, imc_metadata *md, imc_error *err)
{
    int rc = IMC_OK;
    if (x->bad)
        imc_metadata_refuse(md, "jpeg: extended XMP chunks do not fit their declared length");
    else if (x->data && x->filled != x->length)
        imc_metadata_refuse(md, "jpeg: extended XMP has %u of its %u bytes", x->filled,
                            x->length);
    else if (x->data)
        rc = imc_metadata_add(md, IMC_METADATA_XMP, x->data, x->length, "jpeg", err);
    free(x->data);
    return rc;
}

int imc_jpeg_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err)
{
    icc_parts *icc = calloc(1, sizeof *icc);
    if (!icc)
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    xmp_extension ext = {{0}, NULL, 0, 0, false};
    bool have_exif = false;
    int rc = IMC_OK;
    size_t at = 2; /* after SOI */
    while (rc == IMC_OK && at + 4 <= len) {
        if (buf[at] != 0xFF)
            break; /* not a marker: garbage before the scan, as libjpeg would stop on */
        uint8_t m = buf[at + 1];
        if (m == 0xFF) { /* fill byte */
            at++;
            continue;
        }
        if (m == 0xDA || m == 0xD9) /* SOS, EOI: metadata comes before */
            break;
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* no length */
            at += 2;
            continue;
        }
        size_t n = imc_load_be16(buf + at + 2);
        if (n < 2 || n > len - at - 2) {
            imc_metadata_refuse(md, "jpeg: a marker segment runs past the end of the data");
            break;
        }
        const uint8_t *p = buf + at + 4;
        n -= 2;
        if (m == 0xE1 && n > 6 && memcmp(p, EXIF_ID, 6) == 0 && !have_exif) {
            have_exif = true; /* the first, which cv2's orientation also reads */
            rc = imc_metadata_add(md, IMC_METADATA_EXIF, p + 6, n - 6, "jpeg", err);
        } else if (m == 0xE1 && n > XMP_ID_LEN && memcmp(p, XMP_ID, XMP_ID_LEN) == 0) {
            rc = imc_metadata_add(md, IMC_METADATA_XMP, p + XMP_ID_LEN, n - XMP_ID_LEN, "jpeg", err);
        } else if (m == 0xE1 && n > XMP_EXT_ID_LEN && memcmp(p, XMP_EXT_ID, XMP_EXT_ID_LEN) == 0) {
            rc = add_xmp_chunk(&ext, p, n, err);
        } else if (m == 0xE2 && n > ICC_ID_LEN && memcmp(p, ICC_ID, ICC_ID_LEN) == 0) {
            add_icc_segment(icc, p, n);
        }
        at += 4 + n;
    }
    if (rc == IMC_OK)
        rc = assemble_icc(icc, md, err);
    int rc2 = finish_xmp_extension(&ext, md, err);
    free(icc);
    return rc != IMC_OK ? rc : rc2;
}

int imc_jpeg_metadata_fits(const imc_metadata_blob *blobs, imc_error *err)
{
    const imc_metadata_blob *exif = &blobs[IMC_METADATA_EXIF], *xmp = &blobs[IMC_METADATA_XMP];
    if (exif->data && exif->size > SEGMENT_MAX - 6)
        return imc_fail(err, IMC_ERR_LIMITS, "jpeg: EXIF of %zu bytes does not fit its APP1 "
                        "segment (at most %d)", exif->size, SEGMENT_MAX - 6);
    if (xmp->data && xmp->size > SEGMENT_MAX - XMP_ID_LEN)
        return imc_fail(err, IMC_ERR_LIMITS, "jpeg: XMP of %zu bytes does not fit its APP1 "
                        "segment (at most %d; imc does not write extended XMP)", xmp->size,
                        SEGMENT_MAX - XMP_ID_LEN);
    if (blobs[IMC_METADATA_ICCP].data && blobs[IMC_METADATA_ICCP].size > 255u * ICC_CHUNK_MAX)
        return imc_fail(err, IMC_ERR_LIMITS, "jpeg: an ICC profile of %zu bytes needs more "
                        "than 255 APP2 segments", blobs[IMC_METADATA_ICCP].size);
    return IMC_OK;
}

/* One segment of an id and a body, through libjpeg's marker writer. */
static void write_segment(j_compress_ptr cinfo, int marker, const void *id, size_t id_len,
                          const uint8_t *body, size_t size)
{
    jpeg_write_m_header(cinfo, marker, (unsigned)(id_len + size));
    for (size_t i = 0; i < id_len; i++)
        jpeg_write_m_byte(cinfo, ((const uint8_t *)id)[i]);
    for (size_t i = 0; i < size; i++)
        jpeg_write_m_byte(cinfo, body[i]);
}

void imc_jpeg_write_metadata(j_compress_ptr cinfo, const imc_metadata_blob *blobs)
{
    const imc_metadata_blob *b = &blobs[IMC_METADATA_EXIF];
    if (b->data)
        write_segment(cinfo, JPEG_APP0 + 1, EXIF_ID, 6, b->data, b->size);
    b = &blobs[IMC_METADATA_XMP];
    if (b->data)
        write_segment(cinfo, JPEG_APP0 + 1, XMP_ID, XMP_ID_LEN, b->data, b->size);
    b = &blobs[IMC_METADATA_ICCP];
    if (b->data) {
        size_t count = (b->size + ICC_CHUNK_MAX - 1) / ICC_CHUNK_MAX;
        for (size_t i = 0; i < count; i++) {
            uint8_t id[ICC_ID_LEN + 2];
            memcpy(id, ICC_ID, ICC_ID_LEN);
            id[ICC_ID_LEN] = (uint8_t)(i + 1);
            id[ICC_ID_LEN + 1] = (uint8_t)count;
            size_t at = i * ICC_CHUNK_MAX, n = b->size - at < ICC_CHUNK_MAX ? b->size - at
                                                                            : ICC_CHUNK_MAX;
            write_segment(cinfo, JPEG_APP0 + 2, id, sizeof id, b->data + at, n);
        }
    }
}
