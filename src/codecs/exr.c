/* OpenEXR through the OpenEXR 3 C API (OpenEXRCore), reproducing cv2 4.6's
 * ExrDecoder / ExrEncoder, which use the C++ API (grfmt_exr.cpp).
 *
 * Decoding follows cv2 step by step. The header picks channels by name:
 * R, G, B (colour), else Y or Z with RY, BY (luminance / chroma), plus A;
 * the native type is 32F with 1-4 channels. cv2 then reads "slices" into a
 * frame buffer, each channel converted to float (half and uint too), absent
 * channels filled with 0, sub-sampled channels packed at the top left:
 *  - when the output is 32F with the file's colour-ness ("justcopy"), the
 *    whole image goes straight into the output, then sub-sampled channels
 *    are expanded and luminance / chroma becomes BGR;
 *  - otherwise one line at a time goes through a 3-float line buffer that
 *    keeps its content between lines (so lines that a y-sub-sampled
 *    channel skips reuse the previous line's converted values, as in cv2),
 *    and is converted to gray with the chromaticities' x coordinates, or
 *    to BGR, and saturated to 8 bits.
 * imc decodes each chunk with OpenEXRCore straight into the same frame
 * buffer layout, then runs the same post-processing, so the pixels are
 * cv2's. Where cv2's output holds bytes it never wrote (32F output of a
 * luminance file in the "other" colour-ness), imc writes the same bytes and
 * zeros for the rest.
 *
 * Encoding writes the file cv2 writes, byte for byte: R, G, B (+A) or Y (+A)
 * channels of FLOAT or HALF (IMWRITE_EXR_TYPE, rounded to nearest even as
 * cv2's convertFp16), IMWRITE_EXR_COMPRESSION (default ZIP, zlib level 4 as
 * the C++ library), the header in the C++ library's order, and, as in newer
 * OpenCV, IMWRITE_EXR_DWA_COMPRESSION_LEVEL. Only 32F input, as in cv2. */
#include "codecs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <OpenEXR/openexr.h>

static const uint8_t exr_magic[4] = {0x76, 0x2f, 0x31, 0x01};

/* The stream both directions use: memory in, imc_buffer out, and the first
 * library message kept for the error report (OpenEXRCore prints to stderr
 * unless given a handler). */
typedef struct {
    const uint8_t *buf;
    size_t len;
    uint8_t *patched; /* buf's first patched_len bytes as the C++ library reads them */
    size_t patched_len;
    imc_buffer *out;
    bool nomem;
    char message[160];
} stream;

static void keep_message(exr_const_context_t ctx, exr_result_t code, const char *msg)
{
    void *user = NULL;
    if (exr_get_user_data(ctx, &user) != EXR_ERR_SUCCESS || !user)
        return;
    stream *s = user;
    if (s->message[0])
        return;
    snprintf(s->message, sizeof s->message, "%s", msg ? msg : exr_get_error_code_as_string(code));
    for (char *p = s->message; *p; p++) /* it may quote names from damaged files */
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
}

static int64_t read_memory(exr_const_context_t ctx, void *user, void *buffer, uint64_t size,
                           uint64_t offset, exr_stream_error_func_ptr_t error_cb)
{
    (void)ctx;
    (void)error_cb;
    const stream *s = user;
    if (offset >= s->len)
        return 0;
    uint64_t n = s->len - offset < size ? s->len - offset : size, done = 0;
    if (offset < s->patched_len) {
        done = s->patched_len - offset < n ? s->patched_len - offset : n;
        memcpy(buffer, s->patched + offset, (size_t)done);
    }
    memcpy((uint8_t *)buffer + done, s->buf + offset + done, (size_t)(n - done));
    return (int64_t)n;
}

static int64_t memory_size(exr_const_context_t ctx, void *user)
{
    (void)ctx;
    return (int64_t)((const stream *)user)->len;
}

static int64_t write_memory(exr_const_context_t ctx, void *user, const void *buffer,
                            uint64_t size, uint64_t offset, exr_stream_error_func_ptr_t error_cb)
{
    (void)ctx;
    (void)error_cb;
    stream *s = user;
    if (offset > SIZE_MAX || size > SIZE_MAX ||
        imc_buffer_write_at(s->out, (size_t)offset, buffer, (size_t)size) != IMC_OK) {
        s->nomem = true;
        return -1;
    }
    return (int64_t)size;
}

static int exr_failure(const stream *s, exr_result_t rc, const char *what, imc_error *err)
{
    int code = rc == EXR_ERR_OUT_OF_MEMORY ? IMC_ERR_NOMEM
               : rc == EXR_ERR_READ_IO ? IMC_ERR_TRUNCATED
               : rc == EXR_ERR_FEATURE_NOT_IMPLEMENTED ? IMC_ERR_UNSUPPORTED
                                                       : IMC_ERR_CORRUPT;
    return imc_fail(err, code, "exr: %s: %s", what,
                    s->message[0] ? s->message : exr_get_error_code_as_string(rc));
}

/* ---- The file as OpenEXR's C++ library reads it --------------------------
 * cv2 reads EXR through the C++ library, which differs from OpenEXRCore on
 * damaged files. Its header reader takes the declared size of an attribute
 * only for variable-length types (a float is 4 bytes whatever the size field
 * says; a channel list runs to its terminator), accepts any non-zero
 * perceptual-linear byte and any name up to 255 characters, and rejects a
 * predefined attribute of the wrong type. Its scan-line reader seeks to the
 * first chunk's table offset and then reads on, one chunk after the other,
 * without looking at the table again (rebuilding it by such a scan when an
 * entry is not positive). imc walks the file that way first, fails where
 * the C++ reader fails, and hands OpenEXRCore a patched copy of the header
 * and offset table that says what the C++ reader understood. */
