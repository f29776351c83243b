/* Several images in one file: pages (imdecodemulti and friends) and
 * animations (frames with durations). */
#include "binding.h"

/* The arguments of _decode_multi and _decode_animation: (data, flags, start,
 * count, switch) and imc.decode's limit, orientation and damage keywords. */
static int parse_pages_args(PyObject *args, PyObject *kw, const char *format, PyObject **data,
                            decode_args *a, Py_ssize_t *start, Py_ssize_t *count, int *flag)
{
    static char *names[] = {"data", "flags", "start", "count", "switch", "max_width", "max_height",
                            "max_pixels", "max_bytes", "orientation", "fail_on", "partial",
                            "threads", NULL};
    imc_damage_report *report = a->report;
    memset(a, 0, sizeof *a);
    a->report = report;
    if (!PyArg_ParseTupleAndKeywords(args, kw, format, names, data, &a->flags, start, count, flag,
                                     &a->max_width, &a->max_height, &a->max_pixels, &a->max_bytes,
                                     &a->orientation, &a->fail_on, &a->partial, &a->threads))
        return -1;
    if (*start < 0 || *count < 0) {
        PyErr_SetString(PyExc_ValueError, "start and count must not be negative");
        return -1;
    }
    return 0;
}

/* Pages or frames [start, start + count) decoded from bytes. */
typedef struct {
    const imc_decode_options *opts;
    size_t start, count;
    imc_image_list list; /* decode_pages fills this */
    imc_animation anim;  /* or decode_frames this */
} pages_call;

static int decode_pages(const void *data, size_t size, void *ctx, imc_error *err)
{
    pages_call *c = ctx;
    return imc_decode_multi(data, size, c->opts, c->start, c->count, &c->list, err);
}

static int decode_frames(const void *data, size_t size, void *ctx, imc_error *err)
{
    pages_call *c = ctx;
    return imc_decode_animation(data, size, c->opts, c->start, c->count, &c->anim, err);
}

static int count_pages(const void *data, size_t size, void *count, imc_error *err)
{
    return imc_count(data, size, count, err);
}

/* _decode_multi(data, flags, start, count, strict, **limits) -> list or None */
static PyObject *py_decode_multi(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    PyObject *data;
    imc_damage_report report = IMC_DAMAGE_REPORT_INIT;
    decode_args a = {.report = &report};
    Py_ssize_t start, count;
    int strict;
    if (parse_pages_args(args, kw, "Oinnp|$KKKKOOpi:_decode_multi", &data, &a, &start, &count,
                         &strict) < 0)
        return NULL;
    if (strict)
        resolve_fail_on(&a);
    imc_decode_options opts;
    if (fill_options(&a, &opts) < 0)
        return NULL;
    pages_call c = {&opts, (size_t)start, (size_t)count, {NULL, 0}, {0}};
    imc_error err;
    int rc = with_bytes(data, decode_pages, &c, &err);
    if (rc == PY_FAILED)
        return NULL;
    if (rc != IMC_OK)
        return strict ? raise_damaged(&err, rc, &report)
                      : cv2_failure(CV2_DECODE, strict, rc, &err, Py_None);
    if (strict && warn_if_damaged(&a, &report, -1) < 0) {
        imc_image_list_free(&c.list);
        return NULL;
    }
    return list_to_arrays(&c.list);
}

/* _count(data) -> int, raising imc.error */
static PyObject *py_count(PyObject *self, PyObject *data)
{
    (void)self;
    size_t n;
    imc_error err;
    int rc = with_bytes(data, count_pages, &n, &err);
    if (rc != IMC_OK)
        return rc == PY_FAILED ? NULL : raise_imc(&err, rc);
    return PyLong_FromSize_t(n);
}

