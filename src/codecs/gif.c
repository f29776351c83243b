/* GIF through giflib, with newest OpenCV's semantics (cv2 4.6 has no GIF).
 *
 * Decoding composites every frame onto the logical screen as cv2's
 * GifDecoder does: a BGRA canvas that starts as the background color with
 * alpha 0, frames drawn with their transparent index skipped, disposal
 * (restore background / previous) applied after the frame is shown, cv2's
 * color-table fallbacks. Pages are whole canvases; one with a transparent
 * index anywhere makes the native type BGRA, else BGR. giflib parses the
 * blocks and decodes the LZW data; imc only places the pixels.
 *
 * Frames are composited lazily: next_page() only advances, read() draws every
 * frame up to the one asked for, so imc_count walks the blocks without
 * decoding pixels.
 *
 * Encoding writes full-canvas frames with an exact palette when the images
 * have few enough colors (lossless) and giflib's median-cut quantizer
 * otherwise; alpha below IMWRITE_GIF_TRANSPARENCY becomes the transparent
 * index. */
#include "codecs.h"

#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>


/* ---- Reading from memory -------------------------------------------------- */
typedef struct {
    const uint8_t *buf;
    size_t len, pos;
} source;

static int read_source(GifFileType *gif, GifByteType *out, int n)
{
    source *s = gif->UserData;
    size_t take = n > 0 ? (size_t)n : 0, left = s->len - s->pos;
    if (take > left)
        take = left;
    memcpy(out, s->buf + s->pos, take);
    s->pos += take;
    return (int)take;
}

static GifFileType *open_gif(source *s, int *code)
{
    s->pos = 0;
    return DGifOpen(s, read_source, code);
}

/* A giflib failure as an imc error: giflib only fails a read at the end. */
static int gif_failure(int code, imc_error *err)
{
    const char *what = GifErrorString(code);
    return imc_fail(err, code == D_GIF_ERR_READ_FAILED     ? IMC_ERR_TRUNCATED
                         : code == D_GIF_ERR_NOT_ENOUGH_MEM ? IMC_ERR_NOMEM
                                                            : IMC_ERR_CORRUPT,
                    "gif: %s", code == D_GIF_ERR_READ_FAILED ? "data ends too early"
                               : what                        ? what
                                                             : "decoding failed");
}

/* ---- The block structure -------------------------------------------------- */
/* What a Graphic Control Extension says about the next frame. */
typedef struct {
    int disposal;    /* 0..3; 4..7 (undefined) act as 0 */
    int transparent; /* index, -1 if none */
    int delay_ms;    /* -1 without a control extension */
} frame_control;

/* Reads one extension. A well-formed control extension fills *fc; a NETSCAPE
 * loop block sets *loop_count as cv2 reports it (written count + 1, 0 for
 * forever). Returns GIF_OK or GIF_ERROR. */
static int read_extension(GifFileType *gif, frame_control *fc, int *loop_count)
{
    int code;
    GifByteType *block;
    if (DGifGetExtension(gif, &code, &block) == GIF_ERROR)
        return GIF_ERROR;
    bool netscape = false;
    GraphicsControlBlock gcb;
    if (block && code == GRAPHICS_EXT_FUNC_CODE &&
        DGifExtensionToGCB(block[0], block + 1, &gcb) == GIF_OK) {
        fc->disposal = gcb.DisposalMode <= DISPOSE_PREVIOUS ? gcb.DisposalMode : 0;
        fc->transparent = gcb.TransparentColor;
        fc->delay_ms = gcb.DelayTime * 10;
    } else if (block && code == APPLICATION_EXT_FUNC_CODE) {
        netscape = block[0] == 11 && !memcmp(block + 1, "NETSCAPE2.0", 11);
    }
    while (block) {
        if (DGifGetExtensionNext(gif, &block) == GIF_ERROR)
            return GIF_ERROR;
        if (netscape && block && block[0] == 3 && block[1] == 1) {
            int n = block[2] | block[3] << 8;
            *loop_count = n == 0 ? 0 : n + 1;
        }
    }
    return GIF_OK;
}

/* Skips a frame's LZW data without decoding it. */
static int skip_pixels(GifFileType *gif)
{
    int size;
    GifByteType *block;
    if (DGifGetCode(gif, &size, &block) == GIF_ERROR)
        return GIF_ERROR;
    while (block)
        if (DGifGetCodeNext(gif, &block) == GIF_ERROR)
            return GIF_ERROR;
    return GIF_OK;
}

