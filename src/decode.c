/* imc_decode and imc_probe: cv::imdecode's control flow, codec-neutral.
 * Sniff the codec, read the header, pick the output type from the flags
 * exactly as cv2 does, check limits, allocate once, read, then apply the
 * REDUCED_* resize (for codecs that cannot scale) and the EXIF orientation. */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cv2: REDUCED_* only counts when flags > IMREAD_LOAD_GDAL. */
static int scale_denom_of(int flags)
{
    if (flags > IMC_IMREAD_LOAD_GDAL) {
        if (flags & IMC_IMREAD_REDUCED_GRAYSCALE_2)
            return 2;
        if (flags & IMC_IMREAD_REDUCED_GRAYSCALE_4)
            return 4;
        if (flags & IMC_IMREAD_REDUCED_GRAYSCALE_8)
            return 8;
    }
    return 1;
}

/* Common checks; takes in the caller's options (`opts` becomes this
 * library's struct), finds the codec and allocates its zeroed state. */
static int begin(const void *buf, size_t len, const imc_decode_options *caller,
                 imc_decode_options *opts, const imc_codec **codec, void **state, imc_error *err)
{
    memset(opts, 0, sizeof *opts); /* no report until the caller's is known good */
    if (!caller)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    int rc = imc_options_in(opts, sizeof *opts, caller, "imc_decode_options", err);
    if (rc != IMC_OK)
        return rc;
    if (opts->metadata)
        memset(opts->metadata, 0, sizeof *opts->metadata);
    if (!buf || len == 0)
        return imc_fail(err, IMC_ERR_ARG, "empty input buffer");
    if (opts->order != IMC_ORDER_BGR && opts->order != IMC_ORDER_RGB)
        return imc_fail(err, IMC_ERR_ARG, "invalid channel order %d", opts->order);
    if (opts->orientation < IMC_ORIENTATION_CV2 || opts->orientation > IMC_ORIENTATION_IGNORE)
        return imc_fail(err, IMC_ERR_ARG, "invalid orientation policy %d", opts->orientation);
    if (opts->fail_on < IMC_FAIL_ON_NONE || opts->fail_on > IMC_FAIL_ON_WARNING)
        return imc_fail(err, IMC_ERR_ARG, "invalid fail_on %d", opts->fail_on);
    if ((rc = imc_threads_check(opts->threads, err)) != IMC_OK)
        return rc;
    if (opts->report && opts->report->size < sizeof opts->report->size) {
        size_t size = opts->report->size;
        opts->report = NULL;
        return imc_fail(err, IMC_ERR_ARG, "imc_damage_report.size is %zu: start from "
                        "IMC_DAMAGE_REPORT_INIT", size);
    }
    *codec = imc_find_decoder(buf, len);
    if (!*codec)
        return imc_fail(err, IMC_ERR_UNKNOWN_FORMAT, "no codec recognises the data");
    *state = calloc(1, (*codec)->decoder_size ? (*codec)->decoder_size : 1);
    if (!*state)
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    return IMC_OK;
}

static int finish(const imc_codec *codec, void *state, int rc, imc_error *err)
{
    if (state) {
        if (codec->close)
            codec->close(state);
        free(state);
    }
    if (rc != IMC_OK && codec && err && err->code == IMC_OK)
        imc_fail(err, rc, "%s: %s", codec->name, imc_strerror(rc));
    return rc;
}

/* One page, into new memory or (into != NULL) the caller's. shrink 0: the
 * REDUCED_* flags' size, as cv2 makes it; else the codec's own shrink by
 * that factor where it has one (JPEG's DCT scaling), the full size where not. */
