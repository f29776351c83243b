/* JPEG 2000 through OpenJPEG, reproducing cv2 4.6's Jpeg2KOpjDecoder and
 * Jpeg2KOpjEncoder (grfmt_jpeg2000_openjpeg.cpp).
 *
 * cv2 registers two decoders, one for the JP2 box signature and one for the
 * raw codestream (J2K) signature, adjacent in its probing order; one codec
 * here sniffs both and opens OpenJPEG in the matching mode. Decoding makes
 * the same OpenJPEG calls over a memory stream with cv2's read/skip/seek
 * semantics, so damaged files decode (or fail) alike, then converts as cv2
 * does: samples shifted right by (highest precision - output bits) and
 * truncated to the output type, components taken by colour space (sRGB or
 * unspecified, gray, sYCC), gray through cvtColor's BGR2GRAY (not kept:
 * cv2's sYCC through cvtColor's YUV2BGR, see sycc_to_bgr_row). Like cv2 it
 * rejects signed, sub-sampled or offset components, precisions below 8 and
 * output depths beyond 16 bits.
 *
 * Encoding sets OpenJPEG up exactly as cv2 does (one quality layer, rate
 * 1000 / IMWRITE_JPEG2000_COMPRESSION_X1000, default 4), so the bytes are
 * cv2's. cv2 writes .jp2 only; imc also writes raw codestreams for .j2k,
 * .j2c and .jpc. */
#include "codecs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openjpeg.h>

#include "../bytes.h"

static const uint8_t jp2_signature[12] = {0, 0, 0, 0x0c, 'j', 'P', ' ', ' ', 13, 10, 0x87, 10};
static const uint8_t j2k_signature[4] = {0xff, 0x4f, 0xff, 0x51};

/* OpenJPEG's messages, kept (not printed) for the error report. */
static void keep_message(const char *msg, void *client)
{
    char *dst = client;
    if (dst[0] || !msg)
        return;
    snprintf(dst, 160, "%s", msg);
    size_t n = strlen(dst);
    while (n && (dst[n - 1] == '\n' || dst[n - 1] == '\r'))
        dst[--n] = '\0';
}

static void ignore_message(const char *msg, void *client)
{
    (void)msg;
    (void)client;
}

/* OpenJPEG's warnings while decoding: a cut stream is decoded as far as it
 * goes (as cv2 returns it) with one of these. */
static void note_warning(const char *msg, void *client)
{
    imc_damage *d = *(imc_damage **)client;
    if (!msg || !d)
        return;
    char text[200];
    snprintf(text, sizeof text, "%s", msg);
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    imc_damage_note(d, IMC_DAMAGE_WARNING, -1, "%s", text);
}

static void quiet(opj_codec_t *codec, char *message, imc_damage **warnings)
{
    opj_set_error_handler(codec, keep_message, message);
    opj_set_warning_handler(codec, warnings ? note_warning : ignore_message, warnings);
    opj_set_info_handler(codec, ignore_message, NULL);
}

/* ---- Decoding ------------------------------------------------------------ */
typedef struct {
    const uint8_t *buf;
    size_t len, pos;
} memory_in;

/* cv2's stream callbacks: a read or skip with nothing left returns -1, a
 * seek clamps to the end and always succeeds. */
static OPJ_SIZE_T read_memory(void *dst, OPJ_SIZE_T count, void *user)
{
    memory_in *m = user;
    size_t left = m->len - m->pos, n = count < left ? count : left;
    if (n == 0)
        return (OPJ_SIZE_T)-1;
    memcpy(dst, m->buf + m->pos, n);
    m->pos += n;
    return n;
}

static OPJ_OFF_T skip_memory(OPJ_OFF_T count, void *user)
{
    memory_in *m = user;
    size_t left = m->len - m->pos, n = (OPJ_SIZE_T)count < left ? (OPJ_SIZE_T)count : left;
    if (n == 0)
        return (OPJ_OFF_T)-1;
    m->pos += n;
    return (OPJ_OFF_T)n;
}