#include "../bytes.h"

static int fixed_value_size(const char *type)
{
    static const struct {
        const char *type;
        int size;
    } sizes[] = {{"box2i", 16}, {"box2f", 16}, {"compression", 1}, {"lineOrder", 1},
                 {"envmap", 1}, {"deepImageState", 1}, {"double", 8}, {"float", 4},
                 {"int", 4}, {"keycode", 28}, {"m33f", 36}, {"m33d", 72}, {"m44f", 64},
                 {"m44d", 128}, {"rational", 8}, {"timecode", 8}, {"tiledesc", 9},
                 {"v2i", 8}, {"v2f", 8}, {"v2d", 16}, {"v3i", 12}, {"v3f", 12}, {"v3d", 24},
                 {"chromaticities", 32}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (!strcmp(sizes[i].type, type))
            return sizes[i].size;
    return -1;
}

/* The attributes every C++ Header starts with: a file's must match in type. */
static const char *predefined_type(const char *name)
{
    static const char *const predefined[][2] = {
        {"displayWindow", "box2i"}, {"dataWindow", "box2i"}, {"pixelAspectRatio", "float"},
        {"screenWindowCenter", "v2f"}, {"screenWindowWidth", "float"},
        {"lineOrder", "lineOrder"}, {"compression", "compression"}, {"channels", "chlist"}};
    for (size_t i = 0; i < sizeof predefined / sizeof predefined[0]; i++)
        if (!strcmp(predefined[i][0], name))
            return predefined[i][1];
    return NULL;
}

/* A name as Xdr::read reads it: up to 255 characters and a terminator. */
static bool read_name(imc_bytes *b, char name[256])
{
    for (int i = 0; i < 256; i++) {
        name[i] = (char)imc_u8(b);
        if (!name[i])
            return !b->overrun;
    }
    return false;
}

static void put_i32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Reads a channel list as the C++ library does, fixing up perceptual-linear
 * bytes in `out` (when given); returns the bytes it spans, or -1. */
static int64_t read_chlist(imc_bytes *b, uint8_t *out)
{
    size_t start = b->pos;
    char name[256];
    for (;;) {
        if (!read_name(b, name))
            return -1;
        if (!name[0])
            return (int64_t)(b->pos - start);
        size_t plinear = b->pos + 4;
        imc_bytes_skip(b, 16);
        if (b->overrun)
            return -1;
        if (out && out[plinear] > 1)
            out[plinear] = 1;
    }
}

static int cxx_failure(int code, const char *what, const char *name, imc_error *err)
{
    return imc_fail(err, code, "exr: %s%s%s (as OpenEXR's C++ library reads the header)", what,
                    name ? " " : "", name ? name : "");
}

/* The bytes the C++ library reads for a value of `type` declared `size`
 * bytes long at b's position, or -1 when it cannot. */
static int64_t value_size(imc_bytes *b, const char *type, int32_t size, uint8_t *out)
{
    size_t at = b->pos;
    int64_t used = fixed_value_size(type);
    if (!strcmp(type, "chlist")) {
        used = read_chlist(b, out);
    } else if (!strcmp(type, "preview")) {
        uint64_t w = imc_u32le(b), h = imc_u32le(b);
        used = !b->overrun && w * h < ((uint64_t)1 << 40) ? (int64_t)(8 + 4 * w * h) : -1;
    } else if (used < 0) {
        used = size;
    }
    b->pos = at;
    return used;
}

/* What the C++ library compares between the parts of a multi-part file:
 * where each header's displayWindow and pixelAspectRatio values are. */
typedef struct {
    size_t window, aspect; /* 0: absent */
} header_facts;

/* One header: attributes up to an empty name; *count receives how many.
 * With `out`, fixes the size fields there to what the C++ library reads. */
static int cxx_header(imc_bytes *b, uint8_t *out, bool *long_names, int *count,
                      header_facts *facts, imc_error *err)
{
    char name[256], type[256];
    memset(facts, 0, sizeof *facts);
    for (*count = 0;; ++*count) {
        if (!read_name(b, name))
            return cxx_failure(IMC_ERR_TRUNCATED, "attribute name not terminated", NULL, err);
        if (!name[0])
            return IMC_OK;
        if (!read_name(b, type))
            return cxx_failure(IMC_ERR_TRUNCATED, "attribute type not terminated", name, err);
        *long_names |= strlen(name) > 31 || strlen(type) > 31;
        size_t size_at = b->pos;
        int32_t size = (int32_t)imc_u32le(b);
        if (b->overrun)
            return cxx_failure(IMC_ERR_TRUNCATED, "header ends in attribute", name, err);
        if (size < 0)
            return cxx_failure(IMC_ERR_CORRUPT, "negative size of attribute", name, err);
        const char *want = predefined_type(name);
        if (want && strcmp(want, type))
            return cxx_failure(IMC_ERR_CORRUPT, "unexpected type for attribute", name, err);
        int64_t used = value_size(b, type, size, out);
        if (used < 0 || (uint64_t)used > imc_bytes_left(b))
            return cxx_failure(IMC_ERR_TRUNCATED, "header ends in attribute", name, err);
        if (!strcmp(name, "displayWindow"))
            facts->window = b->pos;
        if (!strcmp(name, "pixelAspectRatio"))
            facts->aspect = b->pos;
        imc_bytes_skip(b, (size_t)used);
        if (out && used != size)
            put_i32(out + size_at, (uint32_t)used);
    }
}

/* The C++ library's check that the parts agree on shared attributes. */
static bool same_value(const uint8_t *buf, size_t a, size_t b, size_t size)
{
    return (!a && !b) || (a && b && !memcmp(buf + a, buf + b, size));
}

/* Walks the headers the C++ way (every part's, for multi-part files),
 * failing where it fails; with `out`, patches them there. */
static int cxx_walk(const stream *s, uint8_t *out, size_t *end, imc_error *err)
{
    imc_bytes b = imc_bytes_of(s->buf, s->len);
    imc_bytes_skip(&b, 8);
    const bool multipart = s->len > 5 && (s->buf[5] & 0x10);
    bool long_names = false;
    int count;
    header_facts first, facts;
    for (int part = 0;; part++) {
        int rc = cxx_header(&b, out, &long_names, &count, part ? &facts : &first, err);
        if (rc != IMC_OK)
            return rc;
        if (!multipart || count == 0)
            break;
        if (part && (!same_value(s->buf, first.window, facts.window, 16) ||
                     !same_value(s->buf, first.aspect, facts.aspect, 4)))
            return cxx_failure(IMC_ERR_CORRUPT, "parts disagree on shared attributes", NULL, err);
    }
    if (out && long_names)
        out[5] |= 0x04; /* the C++ reader needs no flag for long names */
    *end = b.pos;
    return IMC_OK;
}

/* s->patched: the headers as the C++ library reads them. */
static int cxx_headers(stream *s, size_t *end, imc_error *err)
{
    if (s->len < 8)
        return cxx_failure(IMC_ERR_TRUNCATED, "no version field", NULL, err);
    int rc = cxx_walk(s, NULL, end, err);
    if (rc != IMC_OK)
        return rc;
    s->patched = malloc(*end);
    if (!s->patched)
        return imc_fail(err, IMC_ERR_NOMEM, "exr: out of memory");
    memcpy(s->patched, s->buf, *end);
    s->patched_len = *end;
    return cxx_walk(s, s->patched, end, err);
}

static int64_t i64_at(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return (int64_t)v;
}

static int32_t i32_at(const uint8_t *p)
{
    return (int32_t)imc_load_le32(p);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t m = a % b;
    return m < 0 ? m + b : m;
}

/* The C++ reader's lineBufferSize, the most bytes a chunk can hold:
 * sub-sampled channels count only the lines and columns they sample. */
static uint64_t cxx_line_buffer_size(const exr_attr_chlist_t *list, exr_attr_box2i_t w,
                                     int32_t lines)
{
    int64_t height = (int64_t)w.max.y - w.min.y + 1;
    int64_t l = lines < height ? lines : height;
    uint64_t size = 0;
    for (int c = 0; c < list->num_channels; c++) {
        const exr_attr_chlist_entry_t *e = &list->entries[c];
        if (e->x_sampling < 1 || e->y_sampling < 1)
            continue;
        int64_t xs = floor_div(w.max.x, e->x_sampling) - floor_div(w.min.x - 1, e->x_sampling);
        int64_t ys = (l + e->y_sampling - 1) / e->y_sampling;
        size += (uint64_t)xs * (uint64_t)ys * (e->pixel_type == EXR_PIXEL_HALF ? 2 : 4);
    }
    return size;
}

/* Where the C++ scan-line reader finds the chunks of a single-part file in
 * increasing line order (it reads every one, as cv2 asks for all lines):
 * the first at its table offset (after the table when an entry is not
 * positive), each next right after the previous. Writes those positions
 * over the offset table; fails where the C++ reader would. */
static int cxx_chunk_offsets(stream *s, exr_context_t ctx, size_t table, imc_error *err)
{
    exr_storage_t storage;
    exr_lineorder_t order;
    exr_attr_box2i_t window;
    int32_t chunks, lines;
    const exr_attr_chlist_t *list;
    if ((s->buf[5] & 0x10) || exr_get_storage(ctx, 0, &storage) != EXR_ERR_SUCCESS ||
        storage != EXR_STORAGE_SCANLINE || exr_get_lineorder(ctx, 0, &order) != EXR_ERR_SUCCESS ||
        order != EXR_LINEORDER_INCREASING_Y ||
        exr_get_chunk_count(ctx, 0, &chunks) != EXR_ERR_SUCCESS || chunks <= 0 ||
        exr_get_scanlines_per_chunk(ctx, 0, &lines) != EXR_ERR_SUCCESS || lines <= 0 ||
        exr_get_data_window(ctx, 0, &window) != EXR_ERR_SUCCESS ||
        exr_get_channels(ctx, 0, &list) != EXR_ERR_SUCCESS)
        return IMC_OK; /* left to OpenEXRCore */
    const uint64_t max_size = cxx_line_buffer_size(list, window, lines);
    if (max_size > INT32_MAX)
        return cxx_failure(IMC_ERR_CORRUPT, "chunks too large", NULL, err);
    if ((uint64_t)chunks > (s->len - table) / 8)
        return cxx_failure(IMC_ERR_TRUNCATED, "offset table cut short", NULL, err);
    const size_t end = table + 8 * (size_t)chunks;
    uint8_t *p = realloc(s->patched, end);
    if (!p)
        return imc_fail(err, IMC_ERR_NOMEM, "exr: out of memory");
    memcpy(p + table, s->buf + table, end - table);
    s->patched = p;
    s->patched_len = end;
    uint64_t pos = (uint64_t)i64_at(s->buf + table);
    for (int32_t k = 0; k < chunks; k++)
        if (i64_at(s->buf + table + 8 * (size_t)k) <= 0)
            pos = end; /* it rescans from the end of the table */
    for (int32_t k = 0; k < chunks; k++) {
        if (pos > s->len - 8)
            return cxx_failure(IMC_ERR_TRUNCATED, "chunk past the end", NULL, err);
        int32_t y = i32_at(s->buf + pos), size = i32_at(s->buf + pos + 4);
        if (y != window.min.y + (int64_t)k * lines)
            return cxx_failure(IMC_ERR_CORRUPT, "unexpected chunk y coordinate", NULL, err);
        if (size < 0 || (uint64_t)size > max_size || (uint64_t)size > s->len - pos - 8)
            return cxx_failure(IMC_ERR_CORRUPT, "unexpected chunk length", NULL, err);
        put_i32(p + table + 8 * (size_t)k, (uint32_t)pos);
        put_i32(p + table + 8 * (size_t)k + 4, (uint32_t)(pos >> 32));
        pos += 8 + (uint64_t)size;
    }
    return IMC_OK;
}

/* The C++ tile reader seeks to each tile's table offset and checks the
 * tile's header there (unless an entry is not positive: then it rescans,
 * left to OpenEXRCore). Level-0 tile (tx, ty) is entry ty * across + tx. */
static int cxx_check_tile(const stream *s, size_t table, int32_t chunks, int32_t tx, int32_t ty,
                          int32_t across, uint64_t max_size, imc_error *err)
{
    if ((uint64_t)chunks > (s->len - table) / 8)
        return cxx_failure(IMC_ERR_TRUNCATED, "tile offset table cut short", NULL, err);
    for (int32_t k = 0; k < chunks; k++)
        if (i64_at(s->buf + table + 8 * (size_t)k) <= 0)
            return IMC_OK;
    uint64_t pos = (uint64_t)i64_at(s->buf + table + 8 * ((size_t)ty * (size_t)across + (size_t)tx));
    if (pos > s->len - 20)
        return cxx_failure(IMC_ERR_TRUNCATED, "tile past the end", NULL, err);
    const uint8_t *h = s->buf + pos;
    int32_t size = i32_at(h + 16);
    if (i32_at(h) != tx || i32_at(h + 4) != ty || i32_at(h + 8) || i32_at(h + 12))
        return cxx_failure(IMC_ERR_CORRUPT, "unexpected tile coordinates", NULL, err);
    if (size < 0 || (uint64_t)size > max_size || (uint64_t)size > s->len - pos - 20)
        return cxx_failure(IMC_ERR_CORRUPT, "unexpected tile length", NULL, err);
    return IMC_OK;
}

/* ---- Decoding ------------------------------------------------------------ */
typedef const exr_attr_chlist_entry_t channel;

/* One frame-buffer slice as cv2 inserts it: a channel name, the channel of
 * that name in the file (NULL: filled with 0) and the sampling cv2 gives. */
typedef struct {
    const char *name;
    channel *chan;
    int xs, ys;
} slice;

typedef struct {
    stream io;
    size_t table; /* where the (first part's) offset table starts */
    exr_context_t ctx;
    exr_attr_box2i_t window;
    int width, height;
    exr_attr_chromaticities_t chroma;
    channel *red, *green, *blue, *alpha; /* cv2's m_red ... */
    bool iscolor, ischroma, hasalpha;
} decoder;

static channel *find_channel(const exr_attr_chlist_t *list, const char *name)
{
    for (int i = 0; i < list->num_channels; i++)
        if (!strcmp(list->entries[i].name.str, name))
            return &list->entries[i];
    return NULL;
}

static bool exr_sniff(const uint8_t *buf, size_t len)
{
    return len >= sizeof exr_magic && !memcmp(buf, exr_magic, sizeof exr_magic);
}

/* cv2's readHeader: which channels make the image. */
static bool choose_channels(decoder *d, const exr_attr_chlist_t *list)
{
    d->red = find_channel(list, "R");
    d->green = find_channel(list, "G");
    d->blue = find_channel(list, "B");
    d->alpha = find_channel(list, "A");
    d->hasalpha = d->alpha != NULL;
    if (d->red || d->green || d->blue) {
        d->iscolor = true;
        return true;
    }
    d->green = find_channel(list, "Y");
    if (!d->green)
        d->green = find_channel(list, "Z"); /* cv2 then reads "Y": zeros */
    if (!d->green)
        return false;
    d->ischroma = true;
    d->red = find_channel(list, "RY");
    d->blue = find_channel(list, "BY");
    d->iscolor = d->blue || d->red;
    return true;
}

/* A lower bound on the bytes the chunks need: their offsets and headers. */
static bool too_little_data(const decoder *d)
{
    int32_t chunks = 0;
    if (exr_get_chunk_count(d->ctx, 0, &chunks) != EXR_ERR_SUCCESS || chunks < 0)
        return false;
    return (uint64_t)chunks * 16 > d->io.len;
}

static int exr_open(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                    imc_error *err)
{
    (void)scale_denom; /* cv2 resizes after decoding */
    decoder *d = state;
    d->io.buf = buf;
    d->io.len = len;
    size_t header_end = 0;
    int r = cxx_headers(&d->io, &header_end, err);
    if (r != IMC_OK)
        return r;
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.error_handler_fn = keep_message;
    init.user_data = &d->io;
    init.read_fn = read_memory;
    init.size_fn = memory_size;
    exr_result_t rc = exr_start_read(&d->ctx, "memory", &init);
    if (rc != EXR_ERR_SUCCESS)
        return exr_failure(&d->io, rc, "cannot read the header", err);
    d->table = header_end;
    r = cxx_chunk_offsets(&d->io, d->ctx, header_end, err);
    if (r != IMC_OK)
        return r;
    exr_storage_t storage;
    rc = exr_get_storage(d->ctx, 0, &storage);
    if (rc != EXR_ERR_SUCCESS)
        return exr_failure(&d->io, rc, "cannot read the header", err);
    if (storage != EXR_STORAGE_SCANLINE && storage != EXR_STORAGE_TILED)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "exr: deep data (cv2 reads flat images only)");
    const exr_attr_chlist_t *list = NULL;
    if ((rc = exr_get_data_window(d->ctx, 0, &d->window)) != EXR_ERR_SUCCESS ||
        (rc = exr_get_channels(d->ctx, 0, &list)) != EXR_ERR_SUCCESS)
        return exr_failure(&d->io, rc, "cannot read the header", err);
    int64_t w = (int64_t)d->window.max.x - d->window.min.x + 1;
    int64_t h = (int64_t)d->window.max.y - d->window.min.y + 1;
    if (w <= 0 || h <= 0 || w > INT_MAX || h > INT_MAX)
        return imc_fail(err, IMC_ERR_CORRUPT, "exr: invalid data window");
    d->width = (int)w;
    d->height = (int)h;
    /* Rec. 709, ImfChromaticities' default, unless the file has its own. */
    d->chroma = (exr_attr_chromaticities_t){0.64f, 0.33f, 0.30f, 0.60f, 0.15f, 0.06f,
                                            0.3127f, 0.3290f};
    exr_attr_chromaticities_t c;
    if (exr_attr_get_chromaticities(d->ctx, 0, "chromaticities", &c) == EXR_ERR_SUCCESS)
        d->chroma = c;
    if (!choose_channels(d, list))
        return imc_fail(err, IMC_ERR_UNSUPPORTED,
                        "exr: no R, G, B, Y or Z channel (cv2 reads no other layout)");
    hdr->width = d->width;
    hdr->height = d->height;
    hdr->channels = d->iscolor && d->hasalpha ? 4 : d->iscolor ? 3 : d->hasalpha ? 2 : 1;
    hdr->depth = IMC_32F;
    hdr->data_too_short = too_little_data(d);
    return IMC_OK;
}

