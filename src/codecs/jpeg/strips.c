/* One JPEG on several threads, when the caller asks for restart markers
 * (IMWRITE_JPEG_RST_INTERVAL): a restart resets the DC predictions and the
 * entropy coder's bit buffer, so the segments between markers are coded
 * independently. The image is cut into strips of whole MCU rows that start
 * on a restart, each strip compressed by its own thread with the same
 * settings, and their scans spliced with the markers renumbered. libjpeg
 * codes a segment the same wherever it starts (fixed Huffman tables,
 * downsampling and colour conversion within an MCU row), so the file is
 * byte for byte the one a single thread writes. */
#include "strips.h"

#include <stdlib.h>
#include <string.h>

enum { STRIP_MIN_PIXELS = 1 << 20 }; /* below this a thread costs more than it saves */

typedef struct {
    const imc_jpeg_strip_coder *coder;
    imc_image rows;
    bool first;
    imc_buffer out;
    imc_error err;
    int rc;
} strip;

static void *code_strip(void *arg)
{
    strip *s = arg;
    s->rc = s->coder->compress(&s->rows, s->first, s->coder->ctx, &s->out, &s->err);
    return NULL;
}

static size_t gcd(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Where the scan's entropy-coded data of a whole JPEG starts (after the SOS
 * segment), or 0; the data ends before the final EOI. */
static size_t scan_start(const imc_buffer *b)
{
    size_t at = 2;
    while (at + 4 <= b->size && b->data[at] == 0xFF) {
        size_t n = (size_t)b->data[at + 2] << 8 | b->data[at + 3];
        if (b->data[at + 1] == 0xDA)
            return at + 2 + n <= b->size ? at + 2 + n : 0;
        at += 2 + n;
    }
    return 0;
}

/* Appends scan data with each RSTn marker made RST((n + shift) mod 8). */
static int append_renumbered(imc_buffer *out, const uint8_t *data, size_t n, unsigned shift)
{
    size_t from = out->size;
    int rc = imc_buffer_append(out, data, n);
    for (size_t i = from; rc == IMC_OK && i + 1 < out->size; i++)
        if (out->data[i] == 0xFF && out->data[i + 1] >= 0xD0 && out->data[i + 1] <= 0xD7) {
            out->data[i + 1] = (uint8_t)(0xD0 + (out->data[i + 1] - 0xD0 + shift) % 8);
            i++;
        }
    return rc;
}

/* The strips' files joined: the first's headers (its SOF's height made the
 * image's), every scan, a marker at each join, one EOI. */
static int splice(strip *strips, int n, const int *first_segment, int height, imc_buffer *out,
                  imc_error *err)
{
    for (int i = 0; i < n; i++) {
        size_t at = scan_start(&strips[i].out);
        const imc_buffer *b = &strips[i].out;
        if (!at || b->size < at + 2 || b->data[b->size - 2] != 0xFF || b->data[b->size - 1] != 0xD9)
            return imc_fail(err, IMC_ERR_INTERNAL, "jpeg: a strip's scan is not where expected");
        int rc = IMC_OK;
        if (i == 0) {
            rc = imc_buffer_append(out, b->data, at);
            for (size_t m = 2; rc == IMC_OK && m + 9 <= at;) { /* the SOF: its height */
                uint8_t type = out->data[m + 1];
                if (type >= 0xC0 && type <= 0xC2) {
                    out->data[m + 5] = (uint8_t)(height >> 8);
                    out->data[m + 6] = (uint8_t)height;
                    break;
                }
                m += 2 + ((size_t)out->data[m + 2] << 8 | out->data[m + 3]);
            }
        } else {
            const uint8_t marker[2] = {0xFF, (uint8_t)(0xD0 + (first_segment[i] - 1) % 8)};
            rc = imc_buffer_append(out, marker, 2);
        }
        if (rc == IMC_OK)
            rc = append_renumbered(out, b->data + at, b->size - 2 - at, (unsigned)first_segment[i] % 8);
        if (rc != IMC_OK)
            return imc_fail(err, rc, "jpeg: out of memory joining strips");
    }
    static const uint8_t eoi[2] = {0xFF, 0xD9};
    return imc_buffer_append(out, eoi, 2);
}

int imc_jpeg_encode_in_strips(const imc_image *img, int threads, int mcu_width, int mcu_height,
                              int restart_interval, const imc_jpeg_strip_coder *coder,
                              imc_buffer *out, imc_error *err)
{
    threads = imc_threads_of(threads);
    if (threads < 2 || restart_interval <= 0)
        return IMC_ERR_UNSUPPORTED;
    /* A strip must start on a restart: after a multiple of `step` MCU rows. */
    size_t per_row = ((size_t)img->cols + (size_t)mcu_width - 1) / (size_t)mcu_width;
    size_t interval = (size_t)restart_interval;
    size_t step = interval / gcd(interval, per_row);
    size_t mcu_rows = ((size_t)img->rows + (size_t)mcu_height - 1) / (size_t)mcu_height;
    size_t steps = mcu_rows / step; /* whole steps; what is left joins the last strip */
    int n = threads;
    while (n > 1 && ((size_t)n > steps ||
                     (uint64_t)img->rows * (uint64_t)img->cols / (uint64_t)n < STRIP_MIN_PIXELS))
        n--;
    if (n < 2)
        return IMC_ERR_UNSUPPORTED;

    strip *strips = calloc((size_t)n, sizeof *strips);
    int *first_segment = calloc((size_t)n, sizeof *first_segment);
    int rc = strips && first_segment ? IMC_OK : IMC_ERR_NOMEM;
    for (int i = 0; rc == IMC_OK && i < n; i++) {
        size_t r0 = steps * (size_t)i / (size_t)n * step, r1 = steps * (size_t)(i + 1) / (size_t)n * step;
        int y0 = (int)(r0 * (size_t)mcu_height);
        int y1 = i == n - 1 ? img->rows : (int)(r1 * (size_t)mcu_height);
        strips[i].coder = coder;
        strips[i].first = i == 0;
        strips[i].rows = *img;
        strips[i].rows.data = (uint8_t *)img->data + (size_t)y0 * img->step;
        strips[i].rows.rows = y1 - y0;
        strips[i].rows.owner = NULL;
        first_segment[i] = (int)(r0 * per_row / interval);
    }
    if (rc == IMC_OK)
        imc_run_parallel(code_strip, strips, sizeof *strips, n);
    for (int i = 0; rc == IMC_OK && i < n; i++)
        if ((rc = strips[i].rc) != IMC_OK && err)
            *err = strips[i].err;
    if (rc == IMC_OK)
        rc = splice(strips, n, first_segment, img->rows, out, err);
    for (int i = 0; strips && i < n; i++)
        imc_buffer_free(&strips[i].out);
    free(strips);
    free(first_segment);
    if (rc == IMC_ERR_NOMEM && err && !err->code)
        imc_fail(err, rc, "jpeg: out of memory");
    return rc;
}
