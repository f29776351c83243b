/* The public API's contract: argument checks, error codes, round trips,
 * limits, names, files. Links the shared library, like a user would. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "check.h"
#include "imc.h"
#include "synth.h"

/* IMREAD_COLOR, cv2's other defaults */
static const imc_decode_options one = IMC_DECODE_OPTIONS_INIT;

static void test_strerror(void)
{
    for (int code = IMC_ERR_NO_PAGE; code <= IMC_OK; code++) {
        const char *s = imc_strerror(code);
        CHECK(s && *s && strcmp(s, "unknown error code") != 0);
    }
    CHECK(!strcmp(imc_strerror(-999), "unknown error code"));
    CHECK(!strcmp(imc_version(), "0.1.0"));
}

static void test_image_alloc(void)
{
    imc_image img;
    CHECK_EQ(imc_image_alloc(&img, 0, 5, 3, IMC_8U), IMC_ERR_ARG);
    CHECK_EQ(imc_image_alloc(&img, 5, -1, 3, IMC_8U), IMC_ERR_ARG);
    CHECK_EQ(imc_image_alloc(&img, 5, 5, 5, IMC_8U), IMC_ERR_ARG);
    CHECK_EQ(imc_image_alloc(&img, 5, 5, 3, 42), IMC_ERR_ARG);
    CHECK_EQ(imc_image_alloc(NULL, 5, 5, 3, IMC_8U), IMC_ERR_ARG);
    int rc = imc_image_alloc(&img, INT_MAX, INT_MAX, 4, IMC_64F);
    CHECK(rc == IMC_ERR_LIMITS || rc == IMC_ERR_NOMEM);
    CHECK(img.data == NULL);
    CHECK_EQ(imc_image_alloc(&img, 3, 7, 3, IMC_16U), IMC_OK);
    CHECK_EQ(img.step, 7 * 3 * 2);
    CHECK_EQ((uintptr_t)img.data % 64, 0);
    imc_image_free(&img);
    CHECK(img.data == NULL && img.owner == NULL && img.rows == 0);
    imc_image_free(&img); /* twice is harmless */
    imc_image_free(NULL);
    CHECK_EQ(imc_depth_size(IMC_8U), 1);
    CHECK_EQ(imc_depth_size(IMC_32F), 4);
    CHECK_EQ(imc_depth_size(IMC_64F), 8);
    CHECK_EQ(imc_depth_size(99), 0);
}

static void test_decode_arguments(void)
{
    imc_image img;
    imc_error err;
    imc_decode_options opts = {.size = sizeof opts, .flags = IMC_IMREAD_COLOR};
    const uint8_t junk[] = "definitely not an image";
    CHECK_EQ(imc_decode(NULL, 10, 1, &img), IMC_ERR_ARG);
    CHECK_EQ(imc_decode(junk, 0, 1, &img), IMC_ERR_ARG);
    CHECK_EQ(imc_decode(junk, sizeof junk, 1, NULL), IMC_ERR_ARG);
    CHECK_EQ(imc_decode_ex(junk, sizeof junk, NULL, &img, &err), IMC_ERR_ARG);
    CHECK_EQ(imc_decode_ex(junk, sizeof junk, &opts, &img, &err), IMC_ERR_UNKNOWN_FORMAT);
    CHECK_EQ(err.code, IMC_ERR_UNKNOWN_FORMAT);
    CHECK(strlen(err.message) > 0);
    CHECK(img.data == NULL);
    opts.order = 7;
    CHECK_EQ(imc_decode_ex(junk, sizeof junk, &opts, &img, &err), IMC_ERR_ARG);
    imc_info info;
    CHECK_EQ(imc_probe(junk, sizeof junk, &info), IMC_ERR_UNKNOWN_FORMAT);
    CHECK(info.format == NULL);
    CHECK_EQ(imc_probe(NULL, 0, &info), IMC_ERR_ARG);
    CHECK_EQ(imc_probe(junk, 3, NULL), IMC_ERR_ARG);
}