/* ---- Reading slices ------------------------------------------------------ */
/* Where cv2's frame buffer puts each sample: slice i of the pixel at
 * compact position (col, row) is at base + row * ystride + col * xstride +
 * 4 * i; a sub-sampled channel fills cols [0, width / xs) of rows
 * [0, height / ys). */
typedef struct {
    uint8_t *base;
    size_t xstride, ystride;
    const slice *slices;
    int count;
} frame;

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
            if (c->y_samples > 1 && floor_mod(yabs, c->y_samples))
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
    if (dec->unpacked_buffer != dec->packed_buffer)
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
        return exr_failure(&d->io, rc, "cannot decode a chunk", err);
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
    return rc == EXR_ERR_SUCCESS ? IMC_OK : exr_failure(&d->io, rc, "cannot decode a chunk", err);
}

static int decode_tiles(decoder *d, const frame *f, imc_error *err)
{
    int32_t tw, th, lw, lh;
    exr_result_t rc;
    if ((rc = exr_get_tile_sizes(d->ctx, 0, 0, 0, &tw, &th)) != EXR_ERR_SUCCESS ||
        (rc = exr_get_level_sizes(d->ctx, 0, 0, 0, &lw, &lh)) != EXR_ERR_SUCCESS)
        return exr_failure(&d->io, rc, "cannot read the tile layout", err);
    if (tw <= 0 || th <= 0)
        return imc_fail(err, IMC_ERR_CORRUPT, "exr: invalid tile size");
    int32_t chunks = 0;
    uint64_t max_size = 0;
    const bool single = !(d->io.buf[5] & 0x10);
    if (single && ((rc = exr_get_chunk_count(d->ctx, 0, &chunks)) != EXR_ERR_SUCCESS ||
                   (rc = exr_get_chunk_unpacked_size(d->ctx, 0, &max_size)) != EXR_ERR_SUCCESS))
        return exr_failure(&d->io, rc, "cannot read the tile layout", err);
    const int32_t across = (lw + tw - 1) / tw;
    for (int32_t ty = 0; ty < (lh + th - 1) / th; ty++) {
        for (int32_t tx = 0; tx < across; tx++) {
            int r = single ? cxx_check_tile(&d->io, d->table, chunks, tx, ty, across, max_size, err)
                           : IMC_OK;
            if (r != IMC_OK)
                return r;
            exr_chunk_info_t ci;
            rc = exr_read_tile_chunk_info(d->ctx, 0, tx, ty, 0, 0, &ci);
            if (rc != EXR_ERR_SUCCESS)
                return exr_failure(&d->io, rc, "cannot read a tile", err);
            r = decode_chunk(d, f, &ci, (int64_t)tx * tw, (int64_t)ty * th, err);
            if (r != IMC_OK)
                return r;
        }
    }
    return IMC_OK;
}

