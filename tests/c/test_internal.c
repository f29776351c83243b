/* Unit tests of the internal pieces with hand-computed expectations: EXIF
 * walking, orientation transforms, the bit-exact resize, rounding and
 * saturation, limit arithmetic, JPEG strips. Links the static library. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../../src/codecs/jpeg/strips.h"
#include "../../src/display/display.h"
#include "../../src/internal.h"
#include "check.h"

/* ---- EXIF ---------------------------------------------------------------- */
static size_t put16(uint8_t *p, int intel, unsigned v)
{
    p[intel ? 0 : 1] = (uint8_t)v;
    p[intel ? 1 : 0] = (uint8_t)(v >> 8);
    return 2;
}

static size_t put32(uint8_t *p, int intel, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[intel ? i : 3 - i] = (uint8_t)(v >> (8 * i));
    return 4;
}

/* A TIFF block with one IFD of n entries at offset 8. */
static size_t tiff(uint8_t *out, int intel, const uint16_t (*entries)[2], const uint32_t *values,
                   int n)
{
    size_t at = 0;
    out[0] = out[1] = intel ? 'I' : 'M';
    at = 2;
    at += put16(out + at, intel, 42);
    at += put32(out + at, intel, 8);
    at += put16(out + at, intel, (unsigned)n);
    for (int i = 0; i < n; i++) {
        at += put16(out + at, intel, entries[i][0]);
        at += put16(out + at, intel, entries[i][1]);
        at += put32(out + at, intel, 1);
        if (entries[i][1] == 3) {
            at += put16(out + at, intel, values[i]);
            at += put16(out + at, intel, 0);
        } else {
            at += put32(out + at, intel, values[i]);
        }
    }
    at += put32(out + at, intel, 0);
    return at;
}

static void test_exif(void)
{
    uint8_t b[256];
    const uint16_t orient[][2] = {{0x0112, 3}};
    for (int intel = 0; intel < 2; intel++) {
        for (uint32_t o = 0; o < 10; o++) {
            size_t n = tiff(b, intel, orient, &o, 1);
            CHECK_EQ(imc_exif_orientation(b, n), (int)o);
            /* Cut one byte short of the value: cv2 cannot read it. */
            CHECK_EQ(imc_exif_orientation(b, 8 + 2 + 8 + 1), 0);
            CHECK_EQ(imc_exif_orientation(b, 8 + 2 + 8 + 2), (int)o);
        }
    }
    uint32_t six = 6;
    size_t n = tiff(b, 1, orient, &six, 1);
    b[2] = 43; /* not TIFF magic */
    CHECK_EQ(imc_exif_orientation(b, n), 0);
    /* Resolution whose rational lies outside the block stops the walk. */
    const uint16_t res_then_orient[][2] = {{0x011A, 5}, {0x0112, 3}};
    uint32_t values[] = {200, 6};
    n = tiff(b, 1, res_then_orient, values, 2);
    CHECK_EQ(imc_exif_orientation(b, n), 0);
    values[0] = (uint32_t)n - 8; /* the last 8 bytes hold a readable rational */
    n = tiff(b, 1, res_then_orient, values, 2);
    CHECK_EQ(imc_exif_orientation(b, n), 6);
    values[0] = (uint32_t)n - 7;
    n = tiff(b, 1, res_then_orient, values, 2);
    CHECK_EQ(imc_exif_orientation(b, n), 0);
    /* Unknown tags are skipped; LONG orientation reads the first 16 bits. */
    const uint16_t unknown_then_long[][2] = {{0x9999, 4}, {0x0112, 4}};
    uint32_t v2[] = {123456, 8};
    n = tiff(b, 1, unknown_then_long, v2, 2);
    CHECK_EQ(imc_exif_orientation(b, n), 8);
    n = tiff(b, 0, unknown_then_long, v2, 2);
    CHECK_EQ(imc_exif_orientation(b, n), 0);
    CHECK_EQ(imc_exif_orientation(NULL, 10), 0);
    CHECK_EQ(imc_exif_orientation(b, 0), 0);
    CHECK_EQ(imc_exif_orientation((const uint8_t *)"I", 1), 0);
}

