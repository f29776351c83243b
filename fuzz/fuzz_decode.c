/* libFuzzer target: the generic decode entry point with every IMREAD flag,
 * and imc_decode_into, which must give the same bytes in caller memory. The
 * first byte picks the flags, channel order and (into) row padding; the rest
 * is the image. Every decode also reports its damage; a second, strict one
 * (fail_on WARNING) must fail exactly when that report found any, and agree
 * with it. With bit 6 of the first byte, every page is read the same two
 * ways (imc_decode_multi: the worst page's report, dropped pages counted);
 * with bit 7, thumbnails of it are made (fit and crop, every output byte
 * read). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imc.h"

static const int flags_table[] = {-1, 0, 1, 2, 4, 6, 16, 17, 32, 33, 64, 65, 128, 129, 130, -2};

/* Reads every byte, so that uninitialised output would be reported. */
static void touch(const imc_image *img)
{
    const size_t row = (size_t)img->cols * img->channels * imc_depth_size(img->depth);
    volatile uint8_t sink = 0;
    for (int y = 0; y < img->rows; y++)
        for (size_t i = 0; i < row; i++)
            sink ^= ((const uint8_t *)img->data)[(size_t)y * img->step + i];
    (void)sink;
}

static void check_pages(const uint8_t *data, size_t size, const imc_decode_options *opts)
{
    imc_decode_options o = *opts;
    imc_damage_report report = IMC_DAMAGE_REPORT_INIT, strict_report = IMC_DAMAGE_REPORT_INIT;
    o.report = &report;
    imc_image_list pages;
    int rc = imc_decode_multi(data, size, &o, 0, 0, &pages, NULL);
    if (rc != IMC_OK && report.complete)
        abort();
    if (rc != IMC_OK)
        return;
    if (report.complete != (report.kind <= IMC_DAMAGE_WARNING) || report.page < 0 ||
        (report.kind > IMC_DAMAGE_NONE && (size_t)report.page > pages.count))
        abort();
    imc_image_list_free(&pages);
    o.fail_on = IMC_FAIL_ON_ERROR;
    o.report = &strict_report;
    int strict_rc = imc_decode_multi(data, size, &o, 0, 0, &pages, NULL);
    if ((strict_rc == IMC_OK) != (report.complete == 1))
        abort();
    if (strict_rc == IMC_OK)
        imc_image_list_free(&pages);
}

static void check_thumbnails(const uint8_t *data, size_t size, const imc_decode_options *opts)
{
    static const int boxes[][3] = {{33, 17, 0}, {0, 9, 0}, {24, 24, 1}, {300, 200, 1}};
    for (size_t i = 0; i < sizeof boxes / sizeof boxes[0]; i++) {
        imc_thumbnail_options t = IMC_THUMBNAIL_OPTIONS_INIT;
        t.width = boxes[i][0];
        t.height = boxes[i][1];
        t.crop = boxes[i][2];
        t.flags = i == 3 ? IMC_IMREAD_UNCHANGED : opts->flags < 0 ? -1 : opts->flags & 7;
        t.limits = opts->limits;
        imc_image img;
        if (imc_thumbnail(data, size, &t, &img, NULL) != IMC_OK)
            continue;
        if (img.rows < 1 || img.cols < 1 || (t.width && img.cols > t.width) ||
            (t.height && img.rows > t.height))
            abort();
        touch(&img);
        imc_image_free(&img);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    imc_decode_options opts = {
        .size = sizeof(imc_decode_options), .flags = flags_table[data[0] & 15],
        .order = (data[0] >> 4) & 1,
        /* keep single inputs fast and small: a 4 K x 4 K image at most */
        .limits = {.max_pixels = 1u << 24, .max_bytes = 1u << 26},
    };
    imc_damage_report report = IMC_DAMAGE_REPORT_INIT;
    opts.report = &report;
    imc_image img;
    imc_error err;
    if ((data[0] >> 6) & 1)
        check_pages(data + 1, size - 1, &opts);
    if ((data[0] >> 7) & 1)
        check_thumbnails(data + 1, size - 1, &opts);
    int rc = imc_decode_ex(data + 1, size - 1, &opts, &img, &err);
    if ((report.kind < IMC_DAMAGE_NONE || report.kind > IMC_DAMAGE_TRUNCATED) ||
        (rc == IMC_OK && report.complete == 1 && report.kind > IMC_DAMAGE_WARNING) ||
        (rc != IMC_OK && report.complete == 1))
        abort();
    if (rc == IMC_OK) {
        imc_decode_options strict = opts;
        imc_damage_report again = IMC_DAMAGE_REPORT_INIT;
        strict.fail_on = IMC_FAIL_ON_WARNING;
        strict.report = &again;
        imc_image copy;
        int strict_rc = imc_decode_ex(data + 1, size - 1, &strict, &copy, NULL);
        if ((strict_rc == IMC_OK) != (report.kind == IMC_DAMAGE_NONE) || again.kind != report.kind)
            abort();
        if (strict_rc == IMC_OK)
            imc_image_free(&copy);
        const size_t row = (size_t)img.cols * img.channels * imc_depth_size(img.depth);
        touch(&img);

        const size_t pad = (data[0] >> 5) & 1 ? 24 : 0;
        imc_image dst = img;
        dst.owner = NULL;
        dst.step = row + pad;
        dst.data = malloc(dst.step * (size_t)img.rows);
        if (dst.data) {
            memset(dst.data, 0xA5, dst.step * (size_t)img.rows);
            if (imc_decode_into(data + 1, size - 1, &opts, &dst, &err) != IMC_OK)
                abort();
            for (int y = 0; y < img.rows; y++)
                if (memcmp((uint8_t *)dst.data + (size_t)y * dst.step,
                           (const uint8_t *)img.data + (size_t)y * img.step, row))
                    abort();
            free(dst.data);
        }
        imc_image_free(&img);
    }
    return 0;
}
