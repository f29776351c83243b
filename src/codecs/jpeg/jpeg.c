/* JPEG through libjpeg-turbo's libjpeg API, reproducing cv2 4.6 exactly.
 *
 * Decoding mirrors cv2's JpegDecoder: a *suspending* memory source (so a
 * truncated baseline file yields an image whose missing rows repeat the last
 * decoded row, and a truncated progressive file yields nothing), DCT scaling
 * for IMREAD_REDUCED_*, libjpeg's own gray / RGB conversions and cv2's CMYK
 * formulas. Unlike cv2 it writes rows straight into the output (BGR via
 * JCS_EXT_BGR), several at a time, with no per-row copy or swap.
 *
 * Encoding makes the same libjpeg calls as cv2's JpegEncoder, so the bytes
 * are identical; BGR(A) input is fed as JCS_EXT_BGR(X) without a copy. */
#include "../codecs.h"
#include "metadata.h"
#include "strips.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#define JPEG_APP1 (JPEG_APP0 + 1)

/* ---- Errors: longjmp out of libjpeg, never print ------------------------- */
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    imc_damage *damage; /* while reading pixels: where warnings are noted */
    imc_damage header;  /* warnings before that (jpeg_read_header) */
} error_mgr;

static void on_error(j_common_ptr cinfo)
{
    error_mgr *e = (error_mgr *)cinfo->err;
    longjmp(e->jump, 1);
}

/* What a libjpeg warning means for the pixels: corrupt entropy-coded data
 * is replaced (zeros, skipped to the next marker), the rest leaves them. */
static int damage_kind(int code)
{
    switch (code) {
    case JWRN_JPEG_EOF:
        return IMC_DAMAGE_TRUNCATED;
    case JWRN_HIT_MARKER: case JWRN_HUFF_BAD_CODE: case JWRN_EXTRANEOUS_DATA:
    case JWRN_MUST_RESYNC: case JWRN_NOT_SEQUENTIAL: case JWRN_BOGUS_PROGRESSION:
    case JWRN_TOO_MUCH_DATA:
        return IMC_DAMAGE_ERROR;
    default:
        return IMC_DAMAGE_WARNING;
    }
}

static void on_message(j_common_ptr cinfo, int level)
{
    error_mgr *e = (error_mgr *)cinfo->err;
    if (level >= 0)
        return; /* trace messages */
    char msg[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, msg);
    int row = e->damage && cinfo->is_decompressor
                  ? (int)((j_decompress_ptr)cinfo)->output_scanline : -1;
    imc_damage_note(e->damage ? e->damage : &e->header, damage_kind(cinfo->err->msg_code), row,
                    "%s", msg);
}

static void no_output(j_common_ptr cinfo)
{
    (void)cinfo;
}

static void init_errors(struct jpeg_error_mgr *pub)
{
    ((error_mgr *)pub)->header = (imc_damage)IMC_DAMAGE_NONE_YET;
    jpeg_std_error(pub);
    pub->error_exit = on_error;
    pub->emit_message = on_message;
    pub->output_message = no_output;
}

static int jpeg_failure(j_common_ptr cinfo, int code, imc_error *err)
{
    char msg[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, msg);
    return imc_fail(err, code, "jpeg: %s", msg);
}

/* ---- Decoding ------------------------------------------------------------ */
typedef struct {
    struct jpeg_decompress_struct cinfo;
    error_mgr err;
    struct jpeg_source_mgr src;
    bool created;
} decoder;

static void src_noop(j_decompress_ptr cinfo)
{
    (void)cinfo;
}

/* No more data will ever come: returning FALSE suspends the decoder, as in
 * cv2, instead of inserting a fake EOI as jpeg_mem_src would. */
static boolean src_fill(j_decompress_ptr cinfo)
{
    (void)cinfo;
    return FALSE;
}