/* ---- Orientation ------------------------------------------------------------ */
static void test_orientation(void)
{
    static const uint8_t expect[9][6] = {
        {0}, {0, 1, 2, 10, 11, 12}, {2, 1, 0, 12, 11, 10}, {12, 11, 10, 2, 1, 0},
        {10, 11, 12, 0, 1, 2}, {0, 10, 1, 11, 2, 12}, {10, 0, 11, 1, 12, 2},
        {12, 2, 11, 1, 10, 0}, {2, 12, 1, 11, 0, 10},
    };
    for (int o = 1; o <= 8; o++) {
        for (int depth = IMC_8U; depth <= IMC_16U; depth += IMC_16U) {
            imc_image img;
            imc_image_alloc(&img, 2, 3, 1, depth);
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 3; x++) {
                    uint8_t *row = (uint8_t *)img.data + y * img.step;
                    if (depth == IMC_8U)
                        row[x] = (uint8_t)(10 * y + x);
                    else
                        ((uint16_t *)(void *)row)[x] = (uint16_t)(10 * y + x);
                }
            CHECK_EQ(imc_apply_orientation(&img, o, NULL), IMC_OK);
            CHECK_EQ(img.rows, o <= 4 ? 2 : 3);
            CHECK_EQ(img.cols, o <= 4 ? 3 : 2);
            for (int i = 0; i < 6; i++) {
                int y = i / img.cols, x = i % img.cols;
                const uint8_t *row = (const uint8_t *)img.data + y * img.step;
                int v = depth == IMC_8U ? row[x] : ((const uint16_t *)(const void *)row)[x];
                CHECK_EQ(v, expect[o][i]);
            }
            imc_image_free(&img);
        }
    }
}

/* ---- Resize ------------------------------------------------------------------- */
static void resize_row(int depth, const int *in, int n_in, const int *want, int n_out)
{
    imc_image src, dst;
    imc_image_alloc(&src, 1, n_in, 1, depth);
    imc_image_alloc(&dst, 1, n_out, 1, depth);
    for (int i = 0; i < n_in; i++) {
        if (depth == IMC_8U)
            ((uint8_t *)src.data)[i] = (uint8_t)in[i];
        else
            ((uint16_t *)src.data)[i] = (uint16_t)in[i];
    }
    CHECK_EQ(imc_resize_linear_exact(&src, &dst, NULL), IMC_OK);
    for (int i = 0; i < n_out; i++)
        CHECK_EQ(depth == IMC_8U ? ((uint8_t *)dst.data)[i] : ((uint16_t *)dst.data)[i], want[i]);
    imc_image_free(&src);
    imc_image_free(&dst);
}

static void test_resize(void)
{
    /* One row stays on the edge path: (H + half) >> shift. */
    resize_row(IMC_8U, (const int[]){10, 21, 30, 40}, 4, (const int[]){16, 35}, 2);
    resize_row(IMC_8U, (const int[]){0, 100, 0, 200, 0}, 5, (const int[]){75, 150}, 2);
    resize_row(IMC_8U, (const int[]){7, 99, 7}, 3, (const int[]){99}, 1);
    resize_row(IMC_16U, (const int[]){1000, 2001, 3, 4}, 4, (const int[]){1501, 4}, 2);

    /* Exact halving of a 2-D image: (a + b + c + d + 2) >> 2, as cv2's
     * INTER_AREA shortcut computes it. */
    imc_image src, dst;
    imc_image_alloc(&src, 6, 8, 3, IMC_8U);
    imc_image_alloc(&dst, 3, 4, 3, IMC_8U);
    for (size_t i = 0; i < 6 * 8 * 3; i++)
        ((uint8_t *)src.data)[i] = (uint8_t)(i * 37 % 256);
    CHECK_EQ(imc_resize_linear_exact(&src, &dst, NULL), IMC_OK);
    int ok = 1;
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 4; x++)
            for (int c = 0; c < 3; c++) {
                const uint8_t *s = src.data;
                int sum = s[(2 * y) * 24 + (2 * x) * 3 + c] + s[(2 * y) * 24 + (2 * x + 1) * 3 + c] +
                          s[(2 * y + 1) * 24 + (2 * x) * 3 + c] +
                          s[(2 * y + 1) * 24 + (2 * x + 1) * 3 + c];
                ok &= ((uint8_t *)dst.data)[y * 12 + x * 3 + c] == (sum + 2) >> 2;
            }
    CHECK(ok);
    imc_image_free(&src);
    imc_image_free(&dst);
}

