/* Encoding: the file cv2 writes, byte for byte (exr.c says what it holds). */
#include "exr_private.h"

/* cv::float16_t(float): round to nearest even; NaN becomes 0x7e00. */
static uint16_t float_to_half(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    uint32_t sign = u & 0x80000000u;
    u ^= sign;
    uint16_t h;
    if (u >= 0x47800000u) {
        h = (uint16_t)(u > 0x7f800000u ? 0x7e00 : 0x7c00);
    } else if (u < 0x38800000u) {
        float t;
        memcpy(&t, &u, sizeof t);
        t += 0.5f; /* the FPU rounds the subnormal into the low bits */
        memcpy(&u, &t, sizeof u);
        h = (uint16_t)(u - 0x3f000000u);
    } else {
        uint32_t t = u + 0xc8000fffu;
        h = (uint16_t)((t + ((u >> 13) & 1)) >> 13);
    }
    return (uint16_t)(h | (sign >> 16));
}

typedef struct {
    exr_pixel_type_t type;
    exr_compression_t compression;
    float dwa_level; /* < 0: library default */
} exr_settings;

enum exr_param { P_TYPE, P_COMPRESSION, P_DWA_LEVEL };
const imc_param_spec imc_exr_params[3] = {
    IMC_PARAM(EXR_TYPE, IMC_IMWRITE_EXR_TYPE_HALF, IMC_IMWRITE_EXR_TYPE_FLOAT, IMC_PARAM_REFUSED,
              IMC_PARAM_REFUSED, IMC_IMWRITE_EXR_TYPE_FLOAT),
    /* cv2's values are OpenEXR's */
    IMC_PARAM(EXR_COMPRESSION, IMC_IMWRITE_EXR_COMPRESSION_NO, IMC_IMWRITE_EXR_COMPRESSION_DWAB,
              IMC_PARAM_REFUSED, IMC_PARAM_REFUSED, IMC_IMWRITE_EXR_COMPRESSION_ZIP),
    /* OpenEXR's C library takes levels in (0, 100] only (newer cv2 clamps
     * negative ones to 0, which that library refuses too) */
    IMC_PARAM(EXR_DWA_COMPRESSION_LEVEL, 1, 100, IMC_PARAM_REFUSED, IMC_PARAM_REFUSED, 45),
};

static exr_settings read_settings(const imc_param_values *p)
{
    return (exr_settings){p->value[P_TYPE] == IMC_IMWRITE_EXR_TYPE_HALF ? EXR_PIXEL_HALF
                                                                       : EXR_PIXEL_FLOAT,
                          (exr_compression_t)p->value[P_COMPRESSION],
                          p->given[P_DWA_LEVEL] ? (float)p->value[P_DWA_LEVEL] : -1.f};
}

/* Lines [y0, y0 + lines) as the file stores them, interleaved: FLOAT
 * copied, HALF converted; the channel pointers pick B, G, R out. */
static void chunk_pixels(const imc_image *img, exr_pixel_type_t type, int y0, int lines,
                         uint8_t *out, size_t line_bytes)
{
    const size_t n = (size_t)img->cols * (size_t)img->channels;
    for (int y = 0; y < lines; y++) {
        const float *src = (const float *)((const uint8_t *)img->data +
                                           (size_t)(y0 + y) * img->step);
        uint8_t *dst = out + (size_t)y * line_bytes;
        if (type == EXR_PIXEL_FLOAT) {
            memcpy(dst, src, n * sizeof(float));
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            uint16_t h = float_to_half(src[i]);
            memcpy(dst + 2 * i, &h, 2);
        }
    }
}

static int add_channels(exr_context_t ctx, int part, int cn, exr_pixel_type_t type)
{
    static const char *const color[] = {"R", "G", "B"};
    exr_result_t rc = EXR_ERR_SUCCESS;
    if (cn >= 3)
        for (int i = 0; i < 3 && rc == EXR_ERR_SUCCESS; i++)
            rc = exr_add_channel(ctx, part, color[i], type, EXR_PERCEPTUALLY_LOGARITHMIC, 1, 1);
    else
        rc = exr_add_channel(ctx, part, "Y", type, EXR_PERCEPTUALLY_LOGARITHMIC, 1, 1);
    if (rc == EXR_ERR_SUCCESS && cn % 2 == 0)
        rc = exr_add_channel(ctx, part, "A", type, EXR_PERCEPTUALLY_LOGARITHMIC, 1, 1);
    return rc;
}

/* Interleaved sample index of a file channel: R is BGR's 2 (RGB's 0). */
static int sample_index(const char *name, int cn, int order)
{
    switch (name[0]) {
    case 'B': return order == IMC_ORDER_RGB ? 2 : 0;
    case 'G': return 1;
    case 'R': return order == IMC_ORDER_RGB ? 0 : 2;
    case 'A': return cn - 1;
    default: return 0; /* Y */
    }
}

/* OpenEXR's writers store a chunk raw when compressing does not shrink it,
 * and readers (the C++ library, cv2's, and ours) take such a chunk as raw.
 * OpenEXRCore 3.1's B44 does not, so its compressor is wrapped. */
typedef exr_result_t (*compress_fn)(exr_encode_pipeline_t *);

