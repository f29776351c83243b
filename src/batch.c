/* Batches: items handed out to worker threads through one atomic counter,
 * largest first, each result written to its own slot, so the order is the
 * input's and no lock is needed. */
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct batch batch;
struct batch {
    size_t n;
    atomic_size_t next;
    void (*run)(const batch *b, size_t i);
    /* decoding */
    const void *const *bufs;
    const size_t *lens;
    const imc_decode_options *dopts;
    char *reports;         /* the caller's array of reports, or NULL */
    size_t report_stride;  /* its elements' size: the caller's sizeof(imc_damage_report) */
    imc_image *images;
    const imc_image *dsts; /* decoding into caller memory */
    /* encoding */
    const char *ext;
    const imc_image *sources;
    const int *params;
    size_t nparams;
    const imc_encode_options *eopts;
    imc_buffer *buffers;
    /* thumbnails: decoding's bufs and lens, images or (with ext) buffers */
    const imc_thumbnail_options *topts;
    /* per item */
    size_t *order; /* the order items are handed out in; NULL: as given */
    int *status;
    imc_error *errs;
};

/* Item i's options: the batch's, with item i's report. */
static imc_decode_options item_options(const batch *b, size_t i)
{
    imc_decode_options o = *b->dopts;
    o.report = b->reports ? (imc_damage_report *)(void *)(b->reports + i * b->report_stride) : NULL;
    o.metadata = o.metadata ? o.metadata + i : NULL; /* an array of n, one per item */
    return o;
}

static void decode_one(const batch *b, size_t i)
{
    imc_decode_options o = item_options(b, i);
    b->status[i] = imc_decode_ex(b->bufs[i], b->lens[i], &o, &b->images[i],
                                 b->errs ? &b->errs[i] : NULL);
}

static void decode_into_one(const batch *b, size_t i)
{
    imc_decode_options o = item_options(b, i);
    b->status[i] = imc_decode_into(b->bufs[i], b->lens[i], &o, &b->dsts[i],
                                   b->errs ? &b->errs[i] : NULL);
}

static void encode_one(const batch *b, size_t i)
{
    b->status[i] = imc_encode_ex(b->ext, &b->sources[i], b->params, b->nparams, b->eopts,
                                 &b->buffers[i], b->errs ? &b->errs[i] : NULL);
}

static void thumbnail_one(const batch *b, size_t i)
{
    imc_thumbnail_options o = *b->topts;
    o.report = b->reports ? (imc_damage_report *)(void *)(b->reports + i * b->report_stride) : NULL;
    imc_error *e = b->errs ? &b->errs[i] : NULL;
    b->status[i] = b->ext ? imc_thumbnail_encode(b->bufs[i], b->lens[i], &o, b->ext, b->params,
                                                 b->nparams, &b->buffers[i], e)
                          : imc_thumbnail(b->bufs[i], b->lens[i], &o, &b->images[i], e);
}

static void *worker(void *arg)
{
    batch *b = arg;
    for (size_t i; (i = atomic_fetch_add(&b->next, 1)) < b->n;)
        b->run(b, b->order ? b->order[i] : i);
    return NULL;
}

typedef struct {
    size_t weight, index;
} job;

static int heavier_first(const void *x, const void *y)
{
    const job *a = x, *b = y;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    return a->index < b->index ? -1 : 1;
}

/* Largest items first (by input bytes or pixels): a big item handed out
 * last would keep one thread busy while the others have nothing left. On
 * allocation failure items go as given. */
static size_t *order_by_weight(const batch *b)
{
    job *jobs = malloc(b->n * sizeof *jobs);
    size_t *order = malloc(b->n * sizeof *order);
    if (jobs && order) {
        for (size_t i = 0; i < b->n; i++) {
            const imc_image *s = b->sources ? &b->sources[i] : NULL;
            jobs[i].weight = s ? (size_t)s->rows * (size_t)s->cols * (size_t)s->channels : b->lens[i];
            jobs[i].index = i;
        }
        qsort(jobs, b->n, sizeof *jobs, heavier_first);
        for (size_t i = 0; i < b->n; i++)
            order[i] = jobs[i].index;
    } else {
        free(order);
        order = NULL;
    }
    free(jobs);
    return order;
}