/* ---- Rounding, conversion, limits ---------------------------------------------- */
static void test_rounding(void)
{
    CHECK_EQ(imc_cv_round(0.5), 0);
    CHECK_EQ(imc_cv_round(1.5), 2);
    CHECK_EQ(imc_cv_round(2.5), 2);
    CHECK_EQ(imc_cv_round(-1.5), -2);
    CHECK_EQ(imc_cv_round(-0.5), 0);
    CHECK_EQ(imc_cv_round(NAN), INT_MIN);
    CHECK_EQ(imc_cv_round(1e10), INT_MIN);
    CHECK_EQ(imc_cv_round(-1e10), INT_MIN);
    CHECK_EQ(imc_cv_round(2147483647.4), INT_MAX);
    CHECK_EQ(imc_cv_round(2147483647.6), INT_MIN);

    imc_image f, u;
    imc_image_alloc(&f, 1, 8, 1, IMC_32F);
    const float in[8] = {-3.0f, 0.5f, 1.5f, 254.5f, 255.5f, 1e10f, NAN, 300.0f};
    const int want[8] = {0, 0, 2, 254, 255, 0, 0, 255};
    memcpy(f.data, in, sizeof in);
    CHECK_EQ(imc_convert_to_8u(&f, &u, NULL), IMC_OK);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(((uint8_t *)u.data)[i], want[i]);
    imc_image_free(&f);
    imc_image_free(&u);
}

static void test_limit_arithmetic(void)
{
    imc_limits big = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
    CHECK_EQ(imc_check_limits(&big, 1ull << 32, 1ull << 32, 4, IMC_64F, NULL), IMC_ERR_LIMITS);
    CHECK_EQ(imc_check_limits(&big, UINT64_MAX, 2, 1, IMC_8U, NULL), IMC_ERR_LIMITS);
    CHECK_EQ(imc_check_limits(&big, 0, 2, 1, IMC_8U, NULL), IMC_ERR_CORRUPT);
    CHECK_EQ(imc_check_limits(&big, 1ull << 31, 1, 1, IMC_8U, NULL), IMC_ERR_LIMITS);
    CHECK_EQ(imc_check_limits(&big, 1000, 1000, 4, IMC_32F, NULL), IMC_OK);
    imc_limits cv = {1 << 20, 1 << 20, 1 << 30, 1ull << 34};
    CHECK_EQ(imc_check_limits(&cv, 100000, 100000, 3, IMC_8U, NULL), IMC_ERR_LIMITS);
    CHECK_EQ(imc_check_limits(&cv, (1 << 20) + 1, 1, 3, IMC_8U, NULL), IMC_ERR_LIMITS);
    CHECK_EQ(imc_check_limits(&cv, 1 << 20, 1, 3, IMC_8U, NULL), IMC_OK);
}

/* ---- Shared helpers the JPEG 2000 / OpenEXR codecs added ------------------ */
static void test_buffer_write_at(void)
{
    imc_buffer b = {0};
    CHECK_EQ(imc_buffer_write_at(&b, 4, "ab", 2), IMC_OK); /* gap zero-filled */
    CHECK_EQ(b.size, 6);
    CHECK(!memcmp(b.data, "\0\0\0\0ab", 6));
    CHECK_EQ(imc_buffer_write_at(&b, 1, "xyz", 3), IMC_OK); /* overwrite, no growth */
    CHECK_EQ(b.size, 6);
    CHECK(!memcmp(b.data, "\0xyzab", 6));
    CHECK_EQ(imc_buffer_write_at(&b, 5, "12", 2), IMC_OK); /* overlap the end */
    CHECK(b.size == 7 && !memcmp(b.data, "\0xyza12", 7));
    CHECK_EQ(imc_buffer_write_at(&b, SIZE_MAX, "1", 2), IMC_ERR_NOMEM);
    imc_buffer_free(&b);
}

