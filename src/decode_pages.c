/* The pages of a multi-page file on several threads, for formats whose
 * pages decode independently (TIFF: each its own directory). Worker w opens
 * its own decoder, reads pages w, w + n, w + 2n ... and steps over the
 * others by their headers alone; then the pages are taken in order exactly
 * as the single-threaded reading takes them (cv2's imreadmulti_: up to the
 * first that fails or cannot be found), the rest dropped. */
#include "internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum page_state { PAGE_OK, PAGE_FAILED, PAGE_LOST, PAGE_END };

typedef struct {
    size_t index;        /* from the first page asked for */
    enum page_state state;
    imc_image img;
    imc_damage damage;   /* what reading it met (PAGE_FAILED: why it failed) */
    int rc;
    imc_error err;
} page_result;

typedef struct {
    const imc_codec *codec;
    const uint8_t *buf;
    size_t len;
    const imc_decode_options *opts;
    const imc_limits *limits;
    size_t start, count; /* count 0: to the end */
    int workers;
    /* pages already settled as the end: no worker reads past it */
    pthread_mutex_t lock;
    size_t stop;
} shared;

typedef struct {
    shared *s;
    int w;
    page_result *pages;
    size_t n, cap;
    int rc; /* a failure to start at all (memory, a header that does not open) */
    imc_error err;
} worker;

static page_result *add_result(worker *k, size_t index, enum page_state state)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 8;
        page_result *p = realloc(k->pages, cap * sizeof *p);
        if (!p)
            return NULL;
        k->pages = p;
        k->cap = cap;
    }
    page_result *r = &k->pages[k->n++];
    memset(r, 0, sizeof *r);
    r->index = index;
    r->state = state;
    r->damage = (imc_damage)IMC_DAMAGE_NONE_YET;
    return r;
}

/* A page index no one needs to read: at or past a settled end. */
static bool past_stop(shared *s, size_t index)
{
    pthread_mutex_lock(&s->lock);
    bool past = index >= s->stop;
    pthread_mutex_unlock(&s->lock);
    return past;
}

static void settle_stop(shared *s, size_t index)
{
    pthread_mutex_lock(&s->lock);
    if (index < s->stop)
        s->stop = index;
    pthread_mutex_unlock(&s->lock);
}

/* Moves the decoder `steps` pages on; the index reached, with a result
 * recorded where a page cannot be found or the file ends. */
static bool advance(worker *k, void *state, imc_header *hdr, size_t from, size_t steps)
{
    const imc_codec *c = k->s->codec;
    for (size_t i = 1; i <= steps; i++) {
        imc_error e;
        imc_error_clear(&e);
        int rc = c->next_page ? c->next_page(state, hdr, &e) : 0;
        if (rc > 0)
            continue;
        size_t at = from + i, start = k->s->start; /* the file's page not reached */
        settle_stop(k->s, at > start ? at - start : 0);
        if (at <= start) { /* the first page asked for is not there */
            if (rc < 0) {
                k->rc = rc;
                k->err = e;
            } else {
                k->rc = imc_fail(&k->err, IMC_ERR_NO_PAGE, "no page %zu: the data holds %zu",
                                 start, at);
            }
            return false;
        }
        page_result *r = add_result(k, at - start, rc < 0 ? PAGE_LOST : PAGE_END);
        if (!r)
            k->rc = IMC_ERR_NOMEM;
        else if (rc < 0) { /* cv2 keeps the pages before one it cannot find */
            r->rc = rc;
            r->err = e;
            imc_damage_failed(&r->damage, rc, &e);
        }
        return false;
    }
    return true;
}