static exr_result_t compress_or_store(exr_encode_pipeline_t *enc)
{
    exr_result_t rc = ((compress_fn)enc->encoding_user_data)(enc);
    if (rc == EXR_ERR_SUCCESS && enc->compressed_bytes >= enc->packed_bytes &&
        enc->compressed_alloc_size >= enc->packed_bytes) {
        memcpy(enc->compressed_buffer, enc->packed_buffer, enc->packed_bytes);
        enc->compressed_bytes = enc->packed_bytes;
    }
    return rc;
}

static int write_chunks(exr_context_t ctx, const imc_image *img, const exr_settings *s,
                        int order, stream *io, imc_error *err)
{
    int32_t lines = 0;
    exr_result_t rc = exr_get_scanlines_per_chunk(ctx, 0, &lines);
    if (rc != EXR_ERR_SUCCESS || lines <= 0)
        return imc_exr_failure(io, rc, "no chunk layout", err);
    const size_t elem = s->type == EXR_PIXEL_HALF ? 2 : 4;
    size_t line_bytes = (size_t)img->cols * (size_t)img->channels * elem, bytes;
    if (!imc_mul_size(line_bytes, (size_t)lines, &bytes))
        return imc_fail(err, IMC_ERR_LIMITS, "exr: image too large");
    uint8_t *buf = malloc(bytes);
    if (!buf)
        return imc_fail(err, IMC_ERR_NOMEM, "exr: out of memory");
    exr_encode_pipeline_t enc = EXR_ENCODE_PIPELINE_INITIALIZER;
    bool started = false;
    int r = IMC_OK;
    for (int y = 0; r == IMC_OK && y < img->rows; y += lines) {
        exr_chunk_info_t ci;
        int n = img->rows - y < lines ? img->rows - y : lines;
        chunk_pixels(img, s->type, y, n, buf, line_bytes);
        rc = exr_write_scanline_chunk_info(ctx, 0, y, &ci);
        if (rc == EXR_ERR_SUCCESS)
            rc = started ? exr_encoding_update(ctx, 0, &ci, &enc)
                         : exr_encoding_initialize(ctx, 0, &ci, &enc);
        if (rc == EXR_ERR_SUCCESS) {
            started = true;
            for (int j = 0; j < enc.channel_count; j++) {
                exr_coding_channel_info_t *c = &enc.channels[j];
                int at = sample_index(c->channel_name, img->channels, order);
                c->encode_from_ptr = buf + (size_t)at * elem;
                c->user_pixel_stride = (int32_t)(elem * (size_t)img->channels);
                c->user_line_stride = (int32_t)line_bytes;
                c->user_data_type = (uint16_t)s->type;
                c->user_bytes_per_element = (int16_t)elem;
            }
            rc = exr_encoding_choose_default_routines(ctx, 0, &enc);
            if (rc == EXR_ERR_SUCCESS && enc.compress_fn) {
                enc.encoding_user_data = (void *)enc.compress_fn;
                enc.compress_fn = compress_or_store;
            }
        }
        if (rc == EXR_ERR_SUCCESS)
            rc = exr_encoding_run(ctx, 0, &enc);
        if (rc != EXR_ERR_SUCCESS)
            r = io->nomem ? imc_fail(err, IMC_ERR_NOMEM, "exr: out of memory")
                          : imc_exr_failure(io, rc, "cannot encode", err);
    }
    if (started)
        exr_encoding_destroy(ctx, &enc);
    free(buf);
    return r;
}

int imc_exr_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                   imc_error *err)
{
    if (img->depth != IMC_32F) /* dispatch made it 8-bit: cv2 asserts here */
        return imc_fail(err, IMC_ERR_ARG, "exr: only 32-bit float images can be written, as in "
                                          "cv2 (convert to float32 first)");
    exr_settings s = read_settings(req->params);
    stream io = {.out = out};
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.error_handler_fn = imc_exr_keep_message;
    init.user_data = &io;
    init.write_fn = imc_exr_write_memory;
    exr_context_t ctx = NULL;
    int part = 0;
    exr_result_t rc = exr_start_write(&ctx, "memory", EXR_WRITE_FILE_DIRECTLY, &init);
    if (rc == EXR_ERR_SUCCESS)
        rc = exr_add_part(ctx, NULL, EXR_STORAGE_SCANLINE, &part);
    if (rc == EXR_ERR_SUCCESS)
        rc = exr_initialize_required_attr_simple(ctx, part, img->cols, img->rows, s.compression);
    if (rc == EXR_ERR_SUCCESS)
        rc = add_channels(ctx, part, img->channels, s.type);
    if (rc == EXR_ERR_SUCCESS) /* the C++ library's default, which cv2 keeps */
        rc = exr_set_zip_compression_level(ctx, part, 4);
    if (rc == EXR_ERR_SUCCESS && s.dwa_level >= 0)
        rc = exr_set_dwa_compression_level(ctx, part, s.dwa_level);
    if (rc == EXR_ERR_SUCCESS)
        rc = exr_write_header(ctx);
    int32_t chunks = 0;
    if (rc == EXR_ERR_SUCCESS)
        rc = exr_get_chunk_count(ctx, part, &chunks);
    int r = rc == EXR_ERR_SUCCESS ? write_chunks(ctx, img, &s, req->order, &io, err)
                              : imc_exr_failure(&io, rc, "cannot write the header", err);
    if (ctx && (rc = exr_finish(&ctx)) != EXR_ERR_SUCCESS && r == IMC_OK)
        r = imc_exr_failure(&io, rc, "cannot finish the file", err);
    return r == IMC_OK ? imc_exr_cxx_header_order(out, chunks, err) : r;
}