/* Fills the frame from every chunk of the first part (level 0 if tiled);
 * samples of absent slices are left as they are (zero). */
static int read_frame(decoder *d, const frame *f, imc_error *err)
{
    exr_storage_t storage;
    int32_t lines = 0;
    exr_result_t rc = exr_get_storage(d->ctx, 0, &storage);
    if (rc == EXR_ERR_SUCCESS && storage == EXR_STORAGE_TILED)
        return decode_tiles(d, f, err);
    if (rc == EXR_ERR_SUCCESS)
        rc = exr_get_scanlines_per_chunk(d->ctx, 0, &lines);
    if (rc != EXR_ERR_SUCCESS || lines <= 0)
        return exr_failure(&d->io, rc, "cannot read the chunk layout", err);
    for (int64_t y = d->window.min.y; y <= d->window.max.y; y += lines) {
        exr_chunk_info_t ci;
        rc = exr_read_scanline_chunk_info(d->ctx, 0, (int)y, &ci);
        if (rc != EXR_ERR_SUCCESS)
            return exr_failure(&d->io, rc, "cannot read a chunk", err);
        int r = decode_chunk(d, f, &ci, 0, y - d->window.min.y, err);
        if (r != IMC_OK)
            return r;
    }
    return IMC_OK;
}

/* ---- cv2's post-processing, element for element --------------------------- */
/* cv2's UpSample: expands samples packed at the top left by duplication;
 * indices count elements of `elem` bytes. */
