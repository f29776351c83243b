/* Option structs across imc.h versions (imc.h's rule): a caller built
 * against an older, shorter struct gets what it asked for and defaults for
 * the rest; a newer, longer struct and an unset size are refused, never
 * partly ignored. The "older" and "newer" structs below are what such
 * headers would have declared. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "imc.h"
#include "synth.h"

/* imc_decode_options as a header without `limits` and `orientation` had it,
 * placed in memory whose bytes past the struct are not zero: the library
 * must read only `size` bytes (0xff there would be an invalid orientation). */
typedef struct {
    size_t size;
    int flags;
    int order;
} decode_options_older;

typedef struct {
    imc_decode_options known;
    int future; /* a field a later imc.h appends; zero is its default */
} decode_options_newer;

typedef struct {
    size_t size;
} encode_options_older; /* before `order`: BGR */

typedef struct {
    imc_encode_options known;
    long long future;
} encode_options_newer;

static imc_buffer png_of(const imc_image *img)
{
    imc_buffer png;
    CHECK_EQ(imc_encode(".png", img, NULL, 0, &png), IMC_OK);
    return png;
}

static void test_decode_sizes(const imc_image *bgra, const imc_buffer *png)
{
    imc_image want, got;
    imc_error err;
    CHECK_EQ(imc_decode(png->data, png->size, IMC_IMREAD_GRAYSCALE, &want), IMC_OK);

    /* Exactly the older struct's bytes (ASan sees any read past them), then
     * the same bytes followed by 0xff. */
    decode_options_older older = {sizeof older, IMC_IMREAD_GRAYSCALE, IMC_ORDER_BGR};
    for (size_t extra = 0; extra <= 64; extra += 64) {
        unsigned char *memory = malloc(sizeof older + extra);
        memset(memory, 0xff, sizeof older + extra);
        memcpy(memory, &older, sizeof older);
        CHECK_EQ(imc_decode_ex(png->data, png->size, (const imc_decode_options *)(void *)memory,
                               &got, &err),
                 IMC_OK);
        CHECK(same_pixels(&want, &got));
        imc_image_free(&got);
        free(memory);
    }

    decode_options_newer newer;
    memset(&newer, 0, sizeof newer); /* even all zero, it might ask for more */
    newer.known.size = sizeof newer;
    newer.known.flags = IMC_IMREAD_GRAYSCALE;
    CHECK_EQ(imc_decode_ex(png->data, png->size, &newer.known, &got, &err), IMC_ERR_ARG);
    CHECK(strstr(err.message, "imc_decode_options is") != NULL);
    CHECK(strstr(err.message, "from a newer imc.h") != NULL);
    CHECK(got.data == NULL);

    imc_decode_options unset = {.flags = IMC_IMREAD_GRAYSCALE}; /* size 0 */
    CHECK_EQ(imc_decode_ex(png->data, png->size, &unset, &got, &err), IMC_ERR_ARG);
    CHECK(strstr(err.message, "imc_decode_options.size is 0") != NULL);
    CHECK(strstr(err.message, "_INIT") != NULL);
    imc_image_list pages;
    CHECK_EQ(imc_decode_multi(png->data, png->size, &unset, 0, 0, &pages, &err), IMC_ERR_ARG);
    imc_animation anim;
    CHECK_EQ(imc_decode_animation(png->data, png->size, &unset, 0, 0, &anim, &err), IMC_ERR_ARG);
    imc_image_free(&want);

    /* The INIT macro gives cv2's defaults: IMREAD_COLOR. */
    imc_decode_options color = IMC_DECODE_OPTIONS_INIT;
    CHECK_EQ(imc_decode(png->data, png->size, IMC_IMREAD_COLOR, &want), IMC_OK);
    CHECK_EQ(imc_decode_ex(png->data, png->size, &color, &got, &err), IMC_OK);
    CHECK(same_pixels(&want, &got));
    CHECK_EQ(got.channels, 3);
    CHECK_EQ(bgra->channels, 4);
    imc_image_free(&want);
    imc_image_free(&got);
}