static OPJ_BOOL seek_memory(OPJ_OFF_T offset, void *user)
{
    memory_in *m = user;
    m->pos = (OPJ_SIZE_T)offset < m->len ? (size_t)offset : m->len;
    return OPJ_TRUE;
}

typedef struct {
    memory_in in;
    opj_stream_t *stream;
    opj_codec_t *codec;
    opj_image_t *image;
    OPJ_UINT32 max_prec; /* over the components the header lists */
    char message[160];
    imc_damage *damage;  /* where OpenJPEG's warnings go: header, then req->damage */
    imc_damage header;
} decoder;

static bool is_jp2(const uint8_t *buf, size_t len)
{
    return len >= sizeof jp2_signature && !memcmp(buf, jp2_signature, sizeof jp2_signature);
}

static bool jp2_sniff(const uint8_t *buf, size_t len)
{
    return is_jp2(buf, len) ||
           (len >= sizeof j2k_signature && !memcmp(buf, j2k_signature, sizeof j2k_signature));
}

static int opj_failure(const decoder *d, int code, const char *what, imc_error *err)
{
    return imc_fail(err, code, "jpeg2000: %s%s%s", what, d->message[0] ? ": " : "", d->message);
}

/* cv2's readHeader checks, in its order; returns the native depth. */
static int check_components(decoder *d, int *depth, imc_error *err)
{
    const opj_image_t *im = d->image;
    if (im->numcomps < 1 || im->numcomps > 4)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "jpeg2000: %u components (1 to 4 supported)",
                        im->numcomps);
    bool alpha = false;
    for (OPJ_UINT32 i = 0; i < im->numcomps; i++) {
        const opj_image_comp_t *c = &im->comps[i];
        if (c->sgnd)
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "jpeg2000: component %u is signed", i);
        if (alpha && c->alpha)
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "jpeg2000: component %u is a second alpha",
                            i);
        alpha |= c->alpha != 0;
        if (c->prec > 64)
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "jpeg2000: precision %u > 64", c->prec);
        if (c->prec > d->max_prec)
            d->max_prec = c->prec;
    }
    if (d->max_prec < 8)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "jpeg2000: precision %u < 8 is not supported",
                        d->max_prec);
    *depth = d->max_prec == 8 ? IMC_8U : d->max_prec <= 16 ? IMC_16U
             : d->max_prec <= 23 ? IMC_32F : IMC_64F;
    return IMC_OK;
}

/* The boxes of one level: the next box's type and body, false at the end
 * (or at a box that does not fit). */
static bool next_box(imc_bytes *b, uint32_t *type, imc_bytes *body)
{
    size_t start = b->pos;
    uint64_t size = imc_u32be(b);
    *type = imc_u32be(b);
    if (size == 1)
        size = (uint64_t)imc_u32be(b) << 32 | imc_u32be(b);
    else if (size == 0)
        size = b->size - start;
    size_t head = b->pos - start;
    if (b->overrun || size < head || size > b->size - start)
        return false;
    *body = imc_bytes_of(b->data + b->pos, (size_t)size - head);
    imc_bytes_seek(b, start + (size_t)size);
    return true;
}

/* The channels a JP2 palette makes: the entries of the component mapping
 * box ('cmap') when the header box holds a palette ('pclr'), else 0.
 * OpenJPEG expands the palette only when decoding, after its header gave
 * the codestream's component count, which cv2 takes for the native type
 * (IMREAD_UNCHANGED then gives the palette's colours as gray). */