static void upsample(uint8_t *data, size_t elem, size_t xstep, size_t ystep, int width,
                     int height, int xs, int ys)
{
    for (int y = (height - 1) / ys, yre = height - ys; y >= 0; y--, yre -= ys)
        for (int x = (width - 1) / xs, xre = width - xs; x >= 0; x--, xre -= xs)
            for (int i = 0; i < ys; i++)
                for (int n = 0; n < xs; n++)
                    memcpy(data + ((size_t)(yre + i) * ystep + (size_t)(xre + n) * xstep) * elem,
                           data + ((size_t)y * ystep + (size_t)x * xstep) * elem, elem);
}

/* cv2's UpSampleX on one line of floats. */
static void upsample_x(float *data, int xstep, int width, int xs)
{
    for (int x = (width - 1) / xs, xre = width - xs; x >= 0; x--, xre -= xs)
        for (int n = 0; n < xs; n++)
            data[(xre + n) * xstep] = data[x * xstep];
}

/* cv2's UpSampleY: copies every ys-th row down over the rows below it. */
static void upsample_y(uint8_t *data, size_t elem, size_t xstep, size_t ystep, int width,
                       int height, int ys)
{
    for (int y = height - ys; y >= 0; y -= ys)
        for (int x = 0; x < width; x++)
            for (int i = 1; i < ys; i++)
                memcpy(data + ((size_t)(y + i) * ystep + (size_t)x * xstep) * elem,
                       data + ((size_t)y * ystep + (size_t)x * xstep) * elem, elem);
}