static int decode_page(const void *buf, size_t len, const imc_decode_options *caller,
                       const imc_image *into, int shrink, imc_image *out,
                       const imc_row_sink *sink, imc_error *err)
{
    const imc_codec *codec = NULL;
    void *state = NULL;
    imc_decode_options opts;
    imc_damage damage = IMC_DAMAGE_NONE_YET;
    int rc = begin(buf, len, caller, &opts, &codec, &state, err);
    if (rc == IMC_OK) {
        imc_limits limits;
        imc_limits_resolve(&opts.limits, &limits);
        int scale = shrink > 0 ? shrink : scale_denom_of(opts.flags);
        imc_header hdr = {0};
        rc = codec->open(state, buf, len, shrink > 1 ? shrink | IMC_SHRINK_ON_LOAD : scale, &hdr,
                         err);
        if (shrink > 0 && !hdr.scaled)
            scale = 1;
        if (rc == IMC_OK)
            rc = imc_read_page(codec, state, &hdr, &opts, scale, &limits, into, out, NULL, &damage,
                           sink, err);
        if (rc == IMC_OK && opts.metadata && codec->read_metadata)
            rc = codec->read_metadata(buf, len, opts.metadata, err);
    }
    if (rc != IMC_OK) {
        imc_image_free(out);
        imc_metadata_free(opts.metadata);
    }
    rc = finish(codec, state, rc, err);
    if (opts.report)
        imc_damage_report_to(&damage, rc, err, opts.report);
    return rc;
}

int imc_decode_ex(const void *buf, size_t len, const imc_decode_options *opts, imc_image *out,
                  imc_error *err)
{
    imc_error_clear(err);
    if (!out)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    memset(out, 0, sizeof *out);
    return decode_page(buf, len, opts, NULL, 0, out, NULL, err);
}

int imc_decode_rows(const void *buf, size_t len, const imc_decode_options *opts, int shrink,
                    const imc_row_sink *sink, imc_error *err)
{
    imc_error_clear(err);
    imc_image shape = {0}; /* no memory: the rows went to the sink */
    return decode_page(buf, len, opts, NULL, shrink, &shape, sink, err);
}

int imc_decode_into(const void *buf, size_t len, const imc_decode_options *opts,
                    const imc_image *dst, imc_error *err)
{
    imc_error_clear(err);
    size_t sample = dst ? imc_depth_size(dst->depth) : 0;
    if (!dst || !dst->data || dst->rows <= 0 || dst->cols <= 0 || dst->channels < 1 ||
        dst->channels > 4 || !sample || dst->step / sample / (size_t)dst->channels < (size_t)dst->cols)
        return imc_fail(err, IMC_ERR_ARG, "dst does not describe an image");
    if ((uintptr_t)dst->data % sample || dst->step % sample)
        return imc_fail(err, IMC_ERR_ARG, "dst's rows are not aligned to its %zu-byte samples", sample);
    imc_image out = {0};
    int rc = decode_page(buf, len, opts, dst, 0, &out, NULL, err);
    if (rc != IMC_OK || out.data == dst->data)
        return rc;
    /* Read elsewhere (rows not packed, a resize, a turn): one copy. */
    if (out.rows == dst->rows && out.cols == dst->cols) {
        for (int y = 0; y < out.rows; y++)
            memcpy((uint8_t *)dst->data + (size_t)y * dst->step,
                   (const uint8_t *)out.data + (size_t)y * out.step,
                   (size_t)out.cols * (size_t)out.channels * sample);
    } else {
        rc = imc_fail(err, IMC_ERR_ARG, "dst is %d x %d; the oriented image is %d x %d", dst->cols,
                      dst->rows, out.cols, out.rows);
    }
    imc_image_free(&out);
    return rc;
}

void imc_image_list_free(imc_image_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        imc_image_free(&list->images[i]);
    free(list->images);
    list->images = NULL;
    list->count = 0;
}

/* Which pages read_pages decodes, and what else it collects. */
typedef struct {
    size_t start, count; /* count 0: to the end */
    bool strict;         /* a page that fails fails the call (cv2's animation reading) */
    imc_damage *damage;  /* out: the worst any page met, a page dropped for failing included */
    int **durations;     /* NULL, or receives each page's duration in ms */
    imc_header *first;   /* NULL, or receives the header open() read */
} page_request;

/* Room for one more page (and its duration) in out. */
static int grow_pages(imc_image_list *out, int **durations, size_t *cap, imc_error *err)
{
    if (out->count < *cap)
        return IMC_OK;
    size_t grown = *cap ? *cap * 2 : 4;
    imc_image *p = realloc(out->images, grown * sizeof *p);
    if (!p)
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
    out->images = p;
    if (durations) {
        int *d = realloc(*durations, grown * sizeof *d);
        if (!d)
            return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
        *durations = d;
    }
    *cap = grown;
    return IMC_OK;
}