static void src_skip(j_decompress_ptr cinfo, long n)
{
    struct jpeg_source_mgr *src = cinfo->src;
    if (n <= 0)
        return;
    if ((size_t)n > src->bytes_in_buffer) {
        src->next_input_byte += src->bytes_in_buffer;
        src->bytes_in_buffer = 0;
    } else {
        src->next_input_byte += n;
        src->bytes_in_buffer -= (size_t)n;
    }
}

/* Error code for a libjpeg failure: running out of data is truncation. */
static int classify(const decoder *d)
{
    switch (d->err.pub.msg_code) {
    case JERR_BAD_PRECISION: case JERR_NOT_COMPILED: case JERR_ARITH_NOTIMPL:
    case JERR_CCIR601_NOTIMPL: case JERR_CONVERSION_NOTIMPL: case JERR_NO_ARITH_TABLE:
        return IMC_ERR_UNSUPPORTED;
    default:
        return d->src.bytes_in_buffer == 0 ? IMC_ERR_TRUNCATED : IMC_ERR_CORRUPT;
    }
}

static int jpeg_open(void *state, const uint8_t *buf, size_t len, int scale_denom,
                     imc_header *hdr, imc_error *err)
{
    decoder *d = state;
    d->cinfo.err = &d->err.pub;
    init_errors(&d->err.pub);
    if (setjmp(d->err.jump))
        return jpeg_failure((j_common_ptr)&d->cinfo, classify(d), err);
    jpeg_create_decompress(&d->cinfo);
    d->created = true;
    d->src.init_source = src_noop;
    d->src.fill_input_buffer = src_fill;
    d->src.skip_input_data = src_skip;
    d->src.resync_to_restart = jpeg_resync_to_restart;
    d->src.term_source = src_noop;
    d->src.next_input_byte = buf;
    d->src.bytes_in_buffer = len;
    d->cinfo.src = &d->src;

    jpeg_save_markers(&d->cinfo, JPEG_APP1, 0xffff);
    if (jpeg_read_header(&d->cinfo, TRUE) != JPEG_HEADER_OK)
        return imc_fail(err, IMC_ERR_TRUNCATED, "jpeg: data ends inside the header");
    int denom = scale_denom & 0xff; /* REDUCED_*'s 2, 4, 8; a thumbnail's at most this */
    if (scale_denom & IMC_SHRINK_ON_LOAD) /* 1/2, 1/4, 1/8: the SIMD IDCTs (3/8 or 5/8 are slower) */
        denom = denom >= 8 ? 8 : denom >= 4 ? 4 : denom >= 2 ? 2 : 1;
    d->cinfo.scale_num = 1;
    d->cinfo.scale_denom = (unsigned)denom;
    hdr->shrunk_by = denom;
    jpeg_calc_output_dimensions(&d->cinfo);
    hdr->width = (int)d->cinfo.output_width;
    hdr->height = (int)d->cinfo.output_height;
    hdr->channels = d->cinfo.num_components > 1 ? 3 : 1;
    hdr->depth = IMC_8U;
    hdr->scaled = true;
    return IMC_OK;
}

/* cv2 reads EXIF from the first APP1 marker, whatever it holds, skipping
 * the 6 bytes of "Exif\0\0". */
static int find_orientation(const decoder *d)
{
    for (jpeg_saved_marker_ptr m = d->cinfo.marker_list; m; m = m->next)
        if (m->marker == JPEG_APP1)
            return m->data_length > 6 ? imc_exif_orientation(m->data + 6, m->data_length - 6)
                                      : 0;
    return 0;
}

/* cv2 stops after the last row; the rest of the file (up to EOI) is read
 * here only to report what is missing or wrong there. */