/* cv2's ChromaToBGR (from ImfRgbaYca), in double precision. */
static void chroma_to_bgr(const decoder *d, float *data, int lines, size_t xstep, size_t ystep)
{
    for (int y = 0; y < lines; y++) {
        for (int x = 0; x < d->width; x++) {
            float *p = data + (size_t)y * ystep + (size_t)x * xstep;
            double b = p[0], Y = p[1], r = p[2];
            r = (r + 1) * Y;
            b = (b + 1) * Y;
            Y = (Y - b * d->chroma.blue_y - r * d->chroma.red_y) / d->chroma.green_y;
            p[0] = (float)b;
            p[1] = (float)Y;
            p[2] = (float)r;
        }
    }
}

/* (uchar)f as x86 compiles it: truncation to int32 (INT_MIN when out of
 * range), then the low byte. */
static uint8_t truncate_u8(float f)
{
    int32_t i = f > -2147483648.0f && f < 2147483648.0f ? (int32_t)f : INT32_MIN;
    return (uint8_t)i;
}

/* cv2's RGBToGray: weights are the chromaticities' x coordinates. */
static void rgb_to_gray(const decoder *d, const float *in, void *out, bool native)
{
    const float bx = d->chroma.blue_x, gx = d->chroma.green_x, rx = d->chroma.red_x;
    for (int i = 0; i < d->width; i++, in += 3) {
        float v = in[0] * bx + in[1] * gx + in[2] * rx;
        if (native)
            ((float *)out)[i] = v;
        else
            ((uint8_t *)out)[i] = truncate_u8(v);
    }
}