static void *run_worker(void *arg)
{
    worker *k = arg;
    shared *s = k->s;
    const imc_codec *c = s->codec;
    void *state = calloc(1, c->decoder_size ? c->decoder_size : 1);
    imc_header hdr = {0};
    k->rc = state ? c->open(state, s->buf, s->len, 1, &hdr, &k->err) : IMC_ERR_NOMEM;
    size_t page = 0; /* the file's page the decoder is on */
    if (k->rc == IMC_OK && advance(k, state, &hdr, page, s->start + (size_t)k->w))
        page = s->start + (size_t)k->w;
    else
        page = SIZE_MAX;
    while (k->rc == IMC_OK && page != SIZE_MAX) {
        size_t index = page - s->start;
        if ((s->count && index >= s->count) || past_stop(s, index))
            break;
        page_result *r = add_result(k, index, PAGE_OK);
        if (!r) {
            k->rc = IMC_ERR_NOMEM;
            break;
        }
        imc_error_clear(&r->err);
        r->rc = imc_read_page(c, state, &hdr, s->opts, 1, s->limits, NULL, &r->img, NULL,
                              &r->damage, NULL, &r->err);
        if (r->rc != IMC_OK) {
            if (!r->damage.enforced)
                imc_damage_failed(&r->damage, r->rc, &r->err);
            imc_image_free(&r->img);
            r->state = PAGE_FAILED;
            settle_stop(s, index + 1); /* the pages after it are dropped */
            break;
        }
        if (!advance(k, state, &hdr, page, (size_t)s->workers))
            break;
        page += (size_t)s->workers;
    }
    if (state) {
        if (c->close)
            c->close(state);
        free(state);
    }
    return NULL;
}

static page_result *find(worker *ks, int n, size_t index)
{
    for (int w = 0; w < n; w++)
        for (size_t i = 0; i < ks[w].n; i++)
            if (ks[w].pages[i].index == index)
                return &ks[w].pages[i];
    return NULL;
}

int imc_read_pages_threaded(const imc_codec *codec, const uint8_t *buf, size_t len,
                            const imc_decode_options *opts, size_t start, size_t count,
                            int threads, bool strict, imc_damage *damage, imc_image_list *out,
                            imc_error *err)
{
    imc_limits limits;
    imc_limits_resolve(&opts->limits, &limits);
    imc_decode_options one_each = *opts; /* the threads go to pages, not within them */
    one_each.threads = 1;
    shared s = {codec, buf, len, &one_each, &limits, start, count, threads,
                PTHREAD_MUTEX_INITIALIZER, SIZE_MAX};
    worker *ks = calloc((size_t)threads, sizeof *ks);
    int rc = ks ? IMC_OK : imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    for (int w = 0; rc == IMC_OK && w < threads; w++)
        ks[w] = (worker){.s = &s, .w = w};
    if (rc == IMC_OK)
        imc_run_parallel(run_worker, ks, sizeof *ks, threads);
    /* Worker 0 opened the file first: its failure is the file's. */
    if (rc == IMC_OK && ks[0].rc != IMC_OK) {
        rc = ks[0].rc;
        if (err)
            *err = ks[0].err;
    }
    for (int w = 1; rc == IMC_OK && w < threads; w++)
        if (ks[w].rc == IMC_ERR_NOMEM)
            rc = imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    /* In page order, as the single-threaded reading stops. */
    size_t cap = 0;
    bool failed = false;
    int last_rc = IMC_OK; /* the outcome of the last page taken, kept past the workers' lists */
    imc_error last_err;
    imc_error_clear(&last_err);
    for (size_t i = 0; rc == IMC_OK && (!count || i < count); i++) {
        page_result *r = find(ks, threads, i);
        if (!r || r->state == PAGE_END)
            break;
        imc_damage_worst(damage, &r->damage, (int)(start + i));
        last_rc = r->rc;
        last_err = r->err;
        if (r->state != PAGE_OK) {
            failed = r->state == PAGE_FAILED;
            break;
        }
        if (out->count == cap) {
            size_t grown = cap ? 2 * cap : 8;
            imc_image *p = realloc(out->images, grown * sizeof *p);
            if (!p) {
                rc = imc_fail(err, IMC_ERR_NOMEM, "out of memory");
                break;
            }
            out->images = p;
            cap = grown;
        }
        out->images[out->count++] = r->img;
        r->img = (imc_image){0}; /* the list's now */
    }
    for (int w = 0; ks && w < threads; w++) {
        for (size_t i = 0; i < ks[w].n; i++)
            imc_image_free(&ks[w].pages[i].img);
        free(ks[w].pages);
    }
    if (rc == IMC_OK && (out->count == 0 || (failed && strict))) {
        rc = last_rc ? last_rc : IMC_ERR_CORRUPT;
        if (err)
            *err = last_err;
    }
    free(ks);
    pthread_mutex_destroy(&s.lock);
    if (rc != IMC_OK)
        return rc;
    return imc_damage_check(damage, opts->fail_on, codec->name, err);
}