/* What walking the whole file finds, as cv2's readHeader does. */
typedef struct {
    size_t frames;     /* complete frames before the end or the first damage */
    bool transparency; /* some control extension names a transparent index */
    int loop_count;
    int error;         /* giflib's code for the damage that ended the walk, 0 if none */
    bool between;      /* it came between records: no frame was cut (a missing trailer) */
} walk_result;

static walk_result walk(const uint8_t *buf, size_t len)
{
    walk_result w = {.loop_count = 1};
    source s = {buf, len, 0};
    GifFileType *gif = open_gif(&s, &w.error);
    if (!gif)
        return w;
    for (;;) {
        GifRecordType type;
        frame_control fc = {0, -1, -1};
        int ok = DGifGetRecordType(gif, &type);
        if (ok != GIF_OK) { /* the data ends (or is bad) where a record should start */
            w.error = gif->Error ? gif->Error : D_GIF_ERR_WRONG_RECORD;
            w.between = gif->Error == D_GIF_ERR_READ_FAILED;
            break;
        }
        if (type == TERMINATE_RECORD_TYPE)
            break;
        if (type == EXTENSION_RECORD_TYPE)
            ok = read_extension(gif, &fc, &w.loop_count);
        else if (type == IMAGE_DESC_RECORD_TYPE)
            ok = DGifGetImageDesc(gif) == GIF_OK ? skip_pixels(gif) : GIF_ERROR;
        if (ok != GIF_OK) {
            w.error = gif->Error ? gif->Error : D_GIF_ERR_WRONG_RECORD;
            break;
        }
        w.transparency |= fc.transparent >= 0;
        w.frames += type == IMAGE_DESC_RECORD_TYPE;
    }
    int ignored;
    DGifCloseFile(gif, &ignored);
    return w;
}

/* ---- Decoding ------------------------------------------------------------- */
typedef struct {
    source src;
    GifFileType *gif;
    size_t frames;  /* complete frames */
    walk_result walked; /* its error: what ended the file after them */
    size_t drawn;   /* frames composited onto the canvas so far */
    size_t current; /* the page dispatch is on */
    int width, height;
    uint8_t *canvas; /* BGRA */
    GifPixelType *line;
    uint8_t background[4];
    bool have_background; /* the background index is in the global table */
    uint8_t local[256 * 3];
    int local_size; /* cv2 keeps the last local table when there is no global one */
    int delay_ms;   /* of the last control extension seen, -1 before any */
    /* The disposal of the last frame drawn, applied before the next one. */
    int disposal, left, top, fw, fh;
    uint8_t *saved; /* its area before it was drawn, for DISPOSE_PREVIOUS */
} decoder;

static bool gif_sniff(const uint8_t *buf, size_t len)
{
    return len >= 3 && !memcmp(buf, "GIF", 3);
}

static int gif_open(void *state, const uint8_t *buf, size_t len, int scale_denom,
                    imc_header *hdr, imc_error *err)
{
    (void)scale_denom; /* cv2 resizes GIFs after decoding */
    decoder *d = state;
    d->src = (source){buf, len, 0};
    d->delay_ms = -1;
    if (len < 6 || (memcmp(buf + 3, "87a", 3) && memcmp(buf + 3, "89a", 3)))
        return imc_fail(err, len < 6 ? IMC_ERR_TRUNCATED : IMC_ERR_CORRUPT,
                        "gif: not a GIF87a or GIF89a file");
    int code;
    d->gif = open_gif(&d->src, &code);
    if (!d->gif)
        return gif_failure(code, err);
    d->width = d->gif->SWidth;
    d->height = d->gif->SHeight;
    if (d->width <= 0 || d->height <= 0)
        return imc_fail(err, IMC_ERR_CORRUPT, "gif: the logical screen is %d x %d", d->width,
                        d->height);
    const ColorMapObject *global = d->gif->SColorMap;
    if (global && d->gif->SBackGroundColor < global->ColorCount) {
        const GifColorType *c = &global->Colors[d->gif->SBackGroundColor];
        d->background[0] = c->Blue;
        d->background[1] = c->Green;
        d->background[2] = c->Red;
        d->have_background = true;
    }
    walk_result w = walk(buf, len);
    if (w.frames == 0)
        return w.error ? gif_failure(w.error, err)
                       : imc_fail(err, IMC_ERR_CORRUPT, "gif: the file holds no image");
    d->frames = w.frames;
    d->walked = w;
    hdr->width = d->width;
    hdr->height = d->height;
    hdr->channels = w.transparency ? 4 : 3;
    hdr->depth = IMC_8U;
    hdr->loop_count = w.loop_count;
    memcpy(hdr->bgcolor, d->background, sizeof d->background);
    return IMC_OK;
}

