/* JPEG XL metadata: the ICC profile is in the codestream (libjxl gives one
 * for every file, synthesized from the enumerated colour space when the
 * file has none: imc takes it only when no enumerated space is encoded,
 * i.e. the header's want_icc), EXIF and XMP are container boxes, "Exif"
 * beginning with the TIFF header's offset (4 bytes, big-endian) and
 * "xml ", either possibly Brotli-compressed in a "brob" box. */
#include "metadata.h"

#include <stdlib.h>
#include <string.h>

#include <jxl/decode.h>

#include "../../bytes.h"

enum { FIRST_BOX_BUFFER = 65536 };

/* The box being collected: its kind, bytes and how many are filled. */
typedef struct {
    JxlDecoder *dec;
    imc_metadata *md;
    imc_error *err;
    int kind; /* -1: none */
    bool seen[IMC_METADATA_KINDS];
    uint8_t *data;
    size_t cap, filled;
} reader;

static int add_box(reader *r, const uint8_t *p, size_t n)
{
    if (r->kind == IMC_METADATA_XMP)
        return imc_metadata_add(r->md, IMC_METADATA_XMP, p, n, "jxl", r->err);
    uint32_t offset = n >= 4 ? imc_load_be32(p) : 0;
    if (n < 4 || offset > n - 4) {
        imc_metadata_refuse(r->md, "jxl: the Exif box's TIFF header offset is past its end");
        return IMC_OK;
    }
    return imc_metadata_add(r->md, IMC_METADATA_EXIF, p + 4 + offset, n - 4 - offset, "jxl", r->err);
}

/* At the next box or the end: the collected box is complete. */
static int finish_box(reader *r)
{
    if (r->kind < 0)
        return IMC_OK;
    r->filled = r->cap - JxlDecoderReleaseBoxBuffer(r->dec);
    int rc = add_box(r, r->data, r->filled);
    free(r->data);
    r->data = NULL;
    r->kind = -1;
    return rc;
}

static int start_box(reader *r, bool decompress)
{
    JxlBoxType type;
    if (JxlDecoderGetBoxType(r->dec, type, decompress) != JXL_DEC_SUCCESS)
        return IMC_OK;
    int kind = !memcmp(type, "Exif", 4) ? IMC_METADATA_EXIF
               : !memcmp(type, "xml ", 4) ? IMC_METADATA_XMP : -1;
    if (kind < 0 || r->seen[kind])
        return IMC_OK; /* the first of each, as for the other formats */
    uint64_t raw = 0;
    JxlDecoderGetBoxSizeRaw(r->dec, &raw);
    size_t cap = raw > 0 && raw <= IMC_METADATA_MAX_BLOB + 4 ? (size_t)raw : FIRST_BOX_BUFFER;
    if (!(r->data = malloc(cap)))
        return imc_fail(r->err, IMC_ERR_NOMEM, "jxl: out of memory for a metadata box");
    r->seen[kind] = true;
    r->kind = kind;
    r->cap = cap;
    r->filled = 0;
    JxlDecoderSetBoxBuffer(r->dec, r->data, cap);
    return IMC_OK;
}

/* The box outgrew its buffer: twice the room, up to the blob limit (the
 * Exif box's 4-byte offset beyond it), where the reading stops. */
static int grow_box(reader *r, bool *stop)
{
    r->filled = r->cap - JxlDecoderReleaseBoxBuffer(r->dec);
    if (r->cap >= IMC_METADATA_MAX_BLOB + 4) {
        imc_metadata_refuse(r->md, "jxl: a metadata box of more than %zu MiB",
                            IMC_METADATA_MAX_BLOB >> 20);
        *stop = true;
        return IMC_OK;
    }
    size_t cap = 2 * r->cap < IMC_METADATA_MAX_BLOB + 4 ? 2 * r->cap : IMC_METADATA_MAX_BLOB + 4;
    uint8_t *grown = realloc(r->data, cap);
    if (!grown)
        return imc_fail(r->err, IMC_ERR_NOMEM, "jxl: out of memory for a metadata box");
    r->data = grown;
    r->cap = cap;
    JxlDecoderSetBoxBuffer(r->dec, r->data + r->filled, cap - r->filled);
    return IMC_OK;
}

/* The codestream's ICC profile when it has one: an enumerated colour
 * space means libjxl's profile would be its own invention. */
static int read_icc(reader *r)
{
    size_t n;
    if (JxlDecoderGetColorAsEncodedProfile(r->dec, NULL, JXL_COLOR_PROFILE_TARGET_ORIGINAL,
                                           NULL) == JXL_DEC_SUCCESS ||
        JxlDecoderGetICCProfileSize(r->dec, NULL, JXL_COLOR_PROFILE_TARGET_ORIGINAL, &n) !=
            JXL_DEC_SUCCESS)
        return IMC_OK;
    if (n == 0 || n > IMC_METADATA_MAX_BLOB) {
        imc_metadata_refuse(r->md, "jxl: ICC profile of %zu bytes", n);
        return IMC_OK;
    }
    uint8_t *icc = malloc(n);
    if (!icc)
        return imc_fail(r->err, IMC_ERR_NOMEM, "jxl: out of memory for the ICC profile");
    int rc = IMC_OK;
    if (JxlDecoderGetColorAsICCProfile(r->dec, NULL, JXL_COLOR_PROFILE_TARGET_ORIGINAL, icc, n) ==
        JXL_DEC_SUCCESS)
        rc = imc_metadata_add(r->md, IMC_METADATA_ICCP, icc, n, "jxl", r->err);
    else
        imc_metadata_refuse(r->md, "jxl: the ICC profile cannot be read");
    free(icc);
    return rc;
}