static int palette_channels(const uint8_t *buf, size_t len)
{
    imc_bytes top = imc_bytes_of(buf, len), box;
    uint32_t type;
    while (next_box(&top, &type, &box)) {
        if (type != 0x6A703268) /* 'jp2h' */
            continue;
        bool palette = false;
        int channels = 0;
        imc_bytes inner;
        while (next_box(&box, &type, &inner)) {
            palette |= type == 0x70636C72;            /* 'pclr' */
            if (type == 0x636D6170)                   /* 'cmap': 4 bytes a channel */
                channels = (int)(inner.size / 4);
        }
        return palette ? channels : 0;
    }
    return 0;
}

/* A JP2's ICC profile (the first colour specification box, 'colr', of
 * method 2 or 3, in the header box) and XMP (the 'uuid' box Adobe's XMP
 * specification names), as exiftool finds them. A codestream has none. */
static int jp2_read_metadata(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err)
{
    static const uint8_t xmp_uuid[16] = {0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8,
                                         0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC};
    if (!is_jp2(buf, len))
        return IMC_OK;
    imc_bytes top = imc_bytes_of(buf, len), box, inner;
    uint32_t type;
    bool have_colr = false;
    int rc = IMC_OK;
    while (rc == IMC_OK && next_box(&top, &type, &box)) {
        if (type == 0x75756964 && box.size > 16 && !memcmp(box.data, xmp_uuid, 16)) /* 'uuid' */
            rc = imc_metadata_add(md, IMC_METADATA_XMP, box.data + 16, box.size - 16, "jpeg2000", err);
        if (type != 0x6A703268) /* 'jp2h' */
            continue;
        while (rc == IMC_OK && next_box(&box, &type, &inner)) {
            if (type != 0x636F6C72 || have_colr) /* 'colr' */
                continue;
            have_colr = true;
            if (inner.size > 3 && (inner.data[0] == 2 || inner.data[0] == 3))
                rc = imc_metadata_add(md, IMC_METADATA_ICCP, inner.data + 3, inner.size - 3, "jpeg2000", err);
        }
    }
    return rc;
}

static int jp2_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    /* cv2 resizes after decoding; only a thumbnail shrinks on load */
    decoder *d = state;
    d->in = (memory_in){buf, len, 0};
    d->stream = opj_stream_default_create(OPJ_TRUE);
    d->codec = opj_create_decompress(is_jp2(buf, len) ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
    if (!d->stream || !d->codec)
        return imc_fail(err, IMC_ERR_NOMEM, "jpeg2000: cannot create decoder");
    opj_stream_set_user_data(d->stream, &d->in, NULL);
    opj_stream_set_user_data_length(d->stream, len);
    opj_stream_set_read_function(d->stream, read_memory);
    opj_stream_set_skip_function(d->stream, skip_memory);
    opj_stream_set_seek_function(d->stream, seek_memory);
    d->header = (imc_damage)IMC_DAMAGE_NONE_YET;
    d->damage = &d->header;
    quiet(d->codec, d->message, &d->damage);

    opj_dparameters_t params;
    opj_set_default_decoder_parameters(&params);
    if (!opj_setup_decoder(d->codec, &params))
        return opj_failure(d, IMC_ERR_INTERNAL, "cannot set up the decoder", err);
    if (!opj_read_header(d->stream, d->codec, &d->image))
        return opj_failure(d, d->in.pos >= len ? IMC_ERR_TRUNCATED : IMC_ERR_CORRUPT,
                           "cannot read the header", err);
    int depth = IMC_8U;
    int rc = check_components(d, &depth, err);
    if (rc != IMC_OK)
        return rc;
    hdr->width = (int)(d->image->x1 - d->image->x0);
    hdr->height = (int)(d->image->y1 - d->image->y0);
    int levels = 0; /* a thumbnail's shrink-on-load: fewer resolution levels decoded */
    for (int s = scale_denom & IMC_SHRINK_ON_LOAD ? scale_denom & 0xff : 1; s > 1; s /= 2)
        levels++; /* floor(log2): at most the factor asked */
    levels = levels > 5 ? 5 : levels;
    opj_codestream_info_v2_t *info = levels ? opj_get_cstr_info(d->codec) : NULL;
    if (info) {
        const int available = info->m_default_tile_info.tccp_info
                                  ? (int)info->m_default_tile_info.tccp_info[0].numresolutions - 1
                                  : 0;
        levels = levels < available ? levels : available;
        opj_destroy_cstr_info(&info);
        if (levels > 0 && opj_set_decoded_resolution_factor(d->codec, (OPJ_UINT32)levels)) {
            const OPJ_UINT32 f = 1u << levels;
            hdr->width = (int)((d->image->x1 + f - 1) / f - (d->image->x0 + f - 1) / f);
            hdr->height = (int)((d->image->y1 + f - 1) / f - (d->image->y0 + f - 1) / f);
            hdr->scaled = true;
            hdr->shrunk_by = (int)f;
        }
    }
    hdr->channels = (int)d->image->numcomps;
    int expanded = palette_channels(buf, len);
    if (expanded >= 1 && expanded <= 4)
        hdr->channels = expanded;
    hdr->depth = depth;
    return IMC_OK;
}