/* Applies the pending disposal of the last frame drawn. */
static void dispose(decoder *d)
{
    size_t stride = (size_t)d->width * 4;
    for (int y = 0; y < d->fh; y++) {
        uint8_t *row = d->canvas + (size_t)(d->top + y) * stride + (size_t)d->left * 4;
        if (d->disposal == DISPOSE_PREVIOUS)
            memcpy(row, d->saved + (size_t)y * (size_t)d->fw * 4, (size_t)d->fw * 4);
        else
            for (int x = 0; x < d->fw; x++)
                memcpy(row + 4 * x, d->background, 4);
    }
    d->disposal = 0;
}

/* The color for index i as cv2 picks it: local table, else global table,
 * else (no table at all) black and white for 0 and 1, gray i for others. */
static bool lookup(const decoder *d, int i, uint8_t bgra[4])
{
    const ColorMapObject *global = d->gif->SColorMap;
    int global_size = global ? global->ColorCount : 0;
    if (i < d->local_size) {
        bgra[0] = d->local[3 * i + 2];
        bgra[1] = d->local[3 * i + 1];
        bgra[2] = d->local[3 * i];
    } else if (i < global_size) {
        bgra[0] = global->Colors[i].Blue;
        bgra[1] = global->Colors[i].Green;
        bgra[2] = global->Colors[i].Red;
    } else if (d->local_size == 0 && global_size == 0) {
        bgra[0] = bgra[1] = bgra[2] = (uint8_t)(i == 1 ? 255 : i);
    } else {
        return false;
    }
    bgra[3] = 255;
    return true;
}

/* Reads the records up to the next image descriptor and its description. */
static int next_image(decoder *d, frame_control *fc, imc_error *err)
{
    int loops; /* found by walk() already */
    for (;;) {
        GifRecordType type;
        int ok = DGifGetRecordType(d->gif, &type);
        if (ok == GIF_OK && type == IMAGE_DESC_RECORD_TYPE && DGifGetImageDesc(d->gif) == GIF_OK)
            break;
        if (ok == GIF_OK && type == EXTENSION_RECORD_TYPE)
            ok = read_extension(d->gif, fc, &loops);
        else if (ok == GIF_OK && type == TERMINATE_RECORD_TYPE)
            return imc_fail(err, IMC_ERR_CORRUPT, "gif: frame %zu is missing", d->drawn);
        else
            ok = GIF_ERROR;
        if (ok != GIF_OK)
            return gif_failure(d->gif->Error, err);
    }
    if (fc->delay_ms >= 0)
        d->delay_ms = fc->delay_ms;
    const ColorMapObject *local = d->gif->Image.ColorMap;
    if (local) {
        d->local_size = local->ColorCount;
        for (int i = 0; i < local->ColorCount; i++) {
            d->local[3 * i] = local->Colors[i].Red;
            d->local[3 * i + 1] = local->Colors[i].Green;
            d->local[3 * i + 2] = local->Colors[i].Blue;
        }
    } else if (d->gif->SColorMap) {
        d->local_size = 0;
    }
    const GifImageDesc *im = &d->gif->Image;
    if (im->Width <= 0 || im->Height <= 0)
        return imc_fail(err, IMC_ERR_CORRUPT, "gif: frame %zu is %d x %d", d->drawn, im->Width,
                        im->Height);
    return IMC_OK;
}

/* Remembers how the frame about to be drawn is disposed of afterwards (the
 * part of it on the canvas), saving what it covers if needed. */
static int plan_disposal(decoder *d, int disposal, imc_error *err)
{
    const GifImageDesc *im = &d->gif->Image;
    d->left = im->Left < d->width ? im->Left : d->width;
    d->top = im->Top < d->height ? im->Top : d->height;
    d->fw = im->Width < d->width - d->left ? im->Width : d->width - d->left;
    d->fh = im->Height < d->height - d->top ? im->Height : d->height - d->top;
    bool restores = disposal == DISPOSE_PREVIOUS || (disposal == DISPOSE_BACKGROUND && d->have_background);
    d->disposal = restores ? disposal : 0;
    if (d->disposal != DISPOSE_PREVIOUS)
        return IMC_OK;
    free(d->saved);
    d->saved = malloc((size_t)d->fw * (size_t)d->fh * 4 + 1);
    if (!d->saved)
        return imc_fail(err, IMC_ERR_NOMEM, "gif: out of memory");
    for (int y = 0; y < d->fh; y++)
        memcpy(d->saved + (size_t)y * (size_t)d->fw * 4,
               d->canvas + ((size_t)(d->top + y) * (size_t)d->width + (size_t)d->left) * 4,
               (size_t)d->fw * 4);
    return IMC_OK;
}