/* cv2's imreadmulti_: skip `start` pages, then read until `count` pages, the
 * end, or a page that fails (keeping those read before it, unless strict). */
static int read_pages(const imc_codec *codec, void *state, const uint8_t *buf, size_t len,
                      const imc_decode_options *opts, const page_request *pr,
                      imc_image_list *out, imc_error *err)
{
    int threads = imc_threads_of(opts->threads);
    if (pr->count && (size_t)threads > pr->count)
        threads = (int)pr->count;
    if (threads > 1 && codec->pages_independent && !pr->durations && !pr->first)
        return imc_read_pages_threaded(codec, buf, len, opts, pr->start, pr->count, threads,
                                       pr->strict, pr->damage, out, err);
    imc_limits limits;
    imc_limits_resolve(&opts->limits, &limits);
    imc_header hdr = {0};
    int rc = codec->open(state, buf, len, 1, &hdr, err);
    if (rc != IMC_OK)
        return rc;
    if (pr->first)
        *pr->first = hdr;
    for (size_t i = 0; i < pr->start; i++) {
        rc = codec->next_page ? codec->next_page(state, &hdr, err) : 0;
        if (rc <= 0)
            return rc < 0 ? rc
                          : imc_fail(err, IMC_ERR_NO_PAGE, "no page %zu: the data holds %zu",
                                     pr->start, i + 1);
    }
    size_t cap = 0;
    imc_error page_err;
    bool read_failed = false;
    for (;;) {
        rc = grow_pages(out, pr->durations, &cap, err);
        if (rc != IMC_OK)
            return rc;
        imc_error_clear(&page_err);
        memset(&out->images[out->count], 0, sizeof out->images[0]); /* freed if read fails */
        int duration = -1;
        imc_damage damage = IMC_DAMAGE_NONE_YET;
        rc = imc_read_page(codec, state, &hdr, opts, 1, &limits, NULL, &out->images[out->count], &duration,
                       &damage, NULL, &page_err);
        if (rc != IMC_OK && !damage.enforced)
            imc_damage_failed(&damage, rc, &page_err);
        imc_damage_worst(pr->damage, &damage, (int)(pr->start + out->count));
        if (rc != IMC_OK) {
            imc_image_free(&out->images[out->count]);
            read_failed = true;
            break;
        }
        if (pr->durations)
            (*pr->durations)[out->count] = duration < 0 ? 1000 : duration;
        out->count++;
        if (pr->count && out->count == pr->count)
            break;
        rc = codec->next_page ? codec->next_page(state, &hdr, &page_err) : 0;
        if (rc < 0) { /* cv2 keeps the pages before one it cannot find */
            imc_damage lost = IMC_DAMAGE_NONE_YET;
            imc_damage_failed(&lost, rc, &page_err);
            imc_damage_worst(pr->damage, &lost, (int)(pr->start + out->count));
        }
        if (rc <= 0)
            break;
    }
    if (out->count == 0 || (read_failed && pr->strict)) {
        if (err)
            *err = page_err;
        return rc < 0 ? rc : IMC_ERR_CORRUPT;
    }
    /* A page dropped (as cv2 drops it) fails a caller who asked for that. */
    return imc_damage_check(pr->damage, opts->fail_on, codec->name, err);
}

int imc_decode_multi(const void *buf, size_t len, const imc_decode_options *opts, size_t start,
                     size_t count, imc_image_list *out, imc_error *err)
{
    imc_error_clear(err);
    if (!out)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    out->images = NULL;
    out->count = 0;
    const imc_codec *codec = NULL;
    void *state = NULL;
    imc_decode_options o;
    imc_damage damage = IMC_DAMAGE_NONE_YET;
    int rc = begin(buf, len, opts, &o, &codec, &state, err);
    if (rc == IMC_OK) {
        page_request pr = {.start = start, .count = count, .damage = &damage};
        rc = read_pages(codec, state, buf, len, &o, &pr, out, err);
    }
    if (rc != IMC_OK)
        imc_image_list_free(out);
    rc = finish(codec, state, rc, err);
    if (o.report)
        imc_damage_report_to(&damage, rc, err, o.report);
    return rc;
}