static uint8_t saturate_u8(float f)
{
    int v = imc_cv_round(f);
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* What cv2's readData decides from the output type. */
typedef struct {
    bool native, color, justcopy, chromatorgb, rgbtogray;
    int toread; /* cv2's channelstoread */
    slice slices[4];
    int count;
} plan;

static void add_slice(plan *p, const exr_attr_chlist_t *list, const char *name, channel *from)
{
    slice *s = &p->slices[p->count++];
    s->name = name;
    s->chan = find_channel(list, name);
    s->xs = from ? from->x_sampling : 1;
    s->ys = from ? from->y_sampling : 1;
}

static int make_plan(const decoder *d, const imc_image *dst, plan *p, imc_error *err)
{
    const exr_attr_chlist_t *list = NULL;
    exr_result_t rc = exr_get_channels(d->ctx, 0, &list);
    if (rc != EXR_ERR_SUCCESS)
        return exr_failure(&d->io, rc, "no channel list", err);
    memset(p, 0, sizeof *p);
    const bool alphasupported = dst->channels % 2 == 0;
    p->native = dst->depth == IMC_32F;
    p->color = dst->channels > 2;
    p->justcopy = p->native && p->color == d->iscolor;
    p->chromatorgb = d->ischroma && p->color;
    p->rgbtogray = !d->ischroma && d->iscolor && !p->color;
    p->toread = d->iscolor && alphasupported                   ? 4
                : (d->iscolor && !d->ischroma) || p->color ? 3
                : alphasupported                             ? 2
                                                             : 1;
    if (d->ischroma && p->color) {
        add_slice(p, list, "BY", d->blue);
        add_slice(p, list, "Y", d->green);
        add_slice(p, list, "RY", d->red);
    } else if (d->ischroma) {
        add_slice(p, list, "Y", d->green);
    } else {
        add_slice(p, list, "B", d->blue);
        add_slice(p, list, "G", d->green);
        add_slice(p, list, "R", d->red);
    }
    if (p->justcopy && d->hasalpha && alphasupported)
        add_slice(p, list, "A", d->alpha);
    if (p->count != p->toread || (!p->justcopy && p->count > 3))
        return imc_fail(err, IMC_ERR_INTERNAL, "exr: %d slices for %d channels", p->count,
                        p->toread);
    for (int i = 0; i < p->count; i++) {
        const slice *s = &p->slices[i];
        if (s->xs < 1 || s->ys < 1 || d->width % s->xs || d->height % s->ys)
            return imc_fail(err, IMC_ERR_CORRUPT, "exr: channel %s: bad sampling %d x %d",
                            s->name, s->xs, s->ys);
        if ((s->xs > 1 || s->ys > 1) && (d->window.min.x || d->window.min.y))
            return imc_fail(err, IMC_ERR_UNSUPPORTED,
                            "exr: sub-sampled channel %s with a data window not at the origin "
                            "(cv2 writes outside its buffer there)", s->name);
    }
    return IMC_OK;
}

/* The "justcopy" path: the frame is the output itself. */
static int read_direct(decoder *d, const plan *p, imc_image *dst, imc_error *err)
{
    const size_t step = dst->step / sizeof(float);
    if (p->toread != dst->channels)
        return imc_fail(err, IMC_ERR_INTERNAL, "exr: %d slices for %d channels", p->toread,
                        dst->channels);
    memset(dst->data, 0, dst->step * (size_t)dst->rows);
    frame f = {dst->data, sizeof(float) * (size_t)p->toread, dst->step, p->slices, p->count};
    int rc = read_frame(d, &f, err);
    if (rc != IMC_OK)
        return rc;
    uint8_t *data = dst->data;
    channel *const order[3] = {d->blue, d->green, d->red};
    for (int c = 0; c < 3; c++) {
        channel *ch = d->iscolor ? order[c] : c == 0 ? d->green : NULL;
        if (ch && (ch->x_sampling != 1 || ch->y_sampling != 1))
            upsample(data + c * sizeof(float), sizeof(float), (size_t)p->toread, step, d->width,
                     d->height, ch->x_sampling, ch->y_sampling);
    }
    if (p->chromatorgb)
        chroma_to_bgr(d, dst->data, d->height, (size_t)p->toread, step);
    return IMC_OK;
}

/* The line-by-line path through cv2's 3-float line buffer. */
static void convert_lines(const decoder *d, const plan *p, const frame *f, float *line,
                          imc_image *dst)
{
    const int n = p->count, w = d->width;
    for (int y = 0; y < d->height; y++) {
        for (int i = 0; i < n; i++) {
            const slice *s = &p->slices[i];
            if (y % s->ys)
                continue; /* not sampled: keeps what the line held */
            const float *src = (const float *)(f->base + (size_t)(y / s->ys) * f->ystride) + i;
            for (int x = 0; x < w / s->xs; x++)
                line[x * n + i] = src[(size_t)x * (size_t)n];
        }
        for (int i = 0; i < n; i++)
            if (p->slices[i].xs != 1)
                upsample_x(line + i, n, w, p->slices[i].xs);
        uint8_t *out = (uint8_t *)dst->data + (size_t)y * dst->step;
        if (p->rgbtogray) {
            rgb_to_gray(d, line, out, p->native);
            continue;
        }
        if (p->chromatorgb)
            chroma_to_bgr(d, line, 1, 3, 0);
        /* 8 bits per sample even into a 32F output, as cv2 writes them. */
        for (int x = 0; x < w * dst->channels; x++)
            out[x] = saturate_u8(line[x]);
    }
}

static int read_by_lines(decoder *d, const plan *p, imc_image *dst, imc_error *err)
{
    const int w = d->width, h = d->height;
    size_t px, bytes;
    if (!imc_mul_size((size_t)w, (size_t)h, &px) ||
        !imc_mul_size(px, sizeof(float) * (size_t)p->count, &bytes))
        return imc_fail(err, IMC_ERR_LIMITS, "exr: image too large");
    uint8_t *buf = calloc(bytes ? bytes : 1, 1);
    float *line = calloc((size_t)w * 3, sizeof(float));
    if (!buf || !line) {
        free(buf);
        free(line);
        return imc_fail(err, IMC_ERR_NOMEM, "exr: out of memory");
    }
    const size_t xstride = sizeof(float) * (size_t)p->count;
    frame f = {buf, xstride, xstride * (size_t)w, p->slices, p->count};
    int rc = read_frame(d, &f, err);
    if (rc == IMC_OK) {
        memset(dst->data, 0, dst->step * (size_t)dst->rows);
        convert_lines(d, p, &f, line, dst);
        /* cv2's UpSampleY over the output, element size as cv2 takes it. */
        const size_t elem = p->native ? sizeof(float) : 1, ystep = dst->step / elem;
        channel *const order[3] = {d->blue, d->green, d->red};
        for (int c = 0; c < 3; c++) {
            channel *ch = p->color ? order[c] : c == 0 ? d->green : NULL;
            if (ch && (ch->x_sampling != 1 || ch->y_sampling != 1))
                upsample_y((uint8_t *)dst->data + c * elem, elem, p->color ? 3 : 1, ystep, w,
                           h, ch->y_sampling);
        }
    }
    free(buf);
    free(line);
    return rc;
}

static int exr_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    if (dst->cols != d->width || dst->rows != d->height)
        return imc_fail(err, IMC_ERR_INTERNAL, "exr: unexpected output size");
    plan p;
    int rc = make_plan(d, dst, &p, err);
    if (rc == IMC_OK)
        rc = p.justcopy ? read_direct(d, &p, dst, err) : read_by_lines(d, &p, dst, err);
    if (rc == IMC_OK && req->order == IMC_ORDER_RGB)
        imc_swap_rb(dst);
    return rc;
}

