/* imc convert --out DIR FILES|DIRS...: many files on many threads, with a
 * progress bar on a terminal and a summary line otherwise. Each file is read,
 * decoded, encoded and written (atomically) by one worker; results are
 * counted, failures reported with their path, and the run goes on. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char *input;  /* path as found */
    char *output; /* path to write */
} job;

typedef struct {
    job *jobs;
    size_t n;
    const cli_convert_options *o;
    atomic_size_t next, done, failed, skipped;
    atomic_size_t damaged, refused; /* damaged inputs; those of them not converted */
    atomic_uint_fast64_t pixels;
    pthread_mutex_t print_lock; /* error lines and the progress bar share stderr */
    bool tty;
} run_state;

/* ---- Collecting the work ------------------------------------------------------ */
typedef struct {
    job *jobs;
    size_t n, cap;
    size_t not_images; /* files in the directories that no codec reads */
} job_list;

static int add_job(job_list *l, const char *input, const char *output)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        job *p = realloc(l->jobs, cap * sizeof *p);
        if (!p)
            return -1;
        l->jobs = p;
        l->cap = cap;
    }
    l->jobs[l->n].input = strdup(input);
    l->jobs[l->n].output = strdup(output);
    if (!l->jobs[l->n].input || !l->jobs[l->n].output)
        return -1;
    l->n++;
    return 0;
}

/* out_dir/relative with its extension replaced by `to` (when given). */
static int output_path(const cli_convert_options *o, const char *relative, char *out, size_t cap)
{
    const char *slash = strrchr(relative, '/');
    const char *dot = strrchr(slash ? slash + 1 : relative, '.');
    int stem = dot && o->to ? (int)(dot - relative) : (int)strlen(relative);
    int n = snprintf(out, cap, "%s/%.*s%s", o->out_dir, stem, relative, o->to ? o->to : "");
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Files under `root`/`rel`, recursively, that an imc codec reads by their
 * extension; `rel` is the path below the root, kept in the output. */
static int walk(const cli_convert_options *o, const char *root, const char *rel, job_list *l)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel) >= (int)sizeof dir)
        return 0;
    int n_entries;
    char **names = cli_list_dir(dir, &n_entries);
    if (!names) {
        cli_fail("%s: cannot read directory: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n_entries; i++) {
        char sub[PATH_MAX], full[PATH_MAX], out[PATH_MAX];
        if (snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]) >= (int)sizeof sub ||
            snprintf(full, sizeof full, "%s/%s", root, sub) >= (int)sizeof full)
            continue;
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (walk(o, root, sub, l) != 0)
                rc = -1;
        } else if (S_ISREG(st.st_mode) && imc_have_reader(names[i])) {
            if (output_path(o, sub, out, sizeof out) != 0 || add_job(l, full, out) != 0)
                rc = -1;
        } else if (S_ISREG(st.st_mode)) {
            l->not_images++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static int collect(const cli_convert_options *o, char **inputs, int n_inputs, job_list *l)
{
    for (int i = 0; i < n_inputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) != 0)
            return cli_fail("%s: %s", inputs[i], strerror(errno));
        if (S_ISDIR(st.st_mode)) {
            if (walk(o, inputs[i], "", l) != 0)
                return 1;
        } else {
            const char *base = strrchr(inputs[i], '/');
            char out[PATH_MAX];
            if (output_path(o, base ? base + 1 : inputs[i], out, sizeof out) != 0 ||
                add_job(l, inputs[i], out) != 0)
                return cli_fail("%s: path too long", inputs[i]);
        }
    }
    return 0;
}

