/* Many threads decoding and encoding at once get exactly what one thread
 * gets: no shared mutable state anywhere in imc or in how it drives libjpeg,
 * libpng, giflib, libavif and libjxl. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "imc.h"
#include "synth.h"

enum { MAX_CASES = 12, THREADS = 8, ROUNDS = 12 };

typedef struct {
    const char *ext;
    int params[4];
    size_t nparams;
    int flags;
    imc_image src;
    imc_buffer encoded; /* single-threaded reference */
    imc_image decoded;  /* single-threaded reference */
} test_case;

static test_case cases[MAX_CASES];
static int n_cases;
static int mismatches[THREADS];

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int r = 0; r < ROUNDS; r++) {
        test_case *t = &cases[(id + r) % n_cases];
        imc_buffer buf;
        imc_image img;
        if (imc_encode(t->ext, &t->src, t->params, t->nparams, &buf) != IMC_OK ||
            buf.size != t->encoded.size || memcmp(buf.data, t->encoded.data, buf.size))
            mismatches[id]++;
        imc_buffer_free(&buf);
        if (imc_decode(t->encoded.data, t->encoded.size, t->flags, &img) != IMC_OK ||
            !same_pixels(&img, &t->decoded))
            mismatches[id]++;
        imc_image_free(&img);
    }
    return NULL;
}

int main(void)
{
    const struct {
        const char *ext;
        int channels, depth, flags, p0, p1;
    } setup[] = {
        {".jpg", 3, IMC_8U, IMC_IMREAD_COLOR, IMC_IMWRITE_JPEG_QUALITY, 80},
        {".jpg", 3, IMC_8U, IMC_IMREAD_REDUCED_GRAYSCALE_2, IMC_IMWRITE_JPEG_PROGRESSIVE, 1},
        {".jpg", 1, IMC_8U, IMC_IMREAD_COLOR, IMC_IMWRITE_JPEG_RST_INTERVAL, 2},
        {".png", 4, IMC_16U, IMC_IMREAD_UNCHANGED, IMC_IMWRITE_PNG_COMPRESSION, 6},
        {".png", 3, IMC_8U, IMC_IMREAD_REDUCED_COLOR_4, IMC_IMWRITE_PNG_STRATEGY, 1},
        {".png", 1, IMC_8U, IMC_IMREAD_COLOR, IMC_IMWRITE_PNG_BILEVEL, 0},
#ifdef IMC_HAVE_GIF
        {".gif", 3, IMC_8U, IMC_IMREAD_GRAYSCALE, IMC_IMWRITE_GIF_QUALITY, 7},
#endif
#ifdef IMC_HAVE_AVIF
        {".avif", 4, IMC_8U, IMC_IMREAD_UNCHANGED, IMC_IMWRITE_AVIF_QUALITY, 60},
#endif
#ifdef IMC_HAVE_JXL
        {".jxl", 3, IMC_16U, IMC_IMREAD_ANYDEPTH, IMC_IMWRITE_JPEGXL_EFFORT, 3},
#endif
    };
    n_cases = (int)(sizeof setup / sizeof setup[0]);
    for (int i = 0; i < n_cases; i++) {
        test_case *t = &cases[i];
        t->ext = setup[i].ext;
        t->params[0] = setup[i].p0;
        t->params[1] = setup[i].p1;
        t->nparams = 2;
        t->flags = setup[i].flags;
        CHECK_EQ(synth_image(&t->src, 97 + i, 131 - i, setup[i].channels, setup[i].depth, i), IMC_OK);
        CHECK_EQ(imc_encode(t->ext, &t->src, t->params, 2, &t->encoded), IMC_OK);
        CHECK_EQ(imc_decode(t->encoded.data, t->encoded.size, t->flags, &t->decoded), IMC_OK);
    }
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ(mismatches[i], 0);
    }
    /* The batch API: the same results, in order, with per-item errors. */
    const void *bufs[MAX_CASES + 1];
    size_t lens[MAX_CASES + 1];
    imc_image outs[MAX_CASES + 1];
    int status[MAX_CASES + 1];
    imc_error errs[MAX_CASES + 1];
    for (int i = 0; i < n_cases; i++) {
        bufs[i] = cases[i].encoded.data;
        lens[i] = cases[i].encoded.size;
    }
    bufs[n_cases] = "junk, not an image";
    lens[n_cases] = 18;
    imc_decode_options opts = {.size = sizeof opts, .flags = IMC_IMREAD_UNCHANGED};
    CHECK_EQ(imc_decode_batch(bufs, lens, n_cases + 1, &opts, 3, outs, status, errs),
             IMC_ERR_UNKNOWN_FORMAT);
    for (int i = 0; i < n_cases; i++) {
        imc_image single;
        CHECK_EQ(status[i], IMC_OK);
        CHECK_EQ(imc_decode(bufs[i], lens[i], IMC_IMREAD_UNCHANGED, &single), IMC_OK);
        CHECK(same_pixels(&single, &outs[i]));
        imc_image_free(&single);
        imc_image_free(&outs[i]);
    }
    CHECK_EQ(status[n_cases], IMC_ERR_UNKNOWN_FORMAT);
    CHECK(errs[n_cases].message[0] != '\0');

    /* ... and into caller memory: every format's decoder writing into a dst. */
    imc_image dsts[MAX_CASES + 1], singles[MAX_CASES];
    for (int i = 0; i < n_cases; i++) {
        const imc_image *d = &singles[i];
        CHECK_EQ(imc_decode(bufs[i], lens[i], IMC_IMREAD_UNCHANGED, &singles[i]), IMC_OK);
        CHECK_EQ(imc_image_alloc(&dsts[i], d->rows, d->cols, d->channels, d->depth), IMC_OK);
    }
    dsts[n_cases] = dsts[0];
    CHECK_EQ(imc_decode_batch_into(bufs, lens, n_cases + 1, &opts, 3, dsts, status, errs),
             IMC_ERR_UNKNOWN_FORMAT);
    for (int i = 0; i < n_cases; i++) {
        CHECK_EQ(status[i], IMC_OK);
        CHECK(same_pixels(&singles[i], &dsts[i]));
        imc_image_free(&dsts[i]);
        imc_image_free(&singles[i]);
    }
    CHECK_EQ(status[n_cases], IMC_ERR_UNKNOWN_FORMAT);

    imc_image srcs[MAX_CASES];
    imc_buffer encoded[MAX_CASES];
    for (int i = 0; i < n_cases; i++)
        srcs[i] = cases[i].src;
    const int q[] = {IMC_IMWRITE_JPEG_QUALITY, 80};
    CHECK_EQ(imc_encode_batch(".jpg", srcs, n_cases, q, 2, NULL, 0, encoded, status, NULL), IMC_OK);
    for (int i = 0; i < n_cases; i++) {
        imc_buffer single;
        CHECK_EQ(imc_encode(".jpg", &srcs[i], q, 2, &single), IMC_OK);
        CHECK(single.size == encoded[i].size && !memcmp(single.data, encoded[i].data, single.size));
        imc_buffer_free(&single);
        imc_buffer_free(&encoded[i]);
    }
    CHECK_EQ(imc_encode_batch(".jpg", srcs, n_cases, q, 1, NULL, 2, encoded, status, NULL), IMC_ERR_PARAM);
    CHECK_EQ(status[n_cases - 1], IMC_ERR_PARAM);

    for (int i = 0; i < n_cases; i++) {
        imc_image_free(&cases[i].src);
        imc_image_free(&cases[i].decoded);
        imc_buffer_free(&cases[i].encoded);
    }
    return check_report("test_threads");
}
