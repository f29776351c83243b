/* PNG decoding with libdeflate: the whole zlib stream in one call into an
 * exactly sized buffer, SIMD unfiltering (unfilter.c), and the row
 * conversions cv2's libpng transformations perform (BGR order, strip or add alpha, gray <-> color
 * replication, 16 -> 8 bits by the high byte, palette and low-bit-depth
 * expansion), fused per row.
 *
 * Only files libpng would read without complaint take this path: every chunk
 * CRC checked, critical chunks in canonical order, a zlib stream that ends
 * exactly where the image data does. Anything else, and color-to-gray output
 * of files with gamma (libpng's weighting then goes through gamma tables),
 * returns IMC_ERR_UNSUPPORTED and
 * the caller decodes with libpng, so the result is always libpng's. */
#include "fastread.h"
#include "format.h"
#include "unfilter.h"
#include "../../bytes.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct {
    uint32_t width, height;
    int depth, color, interlaced;
    int samples; /* per pixel in the file: 1 gray or index, 2, 3, 4 */
    uint8_t palette[256][3];
    int num_palette;
    uint8_t palette_alpha[256];
    bool has_trns;
    uint16_t trns[3]; /* transparent gray or RGB value */
    bool colour_managed; /* gAMA, sRGB or iCCP: libpng's rgb_to_gray works through gamma */
    const uint8_t *idat; /* the data of the only IDAT chunk, or NULL */
    size_t idat_size;    /* all IDAT data together */
    size_t idat_begin, idat_end; /* the IDAT chunk run, as file offsets */
    int orientation;
} layout;

static bool is_type(const uint8_t *t, const char *name)
{
    return memcmp(t, name, 4) == 0;
}

static bool letters(const uint8_t *t)
{
    for (int i = 0; i < 4; i++)
        if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
            return false;
    return true;
}

static bool parse_ihdr(const uint8_t *d, uint32_t n, layout *L)
{
    if (n != 13)
        return false;
    L->width = imc_load_be32(d);
    L->height = imc_load_be32(d + 4);
    L->depth = d[8];
    L->color = d[9];
    L->interlaced = d[12];
    /* libpng's defaults refuse sides over 1,000,000 */
    if (L->width == 0 || L->height == 0 || L->width > 1000000 || L->height > 1000000 || d[10] ||
        d[11] || L->interlaced > 1)
        return false;
    static const int samples[7] = {1, 0, 3, 1, 2, 0, 4};
    if (L->color > 6 || (L->color != 0 && samples[L->color] == 1 && L->color != 3) ||
        L->color == 1 || L->color == 5)
        return false;
    L->samples = samples[L->color];
    switch (L->depth) {
    case 1: case 2: case 4: return L->color == 0 || L->color == 3;
    case 8: return true;
    case 16: return L->color != 3;
    default: return false;
    }
}

/* PLTE and tRNS as libpng accepts them without complaint. */
static bool parse_plte(const uint8_t *d, uint32_t n, layout *L)
{
    if (L->color != 3 || L->num_palette || n == 0 || n % 3 || n / 3 > (1u << L->depth))
        return false;
    L->num_palette = (int)(n / 3);
    memcpy(L->palette, d, n);
    return true;
}

static bool parse_trns(const uint8_t *d, uint32_t n, layout *L)
{
    if (L->has_trns)
        return false;
    uint32_t top = (1u << L->depth) - 1;
    if (L->color == 3) {
        if (!L->num_palette || n == 0 || n > (uint32_t)L->num_palette)
            return false;
        memcpy(L->palette_alpha, d, n);
    } else if (L->color == 0) {
        if (n != 2 || imc_load_be16(d) > top)
            return false;
        L->trns[0] = imc_load_be16(d);
    } else if (L->color == 2) {
        if (n != 6)
            return false;
        for (int i = 0; i < 3; i++) {
            L->trns[i] = imc_load_be16(d + 2 * i);
            if (L->trns[i] > top)
                return false;
        }
    } else {
        return false;
    }
    L->has_trns = true;
    return true;
}

