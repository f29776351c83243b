/* Metadata blobs: the list a read fills and the checks a write makes, for
 * the codecs, which only find and place blobs (metadata_read.c has the
 * entry points that pick the codec). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

static const char *const kind_names[IMC_METADATA_KINDS] = {"exif", "xmp", "icc", "cicp"};

const char *imc_metadata_kind_name(int kind)
{
    return kind >= 0 && kind < IMC_METADATA_KINDS ? kind_names[kind] : NULL;
}

void imc_metadata_free(imc_metadata *md)
{
    if (!md)
        return;
    if (md->owner) /* the library's: each blob's bytes are its own allocation */
        for (size_t i = 0; i < md->count; i++)
            free((void *)md->blobs[i].data);
    if (md->owner)
        free(md->blobs);
    memset(md, 0, sizeof *md);
}

void imc_metadata_refuse(imc_metadata *md, const char *fmt, ...)
{
    if (md->refused++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(md->message, sizeof md->message, fmt, ap);
        va_end(ap);
    }
}

/* The checks that make a blob what its kind says, before any byte is
 * written: a reader given a broken profile or EXIF would misread the image. */
static int check_blob(int kind, const uint8_t *d, size_t n, const char *codec, imc_error *err)
{
    switch (kind) {
    case IMC_METADATA_EXIF:
        if (n < 8 || !(memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0))
            return imc_fail(err, IMC_ERR_ARG, "%s: the EXIF blob does not start with a TIFF "
                            "header (II*\\0 or MM\\0*)", codec);
        return IMC_OK;
    case IMC_METADATA_XMP: {
        size_t i = n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
        while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
            i++;
        if (i == n || d[i] != '<')
            return imc_fail(err, IMC_ERR_ARG, "%s: the XMP blob is not XML (it must start "
                            "with '<')", codec);
        return IMC_OK;
    }
    case IMC_METADATA_ICCP:
        if (n < 132 || imc_load_be32(d) != n || memcmp(d + 36, "acsp", 4) != 0)
            return imc_fail(err, IMC_ERR_ARG, "%s: the ICC profile is malformed (%zu bytes; "
                            "its header must give that size and the 'acsp' signature)",
                            codec, n);
        return IMC_OK;
    default: /* CICP */
        if (n != 4 || d[3] > 1)
            return imc_fail(err, IMC_ERR_ARG, "%s: the cICP blob must be 4 bytes, the last "
                            "0 or 1 (full range)", codec);
        return IMC_OK;
    }
}

int imc_metadata_add(imc_metadata *md, int kind, const void *data, size_t size,
                     const char *codec, imc_error *err)
{
    if (kind == IMC_METADATA_EXIF && size > 6 && memcmp(data, "Exif\0\0", 6) == 0) {
        data = (const uint8_t *)data + 6; /* a JPEG-style prefix some writers keep */
        size -= 6;
    }
    if (size == 0 || size > IMC_METADATA_MAX_BLOB) {
        imc_metadata_refuse(md, "%s: %s blob of %zu bytes", codec, kind_names[kind], size);
        return IMC_OK;
    }
    /* What an encoder would refuse is not handed on: it only looks like one. */
    imc_error why;
    if (check_blob(kind, data, size, codec, &why) != IMC_OK) {
        imc_metadata_refuse(md, "%s", why.message);
        return IMC_OK;
    }
    /* Room for 4, doubled when full (a count of 4, 8, 16 ...); owner is the
     * blob array. */
    size_t n = md->count;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        imc_metadata_blob *grown = realloc(md->blobs, (n ? 2 * n : 4) * sizeof *grown);
        if (!grown)
            return imc_fail(err, IMC_ERR_NOMEM, "out of memory for metadata");
        md->blobs = grown;
        md->owner = grown;
    }
    uint8_t *copy = malloc(size);
    if (!copy)
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory for %zu bytes of metadata", size);
    memcpy(copy, data, size);
    md->blobs[md->count++] = (imc_metadata_blob){kind, copy, size};
    return IMC_OK;
}

int imc_metadata_check(const imc_metadata *md, unsigned writable, const char *codec,
                       imc_metadata_blob by_kind[IMC_METADATA_KINDS], imc_error *err)
{
    memset(by_kind, 0, IMC_METADATA_KINDS * sizeof *by_kind);
    if (!md)
        return IMC_OK;
    if (md->count && !md->blobs)
        return imc_fail(err, IMC_ERR_ARG, "metadata: %zu blobs but NULL blobs", md->count);
    for (size_t i = 0; i < md->count; i++) {
        imc_metadata_blob b = md->blobs[i];
        const char *name = imc_metadata_kind_name(b.kind);
        if (!name)
            return imc_fail(err, IMC_ERR_ARG, "metadata blob %zu: unknown kind %d", i, b.kind);
        if (!b.data || b.size == 0)
            return imc_fail(err, IMC_ERR_ARG, "metadata blob %zu (%s) is empty", i, name);
        if (b.size > IMC_METADATA_MAX_BLOB)
            return imc_fail(err, IMC_ERR_LIMITS, "metadata blob %zu (%s) has %zu bytes, over "
                            "the %zu MiB limit", i, name, b.size, IMC_METADATA_MAX_BLOB >> 20);
        if (!(writable & (1u << b.kind)))
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "%s cannot hold %s metadata", codec, name);
        if (by_kind[b.kind].data)
            return imc_fail(err, IMC_ERR_ARG, "metadata: more than one %s blob", name);
        if (b.kind == IMC_METADATA_EXIF && b.size > 6 && memcmp(b.data, "Exif\0\0", 6) == 0) {
            b.data += 6; /* as Pillow and JPEG's APP1 carry it */
            b.size -= 6;
        }
        int rc = check_blob(b.kind, b.data, b.size, codec, err);
        if (rc != IMC_OK)
            return rc;
        by_kind[b.kind] = b;
    }
    return IMC_OK;
}