static void test_encode_arguments(void)
{
    imc_image img;
    imc_buffer out;
    imc_error err;
    synth_image(&img, 8, 8, 3, IMC_8U, 1);
    int params[102] = {IMC_IMWRITE_JPEG_QUALITY, 90, 3};
    CHECK_EQ(imc_encode_ex(".jpg", &img, params, 3, NULL, &out, &err), IMC_ERR_PARAM);
    CHECK(strstr(err.message, "pairs") != NULL);
    CHECK(out.data == NULL && out.size == 0);
    CHECK_EQ(imc_encode(".jpg", &img, params, 102, &out), IMC_ERR_PARAM);
    CHECK_EQ(imc_encode(".jpg", &img, NULL, 2, &out), IMC_ERR_ARG);
    CHECK_EQ(imc_encode(".bogus", &img, NULL, 0, &out), IMC_ERR_NO_ENCODER);
    CHECK_EQ(imc_encode(NULL, &img, NULL, 0, &out), IMC_ERR_NO_ENCODER);
    CHECK_EQ(imc_encode(".png", NULL, NULL, 0, &out), IMC_ERR_ARG);
    CHECK_EQ(imc_encode(".png", &img, NULL, 0, NULL), IMC_ERR_ARG);
    imc_image bad = img;
    bad.channels = 2;
    CHECK_EQ(imc_encode(".png", &bad, NULL, 0, &out), IMC_ERR_ARG);
    bad = img;
    bad.step = 5;
    CHECK_EQ(imc_encode(".png", &bad, NULL, 0, &out), IMC_ERR_ARG);
    bad = img;
    bad.depth = 77;
    CHECK_EQ(imc_encode(".png", &bad, NULL, 0, &out), IMC_ERR_ARG);
    bad = img;
    bad.rows = 0;
    CHECK_EQ(imc_encode(".png", &bad, NULL, 0, &out), IMC_ERR_ARG);
    imc_encode_options o = {.size = sizeof o, .order = 9};
    CHECK_EQ(imc_encode_ex(".png", &img, NULL, 0, &o, &out, &err), IMC_ERR_ARG);
    /* PNG cannot store 1-bit RGB: an error, not a crash. */
    int bilevel[] = {IMC_IMWRITE_PNG_BILEVEL, 1};
    CHECK_EQ(imc_encode_ex(".png", &img, bilevel, 2, NULL, &out, &err), IMC_ERR_ARG);
    CHECK(strstr(err.message, "png") != NULL);
    int sampling[] = {IMC_IMWRITE_JPEG_SAMPLING_FACTOR, 0x999999};
    CHECK_EQ(imc_encode(".jpg", &img, sampling, 2, &out), IMC_ERR_PARAM);
    imc_image_free(&img);
}

/* Every PNG layout round-trips exactly, also from padded rows. */
static void test_png_round_trip(void)
{
    const int depths[] = {IMC_8U, IMC_16U}, channels[] = {1, 3, 4};
    for (int d = 0; d < 2; d++) {
        for (int c = 0; c < 3; c++) {
            imc_image src, back;
            imc_buffer buf;
            synth_image(&src, 37, 53, channels[c], depths[d], (unsigned)(d * 3 + c));
            CHECK_EQ(imc_encode(".png", &src, NULL, 0, &buf), IMC_OK);
            CHECK_EQ(imc_decode(buf.data, buf.size, IMC_IMREAD_UNCHANGED, &back), IMC_OK);
            CHECK(same_pixels(&src, &back));
            imc_info info;
            CHECK_EQ(imc_probe(buf.data, buf.size, &info), IMC_OK);
            CHECK(!strcmp(info.format, "png") && info.width == 53 && info.height == 37);
            CHECK_EQ(info.channels, channels[c]);
            CHECK_EQ(info.depth, depths[d]);
            imc_buffer_free(&buf);
            imc_image_free(&back);

            /* The same pixels described with a padded row step. */
            size_t row = src.step, padded = row + 13;
            uint8_t *mem = calloc((size_t)src.rows, padded);
            for (int y = 0; y < src.rows; y++)
                memcpy(mem + (size_t)y * padded, (uint8_t *)src.data + (size_t)y * row, row);
            imc_image view = src;
            view.data = mem;
            view.step = padded;
            view.owner = NULL;
            CHECK_EQ(imc_encode(".png", &view, NULL, 0, &buf), IMC_OK);
            CHECK_EQ(imc_decode(buf.data, buf.size, IMC_IMREAD_UNCHANGED, &back), IMC_OK);
            CHECK(same_pixels(&src, &back));
            imc_buffer_free(&buf);
            imc_image_free(&back);
            free(mem);
            imc_image_free(&src);
        }
    }
}