/* Walks every chunk; false at the first thing libpng would not take silently. */
static bool scan(const uint8_t *buf, size_t len, layout *L)
{
    memset(L->palette_alpha, 0xFF, sizeof L->palette_alpha);
    size_t at = 8;
    bool header = false, in_idat = false, idat_done = false;
    int exif_state = 0; /* 0 none yet, 1 found */
    while (len - at >= 12) {
        uint32_t n = imc_load_be32(buf + at);
        const uint8_t *type = buf + at + 4, *data = buf + at + 8;
        if (n > 0x7FFFFFFFu || n > len - at - 12 || !letters(type))
            return false;
        if (libdeflate_crc32(0, type, (size_t)n + 4) != imc_load_be32(data + n))
            return false;
        bool idat = is_type(type, "IDAT");
        if (in_idat && !idat)
            idat_done = true;
        if (!header) {
            if (!is_type(type, "IHDR") || !parse_ihdr(data, n, L))
                return false;
            header = true;
        } else if (idat) {
            if (idat_done || (L->color == 3 && !L->num_palette))
                return false;
            if (!in_idat) {
                L->idat = data;
                L->idat_begin = at;
            } else {
                L->idat = NULL; /* several chunks: concatenated later */
            }
            in_idat = true;
            L->idat_size += n;
            L->idat_end = at + 12 + n;
        } else if (is_type(type, "IEND")) {
            return n == 0 && in_idat;
        } else if (is_type(type, "PLTE")) {
            if (in_idat || L->has_trns || !parse_plte(data, n, L))
                return false;
        } else if (is_type(type, "tRNS")) {
            if (in_idat || !parse_trns(data, n, L))
                return false;
        } else if (is_type(type, "gAMA") || is_type(type, "sRGB") || is_type(type, "iCCP")) {
            L->colour_managed = true;
        } else if (is_type(type, "eXIf")) {
            /* libpng keeps the first eXIf with a proper byte-order mark */
            if (n >= 2 && (data[0] == 'M' || data[0] == 'I') && data[1] == data[0] && !exif_state) {
                L->orientation = imc_exif_orientation(data, n);
                exif_state = 1;
            }
        } else if (!(type[0] & 0x20) || is_type(type, "IHDR") || n > 8000000) {
            return false; /* unknown critical chunk, or one libpng deems too large */
        }
        at += 12 + (size_t)n;
    }
    return false; /* no IEND */
}

/* ---- Conversion of unfiltered rows to cv2's output ----------------------------- */
/* libpng's rgb_to_gray with cv2's weights (png_set_rgb_to_gray(png, 1, 0.299,
 * 0.587): 15-bit fixed point, 9797 / 19234 / 3737), in files without gamma
 * (no gAMA, sRGB or iCCP, where libpng would go through its gamma tables):
 * equal samples stay as they are, others are truncated at 8 bits and
 * rounded at 16. */
enum { GRAY_R = 9797, GRAY_G = 19234, GRAY_B = 3737 };

static inline unsigned gray_8(unsigned r, unsigned g, unsigned b)
{
    return r == g && r == b ? r : (GRAY_R * r + GRAY_G * g + GRAY_B * b) >> 15;
}

static inline unsigned gray_16(unsigned r, unsigned g, unsigned b)
{
    return r == g && r == b ? r : (GRAY_R * r + GRAY_G * g + GRAY_B * b + 16384) >> 15;
}

typedef struct {
    const layout *L;
    int dst_cn, dst_depth;
    bool rgb;
    uint8_t palette_px[256][4]; /* palette entries as output pixels, channels in order */
    uint8_t palette_gray[256];  /* palette entries through libpng's rgb_to_gray */
    uint8_t low_depth[256][8];  /* 1/2/4-bit: a byte's samples (gray scaled, or indices) */
    uint8_t *high_bytes; /* NULL, or a row's worth: 16-bit samples to 8-bit output by their high
                            bytes, where libpng's result is that (no tRNS, no weighted gray) */
} convert_spec;

static void convert_spec_init(convert_spec *s, const layout *L, int dst_cn, int dst_depth, bool rgb)
{
    s->L = L;
    s->high_bytes = NULL;
    s->dst_cn = dst_cn;
    s->dst_depth = dst_depth;
    s->rgb = rgb;
    for (int i = 0; L->color == 3 && i < 256; i++) {
        s->palette_px[i][rgb ? 0 : 2] = L->palette[i][0];
        s->palette_px[i][1] = L->palette[i][1];
        s->palette_px[i][rgb ? 2 : 0] = L->palette[i][2];
        s->palette_px[i][3] = L->palette_alpha[i];
        s->palette_gray[i] = (uint8_t)gray_8(L->palette[i][0], L->palette[i][1], L->palette[i][2]);
    }
    for (int byte = 0; L->depth < 8 && byte < 256; byte++)
        for (int k = 0; k < 8 / L->depth; k++) {
            unsigned v = (unsigned)byte >> (8 - L->depth * (k + 1)) & ((1u << L->depth) - 1);
            s->low_depth[byte][k] = (uint8_t)(L->color == 3 ? v : v * 255 / ((1u << L->depth) - 1));
        }
}