/* Decodes the next frame's rows onto the canvas (interlaced rows in their
 * four passes); pixels outside the logical screen are dropped. */
static int draw(decoder *d, int transparent, imc_error *err)
{
    const GifImageDesc *im = &d->gif->Image;
    static const int pass_start[4] = {0, 4, 2, 1}, pass_step[4] = {8, 8, 4, 2};
    int passes = im->Interlace ? 4 : 1;
    for (int p = 0; p < passes; p++) {
        int start = im->Interlace ? pass_start[p] : 0, step = im->Interlace ? pass_step[p] : 1;
        for (int y = start; y < im->Height; y += step) {
            if (DGifGetLine(d->gif, d->line, im->Width) == GIF_ERROR)
                return gif_failure(d->gif->Error, err);
            if (y >= d->fh)
                continue;
            uint8_t *row = d->canvas + ((size_t)(d->top + y) * (size_t)d->width + (size_t)d->left) * 4;
            for (int x = 0; x < d->fw; x++) {
                int i = d->line[x];
                if (i != transparent && !lookup(d, i, row + 4 * x))
                    return imc_fail(err, IMC_ERR_CORRUPT,
                                    "gif: color index %d is outside the color table", i);
            }
        }
    }
    return IMC_OK;
}

static int composite_next(decoder *d, imc_error *err)
{
    if (d->disposal)
        dispose(d);
    frame_control fc = {0, -1, -1};
    int rc = next_image(d, &fc, err);
    if (rc == IMC_OK)
        rc = plan_disposal(d, fc.disposal, err);
    if (rc == IMC_OK)
        rc = draw(d, fc.transparent, err);
    d->drawn++;
    return rc;
}

static int gif_read(void *state, imc_image *dst, imc_read_request *req, imc_error *err)
{
    decoder *d = state;
    size_t pixels = (size_t)d->width * (size_t)d->height;
    if (!d->canvas) {
        d->canvas = malloc(pixels * 4);
        d->line = malloc(65536 * sizeof *d->line);
        if (!d->canvas || !d->line)
            return imc_fail(err, IMC_ERR_NOMEM, "gif: out of memory");
        for (size_t i = 0; i < pixels; i++)
            memcpy(d->canvas + 4 * i, d->background, 4);
    }
    if (d->drawn > d->current)
        return imc_fail(err, IMC_ERR_INTERNAL, "gif: frame %zu was read already", d->current);
    while (d->drawn <= d->current) {
        int rc = composite_next(d, err);
        if (rc != IMC_OK)
            return rc;
    }
    bool rgb = req->order == IMC_ORDER_RGB;
    for (int y = 0; y < dst->rows; y++)
        imc_row_convert(d->canvas + (size_t)y * (size_t)d->width * 4, 4, false,
                        (uint8_t *)dst->data + (size_t)y * dst->step, dst->channels, rgb,
                        d->width, IMC_8U);
    req->duration_ms = d->delay_ms;
    if (d->walked.error && d->walked.between && d->current + 1 == d->frames)
        imc_damage_note(req->damage, IMC_DAMAGE_WARNING, -1,
                        "the data ends after frame %zu, before the GIF trailer", d->current);
    else if (d->walked.error && !d->walked.between) /* the pages' type counts every frame */
        imc_damage_note(req->damage,
                        d->walked.error == D_GIF_ERR_READ_FAILED ? IMC_DAMAGE_TRUNCATED
                                                                 : IMC_DAMAGE_ERROR,
                        -1, "frame %zu is lost: %s", d->frames,
                        d->walked.error == D_GIF_ERR_READ_FAILED
                            ? "the data ends in it"
                            : GifErrorString(d->walked.error) ? GifErrorString(d->walked.error)
                                                              : "bad data");
    return IMC_OK;
}

static int gif_next_page(void *state, imc_header *hdr, imc_error *err)
{
    (void)hdr; /* every page is the whole canvas */
    decoder *d = state;
    if (d->current + 1 >= d->frames) /* damage after the last whole frame: one is lost */
        return d->walked.error && !d->walked.between ? gif_failure(d->walked.error, err) : 0;
    d->current++;
    return 1;
}

static void gif_close(void *state)
{
    decoder *d = state;
    int ignored;
    if (d->gif)
        DGifCloseFile(d->gif, &ignored);
    free(d->canvas);
    free(d->line);
    free(d->saved);
}

/* ---- Encoding ------------------------------------------------------------- */
/* cv2's GIF params, clamped as cv2 clamps them; LOOP and SPEED are taken
 * and ignored, as in newest cv2 (imc_animation carries the loop count). */