static void test_jpeg_and_channel_order(void)
{
    imc_image bgr, rgb_in, a, b;
    imc_buffer buf1, buf2;
    synth_image(&bgr, 40, 64, 3, IMC_8U, 5);
    imc_image_alloc(&rgb_in, 40, 64, 3, IMC_8U);
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 64; x++)
            for (int c = 0; c < 3; c++)
                ((uint8_t *)rgb_in.data)[y * rgb_in.step + x * 3 + c] =
                    ((uint8_t *)bgr.data)[y * bgr.step + x * 3 + 2 - c];
    imc_encode_options rgb = {.size = sizeof rgb, .order = IMC_ORDER_RGB};
    CHECK_EQ(imc_encode(".jpg", &bgr, NULL, 0, &buf1), IMC_OK);
    CHECK_EQ(imc_encode_ex(".jpg", &rgb_in, NULL, 0, &rgb, &buf2, NULL), IMC_OK);
    CHECK(buf1.size == buf2.size && !memcmp(buf1.data, buf2.data, buf1.size));

    imc_decode_options o = {.size = sizeof o, .flags = IMC_IMREAD_COLOR, .order = IMC_ORDER_RGB};
    CHECK_EQ(imc_decode(buf1.data, buf1.size, IMC_IMREAD_COLOR, &a), IMC_OK);
    CHECK_EQ(imc_decode_ex(buf1.data, buf1.size, &o, &b, NULL), IMC_OK);
    int swapped_ok = 1;
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 64; x++)
            for (int c = 0; c < 3; c++)
                swapped_ok &= ((uint8_t *)a.data)[y * a.step + x * 3 + c] ==
                              ((uint8_t *)b.data)[y * b.step + x * 3 + 2 - c];
    CHECK(swapped_ok);
    imc_image_free(&a);

    /* REDUCED_* on JPEG scales in the DCT: ceil(size / 8). */
    CHECK_EQ(imc_decode(buf1.data, buf1.size, IMC_IMREAD_REDUCED_GRAYSCALE_8, &a), IMC_OK);
    CHECK(a.rows == 5 && a.cols == 8 && a.channels == 1);
    imc_image_free(&a);

    /* Truncated inside the header: an error with a message. */
    imc_error err;
    CHECK_EQ(imc_decode_ex(buf1.data, 40, &one, &a, &err), IMC_ERR_TRUNCATED);
    CHECK(strstr(err.message, "jpeg") != NULL);
    imc_buffer_free(&buf1);
    imc_buffer_free(&buf2);
    imc_image_free(&b);
    imc_image_free(&bgr);
    imc_image_free(&rgb_in);
}

/* imc_decode_into: the pixels imc_decode_ex returns, in caller memory with
 * padded rows; a wrong dst is refused before anything is written. */