static int run_batch(batch *b, int threads)
{
    if (threads <= 0)
        threads = imc_online_cpus();
    if ((size_t)threads > b->n)
        threads = (int)b->n;
    atomic_init(&b->next, 0);
    b->order = threads > 1 ? order_by_weight(b) : NULL;
    pthread_t *ids = threads > 1 ? calloc((size_t)threads - 1, sizeof *ids) : NULL;
    int started = 0;
    for (int t = 0; ids && t < threads - 1; t++, started++)
        if (pthread_create(&ids[t], NULL, worker, b) != 0)
            break; /* fewer threads: the rest still gets done below */
    worker(b);
    for (int t = 0; t < started; t++)
        pthread_join(ids[t], NULL);
    free(ids);
    free(b->order);
    for (size_t i = 0; i < b->n; i++)
        if (b->status[i] != IMC_OK)
            return b->status[i];
    return IMC_OK;
}

/* The options' report, if set, is an array of n reports, one per item, of
 * the caller's struct size: taken out of the batch's copy of the options,
 * each item then gets its own. */
static void take_reports(batch *b, imc_damage_report **report)
{
    if (*report && (*report)->size >= sizeof (*report)->size) {
        b->reports = (char *)*report;
        b->report_stride = (*report)->size;
    }
    *report = NULL;
}

/* Both decoding batches: new images into `out`, or caller memory `dsts`. */
static int decode_batch(const void *const *bufs, const size_t *lens, size_t n,
                        const imc_decode_options *opts, int threads, imc_image *out,
                        const imc_image *dsts, int *status, imc_error *errs)
{
    if (n == 0)
        return IMC_OK;
    if (!bufs || !lens || !opts || !(out || dsts) || !status)
        return IMC_ERR_ARG;
    /* Options refused here are refused again, per item, with the reason. */
    batch b = {.n = n, .run = dsts ? decode_into_one : decode_one, .bufs = bufs, .lens = lens,
               .dopts = opts, .images = out, .dsts = dsts, .status = status, .errs = errs};
    imc_decode_options local;
    if (imc_options_in(&local, sizeof local, opts, "imc_decode_options", NULL) == IMC_OK) {
        take_reports(&b, &local.report);
        b.dopts = &local;
    }
    return run_batch(&b, threads);
}

int imc_decode_batch(const void *const *bufs, const size_t *lens, size_t n,
                     const imc_decode_options *opts, int threads, imc_image *out, int *status,
                     imc_error *errs)
{
    return decode_batch(bufs, lens, n, opts, threads, out, NULL, status, errs);
}

int imc_decode_batch_into(const void *const *bufs, const size_t *lens, size_t n,
                          const imc_decode_options *opts, int threads, const imc_image *dsts,
                          int *status, imc_error *errs)
{
    return decode_batch(bufs, lens, n, opts, threads, NULL, dsts, status, errs);
}

int imc_encode_batch(const char *ext, const imc_image *imgs, size_t n, const int *params,
                     size_t nparams, const imc_encode_options *opts, int threads, imc_buffer *out,
                     int *status, imc_error *errs)
{
    if (n == 0)
        return IMC_OK;
    if (!imgs || !out || !status)
        return IMC_ERR_ARG;
    int rc = imc_params_check(params, nparams, errs);
    if (rc != IMC_OK) {
        for (size_t i = 0; i < n; i++) {
            status[i] = rc;
            memset(&out[i], 0, sizeof out[i]);
            if (errs)
                errs[i] = errs[0];
        }
        return rc;
    }
    batch b = {.n = n, .run = encode_one, .ext = ext, .sources = imgs, .params = params,
               .nparams = nparams, .eopts = opts, .buffers = out, .status = status, .errs = errs};
    return run_batch(&b, threads);
}

int imc_thumbnail_batch(const void *const *bufs, const size_t *lens, size_t n,
                        const imc_thumbnail_options *opts, const char *ext, const int *params,
                        size_t nparams, int threads, imc_image *images, imc_buffer *encoded,
                        int *status, imc_error *errs)
{
    if (n == 0)
        return IMC_OK;
    if (!bufs || !lens || !opts || !(ext ? (void *)encoded : (void *)images) || !status)
        return IMC_ERR_ARG;
    batch b = {.n = n, .run = thumbnail_one, .bufs = bufs, .lens = lens, .topts = opts,
               .ext = ext, .params = params, .nparams = nparams, .images = images,
               .buffers = encoded, .status = status, .errs = errs};
    imc_thumbnail_options local;
    if (imc_options_in(&local, sizeof local, opts, "imc_thumbnail_options", NULL) == IMC_OK) {
        take_reports(&b, &local.report);
        b.topts = &local;
    }
    return run_batch(&b, threads);
}