static void test_encode_sizes(const imc_image *bgra, const imc_buffer *png)
{
    imc_buffer out;
    imc_error err;
    encode_options_older older = {sizeof older};
    CHECK_EQ(imc_encode_ex(".png", bgra, NULL, 0, (const imc_encode_options *)(void *)&older, &out,
                           &err),
             IMC_OK);
    CHECK_EQ(out.size, png->size);
    CHECK(out.size == png->size && memcmp(out.data, png->data, out.size) == 0);
    imc_buffer_free(&out);

    imc_encode_options rgb = IMC_ENCODE_OPTIONS_INIT;
    rgb.order = IMC_ORDER_RGB;
    CHECK_EQ(imc_encode_ex(".png", bgra, NULL, 0, &rgb, &out, &err), IMC_OK);
    imc_image back;
    CHECK_EQ(imc_decode(out.data, out.size, IMC_IMREAD_UNCHANGED, &back), IMC_OK);
    const uint8_t *a = bgra->data, *b = back.data; /* RGB input: R and B swap places */
    CHECK(a[0] == b[2] && a[1] == b[1] && a[2] == b[0] && a[3] == b[3]);
    imc_image_free(&back);
    imc_buffer_free(&out);
    encode_options_newer newer;
    memset(&newer, 0, sizeof newer);
    newer.known.size = sizeof newer;
    CHECK_EQ(imc_encode_ex(".png", bgra, NULL, 0, &newer.known, &out, &err), IMC_ERR_ARG);
    CHECK(strstr(err.message, "from a newer imc.h") != NULL);
    CHECK(out.data == NULL);

    imc_encode_options unset = {.order = IMC_ORDER_RGB};
    CHECK_EQ(imc_encode_ex(".png", bgra, NULL, 0, &unset, &out, &err), IMC_ERR_ARG);
    CHECK(strstr(err.message, "imc_encode_options.size is 0") != NULL);
    imc_buffer outs[1];
    int status[1];
    CHECK_EQ(imc_encode_batch(".png", bgra, 1, NULL, 0, &unset, 1, outs, status, NULL),
             IMC_ERR_ARG);
    CHECK_EQ(status[0], IMC_ERR_ARG);
}

static void test_terminal_sizes(const imc_image *bgra)
{
    imc_buffer want, got;
    imc_error err;
    imc_terminal_options opts = IMC_TERMINAL_OPTIONS_INIT;
    opts.columns = 8;
    CHECK_EQ(imc_render_terminal(bgra, &opts, &want, &err), IMC_OK);
    CHECK(want.size > 0);
    imc_terminal_options copy = opts; /* the same request renders the same text */
    CHECK_EQ(imc_render_terminal(bgra, &copy, &got, &err), IMC_OK);
    CHECK(got.size == want.size && memcmp(got.data, want.data, got.size) == 0);
    imc_buffer_free(&got);
    struct {
        imc_terminal_options known;
        int future;
    } newer;
    memset(&newer, 0, sizeof newer);
    newer.known = opts;
    newer.known.size = sizeof newer;
    CHECK_EQ(imc_render_terminal(bgra, &newer.known, &got, &err), IMC_ERR_ARG);
    CHECK(got.data == NULL);
    opts.size = 0;
    CHECK_EQ(imc_render_terminal(bgra, &opts, &got, &err), IMC_ERR_ARG);
    CHECK(strstr(err.message, "imc_terminal_options.size is 0") != NULL);
    opts.size = (size_t)-1; /* garbage: refused without reading past the struct */
    CHECK_EQ(imc_render_terminal(bgra, &opts, &got, &err), IMC_ERR_ARG);
    imc_buffer_free(&want);
}

/* A damage report of an older, shorter layout is written only as far as
 * its size (exactly-sized memory: ASan sees any write past it); the full
 * one says where a truncated JPEG ends; fail_on turns it into an error. */