/* Sample i of a row of `depth`-bit samples (1..16), as the 8- or 16-bit
 * value libpng delivers: low depths scaled up by bit replication. */
static inline unsigned sample_at(const uint8_t *row, int depth, size_t i)
{
    switch (depth) {
    case 8: return row[i];
    case 16: return imc_load_be16(row + 2 * i);
    default: {
        size_t bit = i * (size_t)depth;
        unsigned v = (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1u << depth) - 1);
        return v;
    }
    }
}

/* Converts one row. Returns false if the row needs libpng (palette index out
 * of range). The generic per-pixel path; common cases have fast loops below. */
static bool convert_row(const convert_spec *s, const uint8_t *src, uint8_t *dst)
{
    const layout *L = s->L;
    const int cn = s->dst_cn;
    const bool wide = s->dst_depth == IMC_16U;
    const int ri = s->rgb ? 0 : 2, bi = s->rgb ? 2 : 0;
    unsigned px[4];
    for (uint32_t x = 0; x < L->width; x++) {
        unsigned r, g, b, a = L->depth == 16 ? 65535 : 255;
        if (L->color == 3) {
            unsigned idx = sample_at(src, L->depth, x);
            if ((int)idx >= L->num_palette)
                return false;
            r = L->palette[idx][0];
            g = L->palette[idx][1];
            b = L->palette[idx][2];
            a = L->palette_alpha[idx];
        } else {
            size_t base = (size_t)x * (size_t)L->samples;
            r = sample_at(src, L->depth, base);
            if (L->depth < 8)
                r = r * 255 / ((1u << L->depth) - 1); /* bit replication */
            if (L->samples >= 3) {
                g = sample_at(src, L->depth, base + 1);
                b = sample_at(src, L->depth, base + 2);
            } else {
                g = b = r;
            }
            if (L->samples == 2 || L->samples == 4)
                a = sample_at(src, L->depth, base + (size_t)L->samples - 1);
            else if (L->has_trns && L->color == 2)
                a = (r == L->trns[0] && g == L->trns[1] && b == L->trns[2]) ? 0 : a;
        }
        /* gray from colour before strip_16, as libpng orders its steps */
        unsigned gray = L->color == 0 || L->color == 4 ? r
                        : L->depth == 16              ? gray_16(r, g, b)
                                                      : gray_8(r, g, b);
        if (L->depth == 16 && !wide) { /* libpng's strip_16: the high byte */
            r >>= 8;
            g >>= 8;
            b >>= 8;
            a >>= 8;
            gray >>= 8;
        }
        px[bi] = b;
        px[1] = g;
        px[ri] = r;
        px[3] = a;
        if (cn == 1)
            px[0] = gray;
        if (wide) {
            uint16_t *d = (uint16_t *)(void *)dst + (size_t)x * (size_t)cn;
            for (int c = 0; c < cn; c++)
                d[c] = (uint16_t)px[c];
        } else {
            uint8_t *d = dst + (size_t)x * (size_t)cn;
            for (int c = 0; c < cn; c++)
                d[c] = (uint8_t)px[c];
        }
    }
    return true;
}

/* 16-bit samples kept as 16-bit, channels as stored (1, 3 or 4): big-endian
 * to native, red and blue swapped for BGR order. Stores of constant size:
 * a variable one would be a call per pixel. */