static void test_cvtcolor_gray(void)
{
    /* cvtColor's 15-bit weights, not imgcodecs' 14-bit ones */
    const uint8_t bgr[12] = {255, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0};
    uint8_t g[4];
    imc_row_cvt_bgr_to_gray_8u(bgr, 3, g, 4);
    CHECK(g[0] == 255 && g[1] == 76 && g[2] == 150 && g[3] == 29);
    const uint16_t bgr16[6] = {65535, 65535, 65535, 0, 0, 65535};
    uint16_t g16[2];
    imc_row_cvt_bgr_to_gray_16u(bgr16, 3, g16, 2);
    CHECK(g16[0] == 65535 && g16[1] == 19596);
}

static void test_resize_32f(void)
{
    imc_image src, dst;
    imc_image_alloc(&src, 2, 4, 1, IMC_32F);
    const float in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    memcpy(src.data, in, sizeof in);
    imc_image_alloc(&dst, 1, 2, 1, IMC_32F); /* exact half: averages of 2 x 2 */
    CHECK_EQ(imc_resize_linear_exact(&src, &dst, NULL), IMC_OK);
    CHECK(((float *)dst.data)[0] == 3.5f && ((float *)dst.data)[1] == 5.5f);
    imc_image_free(&dst);
    imc_image_alloc(&dst, 1, 3, 1, IMC_32F); /* not a half: bilinear */
    CHECK_EQ(imc_resize_linear_exact(&src, &dst, NULL), IMC_OK);
    /* x: 1 * 5/6 + 2 * 1/6 per row, y: the two rows half and half */
    CHECK(fabsf(((float *)dst.data)[0] - 19.f / 6.f) < 1e-5f);
    imc_image_free(&dst);
    imc_image_free(&src);
}

/* ---- Key codes: cv2's (Qt on X11) for characters and terminal input ---- */
static int term_key(const char *bytes)
{
    return imc_key_from_terminal((const uint8_t *)bytes, strlen(bytes));
}

static void test_keys(void)
{
    CHECK_EQ(imc_key_from_char('a'), 'a');
    CHECK_EQ(imc_key_from_char('A'), 'a'); /* Qt: QTest::keyToAscii(Key_A) */
    CHECK_EQ(imc_key_from_char('!'), '!');
    CHECK_EQ(imc_key_from_char('\n'), 13);
    CHECK_EQ(imc_key_from_char(0x1b), 27);
    CHECK_EQ(imc_key_from_char(0x01), -1);     /* Ctrl+A: ignored */
    CHECK_EQ(imc_key_from_char(0xe9), -55);    /* e acute: Key_Eacute 0xc9, signed */
    CHECK_EQ(imc_key_from_char(0xc9), -55);
    CHECK_EQ(imc_key_from_char(0xdf), -33);    /* sharp s, as cv2 returns it */
    CHECK_EQ(imc_key_from_char(0xf7), -9);     /* division sign has no upper case */
    CHECK_EQ(imc_key_from_char(0xff), -1);     /* y diaeresis: lost, as in cv2 */
    CHECK_EQ(imc_key_from_char(0x430), 0x1000430);
    CHECK_EQ(imc_key_from_char(0x110000), -1);
    CHECK_EQ(term_key("q"), 'q');
    CHECK_EQ(term_key("\x7f"), 8);              /* Backspace */
    CHECK_EQ(term_key("\r"), 13);
    CHECK_EQ(term_key("\x1b"), 27);
    CHECK_EQ(term_key("\x1b[D"), 0xff51);
    CHECK_EQ(term_key("\x1b[1;5A"), 0xff52);   /* Ctrl+Up: modifiers ignored */
    CHECK_EQ(term_key("\x1bOP"), 0xffbe);
    CHECK_EQ(term_key("\x1b[15~"), 0xffbe + 4);
    CHECK_EQ(term_key("\x1b[3~"), 0xffff);
    CHECK_EQ(term_key("\x1b[99~"), -1);
    CHECK_EQ(term_key("\x1b["), -1);
    CHECK_EQ(term_key("\x1bx"), 'x');          /* Alt+x */
    CHECK_EQ(term_key("\xc3\xa9"), -55);        /* UTF-8 e acute */
    CHECK_EQ(term_key("\xc3"), imc_key_from_char(0xfffd)); /* cut short */
    CHECK_EQ(imc_key_from_terminal((const uint8_t *)"", 0), -1);
}