/* Samples of component `src[c]` into output channel c: value >> shift,
 * truncated to the output type, as cv2's copyToMat does. */
static void copy_row(const OPJ_INT32 *const *src, int n, size_t at, unsigned shift, int depth,
                     void *dst, int width)
{
    for (int c = 0; c < n; c++) {
        const OPJ_INT32 *s = src[c] + at;
        if (depth == IMC_8U)
            for (int x = 0; x < width; x++)
                ((uint8_t *)dst)[(size_t)x * n + c] = (uint8_t)(s[x] >> shift);
        else
            for (int x = 0; x < width; x++)
                ((uint16_t *)dst)[(size_t)x * n + c] = (uint16_t)(s[x] >> shift);
    }
}

/* sYCC to RGB as its definition (IEC 61966-2-1 Amd. 1: the full-range
 * BT.601 matrix) gives it, in the arithmetic of OpenJPEG's own decoder
 * (opj_decompress), in place on one row; rgb keeps R first. cv2 4.6 uses
 * cvtColor's YUV2BGR instead, whose analog-YUV coefficients put colours
 * off by up to 33 levels. */
#define SYCC_TO_BGR(T, MAX, HALF)                                                                \
    for (int x = 0; x < width; x++) {                                                            \
        T *p = (T *)row + (size_t)x * 3;                                                         \
        int y = p[0], cb = p[1] - (HALF), cr = p[2] - (HALF);                                    \
        int r = y + (int)(1.402 * (float)cr);                                                    \
        int g = y - (int)(0.344 * (float)cb + 0.714 * (float)cr);                                \
        int b = y + (int)(1.772 * (float)cb);                                                    \
        b = b < 0 ? 0 : b > (MAX) ? (MAX) : b;                                                   \
        g = g < 0 ? 0 : g > (MAX) ? (MAX) : g;                                                   \
        r = r < 0 ? 0 : r > (MAX) ? (MAX) : r;                                                   \
        p[0] = (T)(rgb ? r : b);                                                                 \
        p[1] = (T)g;                                                                             \
        p[2] = (T)(rgb ? b : r);                                                                 \
    }

static void sycc_to_bgr_row(void *row, int depth, int width, bool rgb)
{
    if (depth == IMC_8U) {
        SYCC_TO_BGR(uint8_t, 255, 128)
    } else {
        SYCC_TO_BGR(uint16_t, 65535, 32768)
    }
}

/* The colour-space specific part of cv2's readData. `tmp` holds one row of
 * three samples for the conversion through BGR. */
