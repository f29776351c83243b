/* PNG through libpng, reproducing cv2 4.6's PngDecoder / PngEncoder.
 *
 * Decoding asks libpng for exactly the transformations cv2 asks for (strip
 * or expand alpha, palette and low-bit-depth expansion, BGR, gray <-> RGB with
 * libpng's own 0.299/0.587 weighting, 16 -> 8 bit by dropping the low byte),
 * so every pixel matches, including for damaged files that libpng accepts.
 * Orientation comes from an eXIf chunk, before or after the image data. */
#include "../codecs.h"
#include "../../bytes.h"
#include "fastread.h"
#include "format.h"
#include "chunks.h"
#include "metadata.h"
#include "write.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>


typedef struct {
    png_structp png;
    png_infop info, end_info;
    const uint8_t *buf;
    size_t len, pos;
    bool truncated;
    int color_type, bit_depth;
    char message[160];
    imc_damage *damage; /* while reading pixels: where warnings are noted */
    imc_damage header;  /* libpng's warnings before that */
} decoder;

static void on_error(png_structp png, png_const_charp msg)
{
    decoder *d = png_get_error_ptr(png);
    if (d && msg && !d->message[0])
        snprintf(d->message, sizeof d->message, "%s", msg);
    png_longjmp(png, 1);
}

/* libpng warns where it keeps the pixels: an ancillary chunk with a bad
 * CRC or value dropped, extra compressed data ignored. */
static void on_warning(png_structp png, png_const_charp msg)
{
    decoder *d = png_get_error_ptr(png);
    if (d)
        imc_damage_note(d->damage ? d->damage : &d->header, IMC_DAMAGE_WARNING, -1, "%s",
                        msg ? msg : "libpng warning");
}

static void read_bytes(png_structp png, png_bytep out, size_t size)
{
    decoder *d = png_get_io_ptr(png);
    if (size > d->len - d->pos) {
        d->truncated = true;
        png_error(png, "PNG input buffer is incomplete");
    }
    memcpy(out, d->buf + d->pos, size);
    d->pos += size;
}

static int png_failure(const decoder *d, imc_error *err)
{
    return imc_fail(err, d->truncated ? IMC_ERR_TRUNCATED : IMC_ERR_CORRUPT, "png: %s",
                    d->message[0] ? d->message : "decoding failed");
}

static bool count_idat(const uint8_t *type, const uint8_t *data, size_t size, void *ctx)
{
    (void)data;
    if (!memcmp(type, "IDAT", 4))
        *(uint64_t *)ctx += size;
    return true;
}

/* Deflate expands at most ~1032:1. A header promising far more pixels than
 * the image data could hold can only end in libpng's "Not enough image data"
 * after a large allocation; dispatch fails it first. */
static bool too_little_data(const decoder *d, uint32_t width, uint32_t height, int channels)
{
    uint64_t idat = 0;
    imc_png_walk_chunks(d->buf, d->len, count_idat, &idat);
    uint64_t bits = (uint64_t)width * height * (uint64_t)channels * (uint64_t)d->bit_depth;
    return bits / 8 > idat * 1040 + 4096;
}

static int png_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    (void)scale_denom; /* cv2 resizes PNGs after decoding */
    decoder *d = state;
    d->buf = buf;
    d->len = len;
    d->header = (imc_damage)IMC_DAMAGE_NONE_YET;
    d->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, d, on_error, on_warning);
    if (!d->png)
        return imc_fail(err, IMC_ERR_NOMEM, "png: cannot create decoder");
    d->info = png_create_info_struct(d->png);
    d->end_info = png_create_info_struct(d->png);
    if (!d->info || !d->end_info)
        return imc_fail(err, IMC_ERR_NOMEM, "png: cannot create decoder");
    if (setjmp(png_jmpbuf(d->png)))
        return png_failure(d, err);
    png_set_read_fn(d->png, d, read_bytes);
    /* Chunks whose whole declared length libpng allocates (and clears)
     * before reading, and which nothing here reads: skipped unread, so a
     * forged length (fuzz_png: an sPLT claiming 1.9 GB in a 201-byte file)
     * costs no memory. Pixels never depend on them. */
    static const png_byte unused[] = "sPLT\0tEXt\0zTXt\0iTXt\0pCAL\0sCAL";
    png_set_keep_unknown_chunks(d->png, PNG_HANDLE_CHUNK_NEVER, unused, 6);
    png_read_info(d->png, d->info);

    png_uint_32 width, height;
    png_get_IHDR(d->png, d->info, &width, &height, &d->bit_depth, &d->color_type, NULL, NULL, NULL);
    int channels;
    switch (d->color_type) {
    case PNG_COLOR_TYPE_RGB:
    case PNG_COLOR_TYPE_PALETTE:
        channels = png_get_valid(d->png, d->info, PNG_INFO_tRNS) ? 4 : 3;
        break;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
    case PNG_COLOR_TYPE_RGB_ALPHA:
        channels = 4; /* gray + alpha comes out as BGRA, as in cv2 */
        break;
    default:
        channels = 1;
    }
    static const int samples[7] = {1, 0, 3, 1, 2, 0, 4};
    hdr->data_too_short = too_little_data(d, width, height, samples[d->color_type & 7]);
    hdr->width = (int)width;
    hdr->height = (int)height;
    hdr->channels = channels;
    hdr->depth = d->bit_depth == 16 ? IMC_16U : IMC_8U;
    hdr->scaled = false;
    return IMC_OK;
}