/* Every codec's param table fits imc_param_values and is well formed: ids
 * unique, ranges ordered, value sets for the one-of params, the default
 * taken by the range (or a marker outside it that the codec reads as
 * "absent"). */
static void test_param_tables(void)
{
    int n;
    const imc_codec *const *table = imc_codec_table(&n);
    int params = 0;
    for (int i = 0; i < n; i++) {
        const imc_codec *c = table[i];
        CHECK(c->param_count >= 0 && c->param_count <= IMC_PARAMS_MAX);
        CHECK(c->param_count == 0 || imc_codec_encodes(c));
        for (int k = 0; k < c->param_count; k++, params++) {
            const imc_param_info *p = &c->params[k].info;
            CHECK(p->min <= p->max);
            CHECK(!p->values || p->nvalues > 0);
            CHECK(p->below >= IMC_PARAM_CLAMPED && p->below <= IMC_PARAM_REPLACED);
            CHECK(p->above >= IMC_PARAM_CLAMPED && p->above <= IMC_PARAM_REPLACED);
            int id;
            char name[64];
            snprintf(name, sizeof name, "IMWRITE_%s", p->name);
            CHECK(imc_constant_lookup(name, NULL, &id) == IMC_OK && id == p->id);
            for (int j = 0; j < k; j++)
                CHECK(c->params[j].info.id != p->id);
        }
    }
    CHECK(params >= 35);
}

/* ---- JPEG in strips -------------------------------------------------------- */
typedef struct {
    int calls, firsts;
    const int *params;
} strip_count;

static int encode_rows(const imc_image *rows, bool first, void *ctx, imc_buffer *out,
                       imc_error *err)
{
    strip_count *c = ctx;
    c->calls++;
    c->firsts += first;
    return imc_encode_ex(".jpg", rows, c->params, 2, NULL, out, err);
}

static void test_jpeg_strips(void)
{
    imc_image img;
    CHECK_EQ(imc_image_alloc(&img, 1500, 1400, 3, IMC_8U), IMC_OK);
    for (size_t i = 0; i < img.step * 1500; i++)
        ((uint8_t *)img.data)[i] = (uint8_t)(i * 7 + i / 4096);
    const int params[2] = {IMC_IMWRITE_JPEG_RST_INTERVAL, 30}; /* 88 MCUs a row: steps of 15 */
    strip_count c = {0, 0, params};
    imc_jpeg_strip_coder coder = {encode_rows, &c};
    imc_buffer split, whole;
    memset(&split, 0, sizeof split);
    CHECK_EQ(imc_jpeg_encode_in_strips(&img, 2, 16, 16, 30, &coder, &split, NULL), IMC_OK);
    CHECK_EQ(c.calls, 2);
    CHECK_EQ(c.firsts, 1);
    CHECK_EQ(imc_encode_ex(".jpg", &img, params, 2, NULL, &whole, NULL), IMC_OK);
    CHECK(split.size == whole.size && !memcmp(split.data, whole.data, whole.size));
    /* no restarts, one thread, or too small: left to the caller */
    CHECK_EQ(imc_jpeg_encode_in_strips(&img, 2, 16, 16, 0, &coder, &split, NULL),
             IMC_ERR_UNSUPPORTED);
    CHECK_EQ(imc_jpeg_encode_in_strips(&img, 1, 16, 16, 30, &coder, &split, NULL),
             IMC_ERR_UNSUPPORTED);
    img.rows = 100;
    CHECK_EQ(imc_jpeg_encode_in_strips(&img, 2, 16, 16, 30, &coder, &split, NULL),
             IMC_ERR_UNSUPPORTED);
    CHECK_EQ(c.calls, 2);
    img.rows = 1500;
    imc_buffer_free(&split);
    imc_buffer_free(&whole);
    imc_image_free(&img);
}

int main(void)
{
    test_jpeg_strips();
    test_param_tables();
    test_buffer_write_at();
    test_cvtcolor_gray();
    test_resize_32f();
    test_keys();
    test_exif();
    test_orientation();
    test_resize();
    test_rounding();
    test_limit_arithmetic();
    return check_report("test_internal");
}
