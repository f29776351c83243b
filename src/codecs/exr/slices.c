/* Reading slices: every chunk decoded by OpenEXRCore into cv2's frame
 * buffer layout (exr_private.h's frame), samples converted to float as
 * cv2's slices receive them. */
#include "exr_private.h"

static int slice_index(const frame *f, const char *name)
{
    for (int i = 0; i < f->count; i++)
        if (f->slices[i].chan && !strcmp(f->slices[i].name, name))
            return i;
    return -1;
}

/* Imath's half to float: exact, NaN payloads kept. */
static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 31) {
        bits = sign | 0x7f800000u | (mant << 13);
    } else if (exp) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant) { /* subnormal: normalize */
        exp = 113;
        while (!(mant & 0x400)) {
            mant <<= 1;
            exp--;
        }
        bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
    } else {
        bits = sign;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* One stored sample (little endian) as cv2's FLOAT slices receive it. */
static float sample_to_float(const uint8_t *p, int type)
{
    if (type == EXR_PIXEL_HALF)
        return half_to_float(imc_load_le16(p));
    uint32_t u = imc_load_le32(p);
    if (type == EXR_PIXEL_UINT)
        return (float)u;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The chunk being unpacked: its first pixel relative to the data window. */
typedef struct {
    const decoder *d;
    const frame *f;
    int64_t x0, y0;
} chunk_target;

/* Unpacks a decompressed chunk (lines of channels in file order, each line
 * holding the samples of the channels that sample it) into the frame.
 * OpenEXRCore 3.1's own unpackers misread sub-sampled channels. */
static exr_result_t unpack_chunk(exr_decode_pipeline_t *dec)
{
    const chunk_target *t = dec->decoding_user_data;
    const decoder *d = t->d;
    const uint8_t *src = dec->unpacked_buffer;
    size_t left = dec->chunk.unpacked_size;
    for (int l = 0; l < dec->chunk.height; l++) {
        const int64_t y = t->y0 + l, yabs = d->window.min.y + y;
        for (int j = 0; j < dec->channel_count; j++) {
            const exr_coding_channel_info_t *c = &dec->channels[j];
            if (c->y_samples > 1 && imc_exr_floor_mod(yabs, c->y_samples))
                continue;
            size_t n = c->width > 0 ? (size_t)c->width : 0, bytes = n * (size_t)c->bytes_per_element;
            if (bytes > left)
                return EXR_ERR_CORRUPT_CHUNK;
            int i = slice_index(t->f, c->channel_name);
            if (i >= 0) {
                /* sub-sampling implies a data window at the origin (checked) */
                int64_t row = c->y_samples > 1 ? yabs / c->y_samples : y;
                int64_t col = c->x_samples > 1 ? t->x0 / c->x_samples : t->x0;
                if (row >= d->height / c->y_samples ||
                    col + (int64_t)n > d->width / c->x_samples)
                    return EXR_ERR_CORRUPT_CHUNK;
                uint8_t *out = t->f->base + (size_t)row * t->f->ystride +
                               (size_t)col * t->f->xstride + (size_t)i * sizeof(float);
                for (size_t x = 0; x < n; x++) {
                    float v = sample_to_float(src + x * (size_t)c->bytes_per_element,
                                              c->data_type);
                    memcpy(out + x * t->f->xstride, &v, sizeof v);
                }
            }
            src += bytes;
            left -= bytes;
        }
    }
    return EXR_ERR_SUCCESS;
}

/* A chunk no smaller than its pixels holds them uncompressed: OpenEXR's
 * writers store a chunk raw when compressing does not shrink it, and the
 * C++ library (cv2's) reads it so. OpenEXRCore 3.1 runs B44 on such chunks
 * anyway, scrambling them; this replaces its decompression then. */
static exr_result_t raw_chunk(exr_decode_pipeline_t *dec)
{
    if (dec->chunk.unpacked_size == 0 || dec->unpacked_buffer == dec->packed_buffer)
        return EXR_ERR_SUCCESS;
    /* OpenEXRCore gives a chunk without samples (a scanline every channel
     * skips) no buffers; any other chunk without them is damaged. */
    if (!dec->unpacked_buffer || !dec->packed_buffer)
        return EXR_ERR_CORRUPT_CHUNK;
    memmove(dec->unpacked_buffer, dec->packed_buffer, dec->chunk.unpacked_size);
    return EXR_ERR_SUCCESS;
}

/* The C++ B44 decoder fails when its blocks do not use up the chunk
 * exactly ("input data are longer than expected"); OpenEXRCore does not
 * check. Walks the block sizes: 3 bytes for a flat block, else 14; other
 * channels are stored whole. */
static bool b44_fills_chunk(const exr_decode_pipeline_t *dec, const uint8_t *data, size_t size)
{
    size_t at = 0;
    for (int c = 0; c < dec->channel_count; c++) {
        const exr_coding_channel_info_t *ch = &dec->channels[c];
        size_t w = ch->width > 0 ? (size_t)ch->width : 0, h = ch->height > 0 ? (size_t)ch->height : 0;
        if (ch->data_type != EXR_PIXEL_HALF) {
            size_t bytes = w * h * (size_t)ch->bytes_per_element;
            if (bytes > size - at)
                return false;
            at += bytes;
            continue;
        }
        for (size_t blocks = ((w + 3) / 4) * ((h + 3) / 4); blocks; blocks--) {
            if (size - at < 3)
                return false;
            at += data[at + 2] >= (13 << 2) ? 3 : 14;
            if (at > size)
                return false;
        }
    }
    return at == size;
}

/* Reads and decompresses one chunk with OpenEXRCore, then unpacks it here.
 * One pipeline per chunk: OpenEXRCore 3.1 mismanages its buffers when a
 * pipeline is updated between chunks of different sizes. */
static int decode_chunk(decoder *d, const frame *f, const exr_chunk_info_t *ci, int64_t x0,
                        int64_t y0, imc_error *err)
{
    if (ci->packed_size < ci->unpacked_size && ci->compression == EXR_COMPRESSION_NONE)
        return imc_fail(err, IMC_ERR_CORRUPT, "exr: uncompressed chunk too short");
    exr_decode_pipeline_t dec = EXR_DECODE_PIPELINE_INITIALIZER;
    exr_result_t rc = exr_decoding_initialize(d->ctx, 0, ci, &dec);
    if (rc != EXR_ERR_SUCCESS)
        return imc_exr_failure(&d->io, rc, "cannot decode a chunk", err);
    /* Every channel needs an output for OpenEXRCore to pick its read and
     * decompress routines; unpack_chunk replaces its unpacking. */
    float dummy[2];
    for (int j = 0; j < dec.channel_count; j++) {
        exr_coding_channel_info_t *c = &dec.channels[j];
        c->decode_to_ptr = (uint8_t *)dummy;
        c->user_pixel_stride = 2 * sizeof(float); /* not the stored size: no direct reads */
        c->user_line_stride = 0;
        c->user_data_type = EXR_PIXEL_FLOAT;
        c->user_bytes_per_element = sizeof(float);
    }
    chunk_target target = {d, f, x0, y0};
    rc = exr_decoding_choose_default_routines(d->ctx, 0, &dec);
    const bool b44 = ci->compression == EXR_COMPRESSION_B44 ||
                     ci->compression == EXR_COMPRESSION_B44A;
    if (rc == EXR_ERR_SUCCESS && b44 && ci->packed_size < ci->unpacked_size &&
        ci->data_offset <= d->io.len && ci->packed_size <= d->io.len - ci->data_offset &&
        !b44_fills_chunk(&dec, d->io.buf + ci->data_offset, ci->packed_size)) {
        exr_decoding_destroy(d->ctx, &dec);
        return imc_fail(err, IMC_ERR_CORRUPT, "exr: B44 data longer or shorter than its blocks");
    }
    if (rc == EXR_ERR_SUCCESS) {
        if (ci->packed_size >= ci->unpacked_size)
            dec.decompress_fn = raw_chunk;
        dec.unpack_and_convert_fn = unpack_chunk;
        dec.decoding_user_data = &target;
        rc = exr_decoding_run(d->ctx, 0, &dec);
    }
    exr_decoding_destroy(d->ctx, &dec);
    return rc == EXR_ERR_SUCCESS ? IMC_OK : imc_exr_failure(&d->io, rc, "cannot decode a chunk", err);
}

static int decode_tiles(decoder *d, const frame *f, imc_error *err)
{
    int32_t tw, th, lw, lh;
    exr_result_t rc;
    if ((rc = exr_get_tile_sizes(d->ctx, 0, 0, 0, &tw, &th)) != EXR_ERR_SUCCESS ||
        (rc = exr_get_level_sizes(d->ctx, 0, 0, 0, &lw, &lh)) != EXR_ERR_SUCCESS)
        return imc_exr_failure(&d->io, rc, "cannot read the tile layout", err);
    if (tw <= 0 || th <= 0)
        return imc_fail(err, IMC_ERR_CORRUPT, "exr: invalid tile size");
    int32_t chunks = 0;
    uint64_t max_size = 0;
    const bool single = !(d->io.buf[5] & 0x10);
    if (single && ((rc = exr_get_chunk_count(d->ctx, 0, &chunks)) != EXR_ERR_SUCCESS ||
                   (rc = exr_get_chunk_unpacked_size(d->ctx, 0, &max_size)) != EXR_ERR_SUCCESS))
        return imc_exr_failure(&d->io, rc, "cannot read the tile layout", err);
    const int32_t across = (lw + tw - 1) / tw;
    for (int32_t ty = 0; ty < (lh + th - 1) / th; ty++) {
        for (int32_t tx = 0; tx < across; tx++) {
            int r = single ? imc_exr_cxx_check_tile(&d->io, d->table, chunks, tx, ty, across, max_size, err)
                           : IMC_OK;
            if (r != IMC_OK)
                return r;
            exr_chunk_info_t ci;
            rc = exr_read_tile_chunk_info(d->ctx, 0, tx, ty, 0, 0, &ci);
            if (rc != EXR_ERR_SUCCESS)
                return imc_exr_failure(&d->io, rc, "cannot read a tile", err);
            r = decode_chunk(d, f, &ci, (int64_t)tx * tw, (int64_t)ty * th, err);
            if (r != IMC_OK)
                return r;
        }
    }
    return IMC_OK;
}

/* Fills the frame from every chunk of the first part (level 0 if tiled);
 * samples of absent slices are left as they are (zero). */
int imc_exr_read_frame(decoder *d, const frame *f, imc_error *err)
{
    exr_storage_t storage;
    int32_t lines = 0;
    exr_result_t rc = exr_get_storage(d->ctx, 0, &storage);
    if (rc == EXR_ERR_SUCCESS && storage == EXR_STORAGE_TILED)
        return decode_tiles(d, f, err);
    if (rc == EXR_ERR_SUCCESS)
        rc = exr_get_scanlines_per_chunk(d->ctx, 0, &lines);
    if (rc != EXR_ERR_SUCCESS || lines <= 0)
        return imc_exr_failure(&d->io, rc, "cannot read the chunk layout", err);
    for (int64_t y = d->window.min.y; y <= d->window.max.y; y += lines) {
        exr_chunk_info_t ci;
        rc = exr_read_scanline_chunk_info(d->ctx, 0, (int)y, &ci);
        if (rc != EXR_ERR_SUCCESS)
            return imc_exr_failure(&d->io, rc, "cannot read a chunk", err);
        int r = decode_chunk(d, f, &ci, 0, y - d->window.min.y, err);
        if (r != IMC_OK)
            return r;
    }
    return IMC_OK;
}