/* ---- Doing the work ----------------------------------------------------------- */
static int make_parents(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void report(run_state *s, const char *path, const char *message)
{
    pthread_mutex_lock(&s->print_lock);
    if (s->tty)
        fputs("\r\033[K", stderr); /* clear the progress line first */
    fprintf(stderr, "imc: %s: %s\n", path, message);
    pthread_mutex_unlock(&s->print_lock);
}

static void convert_one(run_state *s, const job *j)
{
    const cli_convert_options *o = s->o;
    if (same_file(j->input, j->output)) {
        report(s, j->input, "output would overwrite the input; skipped");
        atomic_fetch_add(&s->failed, 1);
        return;
    }
    if (!o->overwrite && access(j->output, F_OK) == 0) {
        atomic_fetch_add(&s->skipped, 1);
        return;
    }
    imc_image img;
    imc_error err;
    imc_damage_report damage;
    char message[512];
    int rc = cli_read_oriented(j->input, o, 1, &img, &damage, &err);
    if (cli_damaged(rc, &damage)) {
        atomic_fetch_add(&s->damaged, 1);
        snprintf(message, sizeof message, "damaged (%s), %s: %s",
                 imc_damage_kind_name(damage.kind),
                 rc == IMC_OK ? "converted as decoded" : "not converted", damage.message);
        report(s, j->input, message);
        if (rc != IMC_OK) {
            atomic_fetch_add(&s->refused, 1);
            return;
        }
    }
    if (rc == IMC_OK) {
        atomic_fetch_add(&s->pixels, (uint64_t)img.rows * (uint64_t)img.cols);
        if (make_parents(j->output) != 0) {
            snprintf(err.message, sizeof err.message, "cannot create the directory for %s: %s",
                     j->output, strerror(errno));
            rc = IMC_ERR_IO;
        } else {
            /* IMREAD_COLOR_RGB decoded RGB: written as such, not swapped */
            imc_encode_options eo = IMC_ENCODE_OPTIONS_INIT;
            if (o->flags > 0 && (o->flags & IMC_IMREAD_COLOR_RGB))
                eo.order = IMC_ORDER_RGB;
            cli_metadata meta;
            cli_carry_metadata(j->input, j->output, o, &meta);
            eo.metadata = &meta.kept;
            rc = imc_write_ex(j->output, &img, o->params, o->nparams, &eo, &err);
            cli_metadata_free(&meta);
        }
        imc_image_free(&img);
    }
    if (rc != IMC_OK) {
        snprintf(message, sizeof message, "%s", err.message);
        report(s, j->input, message);
        atomic_fetch_add(&s->failed, 1);
    }
}

static void *worker(void *arg)
{
    run_state *s = arg;
    for (size_t i; (i = atomic_fetch_add(&s->next, 1)) < s->n;) {
        convert_one(s, &s->jobs[i]);
        atomic_fetch_add(&s->done, 1);
    }
    return NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void draw_progress(run_state *s, double elapsed)
{
    size_t done = atomic_load(&s->done);
    size_t failed = atomic_load(&s->failed) + atomic_load(&s->damaged);
    double mp = (double)atomic_load(&s->pixels) / 1e6;
    double rate = elapsed > 0 ? mp / elapsed : 0, per_file = done ? elapsed / (double)done : 0;
    int eta = (int)(per_file * (double)(s->n - done) + 0.5);
    const int width = 30;
    int filled = s->n ? (int)((double)width * (double)done / (double)s->n) : width;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
    bar[width] = '\0';
    pthread_mutex_lock(&s->print_lock);
    fprintf(stderr, "\r\033[K[%s] %zu/%zu %3d%%  %.1f MP/s  ETA %d:%02d%s", bar, done, s->n,
            s->n ? (int)(100 * done / s->n) : 100, rate, eta / 60, eta % 60,
            failed ? "  (failures)" : "");
    fflush(stderr);
    pthread_mutex_unlock(&s->print_lock);
}

int cli_convert_batch(const cli_convert_options *o, char **inputs, int n_inputs)
{
    job_list l = {0};
    int rc = collect(o, inputs, n_inputs, &l);
    if (rc != 0)
        return rc;
    run_state s = {.jobs = l.jobs, .n = l.n, .o = o, .tty = isatty(STDERR_FILENO)};
    pthread_mutex_init(&s.print_lock, NULL);
    atomic_init(&s.next, 0);
    atomic_init(&s.done, 0);
    atomic_init(&s.failed, 0);
    atomic_init(&s.skipped, 0);
    atomic_init(&s.damaged, 0);
    atomic_init(&s.refused, 0);
    atomic_init(&s.pixels, 0);

    int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > l.n)
        threads = l.n ? (int)l.n : 1;
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    int started = 0;
    double t0 = now();
    for (; ids && started < threads; started++)
        if (pthread_create(&ids[started], NULL, worker, &s) != 0)
            break;
    if (started == 0)
        worker(&s); /* no threads at all: do it here */
    while (s.tty && atomic_load(&s.done) < s.n) {
        draw_progress(&s, now() - t0);
        usleep(100000);
    }
    for (int t = 0; t < started; t++)
        pthread_join(ids[t], NULL);
    double elapsed = now() - t0;
    if (s.tty) {
        draw_progress(&s, elapsed);
        fputc('\n', stderr);
    }
    size_t failed = atomic_load(&s.failed), skipped = atomic_load(&s.skipped);
    size_t damaged = atomic_load(&s.damaged), refused = atomic_load(&s.refused);
    double mp = (double)atomic_load(&s.pixels) / 1e6;
    printf("imc: %zu files: %zu converted, %zu skipped (exist), %zu damaged (%zu of them "
           "converted as decoded), %zu failed",
           l.n, l.n - failed - skipped - refused, skipped, damaged, damaged - refused, failed);
    if (l.not_images)
        printf("; %zu other files ignored (not an image extension)", l.not_images);
    printf("; %.1f MP in %.2f s (%.1f MP/s, %d threads)\n", mp, elapsed,
           elapsed > 0 ? mp / elapsed : 0, started ? started : 1);
    for (size_t i = 0; i < l.n; i++) {
        free(l.jobs[i].input);
        free(l.jobs[i].output);
    }
    free(l.jobs);
    free(ids);
    pthread_mutex_destroy(&s.print_lock);
    return failed || damaged ? 1 : 0;
}
