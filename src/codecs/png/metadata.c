/* PNG metadata: eXIf holds EXIF as is; iCCP a profile name and the profile
 * zlib-compressed; iTXt with keyword XML:com.adobe.xmp the XMP packet
 * (compressed or not); cICP four bytes. */
#include "metadata.h"

#include "chunks.h"

#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#define XMP_KEYWORD "XML:com.adobe.xmp"

typedef struct {
    imc_metadata *md;
    imc_error *err;
    int rc;
    struct libdeflate_decompressor *inflater;
} reader;

/* Inflates a zlib stream whose size is not stored: a buffer 4 times
 * larger each try, up to the blob limit (a bomb stops there). */
static int add_inflated(reader *r, int kind, const uint8_t *z, size_t n, const char *what)
{
    if (!r->inflater && !(r->inflater = libdeflate_alloc_decompressor()))
        return imc_fail(r->err, IMC_ERR_NOMEM, "out of memory");
    for (size_t cap = n * 4 > 65536 ? n * 4 : 65536;; cap *= 4) {
        if (cap > IMC_METADATA_MAX_BLOB)
            cap = IMC_METADATA_MAX_BLOB;
        uint8_t *out = malloc(cap);
        if (!out)
            return imc_fail(r->err, IMC_ERR_NOMEM, "out of memory for %s", what);
        size_t size = 0;
        enum libdeflate_result res = libdeflate_zlib_decompress(r->inflater, z, n, out, cap, &size);
        int rc = IMC_OK;
        if (res == LIBDEFLATE_SUCCESS)
            rc = imc_metadata_add(r->md, kind, out, size, "png", r->err);
        else if (res != LIBDEFLATE_INSUFFICIENT_SPACE)
            imc_metadata_refuse(r->md, "png: the %s does not inflate", what);
        else if (cap == IMC_METADATA_MAX_BLOB)
            imc_metadata_refuse(r->md, "png: the %s inflates past %zu MiB", what,
                                IMC_METADATA_MAX_BLOB >> 20);
        free(out);
        if (res != LIBDEFLATE_INSUFFICIENT_SPACE || cap == IMC_METADATA_MAX_BLOB)
            return rc;
    }
}

/* iCCP: name (1-79 bytes), NUL, method 0, zlib data. */
static int read_iccp(reader *r, const uint8_t *d, size_t n)
{
    const uint8_t *nul = memchr(d, 0, n < 81 ? n : 81);
    if (!nul || nul == d || (size_t)(nul - d) + 2 > n || nul[1] != 0) {
        imc_metadata_refuse(r->md, "png: malformed iCCP chunk");
        return IMC_OK;
    }
    size_t at = (size_t)(nul - d) + 2;
    return add_inflated(r, IMC_METADATA_ICCP, d + at, n - at, "ICC profile");
}

/* iTXt: keyword NUL, compression flag, method, language NUL, translated
 * keyword NUL, text. Only XMP's keyword is read. */
static int read_itxt(reader *r, const uint8_t *d, size_t n)
{
    if (n < sizeof XMP_KEYWORD + 2 || memcmp(d, XMP_KEYWORD, sizeof XMP_KEYWORD) != 0)
        return IMC_OK;
    size_t at = sizeof XMP_KEYWORD;
    bool compressed = d[at] != 0;
    at += 2;
    for (int field = 0; field < 2; field++) {
        const uint8_t *nul = at < n ? memchr(d + at, 0, n - at) : NULL;
        if (!nul) {
            imc_metadata_refuse(r->md, "png: malformed XMP iTXt chunk");
            return IMC_OK;
        }
        at = (size_t)(nul - d) + 1;
    }
    if (compressed)
        return add_inflated(r, IMC_METADATA_XMP, d + at, n - at, "XMP packet");
    return imc_metadata_add(r->md, IMC_METADATA_XMP, d + at, n - at, "png", r->err);
}