static int convert(const opj_image_t *im, imc_image *dst, unsigned shift, bool rgb, void *tmp,
                   imc_error *err)
{
    const int out = dst->channels, in = (int)im->numcomps;
    const OPJ_INT32 *src[4];
    enum { COPY, TO_GRAY, FROM_YUV } how = COPY;
    int n = out;
    switch ((int)im->color_space) {
    case OPJ_CLRSPC_UNKNOWN:
    case OPJ_CLRSPC_UNSPECIFIED:
    case OPJ_CLRSPC_SRGB:
        if (out == 1 && in <= 2) {
            src[0] = im->comps[0].data;
        } else if (out == 1 || in >= 3) {
            int r = rgb && out > 1 ? 0 : 2;
            src[0] = im->comps[r].data;
            src[1] = im->comps[1].data;
            src[2] = im->comps[2 - r].data;
            if (out == 4 && in < 4) /* cv2 would read past the components */
                return imc_fail(err, IMC_ERR_CORRUPT, "jpeg2000: 4 channels from %d components",
                                in);
            if (out == 4)
                src[3] = im->comps[3].data;
            if (out == 1) {
                how = TO_GRAY;
                n = 3;
            }
        } else {
            return imc_fail(err, IMC_ERR_UNSUPPORTED,
                            "jpeg2000: cannot convert %d sRGB components to %d channels", in, out);
        }
        break;
    case OPJ_CLRSPC_GRAY:
        if (out == 4)
            return imc_fail(err, IMC_ERR_UNSUPPORTED,
                            "jpeg2000: cannot convert gray to %d channels", out);
        for (int c = 0; c < out; c++)
            src[c] = im->comps[0].data;
        break;
    case OPJ_CLRSPC_SYCC:
        if (out == 1) {
            src[0] = im->comps[0].data;
        } else if (out == 3 && in >= 3) {
            for (int c = 0; c < 3; c++)
                src[c] = im->comps[c].data;
            how = FROM_YUV;
        } else {
            return imc_fail(err, IMC_ERR_UNSUPPORTED,
                            "jpeg2000: cannot convert %d YUV components to %d channels", in, out);
        }
        break;
    default:
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "jpeg2000: unsupported colour space %d",
                        (int)im->color_space);
    }
    for (int y = 0; y < dst->rows; y++) {
        void *row = (uint8_t *)dst->data + (size_t)y * dst->step;
        size_t at = (size_t)y * (size_t)dst->cols;
        copy_row(src, n, at, shift, dst->depth, how == TO_GRAY ? tmp : row, dst->cols);
        if (how == TO_GRAY) {
            if (dst->depth == IMC_8U)
                imc_row_cvt_bgr_to_gray_8u(tmp, 3, row, dst->cols);
            else
                imc_row_cvt_bgr_to_gray_16u(tmp, 3, row, dst->cols);
        } else if (how == FROM_YUV) {
            sycc_to_bgr_row(row, dst->depth, dst->cols, rgb);
        }
    }
    return IMC_OK;
}

static int read_image(decoder *d, imc_image *dst, imc_read_request *req, imc_error *err)
{
    if (!opj_decode(d->codec, d->stream, d->image))
        return opj_failure(d, d->in.pos >= d->in.len ? IMC_ERR_TRUNCATED : IMC_ERR_CORRUPT,
                           "decoding failed", err);
    const opj_image_t *im = d->image;
    if (dst->channels == 2)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "jpeg2000: 2 output channels (gray + alpha) "
                                                  "are not supported; cv2 reads them as gray");
    if (dst->depth != IMC_8U && dst->depth != IMC_16U)
        return imc_fail(err, IMC_ERR_UNSUPPORTED,
                        "jpeg2000: %u-bit samples need IMREAD_ANYDEPTH off (cv2 outputs at most "
                        "16 bits)", d->max_prec);
    if (im->numcomps < 1 || !im->comps)
        return imc_fail(err, IMC_ERR_CORRUPT, "jpeg2000: no components");
    for (OPJ_UINT32 c = 0; c < im->numcomps; c++) {
        const opj_image_comp_t *comp = &im->comps[c];
        if (comp->dx != 1 || comp->dy != 1 || comp->x0 != 0 || comp->y0 != 0 ||
            comp->w != (OPJ_UINT32)dst->cols || comp->h != (OPJ_UINT32)dst->rows)
            return imc_fail(err, IMC_ERR_UNSUPPORTED,
                            "jpeg2000: component %u is sub-sampled or offset (cv2 reads only "
                            "full-size components at the origin)", c);
        if (!comp->data)
            return imc_fail(err, IMC_ERR_CORRUPT, "jpeg2000: component %u has no data", c);
    }
    const unsigned out_prec = dst->depth == IMC_8U ? 8 : 16;
    /* OpenJPEG limits precision to 31 bits, so the shift stays below 32. */
    const unsigned shift = out_prec > d->max_prec ? 0 : (d->max_prec - out_prec) & 31;
    uint16_t *tmp = malloc((size_t)dst->cols * 3 * sizeof *tmp);
    if (!tmp)
        return imc_fail(err, IMC_ERR_NOMEM, "jpeg2000: out of memory");
    int rc = convert(im, dst, shift, req->order == IMC_ORDER_RGB, tmp, err);
    free(tmp);
    return rc;
}

