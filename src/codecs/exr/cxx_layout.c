/* The file as OpenEXR's C++ library reads and writes it. cv2 reads EXR
 * through the C++ library, which differs from OpenEXRCore on damaged files.
 * Its header reader takes the declared size of an attribute only for
 * variable-length types (a float is 4 bytes whatever the size field says; a
 * channel list runs to its terminator), accepts any non-zero perceptual-
 * linear byte and any name up to 255 characters, and rejects a predefined
 * attribute of the wrong type. Its scan-line reader seeks to the first
 * chunk's table offset and then reads on, one chunk after the other, without
 * looking at the table again (rebuilding it by such a scan when an entry is
 * not positive). imc walks the file that way first, fails where the C++
 * reader fails, and hands OpenEXRCore a patched copy of the header and
 * offset table that says what the C++ reader understood. */
#include "exr_private.h"

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
int imc_exr_cxx_headers(stream *s, size_t *end, imc_error *err)
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

int64_t imc_exr_floor_mod(int64_t a, int64_t b)
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
int imc_exr_cxx_chunk_offsets(stream *s, exr_context_t ctx, size_t table, imc_error *err)
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
int imc_exr_cxx_check_tile(const stream *s, size_t table, int32_t chunks, int32_t tx, int32_t ty,
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
int imc_exr_cxx_header_order(imc_buffer *out, int32_t chunks, imc_error *err)
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