/* Whether every box of the container lies within the data and the
 * codestream is whole (a jxlc box, or the jxlp box marked last): only then
 * is the input closed, which tells libjxl that the last box is complete
 * (and keeps it from reporting, on stderr, what is missing). */
static bool boxes_complete(const uint8_t *buf, size_t len)
{
    bool codestream = false;
    for (size_t at = 0; at < len;) {
        if (len - at < 8)
            return false;
        uint64_t size = imc_load_be32(buf + at), head = 8;
        if (size == 1) {
            if (len - at < 16)
                return false;
            size = (uint64_t)imc_load_be32(buf + at + 8) << 32 | imc_load_be32(buf + at + 12);
            head = 16;
        } else if (size == 0) { /* the last box, to the end */
            size = len - at;
        }
        if (size < head || size > len - at)
            return false;
        const uint8_t *type = buf + at + 4;
        codestream = codestream || !memcmp(type, "jxlc", 4) ||
                     (!memcmp(type, "jxlp", 4) && size >= head + 4 && (buf[at + head] & 0x80));
        at += (size_t)size;
    }
    return codestream;
}

int imc_jxl_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err)
{
    /* a bare codestream has no boxes: its colour encoding is all there is */
    const bool container = len >= 2 && !(buf[0] == 0xff && buf[1] == 0x0a);
    reader r = {JxlDecoderCreate(NULL), md, err, -1, {false}, NULL, 0, 0};
    if (!r.dec)
        return imc_fail(err, IMC_ERR_NOMEM, "jxl: cannot create the decoder");
    bool decompress = JxlDecoderSetDecompressBoxes(r.dec, JXL_TRUE) == JXL_DEC_SUCCESS;
    int rc = IMC_OK;
    if (JxlDecoderSubscribeEvents(r.dec, JXL_DEC_COLOR_ENCODING | JXL_DEC_BOX) != JXL_DEC_SUCCESS ||
        JxlDecoderSetInput(r.dec, buf, len) != JXL_DEC_SUCCESS)
        rc = imc_fail(err, IMC_ERR_INTERNAL, "jxl: libjxl refuses the input");
    if (container && boxes_complete(buf, len))
        JxlDecoderCloseInput(r.dec);
    for (bool stop = false; rc == IMC_OK && !stop;) {
        JxlDecoderStatus s = JxlDecoderProcessInput(r.dec);
        if (s == JXL_DEC_COLOR_ENCODING) {
            rc = read_icc(&r);
            stop = !container;
        } else if (s == JXL_DEC_BOX) {
            rc = finish_box(&r);
            if (rc == IMC_OK)
                rc = start_box(&r, decompress);
        } else if (s == JXL_DEC_BOX_NEED_MORE_OUTPUT && r.kind >= 0) {
            rc = grow_box(&r, &stop);
        } else if (s == JXL_DEC_SUCCESS) {
            rc = finish_box(&r);
            stop = true;
        } else { /* truncated or damaged: a box being read is incomplete */
            if (r.kind >= 0)
                imc_metadata_refuse(md, "jxl: the data ends inside the %s box",
                                    r.kind == IMC_METADATA_EXIF ? "Exif" : "xml");
            stop = true;
        }
    }
    free(r.data);
    JxlDecoderDestroy(r.dec);
    return rc;
}

int imc_jxl_add_boxes(JxlEncoder *enc, const imc_metadata_blob *blobs, imc_error *err)
{
    const imc_metadata_blob *exif = &blobs[IMC_METADATA_EXIF], *xmp = &blobs[IMC_METADATA_XMP];
    if (!exif->data && !xmp->data)
        return IMC_OK; /* a bare codestream, as without metadata */
    if (JxlEncoderUseContainer(enc, JXL_TRUE) != JXL_ENC_SUCCESS ||
        JxlEncoderUseBoxes(enc) != JXL_ENC_SUCCESS)
        return imc_fail(err, IMC_ERR_INTERNAL, "jxl: libjxl refuses metadata boxes");
    bool ok = true;
    if (exif->data) {
        uint8_t *box = malloc(4 + exif->size);
        if (!box)
            return imc_fail(err, IMC_ERR_NOMEM, "jxl: out of memory for the Exif box");
        memset(box, 0, 4); /* the TIFF header follows at once */
        memcpy(box + 4, exif->data, exif->size);
        ok = JxlEncoderAddBox(enc, "Exif", box, 4 + exif->size, JXL_FALSE) == JXL_ENC_SUCCESS;
        free(box);
    }
    if (ok && xmp->data)
        ok = JxlEncoderAddBox(enc, "xml ", xmp->data, xmp->size, JXL_FALSE) == JXL_ENC_SUCCESS;
    if (!ok)
        return imc_fail(err, IMC_ERR_INTERNAL, "jxl: libjxl refuses a metadata box (%d)",
                        (int)JxlEncoderGetError(enc));
    JxlEncoderCloseBoxes(enc);
    return IMC_OK;
}