static int jp2_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    imc_damage_worst(req->damage, &d->header, 0); /* what reading the header met */
    d->damage = req->damage;
    int rc = read_image(d, dst, req, err);
    d->damage = NULL; /* req->damage lives only as long as this call */
    return rc;
}

static void jp2_close(void *state)
{
    decoder *d = state;
    if (d->image)
        opj_image_destroy(d->image);
    if (d->codec)
        opj_destroy_codec(d->codec);
    if (d->stream)
        opj_stream_destroy(d->stream);
}

/* ---- Encoding ------------------------------------------------------------ */
typedef struct {
    imc_buffer *out;
    size_t pos;
    bool nomem;
} memory_out;

static OPJ_SIZE_T write_memory(void *src, OPJ_SIZE_T count, void *user)
{
    memory_out *m = user;
    if (imc_buffer_write_at(m->out, m->pos, src, count) != IMC_OK) {
        m->nomem = true;
        return (OPJ_SIZE_T)-1;
    }
    m->pos += count;
    return count;
}

static OPJ_OFF_T skip_out(OPJ_OFF_T count, void *user)
{
    memory_out *m = user;
    if (count < 0 || (uint64_t)count > SIZE_MAX - m->pos)
        return (OPJ_OFF_T)-1;
    m->pos += (size_t)count;
    return count;
}

static OPJ_BOOL seek_out(OPJ_OFF_T offset, void *user)
{
    memory_out *m = user;
    if (offset < 0 || (uint64_t)offset > SIZE_MAX)
        return OPJ_FALSE;
    m->pos = (size_t)offset;
    return OPJ_TRUE;
}

/* The compression ratio is 1000 / value; without it, 4. */
static const imc_param_spec jp2_params[] = {
    IMC_PARAM_CLAMPED(JPEG2000_COMPRESSION_X1000, 1, 1000, 250),
};

/* cv2's setupEncoderParameters. */
static void encoder_parameters(const imc_param_values *params, opj_cparameters_t *p)
{
    opj_set_default_encoder_parameters(p);
    p->tcp_rates[0] = 1000.f / (float)params->value[0];
    p->tcp_numlayers = 1;
    p->cp_disto_alloc = 1;
}