static void convert_row_16(const convert_spec *s, const uint8_t *src, uint8_t *dst)
{
    const size_t w = s->L->width, cn = (size_t)s->dst_cn;
    if (cn == 1 || s->rgb) {
        for (size_t k = 0; k < w * cn; k++) {
            uint16_t v = imc_load_be16(src + 2 * k);
            memcpy(dst + 2 * k, &v, 2);
        }
    } else if (cn == 3) {
        for (size_t x = 0; x < w; x++, src += 6, dst += 6) {
            uint16_t v[3] = {imc_load_be16(src + 4), imc_load_be16(src + 2), imc_load_be16(src)};
            memcpy(dst, v, 6);
        }
    } else {
        for (size_t x = 0; x < w; x++, src += 8, dst += 8) {
            uint16_t v[4] = {imc_load_be16(src + 4), imc_load_be16(src + 2), imc_load_be16(src), imc_load_be16(src + 6)};
            memcpy(dst, v, 8);
        }
    }
}

/* 8-bit palette indices to 3- or 4-channel pixels by table. False when an
 * index is past the palette (libpng's business). */
static bool convert_palette_row(const convert_spec *s, const uint8_t *src, uint8_t *dst)
{
    const size_t w = s->L->width;
    unsigned top = 0;
    if (s->dst_cn == 4) {
        for (size_t x = 0; x < w; x++) {
            top = src[x] > top ? src[x] : top;
            memcpy(dst + 4 * x, s->palette_px[src[x]], 4);
        }
    } else {
        for (size_t x = 0; x + 1 < w; x++) { /* 4-byte stores, the next pixel overwrites the 4th */
            top = src[x] > top ? src[x] : top;
            memcpy(dst + 3 * x, s->palette_px[src[x]], 4);
        }
        top = src[w - 1] > top ? src[w - 1] : top;
        memcpy(dst + 3 * (w - 1), s->palette_px[src[w - 1]], 3);
    }
    return (int)top < s->L->num_palette;
}

/* 1/2/4-bit gray (without tRNS) or palette rows to 8-bit pixels: each source
 * byte expands through a table to its 8/depth samples, gray values already
 * scaled as libpng's bit replication scales them. False when an index is
 * past the palette (libpng's business). */
static bool convert_low_depth_row(const convert_spec *s, const uint8_t *src, uint8_t *dst)
{
    const layout *L = s->L;
    const uint32_t w = L->width, per = 8u / (uint32_t)L->depth;
    const int cn = s->dst_cn;
    unsigned top = 0;
    for (uint32_t x = 0; x < w; x += per, src++) {
        const uint8_t *e = s->low_depth[*src];
        const uint32_t n = w - x < per ? w - x : per;
        uint8_t *d = dst + (size_t)x * (size_t)cn;
        if (L->color == 3) {
            for (uint32_t k = 0; k < n; k++, d += cn) {
                const uint8_t *p = s->palette_px[e[k]];
                top = e[k] > top ? e[k] : top;
                d[0] = p[0];
                d[1] = p[1];
                d[2] = p[2];
                if (cn == 4)
                    d[3] = p[3];
            }
        } else if (cn == 1) {
            memcpy(d, e, n);
        } else {
            for (uint32_t k = 0; k < n; k++, d += cn) {
                d[0] = d[1] = d[2] = e[k];
                if (cn == 4)
                    d[3] = 255;
            }
        }
    }
    return L->color != 3 || (int)top < L->num_palette;
}

/* The high byte of each big-endian 16-bit sample: libpng's strip_16. */
static void take_high_bytes(const uint8_t *src, uint8_t *dst, size_t samples)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i low = _mm_set1_epi16(0xFF);
    for (; i + 16 <= samples; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + 2 * i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + 2 * i + 16));
        _mm_storeu_si128((__m128i *)(void *)(dst + i),
                         _mm_packus_epi16(_mm_and_si128(a, low), _mm_and_si128(b, low)));
    }
#endif
    for (; i < samples; i++)
        dst[i] = src[2 * i];
}
/* An 8-bit gray, gray + alpha, RGB or RGBA row (no tRNS to expand) to the
 * output's channels: copies, R/B swaps, alpha stripped or added, gray
 * replicated or weighted. */