static void test_decode_into(void)
{
    imc_image src, want;
    imc_buffer jpg;
    synth_image(&src, 40, 64, 3, IMC_8U, 9);
    CHECK_EQ(imc_encode(".jpg", &src, NULL, 0, &jpg), IMC_OK);
    imc_decode_options o = {.size = sizeof o, .flags = IMC_IMREAD_COLOR};
    CHECK_EQ(imc_decode_ex(jpg.data, jpg.size, &o, &want, NULL), IMC_OK);

    enum { PAD = 13 };
    const size_t step = 64 * 3 + PAD;
    uint8_t *mem = malloc(step * 40);
    memset(mem, 0x5A, step * 40);
    for (size_t packed = 0; packed < 2; packed++) {
        imc_image dst = {.rows = 40, .cols = 64, .channels = 3, .depth = IMC_8U,
                         .step = packed ? 64 * 3 : step, .data = mem};
        CHECK_EQ(imc_decode_into(jpg.data, jpg.size, &o, &dst, NULL), IMC_OK);
        int same = 1, margin = 1;
        for (int y = 0; y < 40; y++) {
            const uint8_t *row = mem + y * dst.step;
            same &= !memcmp(row, (uint8_t *)want.data + y * want.step, 64 * 3);
            if (!packed)
                for (int i = 64 * 3; i < (int)step; i++)
                    margin &= row[i] == 0x5A;
        }
        CHECK(same);
        CHECK(margin);
    }

    imc_error err;
    memset(mem, 0x5A, step * 40);
    imc_image wrong = {.rows = 40, .cols = 64, .channels = 1, .depth = IMC_8U, .step = 64,
                       .data = mem};
    CHECK_EQ(imc_decode_into(jpg.data, jpg.size, &o, &wrong, &err), IMC_ERR_ARG);
    CHECK(strstr(err.message, "64 x 40 x 3 8U") != NULL);
    wrong.channels = 3;
    wrong.step = 10; /* shorter than a row */
    CHECK_EQ(imc_decode_into(jpg.data, jpg.size, &o, &wrong, &err), IMC_ERR_ARG);
    CHECK_EQ(imc_decode_into(jpg.data, jpg.size, &o, NULL, &err), IMC_ERR_ARG);
    imc_image odd16 = {.rows = 40, .cols = 64, .channels = 3, .depth = IMC_16U,
                       .step = 64 * 6 + 1, .data = mem}; /* rows misaligned for 16-bit samples */
    CHECK_EQ(imc_decode_into(jpg.data, jpg.size, &o, &odd16, &err), IMC_ERR_ARG);
    CHECK(strstr(err.message, "aligned") != NULL);
    int untouched = 1;
    for (size_t i = 0; i < step * 40; i++)
        untouched &= mem[i] == 0x5A;
    CHECK(untouched);

    free(mem);
    imc_buffer_free(&jpg);
    imc_image_free(&want);
    imc_image_free(&src);
}

static void test_limits(void)
{
    imc_image img, out;
    imc_buffer buf;
    imc_error err;
    synth_image(&img, 30, 50, 3, IMC_8U, 9);
    imc_encode(".png", &img, NULL, 0, &buf);
    imc_decode_options o = {.size = sizeof o, .flags = IMC_IMREAD_COLOR};
    o.limits.max_width = 49;
    CHECK_EQ(imc_decode_ex(buf.data, buf.size, &o, &out, &err), IMC_ERR_LIMITS);
    CHECK(strstr(err.message, "width") != NULL);
    o.limits = (imc_limits){.max_height = 29};
    CHECK_EQ(imc_decode_ex(buf.data, buf.size, &o, &out, &err), IMC_ERR_LIMITS);
    o.limits = (imc_limits){.max_pixels = 1499};
    CHECK_EQ(imc_decode_ex(buf.data, buf.size, &o, &out, &err), IMC_ERR_LIMITS);
    o.limits = (imc_limits){.max_bytes = 4499};
    CHECK_EQ(imc_decode_ex(buf.data, buf.size, &o, &out, &err), IMC_ERR_LIMITS);
    o.limits = (imc_limits){.max_bytes = 4500, .max_pixels = 1500, .max_width = 50, .max_height = 30};
    CHECK_EQ(imc_decode_ex(buf.data, buf.size, &o, &out, &err), IMC_OK);
    imc_image_free(&out);

    imc_limits r;
    unsetenv("OPENCV_IO_MAX_IMAGE_WIDTH");
    imc_limits_resolve(NULL, &r);
    CHECK_EQ(r.max_width, 1 << 20);
    CHECK_EQ(r.max_pixels, 1 << 30);
    setenv("OPENCV_IO_MAX_IMAGE_WIDTH", "2KB", 1);
    setenv("OPENCV_IO_MAX_IMAGE_PIXELS", "1MB", 1);
    setenv("OPENCV_IO_MAX_IMAGE_HEIGHT", "bogus", 1);
    imc_limits_resolve(NULL, &r);
    CHECK_EQ(r.max_width, 2048);
    CHECK_EQ(r.max_pixels, 1 << 20);
    CHECK_EQ(r.max_height, 1 << 20);
    imc_limits_resolve(&(imc_limits){.max_width = 7}, &r);
    CHECK_EQ(r.max_width, 7);
    setenv("OPENCV_IO_MAX_IMAGE_PIXELS", "1000", 1);
    CHECK_EQ(imc_decode(buf.data, buf.size, IMC_IMREAD_COLOR, &out), IMC_ERR_LIMITS);
    unsetenv("OPENCV_IO_MAX_IMAGE_WIDTH");
    unsetenv("OPENCV_IO_MAX_IMAGE_PIXELS");
    unsetenv("OPENCV_IO_MAX_IMAGE_HEIGHT");
    CHECK_EQ(imc_decode(buf.data, buf.size, IMC_IMREAD_COLOR, &out), IMC_OK);
    imc_image_free(&out);
    imc_buffer_free(&buf);
    imc_image_free(&img);
}