static void check_end(j_decompress_ptr cinfo, imc_damage *damage)
{
    for (int i = 0; i < 64 && !jpeg_input_complete(cinfo); i++) {
        int r = jpeg_consume_input(cinfo);
        if (r == JPEG_SUSPENDED) {
            imc_damage_note(damage, IMC_DAMAGE_TRUNCATED, -1,
                            "the data ends after the last row, before the EOI marker");
            return;
        }
    }
    size_t after = cinfo->src->bytes_in_buffer;
    if (jpeg_input_complete(cinfo) && after > 0) /* a second image (MPF), or a spliced file */
        imc_damage_note(damage, IMC_DAMAGE_WARNING, -1, "%zu bytes after the EOI marker", after);
    if (!cinfo->progressive_mode || !cinfo->coef_bits || !jpeg_input_complete(cinfo))
        return;
    /* Progressive scans refine each coefficient down to bit 0 (coef_bits:
     * the last bit sent, -1 for none): a scan lost on the way leaves the
     * image blurred or a component flat, with no word from libjpeg. */
    for (int c = 0; c < cinfo->num_components; c++)
        for (int k = 0; k < DCTSIZE2; k++)
            if (cinfo->coef_bits[c][k] != 0) {
                imc_damage_note(damage, IMC_DAMAGE_ERROR, 0,
                                "scans are missing: coefficient %d of component %d %s", k, c,
                                cinfo->coef_bits[c][k] < 0 ? "never came"
                                                           : "lacks its low bits");
                return;
            }
}

static int jpeg_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    struct jpeg_decompress_struct *cinfo = &d->cinfo;
    const bool cmyk = cinfo->num_components == 4;
    const int width = (int)cinfo->output_width, height = (int)cinfo->output_height;
    if (dst->channels == 4 || dst->cols != width || dst->rows != height)
        return imc_fail(err, IMC_ERR_INTERNAL, "jpeg: unexpected output type");

    if (cmyk)
        cinfo->out_color_space = JCS_CMYK;
    else if (dst->channels == 3)
        cinfo->out_color_space = req->order == IMC_ORDER_BGR ? JCS_EXT_BGR : JCS_EXT_RGB;
    else
        cinfo->out_color_space = JCS_GRAYSCALE;
    req->orientation = find_orientation(d);

    volatile int done = 0;
    volatile bool after_pixels = false;
    JSAMPARRAY cmyk_buf = NULL;
    *req->damage = d->err.header; /* what the header had */
    d->err.damage = req->damage;
    if (setjmp(d->err.jump)) {
        if (!after_pixels)
            return jpeg_failure((j_common_ptr)cinfo, classify(d), err);
        char msg[JMSG_LENGTH_MAX]; /* cv2 stops reading before this: its pixels stand */
        cinfo->err->format_message((j_common_ptr)cinfo, msg);
        imc_damage_note(req->damage, IMC_DAMAGE_ERROR, -1, "after the image: %s", msg);
        return IMC_OK;
    }
    if (!jpeg_start_decompress(cinfo))
        return imc_fail(err, IMC_ERR_TRUNCATED, "jpeg: data ends before the last scan");

    enum { BATCH = 32 };
    const size_t row_bytes = (size_t)width * (size_t)dst->channels;
    const imc_row_sink *sink = req->sink;
    /* streaming (a thumbnail's rows): a batch of rows of libjpeg's, then the sink */
    JSAMPARRAY batch = sink ? cinfo->mem->alloc_sarray((j_common_ptr)cinfo, JPOOL_IMAGE,
                                                       (JDIMENSION)row_bytes + 1, BATCH + 1)
                            : NULL;
    const uint8_t *volatile last = NULL; /* the last row decoded */
    if (cmyk) {
        cmyk_buf = cinfo->mem->alloc_sarray((j_common_ptr)cinfo, JPOOL_IMAGE,
                                            (JDIMENSION)width * 4, 1);
        while (done < height && jpeg_read_scanlines(cinfo, cmyk_buf, 1) == 1) {
            uint8_t *row = sink ? batch[0] : (uint8_t *)dst->data + (size_t)done * dst->step;
            imc_row_cmyk_to_bgr_8u(cmyk_buf[0], row, width, dst->channels,
                                   req->order == IMC_ORDER_RGB);
            if (sink)
                sink->row(sink->ctx, done, row);
            last = row;
            done++;
        }
    } else {
        JSAMPROW rows[BATCH];
        while (done < height) {
            int want = height - done < BATCH ? height - done : BATCH;
            for (int i = 0; i < want; i++)
                rows[i] = sink ? batch[i]
                               : (JSAMPROW)((uint8_t *)dst->data + (size_t)(done + i) * dst->step);
            JDIMENSION got = jpeg_read_scanlines(cinfo, rows, (JDIMENSION)want);
            if (got == 0)
                break; /* suspended: the data ran out */
            for (JDIMENSION i = 0; sink && i < got; i++)
                sink->row(sink->ctx, done + (int)i, rows[i]);
            last = rows[got - 1];
            done += (int)got;
        }
    }

    /* cv2 converts its stale one-row buffer for every row it could not read:
     * those rows repeat the last decoded row (zeros if there is none). */
    if (done < height)
        imc_damage_note(req->damage, IMC_DAMAGE_TRUNCATED, done,
                        "the data ends at row %d of %d (the rest repeats the last row, as in cv2)",
                        done, height);
    if (sink && done < height) {
        uint8_t *fill = batch[BATCH];
        if (last)
            memcpy(fill, last, row_bytes);
        else
            memset(fill, 0, row_bytes);
        for (int y = done; y < height; y++)
            sink->row(sink->ctx, y, fill);
    }
    for (int y = done; !sink && y < height; y++) {
        uint8_t *row = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (done > 0)
            memcpy(row, (uint8_t *)dst->data + (size_t)(done - 1) * dst->step, row_bytes);
        else
            memset(row, 0, row_bytes);
    }
    if (done == height) {
        after_pixels = true;
        check_end(cinfo, req->damage);
    }
    return IMC_OK;
}