/* _encode_multi(ext, imgs, params, rgb[, metadata]) -> bytes, raising imc.error */
static PyObject *py_encode_multi(PyObject *self, PyObject *args)
{
    (void)self;
    const char *ext;
    PyObject *seq, *params, *metadata = NULL, *blobs;
    int rgb;
    image_batch b;
    imc_metadata md;
    if (!PyArg_ParseTuple(args, "sOOp|O:_encode_multi", &ext, &seq, &params, &rgb, &metadata) ||
        metadata_from(metadata, &md, &blobs) < 0)
        return NULL;
    PyObject *result = NULL;
    if (get_images(seq, params, &b) == 0) {
        imc_encode_options opts = encode_options(rgb);
        if (blobs)
            opts.metadata = &md;
        imc_buffer out;
        imc_error err;
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = imc_encode_multi(ext, b.imgs, (size_t)b.n, b.params, b.nparams, &opts, &out, &err);
        Py_END_ALLOW_THREADS
        result = encoded_bytes(rc, &err, &out);
    }
    release_images(&b);
    metadata_release(&md, blobs);
    return result;
}

/* _write_multi(path, imgs, params, strict) -> bool; cv2's False for I/O. */
static PyObject *py_write_multi(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *path_obj, *seq, *params, *path = NULL;
    int strict;
    image_batch b;
    if (!PyArg_ParseTuple(args, "OOOp:_write_multi", &path_obj, &seq, &params, &strict))
        return NULL;
    if (!PyUnicode_FSConverter(path_obj, &path))
        return NULL;
    PyObject *result = NULL;
    if (get_images(seq, params, &b) == 0) {
        imc_error err;
        int rc;
        const char *p = PyBytes_AS_STRING(path);
        Py_BEGIN_ALLOW_THREADS
        rc = imc_write_multi(p, b.imgs, (size_t)b.n, b.params, b.nparams, NULL, &err);
        Py_END_ALLOW_THREADS
        result = rc == IMC_OK ? Py_NewRef(Py_True)
                              : cv2_failure(CV2_WRITE_MULTI, strict, rc, &err, Py_False);
    }
    release_images(&b);
    Py_DECREF(path);
    return result;
}

/* _decode_animation(data, flags, start, count, rgb, **limits)
 *   -> (frames, durations, loop_count, bgcolor), raising imc.error */
static PyObject *py_decode_animation(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    PyObject *data;
    imc_damage_report report = IMC_DAMAGE_REPORT_INIT;
    decode_args a = {.report = &report};
    Py_ssize_t start, count;
    int rgb;
    if (parse_pages_args(args, kw, "Oinnp|$KKKKOOpi:_decode_animation", &data, &a, &start, &count,
                         &rgb) < 0)
        return NULL;
    a.rgb = rgb;
    resolve_fail_on(&a);
    imc_decode_options opts;
    if (fill_options(&a, &opts) < 0)
        return NULL;
    pages_call c = {&opts, (size_t)start, (size_t)count, {NULL, 0}, {0}};
    imc_error err;
    int rc = with_bytes(data, decode_frames, &c, &err);
    if (rc != IMC_OK)
        return rc == PY_FAILED ? NULL : raise_damaged(&err, rc, &report);
    imc_animation anim = c.anim;
    if (warn_if_damaged(&a, &report, -1) < 0) {
        imc_animation_free(&anim);
        return NULL;
    }
    PyObject *durations = PyList_New((Py_ssize_t)anim.count);
    for (size_t i = 0; durations && i < anim.count; i++)
        PyList_SET_ITEM(durations, (Py_ssize_t)i, PyLong_FromLong(anim.durations[i]));
    imc_image_list frames = {anim.frames, anim.count};
    anim.frames = NULL; /* list_to_arrays owns them now */
    anim.count = 0;
    PyObject *arrays = list_to_arrays(&frames);
    PyObject *result = arrays && durations
                           ? Py_BuildValue("(OOi(dddd))", arrays, durations, anim.loop_count,
                                           (double)anim.bgcolor[0], (double)anim.bgcolor[1],
                                           (double)anim.bgcolor[2], (double)anim.bgcolor[3])
                           : NULL;
    Py_XDECREF(arrays);
    Py_XDECREF(durations);
    imc_animation_free(&anim);
    return result;
}

/* The frames, durations and loop count of an animation, for encoding. */
typedef struct {
    image_batch batch;
    int *durations;
    imc_animation anim;
} animation_args;