static void test_names(void)
{
    size_t n;
    const imc_constant *c = imc_constants(&n);
    CHECK(n > 50 && c != NULL);
    int v = 0;
    CHECK_EQ(imc_constant_lookup("IMWRITE_JPEG_QUALITY", "IMWRITE_", &v), IMC_OK);
    CHECK_EQ(v, 1);
    CHECK_EQ(imc_constant_lookup("png-strategy-rle", "IMWRITE_", &v), IMC_OK);
    CHECK_EQ(v, 3);
    CHECK_EQ(imc_constant_lookup("reduced_color_4", "IMREAD_", &v), IMC_OK);
    CHECK_EQ(v, 33);
    CHECK_EQ(imc_constant_lookup("UNCHANGED", NULL, &v), IMC_ERR_ARG);
    CHECK_EQ(imc_constant_lookup("IMREAD_UNCHANGED", NULL, &v), IMC_OK);
    CHECK_EQ(v, -1);
    CHECK_EQ(imc_constant_lookup("JPEG_QUALITY", "IMREAD_", &v), IMC_ERR_ARG);
    CHECK_EQ(imc_constant_lookup(NULL, NULL, &v), IMC_ERR_ARG);

    CHECK(imc_format_count() >= 2);
    imc_format f;
    /* the table is in cv2's probing order: find JPEG in it */
    int at = 0;
    while (imc_format_get(at, &f) == IMC_OK && strcmp(f.name, "jpeg") != 0)
        at++;
    CHECK(at < imc_format_count() && f.can_decode && f.can_encode);
    CHECK_EQ(f.quality_param, IMC_IMWRITE_JPEG_QUALITY);
    CHECK_EQ(imc_format_get(imc_format_count(), &f), IMC_ERR_ARG);
    CHECK_EQ(imc_format_find("out.PNG", &f), IMC_OK);
    CHECK(!strcmp(f.name, "png") && f.quality_param == 0);
    CHECK_EQ(imc_format_find(".xyz", &f), IMC_ERR_NO_ENCODER);
    CHECK(imc_have_writer(".jpe") && imc_have_writer("x.JPEG") && !imc_have_writer(".jp"));
    CHECK(imc_sniff("\xff\xd8\xff\xe0", 4) && !strcmp(imc_sniff("\xff\xd8\xff", 3), "jpeg"));
    CHECK(imc_sniff("\xff\xd8", 2) == NULL && imc_sniff(NULL, 0) == NULL);
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.' || strstr(e->d_name, ".tmp") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_files(void)
{
    char dir[] = "/tmp/imc-test-XXXXXX", path[256], buf[64];
    CHECK(mkdtemp(dir) != NULL);
    imc_image img, back;
    imc_error err;
    synth_image(&img, 21, 34, 4, IMC_16U, 3);
    snprintf(path, sizeof path, "%s/a.png", dir);
    CHECK_EQ(imc_write(path, &img, NULL, 0), IMC_OK);
    CHECK_EQ(imc_read(path, IMC_IMREAD_UNCHANGED, &back), IMC_OK);
    CHECK(same_pixels(&img, &back));
    imc_image_free(&back);
    CHECK_EQ(count_files(dir), 1);

    /* A failed encode leaves the old file alone. */
    imc_image rgb;
    synth_image(&rgb, 5, 5, 3, IMC_8U, 1);
    int bilevel[] = {IMC_IMWRITE_PNG_BILEVEL, 1};
    CHECK_EQ(imc_write(path, &rgb, bilevel, 2), IMC_ERR_ARG);
    CHECK_EQ(imc_read(path, IMC_IMREAD_UNCHANGED, &back), IMC_OK);
    CHECK(same_pixels(&img, &back));
    imc_image_free(&back);

    /* A write that fails half-way (file size limit, like a full disk) is
     * reported, leaves the old file and no temporary behind. */
    struct rlimit old, small = {.rlim_cur = 100, .rlim_max = RLIM_INFINITY};
    getrlimit(RLIMIT_FSIZE, &old);
    small.rlim_max = old.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &small);
    imc_image big;
    synth_image(&big, 64, 64, 3, IMC_8U, 77);
    CHECK_EQ(imc_write_ex(path, &big, NULL, 0, NULL, &err), IMC_ERR_IO);
    CHECK_EQ(err.sys_errno, EFBIG);
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK_EQ(imc_read(path, IMC_IMREAD_UNCHANGED, &back), IMC_OK);
    CHECK(same_pixels(&img, &back));
    imc_image_free(&back);
    CHECK_EQ(count_files(dir), 1);

    snprintf(path, sizeof path, "%s/missing/a.png", dir);
    CHECK_EQ(imc_write_ex(path, &img, NULL, 0, NULL, &err), IMC_ERR_IO);
    CHECK_EQ(err.sys_errno, ENOENT);
    CHECK_EQ(imc_read_ex(path, &one, &back, &err), IMC_ERR_IO);
    CHECK_EQ(err.sys_errno, ENOENT);
    snprintf(path, sizeof path, "%s/noext", dir);
    CHECK_EQ(imc_write(path, &img, NULL, 0), IMC_ERR_NO_ENCODER);
    snprintf(path, sizeof path, "%s/png", dir);
    CHECK_EQ(imc_write(path, &img, NULL, 0), IMC_ERR_NO_ENCODER);
    CHECK_EQ(imc_write(dir, &img, NULL, 0), IMC_ERR_NO_ENCODER);
    snprintf(path, sizeof path, "%s.png", dir); /* a directory named like an image */
    mkdir(path, 0700);
    CHECK_EQ(imc_write(path, &img, NULL, 0), IMC_ERR_IO);
    rmdir(path);
    CHECK_EQ(imc_write("/proc/imc-cannot-write-here.png", &img, NULL, 0), IMC_ERR_IO);

    snprintf(path, sizeof path, "%s/a.png", dir);
    unlink(path);
    snprintf(buf, sizeof buf, "%s", dir);
    rmdir(buf);
    imc_image_free(&img);
    imc_image_free(&rgb);
    imc_image_free(&big);
}

