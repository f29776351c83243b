/* WebP metadata: an extended file's VP8X chunk flags an ICC profile (ICCP,
 * before the image data), EXIF (the TIFF structure) and XMP (the packet)
 * chunks, both after it. Read by walking the RIFF chunks within the RIFF
 * size, written by remuxing the encoder's output with libwebpmux. */
#include "metadata.h"

#include <string.h>

#include <webp/mux.h>

#include "../../bytes.h"

enum { FLAG_ICC = 0x20, FLAG_EXIF = 0x08, FLAG_XMP = 0x04 };

static const struct {
    char fourcc[5];
    int kind, flag;
} chunks[] = {
    {"ICCP", IMC_METADATA_ICCP, FLAG_ICC},
    {"EXIF", IMC_METADATA_EXIF, FLAG_EXIF},
    {"XMP ", IMC_METADATA_XMP, FLAG_XMP},
};
enum { CHUNK_KINDS = sizeof chunks / sizeof chunks[0] };

static int add_chunk(imc_metadata *md, int kind, const uint8_t *p, size_t n, imc_error *err)
{
    if (kind == IMC_METADATA_EXIF)
        return imc_metadata_add(md, IMC_METADATA_EXIF, p, n, "webp", err);
    if (kind == IMC_METADATA_ICCP)
        return imc_metadata_add(md, IMC_METADATA_ICCP, p, n, "webp", err);
    return imc_metadata_add(md, kind, p, n, "webp", err);
}

int imc_webp_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err)
{
    if (len < 12 + 8 + 10 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WEBP", 4) ||
        memcmp(buf + 12, "VP8X", 4))
        return IMC_OK; /* a simple (VP8 / VP8L) file holds no metadata */
    /* libwebp reads no further than the RIFF size says */
    uint64_t end = 8 + (uint64_t)imc_load_le32(buf + 4);
    if (end > len)
        end = len;
    const int flags = buf[20];
    bool seen[CHUNK_KINDS] = {false};
    int rc = IMC_OK;
    for (uint64_t at = 12; rc == IMC_OK && at + 8 <= end;) {
        const uint8_t *head = buf + at;
        uint64_t n = imc_load_le32(head + 4);
        int k = 0;
        while (k < CHUNK_KINDS && memcmp(head, chunks[k].fourcc, 4))
            k++;
        bool wanted = k < CHUNK_KINDS && (flags & chunks[k].flag) && !seen[k];
        if (n > end - at - 8) {
            if (wanted)
                imc_metadata_refuse(md, "webp: the %s chunk runs past the end of the data",
                                    imc_metadata_kind_name(chunks[k].kind));
            break;
        }
        if (wanted) { /* the first of each, as the demuxer's GetChunk(..., 1) */
            seen[k] = true;
            rc = add_chunk(md, chunks[k].kind, head + 8, (size_t)n, err);
        }
        at += 8 + n + (n & 1);
    }
    return rc;
}

static int mux_failure(WebPMuxError e, imc_error *err)
{
    return e == WEBP_MUX_MEMORY_ERROR
               ? imc_fail(err, IMC_ERR_NOMEM, "webp: out of memory for the metadata")
               : imc_fail(err, IMC_ERR_INTERNAL, "webp: libwebpmux cannot add the metadata (%d)",
                          (int)e);
}

int imc_webp_put_metadata(const uint8_t *webp, size_t size, const imc_metadata_blob *blobs,
                          imc_buffer *out, imc_error *err)
{
    bool any = false;
    for (int k = 0; k < CHUNK_KINDS; k++)
        any = any || blobs[chunks[k].kind].data;
    if (!any)
        return imc_buffer_append(out, webp, size) == IMC_OK
                   ? IMC_OK
                   : imc_fail(err, IMC_ERR_NOMEM, "webp: out of memory");
    WebPData file = {webp, size}, assembled;
    WebPDataInit(&assembled);
    WebPMux *mux = WebPMuxCreate(&file, 0);
    if (!mux)
        return imc_fail(err, IMC_ERR_NOMEM, "webp: cannot remux the encoded image");
    WebPMuxError e = WEBP_MUX_OK;
    for (int k = 0; e == WEBP_MUX_OK && k < CHUNK_KINDS; k++) {
        const imc_metadata_blob *b = &blobs[chunks[k].kind];
        WebPData chunk = {b->data, b->size};
        if (b->data)
            e = WebPMuxSetChunk(mux, chunks[k].fourcc, &chunk, 0);
    }
    if (e == WEBP_MUX_OK)
        e = WebPMuxAssemble(mux, &assembled);
    WebPMuxDelete(mux);
    int rc = e == WEBP_MUX_OK ? IMC_OK : mux_failure(e, err);
    if (rc == IMC_OK && imc_buffer_append(out, assembled.bytes, assembled.size) != IMC_OK)
        rc = imc_fail(err, IMC_ERR_NOMEM, "webp: out of memory");
    WebPDataClear(&assembled);
    return rc;
}