static void exr_close(void *state)
{
    decoder *d = state;
    if (d->ctx)
        exr_finish(&d->ctx);
    free(d->io.patched);
}

/* ---- Encoding ------------------------------------------------------------ */
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
static const imc_param_spec exr_params[] = {
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
        return exr_failure(io, rc, "no chunk layout", err);
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
                          : exr_failure(io, rc, "cannot encode", err);
    }
    if (started)
        exr_encoding_destroy(ctx, &enc);
    free(buf);
    return r;
}

/* One header attribute of a file being rewritten. */
typedef struct {
    const uint8_t *at;
    size_t size; /* name, type, size field and value */
} attribute;

static int by_name(const void *a, const void *b)
{
    return strcmp((const char *)((const attribute *)a)->at,
                  (const char *)((const attribute *)b)->at);
}

/* Rewrites OpenEXRCore's single-part header the way the C++ library (cv2)
 * writes it: attributes sorted by name and no "type" attribute (optional
 * for single-part files), moving the offset table's entries accordingly.
 * The chunks are the same bytes, so the file is cv2's byte for byte. */
static int cxx_header_order(imc_buffer *out, int32_t chunks, imc_error *err)
{
    attribute attrs[32];
    int n = 0;
    imc_bytes b = imc_bytes_of(out->data, out->size);
    imc_bytes_skip(&b, 8);
    while (imc_bytes_peek(&b) > 0 && n < 32) {
        attribute *a = &attrs[n];
        a->at = out->data + b.pos;
        char name[256], type[256];
        if (!read_name(&b, name) || !read_name(&b, type))
            break;
        uint32_t size = imc_u32le(&b);
        imc_bytes_skip(&b, size);
        a->size = (size_t)(out->data + b.pos - a->at);
        n += strcmp(name, "type") != 0;
    }
    const size_t header_end = b.pos;
    if (b.overrun || imc_bytes_peek(&b) != 0 || chunks < 0 ||
        (uint64_t)chunks > (out->size - header_end - 1) / 8)
        return imc_fail(err, IMC_ERR_INTERNAL, "exr: unexpected header written");
    qsort(attrs, (size_t)n, sizeof attrs[0], by_name);
    uint8_t *file = malloc(out->size);
    if (!file)
        return imc_fail(err, IMC_ERR_NOMEM, "exr: out of memory");
    size_t at = 8;
    memcpy(file, out->data, 8);
    for (int i = 0; i < n; i++) {
        memcpy(file + at, attrs[i].at, attrs[i].size);
        at += attrs[i].size;
    }
    const size_t shift = header_end - at; /* bytes removed */
    memcpy(file + at, out->data + header_end, out->size - header_end);
    for (int32_t k = 0; k < chunks; k++) {
        uint8_t *entry = file + at + 1 + 8 * (size_t)k;
        uint64_t off = (uint64_t)i64_at(entry) - shift;
        put_i32(entry, (uint32_t)off);
        put_i32(entry + 4, (uint32_t)(off >> 32));
    }
    memcpy(out->data, file, out->size - shift);
    out->size -= shift;
    free(file);
    return IMC_OK;
}

static int exr_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                      imc_error *err)
{
    if (img->depth != IMC_32F) /* dispatch made it 8-bit: cv2 asserts here */
        return imc_fail(err, IMC_ERR_ARG, "exr: only 32-bit float images can be written, as in "
                                          "cv2 (convert to float32 first)");
    exr_settings s = read_settings(req->params);
    stream io = {.out = out};
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.error_handler_fn = keep_message;
    init.user_data = &io;
    init.write_fn = write_memory;
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
                              : exr_failure(&io, rc, "cannot write the header", err);
    if (ctx && (rc = exr_finish(&ctx)) != EXR_ERR_SUCCESS && r == IMC_OK)
        r = exr_failure(&io, rc, "cannot finish the file", err);
    return r == IMC_OK ? cxx_header_order(out, chunks, err) : r;
}

const imc_codec imc_codec_exr = {
    .name = "exr",
    .signatures = {IMC_SIGNATURE("\x76\x2f\x31\x01")},
    .extensions = "exr",
    .sniff = exr_sniff,
    .decoder_size = sizeof(decoder),
    .open = exr_open,
    .read = exr_read,
    .close = exr_close,
    .encode = exr_encode,
    IMC_CODEC_PARAMS(exr_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_32F),
};