/* EXIF orientation policies and imc_orient. */
static void test_orientation_policies(void)
{
    /* A 2 x 3 image whose JPEG carries orientation 6 (rotate 90 clockwise). */
    imc_image img, out;
    imc_buffer png;
    synth_image(&img, 20, 30, 3, IMC_8U, 11);
    CHECK_EQ(imc_encode(".png", &img, NULL, 0, &png), IMC_OK);
    imc_decode_options o = {.size = sizeof o, .flags = IMC_IMREAD_UNCHANGED, .orientation = 7};
    CHECK_EQ(imc_decode_ex(png.data, png.size, &o, &out, NULL), IMC_ERR_ARG);
    imc_buffer_free(&png);

    imc_image copy = img;
    copy.owner = NULL; /* caller memory: imc_orient must not free it */
    CHECK_EQ(imc_orient(&copy, 6, NULL), IMC_OK);
    CHECK(copy.rows == 30 && copy.cols == 20 && copy.owner != NULL);
    /* pixel (y, x) of the rotated image is (H - 1 - x, y) of the original */
    const uint8_t *r = copy.data, *s = img.data;
    CHECK(!memcmp(r + 0 * copy.step + 0, s + 19 * img.step + 0, 3));
    CHECK(!memcmp(r + 5 * copy.step + 3 * 7, s + (19 - 7) * img.step + 3 * 5, 3));
    imc_image_free(&copy);
    copy = img;
    copy.owner = NULL;
    CHECK_EQ(imc_orient(&copy, 1, NULL), IMC_OK);
    CHECK(copy.data == img.data);
    CHECK_EQ(imc_orient(NULL, 2, NULL), IMC_ERR_ARG);
    imc_image_free(&img);
}