static void jpeg_close(void *state)
{
    decoder *d = state;
    if (d->created)
        jpeg_destroy_decompress(&d->cinfo);
    d->created = false;
}

static int jpeg_probe(const uint8_t *buf, size_t len, imc_info *info, imc_error *err)
{
    decoder d;
    memset(&d, 0, sizeof d);
    imc_header hdr = {0};
    int rc = jpeg_open(&d, buf, len, 1, &hdr, err);
    if (rc == IMC_OK) {
        info->width = hdr.width;
        info->height = hdr.height;
        info->channels = hdr.channels;
        info->depth = hdr.depth;
        int o = find_orientation(&d);
        info->orientation = o >= 1 && o <= 8 ? o : 0;
    }
    jpeg_close(&d);
    return rc;
}

static bool jpeg_sniff(const uint8_t *buf, size_t len)
{
    return len >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF;
}

/* ---- Encoding ------------------------------------------------------------ */
typedef struct {
    struct jpeg_destination_mgr pub;
    imc_buffer *out;
} destination;

static void dest_init(j_compress_ptr cinfo)
{
    destination *d = (destination *)cinfo->dest;
    d->pub.next_output_byte = d->out->data + d->out->size;
    d->pub.free_in_buffer = d->out->capacity - d->out->size;
}

static boolean dest_grow(j_compress_ptr cinfo)
{
    destination *d = (destination *)cinfo->dest;
    d->out->size = d->out->capacity; /* libjpeg filled the whole buffer */
    if (imc_buffer_reserve(d->out, d->out->capacity + 1) != IMC_OK)
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
    dest_init(cinfo);
    return TRUE;
}

static void dest_term(j_compress_ptr cinfo)
{
    destination *d = (destination *)cinfo->dest;
    d->out->size = d->out->capacity - d->pub.free_in_buffer;
}

/* The params cv2 takes, plus the sampling factor of newer cv2 releases;
 * table order is jpeg_param's. */