enum gif_param { P_QUALITY, P_TRANSPARENCY, P_COLORTABLE, P_LOOP, P_SPEED, P_DITHER };
static const int fast_modes[] = {IMC_IMWRITE_GIF_FAST_NO_DITHER, IMC_IMWRITE_GIF_FAST_FLOYD_DITHER};
static const imc_param_spec gif_params[] = {
    /* log2 of the palette size; the two FAST_* modes are skipped */
    {.info = {.name = "GIF_QUALITY", .id = IMC_IMWRITE_GIF_QUALITY, .min = 3, .max = 8,
              .below = IMC_PARAM_CLAMPED, .above = IMC_PARAM_CLAMPED, .def = 8},
     .skip = fast_modes, .nskip = 2},
    IMC_PARAM_CLAMPED(GIF_TRANSPARENCY, 0, 255, 1),
    IMC_PARAM_CLAMPED(GIF_COLORTABLE, 0, 1, 0),
    IMC_PARAM_ANY(GIF_LOOP, 0),
    IMC_PARAM_ANY(GIF_SPEED, 0),
    IMC_PARAM_ANY(GIF_DITHER, 0), /* see docs/compat.md */
};

typedef struct {
    int max_colors;   /* palette size: 2^IMWRITE_GIF_QUALITY, default 256 */
    int threshold;    /* alpha below this is transparent (0: never) */
    bool local_table; /* one palette per frame */
} gif_settings;

static gif_settings read_settings(const imc_param_values *p)
{
    return (gif_settings){1 << p->value[P_QUALITY], p->value[P_TRANSPARENCY],
                          p->value[P_COLORTABLE] == 1};
}

/* A palette being built: colors as 0xRRGGBB, found through a small hash. */
enum { HASH_SIZE = 1024 };
typedef struct {
    uint32_t color[256];
    int count, limit;
    int slot[HASH_SIZE]; /* index + 1, 0 for empty */
    bool transparent;    /* index 0 is reserved for transparency */
} palette;

static void palette_init(palette *p, int limit, bool transparent)
{
    memset(p, 0, sizeof *p);
    p->limit = limit;
    p->transparent = transparent;
    p->count = transparent ? 1 : 0;
}

/* The index of `rgb`, added if new; -1 when the palette is full. */
static int palette_index(palette *p, uint32_t rgb)
{
    uint32_t h = (rgb * 2654435761u) >> 22;
    for (;; h = (h + 1) % HASH_SIZE) {
        int s = p->slot[h];
        if (s == 0)
            break;
        if (p->color[s - 1] == rgb)
            return s - 1;
    }
    if (p->count >= p->limit)
        return -1;
    p->color[p->count] = rgb;
    p->slot[h] = ++p->count;
    return p->count - 1;
}

/* A frame's pixels as 0xRRGGBB, or TRANSPARENT. */
#define TRANSPARENT 0xFFFFFFFFu
static uint32_t pixel_at(const imc_image *img, int x, int y, int order, int threshold)
{
    const uint8_t *p = (const uint8_t *)img->data + (size_t)y * img->step + (size_t)x * (size_t)img->channels;
    if (img->channels == 1)
        return (uint32_t)p[0] * 0x010101u;
    if (img->channels == 4 && p[3] < threshold)
        return TRANSPARENT;
    uint32_t r = order == IMC_ORDER_RGB ? p[0] : p[2], b = order == IMC_ORDER_RGB ? p[2] : p[0];
    return r << 16 | (uint32_t)p[1] << 8 | b;
}

static bool has_transparency(const imc_image *img, int threshold)
{
    if (img->channels != 4 || threshold == 0)
        return false;
    for (int y = 0; y < img->rows; y++)
        for (int x = 0; x < img->cols; x++)
            if (pixel_at(img, x, y, IMC_ORDER_BGR, threshold) == TRANSPARENT)
                return true;
    return false;
}

/* Indexes of frames [0, n) into out (n * pixels bytes) with an exact
 * palette; false if they have more colors than it holds. */
static bool index_exactly(const imc_image *imgs, size_t n, int order, int threshold, palette *p,
                          uint8_t *out)
{
    for (size_t f = 0; f < n; f++)
        for (int y = 0; y < imgs[f].rows; y++)
            for (int x = 0; x < imgs[f].cols; x++) {
                uint32_t c = pixel_at(&imgs[f], x, y, order, threshold);
                int i = c == TRANSPARENT ? 0 : palette_index(p, c);
                if (i < 0)
                    return false;
                *out++ = (uint8_t)i;
            }
    return true;
}