static bool convert_8bit_row(const convert_spec *s, const uint8_t *src, uint8_t *dst)
{
    const uint32_t w = s->L->width;
    const int ri = s->rgb ? 0 : 2, bi = s->rgb ? 2 : 0;
    const int in = s->L->samples, out = s->dst_cn;
    if (in == out && (in <= 2 || s->rgb)) {
        memcpy(dst, src, (size_t)w * (size_t)in);
    } else if (in == out) {
        imc_row_swap_rb_8u(src, dst, (int)w, in);
    } else if (in >= 3 && out >= 3) {
        for (uint32_t x = 0; x < w; x++, src += in, dst += out) {
            uint8_t r = src[0], g = src[1], b = src[2];
            dst[bi] = b;
            dst[1] = g;
            dst[ri] = r;
            if (out == 4)
                dst[3] = in == 4 ? src[3] : 255;
        }
    } else if (in <= 2 && out >= 3) {
        for (uint32_t x = 0; x < w; x++, src += in, dst += out) {
            dst[0] = dst[1] = dst[2] = src[0];
            if (out == 4)
                dst[3] = in == 2 ? src[1] : 255;
        }
    } else if (in == 2 && out == 1) {
        for (uint32_t x = 0; x < w; x++)
            dst[x] = src[2 * x];
    } else if (in >= 3 && out == 1) {
        for (uint32_t x = 0; x < w; x++, src += in)
            dst[x] = (uint8_t)gray_8(src[0], src[1], src[2]);
    } else {
        return convert_row(s, src, dst);
    }
    return true;
}

/* The hot cases, 8-bit samples to 8-bit output, 16-bit to 16-bit, palettes
 * and low-depth gray, without per-pixel dispatch. */
static bool convert_row_fast(const convert_spec *s, const uint8_t *src, uint8_t *dst)
{
    const layout *L = s->L;
    const uint32_t w = L->width;
    if (L->color == 3 && L->depth == 8 && s->dst_depth == IMC_8U && s->dst_cn >= 3)
        return convert_palette_row(s, src, dst);
    if (L->color == 3 && L->depth == 8 && s->dst_cn == 1) {
        unsigned top = 0;
        for (uint32_t x = 0; x < w; x++) {
            top = src[x] > top ? src[x] : top;
            dst[x] = s->palette_gray[src[x]];
        }
        return (int)top < L->num_palette;
    }
    if (L->depth < 8 && s->dst_depth == IMC_8U &&
        ((L->color == 3 && s->dst_cn >= 3) || (L->color == 0 && !L->has_trns)))
        return convert_low_depth_row(s, src, dst);
    if (L->depth == 16 && s->dst_depth == IMC_16U && L->color != 3 && !L->has_trns &&
        s->dst_cn == L->samples && L->samples != 2) {
        convert_row_16(s, src, dst);
        return true;
    }
    if (s->high_bytes) { /* 16 to 8 bits: the high bytes, then as an 8-bit row */
        take_high_bytes(src, s->high_bytes, (size_t)w * (size_t)L->samples);
        return convert_8bit_row(s, s->high_bytes, dst);
    }
    if (L->depth != 8 || s->dst_depth != IMC_8U || L->color == 3 || (L->has_trns && s->dst_cn == 4))
        return convert_row(s, src, dst);
    return convert_8bit_row(s, src, dst);
}
/* ---- Driver -------------------------------------------------------------------- */
static size_t row_bytes(uint32_t width, const layout *L)
{
    return ((size_t)width * (size_t)L->samples * (size_t)L->depth + 7) / 8;
}

/* Adam7: pass origin and step in x and y. */
static const uint8_t adam7[7][4] = {
    {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2},
};

static uint32_t pass_size(uint32_t size, int origin, int step)
{
    return size > (uint32_t)origin ? (size - (uint32_t)origin + (uint32_t)step - 1) / (uint32_t)step : 0;
}

static size_t filtered_size(const layout *L)
{
    if (!L->interlaced)
        return (size_t)L->height * (row_bytes(L->width, L) + 1);
    size_t total = 0;
    for (int p = 0; p < 7; p++) {
        uint32_t w = pass_size(L->width, adam7[p][0], adam7[p][2]);
        uint32_t h = pass_size(L->height, adam7[p][1], adam7[p][3]);
        if (w && h)
            total += (size_t)h * (row_bytes(w, L) + 1);
    }
    return total;
}

/* Copies the pixel at index `from` of a packed row to index `to` of another. */
static void put_pixel(uint8_t *dst_row, uint32_t to, const uint8_t *src_row, uint32_t from,
                      const layout *L)
{
    size_t bits = (size_t)L->samples * (size_t)L->depth;
    if (bits >= 8) {
        memcpy(dst_row + to * (bits / 8), src_row + from * (bits / 8), bits / 8);
        return;
    }
    size_t sb = from * bits, db = to * bits;
    unsigned mask = (1u << bits) - 1;
    unsigned v = (src_row[sb >> 3] >> (8 - bits - (sb & 7))) & mask;
    unsigned shift = (unsigned)(8 - bits - (db & 7));
    dst_row[db >> 3] = (uint8_t)((dst_row[db >> 3] & ~(mask << shift)) | v << shift);
}