enum jpeg_param { P_QUALITY, P_PROGRESSIVE, P_OPTIMIZE, P_RST, P_LUMA, P_CHROMA, P_SAMPLING };
static const int samplings[] = {
    IMC_IMWRITE_JPEG_SAMPLING_FACTOR_411, IMC_IMWRITE_JPEG_SAMPLING_FACTOR_420,
    IMC_IMWRITE_JPEG_SAMPLING_FACTOR_422, IMC_IMWRITE_JPEG_SAMPLING_FACTOR_440,
    IMC_IMWRITE_JPEG_SAMPLING_FACTOR_444};
static const imc_param_spec jpeg_params[] = {
    IMC_PARAM_CLAMPED(JPEG_QUALITY, 0, 100, 95),
    IMC_PARAM_ANY(JPEG_PROGRESSIVE, 0),
    IMC_PARAM_ANY(JPEG_OPTIMIZE, 0),
    IMC_PARAM_CLAMPED(JPEG_RST_INTERVAL, 0, 65535, 0),
    /* negative: ignored */
    IMC_PARAM(JPEG_LUMA_QUALITY, 0, 100, IMC_PARAM_IGNORED, IMC_PARAM_CLAMPED, -1),
    IMC_PARAM(JPEG_CHROMA_QUALITY, 0, 100, IMC_PARAM_IGNORED, IMC_PARAM_CLAMPED, -1),
    IMC_PARAM_ONE_OF(JPEG_SAMPLING_FACTOR, samplings, 0), /* 0: libjpeg's 4:2:0 */
};

/* The encoder settings cv2 derives from its params. */
typedef struct {
    int quality, progressive, optimize, rst_interval, sampling;
} jpeg_settings;

static jpeg_settings read_settings(const imc_param_values *p)
{
    /* cv2 built on the libjpeg 6.2 API (Debian's, the PyPI wheels') only
     * lets luma quality replace the quality, whichever came last; chroma
     * quality has no effect there. */
    int quality = imc_param_later(p, P_LUMA, P_QUALITY) ? p->value[P_LUMA] : p->value[P_QUALITY];
    return (jpeg_settings){quality, p->value[P_PROGRESSIVE], p->value[P_OPTIMIZE],
                           p->value[P_RST], p->value[P_SAMPLING]};
}