/* ---- Median-cut quantization (giflib's own is neither thread-safe nor
 * exact: it keeps state in a static and rounds colors to 5 bits). Colors are
 * binned at 5 bits per channel; boxes of bins are split at their pixel median
 * along their longest side; each palette entry is the mean of its pixels. */
enum { BINS = 1 << 15 };
typedef struct {
    uint32_t count[BINS];
    uint64_t sum[BINS][3];
    uint32_t keys[BINS]; /* the used bins, grouped by box */
    uint8_t index[BINS]; /* palette entry of each used bin */
} histogram;

typedef struct {
    int start, end; /* keys[start, end) */
    uint64_t pixels;
} box;

static int bin_of(uint32_t rgb)
{
    return (int)((rgb >> 9 & 0x7c00) | (rgb >> 6 & 0x3e0) | (rgb >> 3 & 0x1f));
}

static int channel_of_bin(int bin, int c)
{
    return bin >> (10 - 5 * c) & 31;
}

static int compare_keys(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Splits b at its pixel median along its longest side into b and *half. */
static void split_box(histogram *h, box *b, box *half)
{
    int lo[3] = {31, 31, 31}, hi[3] = {0, 0, 0}, axis = 0;
    for (int k = b->start; k < b->end; k++)
        for (int c = 0; c < 3; c++) {
            int v = channel_of_bin((int)h->keys[k], c);
            lo[c] = v < lo[c] ? v : lo[c];
            hi[c] = v > hi[c] ? v : hi[c];
        }
    for (int c = 1; c < 3; c++)
        if (hi[c] - lo[c] > hi[axis] - lo[axis])
            axis = c;
    for (int k = b->start; k < b->end; k++)
        h->keys[k] = (uint32_t)channel_of_bin((int)h->keys[k], axis) << 15 | h->keys[k];
    qsort(h->keys + b->start, (size_t)(b->end - b->start), sizeof *h->keys, compare_keys);
    uint64_t below = 0;
    int at = b->start;
    for (int k = b->start; k < b->end; k++)
        h->keys[k] &= BINS - 1;
    while (at < b->end - 1 && (below + h->count[h->keys[at]]) * 2 <= b->pixels)
        below += h->count[h->keys[at++]];
    if (at == b->start)
        below += h->count[h->keys[at++]];
    *half = (box){at, b->end, b->pixels - below};
    b->end = at;
    b->pixels = below;
}

/* Up to `colors` entries for the used bins of h into p (after index base). */
static void median_cut(histogram *h, int used, int colors, palette *p, int base)
{
    p->count = base;
    if (used == 0)
        return;
    box boxes[256] = {{0, used, 0}};
    for (int k = 0; k < used; k++)
        boxes[0].pixels += h->count[h->keys[k]];
    int n = 1;
    while (n < colors) {
        int pick = -1;
        for (int i = 0; i < n; i++)
            if (boxes[i].end - boxes[i].start > 1 && (pick < 0 || boxes[i].pixels > boxes[pick].pixels))
                pick = i;
        if (pick < 0)
            break;
        split_box(h, &boxes[pick], &boxes[n++]);
    }
    for (int i = 0; i < n; i++) {
        uint64_t sum[3] = {0, 0, 0};
        for (int k = boxes[i].start; k < boxes[i].end; k++)
            for (int c = 0; c < 3; c++)
                sum[c] += h->sum[h->keys[k]][c];
        uint32_t rgb = 0;
        for (int c = 0; c < 3; c++)
            rgb = rgb << 8 | (uint32_t)((sum[c] + boxes[i].pixels / 2) / boxes[i].pixels);
        p->color[base + i] = rgb;
    }
    p->count = base + n;
}

/* Each used bin's nearest palette entry (to the mean of its pixels). */
static void map_bins(histogram *h, int used, const palette *p, int base)
{
    for (int k = 0; k < used; k++) {
        int bin = (int)h->keys[k], best = base;
        int64_t best_d = INT64_MAX;
        int mean[3];
        for (int c = 0; c < 3; c++)
            mean[c] = (int)(h->sum[bin][c] / h->count[bin]);
        for (int i = base; i < p->count; i++) {
            int64_t d = 0;
            for (int c = 0; c < 3; c++) {
                int64_t diff = mean[c] - (int)(p->color[i] >> (16 - 8 * c) & 0xff);
                d += diff * diff;
            }
            if (d < best_d) {
                best_d = d;
                best = i;
            }
        }
        h->index[bin] = (uint8_t)best;
    }
}

/* A quantized palette for the opaque pixels of frames [0, n), and the
 * frames' indexes into out. */
static int index_quantized(const imc_image *imgs, size_t n, int order, int threshold, palette *p,
                           uint8_t *out, imc_error *err)
{
    histogram *h = calloc(1, sizeof *h);
    if (!h)
        return imc_fail(err, IMC_ERR_NOMEM, "gif: out of memory");
    for (size_t f = 0; f < n; f++)
        for (int y = 0; y < imgs[f].rows; y++)
            for (int x = 0; x < imgs[f].cols; x++) {
                uint32_t c = pixel_at(&imgs[f], x, y, order, threshold);
                if (c == TRANSPARENT)
                    continue;
                int bin = bin_of(c);
                h->count[bin]++;
                for (int k = 0; k < 3; k++)
                    h->sum[bin][k] += c >> (16 - 8 * k) & 0xff;
            }
    int used = 0;
    for (int bin = 0; bin < BINS; bin++)
        if (h->count[bin])
            h->keys[used++] = (uint32_t)bin;
    int base = p->transparent ? 1 : 0;
    median_cut(h, used, p->limit - base, p, base);
    map_bins(h, used, p, base);
    for (size_t f = 0; f < n; f++)
        for (int y = 0; y < imgs[f].rows; y++)
            for (int x = 0; x < imgs[f].cols; x++) {
                uint32_t c = pixel_at(&imgs[f], x, y, order, threshold);
                *out++ = c == TRANSPARENT ? 0 : h->index[bin_of(c)];
            }
    free(h);
    return IMC_OK;
}

/* giflib's color map of p, padded to a power of two. */
static ColorMapObject *color_map(const palette *p)
{
    int size = 2;
    while (size < p->count)
        size *= 2;
    GifColorType colors[256] = {{0, 0, 0}};
    for (int i = 0; i < p->count; i++) {
        colors[i].Red = (GifByteType)(p->color[i] >> 16);
        colors[i].Green = (GifByteType)(p->color[i] >> 8);
        colors[i].Blue = (GifByteType)p->color[i];
    }
    return GifMakeMapObject(size, colors);
}

static int write_output(GifFileType *gif, const GifByteType *data, int n)
{
    return imc_buffer_append(gif->UserData, data, (size_t)n) == IMC_OK ? n : 0;
}

/* Palette indexes for frames [0, n) into out: exact when possible. */
static int index_frames(const imc_image *imgs, size_t n, int order, int threshold, palette *p,
                        uint8_t *out, imc_error *err)
{
    palette exact = *p;
    if (index_exactly(imgs, n, order, threshold, &exact, out)) {
        *p = exact;
        return IMC_OK;
    }
    return index_quantized(imgs, n, order, threshold, p, out, err);
}

/* The NETSCAPE2.0 block: absent for one loop, as cv2 writes it. */
static int put_loop_count(GifFileType *gif, int loop_count)
{
    if (loop_count == 1)
        return GIF_OK;
    int n = loop_count == 0 ? 0 : loop_count - 1;
    GifByteType data[3] = {1, (GifByteType)(n & 0xff), (GifByteType)(n >> 8)};
    if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 3, data) == GIF_ERROR)
        return GIF_ERROR;
    return EGifPutExtensionTrailer(gif);
}