/* cv2's readData: libpng with exactly cv2's transformations. */
static int libpng_read(decoder *d, imc_image *dst, imc_read_request *req, imc_error *err)
{
    const bool color = dst->channels > 1;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(d->png))) {
        free(rows);
        return png_failure(d, err);
    }
    if (dst->depth == IMC_8U && d->bit_depth == 16)
        png_set_strip_16(d->png);
    else
        png_set_swap(d->png); /* to host order; imc builds for little-endian hosts */
    if (dst->channels < 4)
        png_set_strip_alpha(d->png);
    else
        png_set_tRNS_to_alpha(d->png);
    if (d->color_type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(d->png);
    if ((d->color_type & PNG_COLOR_MASK_COLOR) == 0 && d->bit_depth < 8)
        png_set_expand_gray_1_2_4_to_8(d->png);
    if ((d->color_type & PNG_COLOR_MASK_COLOR) && color) {
        if (req->order == IMC_ORDER_BGR)
            png_set_bgr(d->png);
    } else if (color) {
        png_set_gray_to_rgb(d->png);
    } else {
        png_set_rgb_to_gray(d->png, 1, 0.299, 0.587);
    }
    png_set_interlace_handling(d->png);
    png_read_update_info(d->png, d->info);
    if (png_get_rowbytes(d->png, d->info) !=
        (size_t)dst->cols * (size_t)dst->channels * imc_depth_size(dst->depth))
        return imc_fail(err, IMC_ERR_INTERNAL, "png: unexpected row size");

    rows = malloc(sizeof(png_bytep) * (size_t)dst->rows);
    if (!rows)
        return imc_fail(err, IMC_ERR_NOMEM, "png: out of memory");
    for (int y = 0; y < dst->rows; y++)
        rows[y] = (png_bytep)dst->data + (size_t)y * dst->step;
    png_read_image(d->png, rows);
    png_read_end(d->png, d->end_info);
    free(rows);
    rows = NULL;

    png_uint_32 exif_len = 0;
    png_bytep exif = NULL;
    if (png_get_valid(d->png, d->info, PNG_INFO_eXIf))
        png_get_eXIf_1(d->png, d->info, &exif_len, &exif);
    else if (png_get_valid(d->png, d->end_info, PNG_INFO_eXIf))
        png_get_eXIf_1(d->png, d->end_info, &exif_len, &exif);
    req->orientation = exif && exif_len ? imc_exif_orientation(exif, exif_len) : 0;
    return IMC_OK;
}

/* Where IEND ends in the file at `base` (0 if there is none). */
typedef struct {
    const uint8_t *base;
    size_t end;
} iend_search;

static bool find_iend(const uint8_t *type, const uint8_t *data, size_t size, void *ctx)
{
    iend_search *s = ctx;
    if (!memcmp(type, "IEND", 4))
        s->end = (size_t)(data - s->base) + size + 4;
    return true;
}

static int png_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    *req->damage = d->header;
    d->damage = req->damage;
    int fast = imc_png_fast_read(d->buf, d->len, dst, req);
    int rc = fast == IMC_ERR_UNSUPPORTED ? libpng_read(d, dst, req, err)
             : fast == IMC_OK          ? IMC_OK
                                       : imc_fail(err, fast, "png: %s", imc_strerror(fast));
    iend_search iend = {d->buf, 0};
    imc_png_walk_chunks(d->buf, d->len, find_iend, &iend);
    if (rc == IMC_OK && iend.end && iend.end < d->len) /* cv2 never looks: a spliced file? */
        imc_damage_note(req->damage, IMC_DAMAGE_WARNING, -1, "%zu bytes after IEND",
                        d->len - iend.end);
    d->damage = NULL; /* req->damage lives only as long as this call */
    return rc;
}

static void png_close(void *state)
{
    decoder *d = state;
    if (d->png)
        png_destroy_read_struct(&d->png, &d->info, &d->end_info);
}

static bool find_exif(const uint8_t *type, const uint8_t *data, size_t size, void *ctx)
{
    if (memcmp(type, "eXIf", 4))
        return true;
    *(int *)ctx = imc_exif_orientation(data, size);
    return false;
}

static int png_probe(const uint8_t *buf, size_t len, imc_info *info, imc_error *err)
{
    decoder d;
    memset(&d, 0, sizeof d);
    imc_header hdr = {0};
    int rc = png_open(&d, buf, len, 1, &hdr, err);
    png_close(&d);
    if (rc != IMC_OK)
        return rc;
    int orientation = 0;
    imc_png_walk_chunks(buf, len, find_exif, &orientation);
    info->width = hdr.width;
    info->height = hdr.height;
    info->channels = hdr.channels;
    info->depth = hdr.depth;
    info->orientation = orientation >= 1 && orientation <= 8 ? orientation : 0;
    return IMC_OK;
}

static bool png_sniff(const uint8_t *buf, size_t len)
{
    return len >= sizeof imc_png_signature && !memcmp(buf, imc_png_signature, sizeof imc_png_signature);
}

const imc_codec imc_codec_png = {
    .name = "png",
    .signatures = {{(const char *)imc_png_signature, sizeof imc_png_signature}},
    .extensions = "png",
    .sniff = png_sniff,
    .decoder_size = sizeof(decoder),
    .open = png_open,
    .read = png_read,
    .close = png_close,
    .probe = png_probe,
    .encode = imc_png_write,
    IMC_CODEC_PARAMS(imc_png_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_8U) | IMC_DEPTH_BIT(IMC_16U),
    .read_metadata = imc_png_read_metadata,
    .metadata_written = 1u << IMC_METADATA_EXIF | 1u << IMC_METADATA_XMP |
                        1u << IMC_METADATA_ICCP | 1u << IMC_METADATA_CICP,
};