/* Kept apart from parameter parsing so that setjmp clobbers nothing. */
static int compress(const imc_image *img, const jpeg_settings *settings, int order,
                    const imc_metadata_blob *metadata, imc_buffer *out, imc_error *err)
{
    const jpeg_settings s = *settings;
    int rc;
    struct jpeg_compress_struct cinfo;
    error_mgr jerr;
    destination dest = {.out = out};
    volatile bool created = false;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = &jerr.pub;
    init_errors(&jerr.pub);
    if (setjmp(jerr.jump)) {
        rc = jpeg_failure((j_common_ptr)&cinfo,
                          jerr.pub.msg_code == JERR_OUT_OF_MEMORY ? IMC_ERR_NOMEM
                                                                   : IMC_ERR_UNSUPPORTED,
                          err);
        if (created)
            jpeg_destroy_compress(&cinfo);
        return rc;
    }
    jpeg_create_compress(&cinfo);
    created = true;

    /* A first guess at the output size saves most reallocations. */
    size_t guess = (size_t)img->rows * (size_t)img->cols * (img->channels > 1 ? 3 : 1) / 4;
    if (imc_buffer_reserve(out, guess + 4096) != IMC_OK)
        ERREXIT1(&cinfo, JERR_OUT_OF_MEMORY, 0);
    dest.pub.init_destination = dest_init;
    dest.pub.empty_output_buffer = dest_grow;
    dest.pub.term_destination = dest_term;
    cinfo.dest = &dest.pub;

    cinfo.image_width = (JDIMENSION)img->cols;
    cinfo.image_height = (JDIMENSION)img->rows;
    if (img->channels == 1) {
        cinfo.input_components = 1;
        cinfo.in_color_space = JCS_GRAYSCALE;
    } else {
        bool bgr = order == IMC_ORDER_BGR;
        cinfo.input_components = img->channels;
        if (img->channels == 3)
            cinfo.in_color_space = bgr ? JCS_EXT_BGR : JCS_EXT_RGB;
        else
            cinfo.in_color_space = bgr ? JCS_EXT_BGRX : JCS_EXT_RGBX; /* alpha dropped */
    }
    jpeg_set_defaults(&cinfo);
    cinfo.restart_interval = (unsigned)s.rst_interval;
    jpeg_set_quality(&cinfo, s.quality, TRUE);
    if (s.progressive)
        jpeg_simple_progression(&cinfo);
    if (s.optimize)
        cinfo.optimize_coding = TRUE;
    if (img->channels > 1 && s.sampling) {
        cinfo.comp_info[0].v_samp_factor = (s.sampling >> 16) & 0xF;
        cinfo.comp_info[0].h_samp_factor = (s.sampling >> 20) & 0xF;
        cinfo.comp_info[1].v_samp_factor = 1;
        cinfo.comp_info[1].h_samp_factor = 1;
    }
    jpeg_start_compress(&cinfo, TRUE);
    imc_jpeg_write_metadata(&cinfo, metadata);

    enum { BATCH = 16 };
    JSAMPROW rows[BATCH];
    while (cinfo.next_scanline < cinfo.image_height) {
        JDIMENSION y = cinfo.next_scanline, n = cinfo.image_height - y;
        if (n > BATCH)
            n = BATCH;
        for (JDIMENSION i = 0; i < n; i++)
            rows[i] = (JSAMPROW)((const uint8_t *)img->data + (size_t)(y + i) * img->step);
        jpeg_write_scanlines(&cinfo, rows, n);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return IMC_OK;
}

typedef struct {
    const jpeg_settings *settings;
    const imc_encode_request *req;
} strip_job;

static int compress_strip(const imc_image *rows, bool first, void *ctx, imc_buffer *out,
                          imc_error *err)
{
    static const imc_metadata_blob none[IMC_METADATA_KINDS];
    const strip_job *j = ctx;
    return compress(rows, j->settings, j->req->order, first ? j->req->metadata : none, out, err);
}

static int jpeg_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                       imc_error *err)
{
    jpeg_settings s = read_settings(req->params);
    int rc = imc_jpeg_metadata_fits(req->metadata, err);
    if (rc != IMC_OK)
        return rc;
    /* Restarts split the scan into pieces threads can code, unless the
     * Huffman tables come from the whole image (optimize) or scans do. */
    if (req->threads != 0 && req->threads != 1 && !s.progressive && !s.optimize) {
        int sampling = img->channels == 1 ? 0x111111 : s.sampling ? s.sampling : 0x221111;
        strip_job job = {&s, req};
        imc_jpeg_strip_coder coder = {compress_strip, &job};
        rc = imc_jpeg_encode_in_strips(img, req->threads, 8 * ((sampling >> 20) & 0xF),
                                       8 * ((sampling >> 16) & 0xF), s.rst_interval, &coder, out,
                                       err);
        if (rc != IMC_ERR_UNSUPPORTED)
            return rc;
    }
    return compress(img, &s, req->order, req->metadata, out, err);
}

const imc_codec imc_codec_jpeg = {
    .name = "jpeg",
    .signatures = {IMC_SIGNATURE("\xff\xd8\xff")},
    .extensions = "jpeg jpg jpe",
    .sniff = jpeg_sniff,
    .decoder_size = sizeof(decoder),
    .open = jpeg_open,
    .read = jpeg_read,
    .close = jpeg_close,
    .streams_rows = true,
    .probe = jpeg_probe,
    .encode = jpeg_encode,
    IMC_CODEC_PARAMS(jpeg_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_8U),
    .quality_param = IMC_IMWRITE_JPEG_QUALITY,
    .read_metadata = imc_jpeg_read_metadata,
    .metadata_written = 1u << IMC_METADATA_EXIF | 1u << IMC_METADATA_XMP | 1u << IMC_METADATA_ICCP,
};