static int put_frame(GifFileType *gif, const imc_image *img, const uint8_t *indexes, int delay_cs,
                     int disposal, const palette *local)
{
    GraphicsControlBlock gcb = {.DisposalMode = disposal, .UserInputFlag = false,
                                .DelayTime = delay_cs,
                                .TransparentColor = disposal ? 0 : NO_TRANSPARENT_COLOR};
    GifByteType ext[4];
    size_t n = EGifGCBToExtension(&gcb, ext);
    ColorMapObject *map = local ? color_map(local) : NULL;
    if ((local && !map) || EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, (int)n, ext) == GIF_ERROR ||
        EGifPutImageDesc(gif, 0, 0, img->cols, img->rows, false, map) == GIF_ERROR) {
        GifFreeMapObject(map);
        return GIF_ERROR;
    }
    GifFreeMapObject(map);
    for (int y = 0; y < img->rows; y++)
        if (EGifPutLine(gif, (GifPixelType *)indexes + (size_t)y * (size_t)img->cols, img->cols) ==
            GIF_ERROR)
            return GIF_ERROR;
    return GIF_OK;
}

/* Everything but the pixels: checks, palettes, then the blocks. */
typedef struct {
    const imc_image *imgs;
    size_t n;
    const imc_encode_request *req;
    gif_settings s;
    bool transparency;
    uint8_t *indexes; /* n frames of indexes */
    palette global;
} gif_job;