/* Whole-byte pixels of `size` bytes from a pass row to every `step`th pixel
 * from `first` in an image row; inlined with a constant size, so each copy
 * is a move, not a call. */
static inline void scatter_bytes(uint8_t *out, uint32_t first, uint32_t step, const uint8_t *row,
                                 uint32_t w, size_t size)
{
    for (uint32_t x = 0; x < w; x++)
        memcpy(out + (size_t)(first + x * step) * size, row + (size_t)x * size, size);
}

static void scatter_row(uint8_t *out, uint32_t first, uint32_t step, const uint8_t *row, uint32_t w,
                        const layout *L)
{
    switch (L->samples * L->depth) {
    case 8: scatter_bytes(out, first, step, row, w, 1); break;
    case 16: scatter_bytes(out, first, step, row, w, 2); break;
    case 24: scatter_bytes(out, first, step, row, w, 3); break;
    case 32: scatter_bytes(out, first, step, row, w, 4); break;
    case 48: scatter_bytes(out, first, step, row, w, 6); break;
    case 64: scatter_bytes(out, first, step, row, w, 8); break;
    default: /* pixels of 1, 2 or 4 bits */
        for (uint32_t x = 0; x < w; x++)
            put_pixel(out, first + x * step, row, x, L);
    }
}

/* Unfilters the seven passes and assembles the full image, rows packed as in
 * a non-interlaced file (without filter bytes), in `image`. `zeros` is a
 * zeroed row at least as long as any pass row: the row above each first row. */
static bool deinterlace(uint8_t *filtered, const layout *L, uint8_t *image, size_t image_row,
                        const uint8_t *zeros)
{
    int bpp = (L->samples * L->depth + 7) / 8;
    for (int p = 0; p < 7; p++) {
        uint32_t w = pass_size(L->width, adam7[p][0], adam7[p][2]);
        uint32_t h = pass_size(L->height, adam7[p][1], adam7[p][3]);
        if (!w || !h)
            continue;
        size_t rb = row_bytes(w, L);
        const uint8_t *prev = zeros;
        for (uint32_t y = 0; y < h; y++, filtered += rb + 1) {
            uint8_t *row = filtered + 1;
            if (!imc_png_unfilter(filtered[0], row, prev, rb, bpp))
                return false;
            prev = row;
            uint8_t *out = image + (size_t)(adam7[p][1] + y * adam7[p][3]) * image_row;
            scatter_row(out, adam7[p][0], adam7[p][2], row, w, L);
        }
    }
    return true;
}

static int inflate_all(const uint8_t *buf, const layout *L, uint8_t *out, size_t out_size)
{
    const uint8_t *stream = L->idat;
    uint8_t *joined = NULL;
    if (!stream) { /* several IDAT chunks: join their data */
        joined = malloc(L->idat_size ? L->idat_size : 1);
        if (!joined)
            return IMC_ERR_NOMEM;
        size_t at = L->idat_begin, n = 0;
        while (at < L->idat_end) {
            uint32_t len = imc_load_be32(buf + at);
            memcpy(joined + n, buf + at + 8, len);
            n += len;
            at += 12 + (size_t)len;
        }
        stream = joined;
    }
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d) {
        free(joined);
        return IMC_ERR_NOMEM;
    }
    size_t in_used = 0, produced = 0;
    enum libdeflate_result r = libdeflate_zlib_decompress_ex(d, stream, L->idat_size, out, out_size,
                                                             &in_used, &produced);
    libdeflate_free_decompressor(d);
    free(joined);
    /* exactly the image, and nothing after the stream */
    return r == LIBDEFLATE_SUCCESS && produced == out_size && in_used == L->idat_size
               ? IMC_OK
               : IMC_ERR_UNSUPPORTED;
}