static bool visit(const uint8_t *type, const uint8_t *data, size_t size, void *ctx)
{
    reader *r = ctx;
    if (!memcmp(type, "eXIf", 4))
        r->rc = imc_metadata_add(r->md, IMC_METADATA_EXIF, data, size, "png", r->err);
    else if (!memcmp(type, "iCCP", 4))
        r->rc = read_iccp(r, data, size);
    else if (!memcmp(type, "iTXt", 4))
        r->rc = read_itxt(r, data, size);
    else if (!memcmp(type, "cICP", 4) && size == 4)
        r->rc = imc_metadata_add(r->md, IMC_METADATA_CICP, data, size, "png", r->err);
    else if (!memcmp(type, "cICP", 4))
        imc_metadata_refuse(r->md, "png: cICP chunk of %zu bytes, not 4", size);
    return r->rc == IMC_OK;
}

int imc_png_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err)
{
    reader r = {md, err, IMC_OK, NULL};
    imc_png_walk_chunks(buf, len, visit, &r);
    if (r.inflater)
        libdeflate_free_decompressor(r.inflater);
    return r.rc;
}

static int put_iccp(imc_buffer *out, const imc_metadata_blob *icc, imc_error *err)
{
    static const char name[] = "ICC profile";
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(9);
    size_t bound = c ? libdeflate_zlib_compress_bound(c, icc->size) : 0;
    uint8_t *chunk = c ? malloc(sizeof name + 1 + bound) : NULL;
    int rc = chunk ? IMC_OK : imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    if (chunk) {
        memcpy(chunk, name, sizeof name); /* with its NUL, then method 0 */
        chunk[sizeof name] = 0;
        size_t n = libdeflate_zlib_compress(c, icc->data, icc->size, chunk + sizeof name + 1,
                                            bound);
        rc = n ? imc_png_put_chunk(out, "iCCP", chunk, sizeof name + 1 + n)
               : imc_fail(err, IMC_ERR_INTERNAL, "png: cannot compress the ICC profile");
    }
    free(chunk);
    if (c)
        libdeflate_free_compressor(c);
    return rc;
}

/* XMP uncompressed, as the XMP specification asks of PNG writers (so that
 * tools scanning for the packet find it). */
static int put_xmp(imc_buffer *out, const imc_metadata_blob *xmp, imc_error *err)
{
    enum { HEAD = sizeof XMP_KEYWORD + 4 }; /* keyword NUL, flag, method, 2 empty strings */
    uint8_t *chunk = malloc(HEAD + xmp->size);
    if (!chunk)
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    memcpy(chunk, XMP_KEYWORD, sizeof XMP_KEYWORD);
    memset(chunk + sizeof XMP_KEYWORD, 0, 4);
    memcpy(chunk + HEAD, xmp->data, xmp->size);
    int rc = imc_png_put_chunk(out, "iTXt", chunk, HEAD + xmp->size);
    free(chunk);
    return rc;
}

int imc_png_put_metadata(imc_buffer *out, const imc_metadata_blob *blobs, imc_error *err)
{
    for (int k = 0; k < IMC_METADATA_KINDS; k++)
        if (blobs[k].data && blobs[k].size > 0x7FFFFFFF - 64)
            return imc_fail(err, IMC_ERR_LIMITS, "png: %s blob too large for a chunk",
                            imc_metadata_kind_name(k));
    int rc = IMC_OK;
    if (blobs[IMC_METADATA_CICP].data)
        rc = imc_png_put_chunk(out, "cICP", blobs[IMC_METADATA_CICP].data, 4);
    if (rc == IMC_OK && blobs[IMC_METADATA_ICCP].data)
        rc = put_iccp(out, &blobs[IMC_METADATA_ICCP], err);
    if (rc == IMC_OK && blobs[IMC_METADATA_EXIF].data)
        rc = imc_png_put_chunk(out, "eXIf", blobs[IMC_METADATA_EXIF].data,
                               blobs[IMC_METADATA_EXIF].size);
    if (rc == IMC_OK && blobs[IMC_METADATA_XMP].data)
        rc = put_xmp(out, &blobs[IMC_METADATA_XMP], err);
    return rc;
}