static int write_blocks(gif_job *j, imc_buffer *out, imc_error *err)
{
    int code;
    GifFileType *gif = EGifOpen(out, write_output, &code);
    if (!gif)
        return imc_fail(err, IMC_ERR_NOMEM, "gif: cannot create the encoder");
    EGifSetGifVersion(gif, true);
    const imc_image *first = &j->imgs[0];
    size_t pixels = (size_t)first->rows * (size_t)first->cols;
    /* With per-frame palettes the global one only gives the background
     * (transparent black) that disposal restores. */
    ColorMapObject *global = color_map(&j->global);
    int ok = global &&
             EGifPutScreenDesc(gif, first->cols, first->rows, 8, 0, global) == GIF_OK &&
             put_loop_count(gif, j->req->loop_count) == GIF_OK;
    GifFreeMapObject(global);
    int rc = IMC_OK;
    for (size_t f = 0; ok && rc == IMC_OK && f < j->n; f++) {
        uint8_t *idx = j->indexes + f * pixels;
        palette local;
        if (j->s.local_table) {
            palette_init(&local, j->s.max_colors, j->transparency);
            rc = index_frames(&j->imgs[f], 1, j->req->order, j->s.threshold, &local, idx, err);
        }
        int delay = j->req->durations ? j->req->durations[f] / 10 : 100;
        if (delay > 0xffff)
            rc = imc_fail(err, IMC_ERR_ARG, "gif: frame %zu lasts over 655350 ms", f);
        if (rc == IMC_OK)
            ok = put_frame(gif, &j->imgs[f], idx, delay, j->transparency ? DISPOSE_BACKGROUND : 0,
                           j->s.local_table ? &local : NULL) == GIF_OK;
    }
    int close_code = 0;
    if (!ok && rc == IMC_OK)
        rc = imc_fail(err, gif->Error == E_GIF_ERR_NOT_ENOUGH_MEM ? IMC_ERR_NOMEM : IMC_ERR_INTERNAL,
                      "gif: %s", GifErrorString(gif->Error));
    if (EGifCloseFile(gif, &close_code) == GIF_ERROR && rc == IMC_OK)
        rc = imc_fail(err, IMC_ERR_NOMEM, "gif: %s", GifErrorString(close_code));
    return rc;
}

static int gif_encode_multi(const imc_image *imgs, size_t n, const imc_encode_request *req,
                            imc_buffer *out, imc_error *err)
{
    gif_job j = {.imgs = imgs, .n = n, .req = req, .s = read_settings(req->params)};
    for (size_t f = 0; f < n; f++) {
        if (imgs[f].cols > 0xffff || imgs[f].rows > 0xffff)
            return imc_fail(err, IMC_ERR_ARG, "gif: %d x %d is larger than 65535 x 65535",
                            imgs[f].cols, imgs[f].rows);
        if (imgs[f].cols != imgs[0].cols || imgs[f].rows != imgs[0].rows)
            return imc_fail(err, IMC_ERR_ARG, "gif: frame %zu is %d x %d, frame 0 %d x %d", f,
                            imgs[f].cols, imgs[f].rows, imgs[0].cols, imgs[0].rows);
        j.transparency |= has_transparency(&imgs[f], j.s.threshold);
    }
    size_t pixels = (size_t)imgs[0].rows * (size_t)imgs[0].cols, total;
    if (!imc_mul_size(pixels, n, &total))
        return imc_fail(err, IMC_ERR_LIMITS, "gif: too many pixels");
    j.indexes = malloc(total + 1);
    if (!j.indexes)
        return imc_fail(err, IMC_ERR_NOMEM, "gif: out of memory");
    palette_init(&j.global, j.s.max_colors, j.transparency);
    int rc = j.s.local_table ? IMC_OK
                             : index_frames(imgs, n, req->order, j.s.threshold, &j.global,
                                            j.indexes, err);
    if (rc == IMC_OK)
        rc = write_blocks(&j, out, err);
    free(j.indexes);
    return rc;
}

const imc_codec imc_codec_gif = {
    .name = "gif",
    .signatures = {IMC_SIGNATURE("GIF89a")},
    .extensions = "gif",
    .sniff = gif_sniff,
    .decoder_size = sizeof(decoder),
    .open = gif_open,
    .read = gif_read,
    .close = gif_close,
    .next_page = gif_next_page,
    .encode_multi = gif_encode_multi,
    IMC_CODEC_PARAMS(gif_params),
    .encode_depths = IMC_DEPTH_BIT(IMC_8U),
    .animation = true,
};