/* An OpenJPEG image holding img's samples, components in RGB(A) order. */
static opj_image_t *make_image(const imc_image *img, int order, const opj_cparameters_t *p)
{
    const int cn = img->channels;
    const OPJ_UINT32 prec = img->depth == IMC_16U ? 16 : 8;
    opj_image_cmptparm_t comp[4];
    memset(comp, 0, sizeof comp);
    for (int i = 0; i < cn; i++) {
        comp[i].prec = prec;
        comp[i].dx = (OPJ_UINT32)p->subsampling_dx;
        comp[i].dy = (OPJ_UINT32)p->subsampling_dy;
        comp[i].w = (OPJ_UINT32)img->cols;
        comp[i].h = (OPJ_UINT32)img->rows;
    }
    opj_image_t *im = opj_image_create((OPJ_UINT32)cn, comp, cn > 2 ? OPJ_CLRSPC_SRGB
                                                                     : OPJ_CLRSPC_GRAY);
    if (!im)
        return NULL;
    if (cn == 2 || cn == 4)
        im->comps[cn - 1].alpha = 1;
    im->x0 = 0;
    im->y0 = 0;
    im->x1 = comp[0].dx * comp[0].w;
    im->y1 = comp[0].dy * comp[0].h;
    for (int c = 0; c < cn; c++) {
        /* BGR input: component 0 (red) comes from channel 2. */
        int from = cn >= 3 && c < 3 && order == IMC_ORDER_BGR ? 2 - c : c;
        OPJ_INT32 *dst = im->comps[c].data;
        for (int y = 0; y < img->rows; y++) {
            const uint8_t *row = (const uint8_t *)img->data + (size_t)y * img->step;
            OPJ_INT32 *d = dst + (size_t)y * (size_t)img->cols;
            if (prec == 8)
                for (int x = 0; x < img->cols; x++)
                    d[x] = row[(size_t)x * cn + from];
            else
                for (int x = 0; x < img->cols; x++)
                    d[x] = ((const uint16_t *)row)[(size_t)x * cn + from];
        }
    }
    return im;
}

static int jp2_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                      imc_error *err)
{
    opj_cparameters_t p;
    encoder_parameters(req->params, &p);
    opj_image_t *im = make_image(img, req->order, &p);
    bool codestream = req->ext && strcmp(req->ext, "jp2") != 0;
    opj_codec_t *codec = im ? opj_create_compress(codestream ? OPJ_CODEC_J2K : OPJ_CODEC_JP2)
                            : NULL;
    opj_stream_t *stream = codec ? opj_stream_default_create(OPJ_FALSE) : NULL;
    memory_out m = {.out = out};
    char message[160] = "";
    int rc = IMC_OK;
    if (!stream) {
        rc = imc_fail(err, IMC_ERR_NOMEM, "jpeg2000: cannot create encoder");
    } else {
        quiet(codec, message, NULL);
        opj_stream_set_user_data(stream, &m, NULL);
        opj_stream_set_write_function(stream, write_memory);
        opj_stream_set_skip_function(stream, skip_out);
        opj_stream_set_seek_function(stream, seek_out);
        if (!opj_setup_encoder(codec, &p, im) || !opj_start_compress(codec, im, stream) ||
            !opj_encode(codec, stream) || !opj_end_compress(codec, stream))
            rc = imc_fail(err, m.nomem ? IMC_ERR_NOMEM : IMC_ERR_INTERNAL,
                          "jpeg2000: encoding failed%s%s", message[0] ? ": " : "", message);
    }
    if (stream)
        opj_stream_destroy(stream);
    if (codec)
        opj_destroy_codec(codec);
    if (im)
        opj_image_destroy(im);
    return rc;
}

const imc_codec imc_codec_jpeg2000 = {
    .name = "jpeg2000",
    .signatures = {{(const char *)jp2_signature, sizeof jp2_signature},   /* boxes */
                   {(const char *)j2k_signature, sizeof j2k_signature}},  /* codestream */
    .extensions = "jp2 j2k j2c jpc",
    .sniff = jp2_sniff,
    .decoder_size = sizeof(decoder),
    .open = jp2_open,
    .read = jp2_read,
    .close = jp2_close,
    .encode = jp2_encode,
    IMC_CODEC_PARAMS(jp2_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_8U) | IMC_DEPTH_BIT(IMC_16U),
    .quality_param = IMC_IMWRITE_JPEG2000_COMPRESSION_X1000,
    .read_metadata = jp2_read_metadata, /* read only: a .j2k codestream could hold none */
};