static int get_animation(PyObject *frames, PyObject *durations, int loop_count, PyObject *params,
                         animation_args *a)
{
    memset(a, 0, sizeof *a);
    if (get_images(frames, params, &a->batch) < 0)
        return -1;
    PyObject *seq = PySequence_Fast(durations, "durations must be a sequence of ints");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n != a->batch.n) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "%zd frames but %zd durations", a->batch.n, n);
        return -1;
    }
    a->durations = PyMem_Calloc((size_t)(n ? n : 1), sizeof(int));
    for (Py_ssize_t i = 0; a->durations && i < n; i++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if ((v == -1 && PyErr_Occurred()) || v < INT32_MIN || v > INT32_MAX) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_OverflowError, "durations[%zd] does not fit in a C int", i);
            Py_DECREF(seq);
            return -1;
        }
        a->durations[i] = (int)v;
    }
    Py_DECREF(seq);
    if (!a->durations) {
        PyErr_NoMemory();
        return -1;
    }
    a->anim = (imc_animation){.frames = a->batch.imgs, .durations = a->durations,
                              .count = (size_t)n, .loop_count = loop_count};
    return 0;
}

static void release_animation(animation_args *a)
{
    release_images(&a->batch);
    PyMem_Free(a->durations);
}

/* _encode_animation(ext, frames, durations, loop_count, params, rgb[, metadata]) -> bytes */
static PyObject *py_encode_animation(PyObject *self, PyObject *args)
{
    (void)self;
    const char *ext;
    PyObject *frames, *durations, *params, *metadata = NULL, *blobs;
    int loop_count, rgb;
    imc_metadata md;
    if (!PyArg_ParseTuple(args, "sOOiOp|O:_encode_animation", &ext, &frames, &durations,
                          &loop_count, &params, &rgb, &metadata) ||
        metadata_from(metadata, &md, &blobs) < 0)
        return NULL;
    animation_args a;
    PyObject *result = NULL;
    if (get_animation(frames, durations, loop_count, params, &a) == 0) {
        imc_encode_options opts = encode_options(rgb);
        if (blobs)
            opts.metadata = &md;
        imc_buffer out;
        imc_error err;
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = imc_encode_animation(ext, &a.anim, a.batch.params, a.batch.nparams, &opts, &out,
                                  &err);
        Py_END_ALLOW_THREADS
        result = encoded_bytes(rc, &err, &out);
    }
    release_animation(&a);
    metadata_release(&md, blobs);
    return result;
}

/* _write_animation(path, frames, durations, loop_count, params) -> None, raising */
static PyObject *py_write_animation(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *path_obj, *frames, *durations, *params, *path = NULL;
    int loop_count;
    if (!PyArg_ParseTuple(args, "OOOiO:_write_animation", &path_obj, &frames, &durations,
                          &loop_count, &params))
        return NULL;
    if (!PyUnicode_FSConverter(path_obj, &path))
        return NULL;
    animation_args a;
    PyObject *result = NULL;
    if (get_animation(frames, durations, loop_count, params, &a) == 0) {
        imc_error err;
        int rc;
        const char *p = PyBytes_AS_STRING(path);
        Py_BEGIN_ALLOW_THREADS
        rc = imc_write_animation(p, &a.anim, a.batch.params, a.batch.nparams, NULL, &err);
        Py_END_ALLOW_THREADS
        if (rc != IMC_OK)
            raise_imc(&err, rc);
        else
            result = (Py_INCREF(Py_None), Py_None);
    }
    release_animation(&a);
    Py_DECREF(path);
    return result;
}

PyMethodDef imc_py_pages_methods[] = {
    KW_METHOD("_decode_multi", py_decode_multi, NULL),
    {"_count", py_count, METH_O, NULL},
    {"_encode_multi", py_encode_multi, METH_VARARGS, NULL},
    {"_write_multi", py_write_multi, METH_VARARGS, NULL},
    KW_METHOD("_decode_animation", py_decode_animation, NULL),
    {"_encode_animation", py_encode_animation, METH_VARARGS, NULL},
    {"_write_animation", py_write_animation, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