/* Whether the filtered stream (`size` bytes, rows of rb + 1) can be inflated
 * into the end of dst's room and turned into dst's rows from the top: the
 * output of rows 0..k-1 must end before filtered row k starts, for every k
 * (linear in k: checked at both ends). Packed output rows of at least rb + 1
 * bytes always fit; rows of rb bytes fit with the byte per row of
 * imc_image_alloc_room; rows that shrink (16 to 8 bits, alpha stripped) do
 * not. */
static bool fits_in_place(const imc_image *dst, size_t room, size_t size, size_t rb)
{
    size_t out_row = (size_t)dst->cols * (size_t)dst->channels * imc_depth_size(dst->depth);
    size_t rows = (size_t)dst->rows;
    if (!room || dst->step != out_row || room < size || room < rows * out_row)
        return false;
    size_t start = room - size, ends[2] = {1, rows - 1};
    for (int i = 0; i < 2; i++)
        if (ends[i] >= 1 && start + ends[i] * (rb + 1) < ends[i] * out_row)
            return false;
    return true;
}

int imc_png_fast_read(const uint8_t *buf, size_t len, imc_image *dst, imc_read_request *req)
{
    layout L;
    memset(&L, 0, sizeof L);
    if (!scan(buf, len, &L) || dst->cols != (int)L.width || dst->rows != (int)L.height)
        return IMC_ERR_UNSUPPORTED;
    bool color_source = L.color == 2 || L.color == 3 || L.color == 6;
    if (dst->channels == 1 && color_source && L.colour_managed)
        return IMC_ERR_UNSUPPORTED; /* libpng's rgb_to_gray through gamma: leave it to libpng */

    size_t rb = row_bytes(L.width, &L), size = filtered_size(&L);
    const bool in_place = !L.interlaced && fits_in_place(dst, req->dst_room, size, rb);
    uint8_t *filtered = in_place ? (uint8_t *)dst->data + req->dst_room - size : imc_alloc_pixels(size);
    if (!filtered)
        return IMC_ERR_NOMEM;
    int rc = inflate_all(buf, &L, filtered, size);
    /* a zero row (the one above the first), then, in place, two rows that
     * take each filtered row before its output overwrites it */
    uint8_t *image = NULL, *zero_row = calloc(in_place ? 3 : 1, rb), *rows = NULL;
    if (!zero_row)
        rc = IMC_ERR_NOMEM;
    else
        rows = zero_row + rb;
    convert_spec spec;
    convert_spec_init(&spec, &L, dst->channels, dst->depth, req->order == IMC_ORDER_RGB);
    if (L.depth == 16 && dst->depth == IMC_8U && !L.has_trns && !(color_source && dst->channels == 1) &&
        !(spec.high_bytes = malloc((size_t)L.width * (size_t)L.samples)))
        rc = IMC_ERR_NOMEM;
    int bpp = (L.samples * L.depth + 7) / 8;
    if (rc == IMC_OK && L.interlaced) {
        image = imc_alloc_pixels((size_t)L.height * rb);
        rc = !image ? IMC_ERR_NOMEM
                    : deinterlace(filtered, &L, image, rb, zero_row) ? IMC_OK : IMC_ERR_UNSUPPORTED;
        for (uint32_t y = 0; rc == IMC_OK && y < L.height; y++)
            if (!convert_row_fast(&spec, image + (size_t)y * rb,
                                  (uint8_t *)dst->data + (size_t)y * dst->step))
                rc = IMC_ERR_UNSUPPORTED;
    } else if (rc == IMC_OK) {
        const uint8_t *prev = zero_row;
        for (uint32_t y = 0; rc == IMC_OK && y < L.height; y++) {
            uint8_t *row = filtered + (size_t)y * (rb + 1) + 1;
            int type = row[-1];
            if (in_place)
                row = memcpy(rows + (y & 1) * rb, row, rb);
            if (!imc_png_unfilter(type, row, prev, rb, bpp) ||
                !convert_row_fast(&spec, row, (uint8_t *)dst->data + (size_t)y * dst->step))
                rc = IMC_ERR_UNSUPPORTED;
            prev = row;
        }
    }
    free(spec.high_bytes);
    free(zero_row);
    free(image);
    if (!in_place)
        free(filtered);
    else if (rc != IMC_OK) /* no stream bytes left in what libpng may fill only in part */
        memset(dst->data, 0, req->dst_room);
    if (rc == IMC_OK)
        req->orientation = L.orientation;
    return rc;
}