void imc_animation_free(imc_animation *anim)
{
    if (!anim)
        return;
    imc_image_list list = {anim->frames, anim->count};
    imc_image_list_free(&list);
    free(anim->durations);
    memset(anim, 0, sizeof *anim);
}

int imc_decode_animation(const void *buf, size_t len, const imc_decode_options *opts,
                         size_t start, size_t count, imc_animation *out, imc_error *err)
{
    imc_error_clear(err);
    if (!out)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    memset(out, 0, sizeof *out);
    const imc_codec *codec = NULL;
    void *state = NULL;
    imc_image_list list = {NULL, 0};
    imc_header first = {0};
    imc_decode_options o;
    imc_damage damage = IMC_DAMAGE_NONE_YET;
    int rc = begin(buf, len, opts, &o, &codec, &state, err);
    if (rc == IMC_OK) {
        page_request pr = {.start = start, .count = count, .strict = true, .damage = &damage,
                           .durations = &out->durations, .first = &first};
        rc = read_pages(codec, state, buf, len, &o, &pr, &list, err);
    }
    out->frames = list.images;
    out->count = list.count;
    if (rc == IMC_OK) {
        out->loop_count = first.loop_count;
        for (int i = 0; i < 4; i++)
            out->bgcolor[i] = first.bgcolor[i];
    } else {
        imc_animation_free(out);
    }
    rc = finish(codec, state, rc, err);
    if (o.report)
        imc_damage_report_to(&damage, rc, err, o.report);
    return rc;
}

int imc_count(const void *buf, size_t len, size_t *count, imc_error *err)
{
    imc_error_clear(err);
    if (!count)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    *count = 0;
    imc_decode_options any = IMC_DECODE_OPTIONS_INIT, opts;
    any.flags = IMC_IMREAD_ANYCOLOR;
    const imc_codec *codec = NULL;
    void *state = NULL;
    int rc = begin(buf, len, &any, &opts, &codec, &state, err);
    if (rc == IMC_OK) {
        imc_header hdr = {0};
        rc = codec->open(state, buf, len, 1, &hdr, err);
        if (rc == IMC_OK) {
            *count = 1;
            while (codec->next_page && codec->next_page(state, &hdr, NULL) > 0)
                ++*count;
        }
    }
    return finish(codec, state, rc, err);
}

int imc_decode(const void *buf, size_t len, int flags, imc_image *out)
{
    imc_decode_options opts = IMC_DECODE_OPTIONS_INIT;
    opts.flags = flags;
    return imc_decode_ex(buf, len, &opts, out, NULL);
}

int imc_probe_ex(const void *buf, size_t len, imc_info *info, imc_error *err)
{
    imc_error_clear(err);
    if (info)
        memset(info, 0, sizeof *info);
    if (!info)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    if (!buf || len == 0)
        return imc_fail(err, IMC_ERR_ARG, "empty input buffer");
    const imc_codec *codec = imc_find_decoder(buf, len);
    if (!codec)
        return imc_fail(err, IMC_ERR_UNKNOWN_FORMAT, "no codec recognises the data");

    int rc;
    if (codec->probe) {
        rc = codec->probe(buf, len, info, err);
    } else {
        void *state = calloc(1, codec->decoder_size ? codec->decoder_size : 1);
        if (!state)
            return imc_fail(err, IMC_ERR_NOMEM, "out of memory");
        imc_header hdr = {0};
        rc = codec->open(state, buf, len, 1, &hdr, err);
        if (codec->close)
            codec->close(state);
        free(state);
        if (rc == IMC_OK) {
            info->width = hdr.width;
            info->height = hdr.height;
            info->channels = hdr.channels;
            info->depth = hdr.depth;
            info->orientation = hdr.orientation;
        }
    }
    if (rc != IMC_OK) {
        memset(info, 0, sizeof *info);
        return rc;
    }
    info->format = codec->name;
    return IMC_OK;
}

int imc_probe(const void *buf, size_t len, imc_info *info)
{
    return imc_probe_ex(buf, len, info, NULL);
}