static void test_damage_report_sizes(const imc_image *bgra)
{
    imc_image bgr;
    CHECK_EQ(synth_image(&bgr, 64, 48, 3, IMC_8U, 3), IMC_OK);
    imc_buffer jpg;
    CHECK_EQ(imc_encode(".jpg", &bgr, NULL, 0, &jpg), IMC_OK);
    size_t cut = jpg.size * 2 / 3;
    typedef struct {
        size_t size;
        int kind;
    } report_older;
    report_older *older = malloc(sizeof *older);
    older->size = sizeof *older;
    older->kind = -1;
    imc_decode_options o = IMC_DECODE_OPTIONS_INIT;
    o.report = (imc_damage_report *)(void *)older;
    imc_image img;
    imc_error err;
    CHECK_EQ(imc_decode_ex(jpg.data, cut, &o, &img, &err), IMC_OK); /* cv2's rows */
    CHECK_EQ(older->kind, IMC_DAMAGE_TRUNCATED);
    imc_image_free(&img);
    free(older);

    imc_damage_report full = IMC_DAMAGE_REPORT_INIT;
    o.report = &full;
    CHECK_EQ(imc_decode_ex(jpg.data, cut, &o, &img, &err), IMC_OK);
    CHECK_EQ(full.kind, IMC_DAMAGE_TRUNCATED);
    CHECK_EQ(full.complete, 0);
    CHECK(full.first_bad_row > 0 && full.first_bad_row < 64);
    CHECK(strstr(full.message, "the data ends at row") != NULL);
    imc_image_free(&img);
    o.fail_on = IMC_FAIL_ON_TRUNCATED;
    CHECK_EQ(imc_decode_ex(jpg.data, cut, &o, &img, &err), IMC_ERR_TRUNCATED);
    CHECK(img.data == NULL && strstr(err.message, "jpeg: truncated") != NULL);
    CHECK_EQ(full.kind, IMC_DAMAGE_TRUNCATED);
    CHECK_EQ(imc_decode_ex(jpg.data, jpg.size, &o, &img, &err), IMC_OK);
    CHECK_EQ(full.kind, IMC_DAMAGE_NONE);
    CHECK_EQ(full.complete, 1);
    imc_image_free(&img);

    imc_buffer bmp; /* a failed decode reports what made it fail */
    CHECK_EQ(imc_encode(".bmp", bgra, NULL, 0, &bmp), IMC_OK);
    CHECK_EQ(imc_decode_ex(bmp.data, bmp.size, &o, &img, &err), IMC_OK);
    CHECK_EQ(full.complete, 1);
    imc_image_free(&img);
    CHECK_EQ(imc_decode_ex(bmp.data, bmp.size - 9, &o, &img, &err), IMC_ERR_TRUNCATED);
    CHECK_EQ(full.kind, IMC_DAMAGE_TRUNCATED);
    CHECK_EQ(full.complete, 0);
    CHECK(strcmp(full.message, err.message) == 0);
    CHECK_EQ(imc_decode_ex("not an image", 12, &o, &img, &err), IMC_ERR_UNKNOWN_FORMAT);
    CHECK_EQ(full.kind, IMC_DAMAGE_ERROR);
    CHECK(strstr(full.message, "no codec recognises") != NULL);
    CHECK(strcmp(imc_damage_kind_name(IMC_DAMAGE_TRUNCATED), "truncated") == 0);
    CHECK(strcmp(imc_damage_kind_name(9), "unknown") == 0);

    /* A batch fills one report per item, at the caller's struct size. */
    const void *bufs[3] = {jpg.data, jpg.data, bmp.data};
    size_t lens[3] = {jpg.size, cut, bmp.size};
    imc_damage_report reports[3] = {IMC_DAMAGE_REPORT_INIT, IMC_DAMAGE_REPORT_INIT,
                                    IMC_DAMAGE_REPORT_INIT};
    imc_image imgs[3];
    int status[3];
    o.fail_on = IMC_FAIL_ON_NONE;
    o.report = reports;
    CHECK_EQ(imc_decode_batch(bufs, lens, 3, &o, 2, imgs, status, NULL), IMC_OK);
    CHECK(reports[0].complete == 1 && reports[0].kind == IMC_DAMAGE_NONE);
    CHECK(reports[1].complete == 0 && reports[1].kind == IMC_DAMAGE_TRUNCATED);
    CHECK(reports[2].complete == 1 && reports[2].kind == IMC_DAMAGE_NONE);
    for (int i = 0; i < 3; i++)
        imc_image_free(&imgs[i]);
    o.report = &full;
    o.fail_on = IMC_FAIL_ON_TRUNCATED;
    o.fail_on = 7;
    CHECK_EQ(imc_decode_ex(bmp.data, bmp.size, &o, &img, &err), IMC_ERR_ARG);
    o.fail_on = 0;
    full.size = 0;
    CHECK_EQ(imc_decode_ex(bmp.data, bmp.size, &o, &img, &err), IMC_ERR_ARG);
    imc_buffer_free(&bmp);
    imc_buffer_free(&jpg);
    imc_image_free(&bgr);
}

int main(void)
{
    imc_image bgra;
    CHECK_EQ(synth_image(&bgra, 17, 23, 4, IMC_8U, 0), IMC_OK);
    imc_buffer png = png_of(&bgra);
    test_decode_sizes(&bgra, &png);
    test_encode_sizes(&bgra, &png);
    test_terminal_sizes(&bgra);
    test_damage_report_sizes(&bgra);
    imc_buffer_free(&png);
    imc_image_free(&bgra);
    return check_report("test_options");
}