/* Animations: the C side of cv2's imdecodeanimation / imencodeanimation. */
static void test_animation(void)
{
    imc_image frames[3];
    for (int i = 0; i < 3; i++)
        synth_image(&frames[i], 9, 13, 3, IMC_8U, (unsigned)i);
    int durations[3] = {30, 0, 1000};
    imc_animation anim = {.frames = frames, .durations = durations, .count = 3, .loop_count = 2};
    imc_buffer out;
    imc_error err;
    CHECK_EQ(imc_encode_animation(".png", &anim, NULL, 0, NULL, &out, &err), IMC_ERR_UNSUPPORTED);
    CHECK_EQ(imc_encode_animation(".gif", NULL, NULL, 0, NULL, &out, &err), IMC_ERR_ARG);
    durations[1] = -1;
    CHECK_EQ(imc_encode_animation(".gif", &anim, NULL, 0, NULL, &out, &err), IMC_ERR_ARG);
    durations[1] = 0;
    anim.loop_count = 70000;
    CHECK_EQ(imc_encode_animation(".gif", &anim, NULL, 0, NULL, &out, &err), IMC_ERR_ARG);
    anim.loop_count = 2;
#ifdef IMC_HAVE_AVIF
    CHECK_EQ(imc_encode_animation(".avif", &anim, NULL, 0, NULL, &out, &err), IMC_OK);
    imc_animation back;
    imc_decode_options opts = {.size = sizeof opts, .flags = IMC_IMREAD_UNCHANGED};
    CHECK_EQ(imc_decode_animation(out.data, out.size, &opts, 1, 0, &back, &err), IMC_OK);
    CHECK_EQ(back.count, 2);
    CHECK(back.count == 2 && same_pixels(&back.frames[0], &frames[1]) &&
          same_pixels(&back.frames[1], &frames[2]));
    /* libavif stores a zero duration as one tick (1 ms) */
    CHECK(back.count == 2 && back.durations[0] == 1 && back.durations[1] == 1000);
    imc_animation_free(&back);
    imc_animation_free(&back); /* twice is harmless */
    CHECK_EQ(imc_decode_animation(out.data, out.size, &opts, 3, 0, &back, &err), IMC_ERR_NO_PAGE);
    CHECK(back.frames == NULL && back.count == 0);
    CHECK_EQ(imc_decode_animation(out.data, out.size / 2, &opts, 0, 0, &back, &err) < 0, 1);
    imc_buffer_free(&out);
#endif
    /* A still image is one frame of 1000 ms, as in cv2. */
    CHECK_EQ(imc_encode(".png", &frames[0], NULL, 0, &out), IMC_OK);
    imc_animation still;
    imc_decode_options opts1 = {.size = sizeof opts1, .flags = IMC_IMREAD_COLOR};
    CHECK_EQ(imc_decode_animation(out.data, out.size, &opts1, 0, 0, &still, &err), IMC_OK);
    CHECK(still.count == 1 && still.durations[0] == 1000 && still.loop_count == 0);
    CHECK(still.count == 1 && same_pixels(&still.frames[0], &frames[0]));
    imc_animation_free(&still);
    imc_buffer_free(&out);
    CHECK_EQ(imc_decode_animation(NULL, 0, &opts1, 0, 0, &still, &err), IMC_ERR_ARG);
    CHECK_EQ(imc_decode_animation("x", 1, &opts1, 0, 0, NULL, &err), IMC_ERR_ARG);
    for (int i = 0; i < 3; i++)
        imc_image_free(&frames[i]);
}

int main(void)
{
    test_orientation_policies();
    test_strerror();
    test_image_alloc();
    test_decode_arguments();
    test_encode_arguments();
    test_png_round_trip();
    test_jpeg_and_channel_order();
    test_decode_into();
    test_limits();
    test_names();
    test_files();
    test_animation();
    return check_report("test_api");
}
