/* Decoding one image: cv2's imdecode / imread and imc's decode / read, and
 * probe. */
#include "binding.h"

PyTypeObject ImageInfoType;

static PyStructSequence_Field info_fields[] = {
    {"format", "codec name"},
    {"width", "pixels"},
    {"height", "pixels"},
    {"channels", "channels IMREAD_UNCHANGED returns"},
    {"dtype", "sample type IMREAD_UNCHANGED returns"},
    {"orientation", "EXIF orientation 1..8, 0 if none"},
    {NULL, NULL},
};

static PyStructSequence_Desc info_desc = {"imc.ImageInfo", "Header facts from imc.probe()",
                                          info_fields, 6};

int add_image_info_type(PyObject *m)
{
    if (PyStructSequence_InitType2(&ImageInfoType, &info_desc) < 0)
        return -1;
    Py_INCREF(&ImageInfoType);
    return PyModule_AddObject(m, "ImageInfo", (PyObject *)&ImageInfoType);
}

/* The orientation policy named by a decode call's `orientation` argument. */
static int orientation_policy(PyObject *o, int *policy)
{
    *policy = IMC_ORIENTATION_CV2;
    if (!o || o == Py_None)
        return 0;
    const char *s = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
    if (s && (!strcmp(s, "flags") || !strcmp(s, "cv2")))
        return 0;
    if (s && !strcmp(s, "apply"))
        *policy = IMC_ORIENTATION_APPLY;
    else if (s && !strcmp(s, "ignore"))
        *policy = IMC_ORIENTATION_IGNORE;
    else {
        PyErr_SetString(PyExc_ValueError,
                        "orientation must be 'flags' (cv2's rule), 'apply' or 'ignore'");
        return -1;
    }
    return 0;
}

/* The fail_on level named by a decode call's `fail_on` argument. */
static int fail_on_level(PyObject *o, int *level)
{
    static const char *const names[] = {"none", "truncated", "error", "warning"};
    *level = IMC_FAIL_ON_NONE;
    if (!o || o == Py_None)
        return 0;
    const char *s = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, names[i])) {
            *level = i;
            return 0;
        }
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError,
                        "fail_on must be 'none' (cv2's), 'truncated', 'error' or 'warning'");
    return -1;
}

int fill_options(const decode_args *a, imc_decode_options *o)
{
    *o = (imc_decode_options)IMC_DECODE_OPTIONS_INIT;
    if (orientation_policy(a->orientation, &o->orientation) < 0 ||
        fail_on_level(a->fail_on, &o->fail_on) < 0)
        return -1;
    if (a->imc_api && (!a->fail_on || a->fail_on == Py_None))
        o->fail_on = a->fail_on_level;
    o->report = a->report;
    o->flags = a->flags;
    o->order = a->rgb ? IMC_ORDER_RGB : IMC_ORDER_BGR;
    o->limits.max_width = a->max_width;
    o->limits.max_height = a->max_height;
    o->limits.max_pixels = a->max_pixels;
    o->limits.max_bytes = a->max_bytes;
    o->threads = a->threads;
    return 0;
}

/* One image decoded from bytes, into new memory or the caller's. */
typedef struct {
    const imc_decode_options *opts;
    const imc_image *into; /* NULL: a new image in img */
    imc_image img;
} one_image;

static int decode_bytes(const void *data, size_t size, void *ctx, imc_error *err)
{
    one_image *c = ctx;
    return c->into ? imc_decode_into(data, size, c->opts, c->into, err)
                   : imc_decode_ex(data, size, c->opts, &c->img, err);
}

/* Decodes bytes-like `src`, or the file at path `src`. strict: raise
 * imc.error on any failure; else cv2's None-or-raise split. */
static PyObject *decode_from(PyObject *src, bool is_path, const decode_args *a, bool strict)
{
    imc_decode_options opts;
    if (fill_options(a, &opts) < 0)
        return NULL;
    imc_metadata md;
    if (a->want_metadata)
        opts.metadata = &md;
    imc_image dst;
    one_image c = {&opts, NULL, {0}};
    if (a->out && a->out != Py_None) {
        if (array_as_dst(a->out, &dst) < 0)
            return NULL;
        c.into = &dst;
    }
    imc_error err;
    int rc;
    if (is_path) {
        PyObject *path = NULL;
        if (!PyUnicode_FSConverter(src, &path))
            return NULL;
        const char *p = PyBytes_AS_STRING(path);
        Py_BEGIN_ALLOW_THREADS
        rc = imc_read_ex(p, &opts, &c.img, &err);
        Py_END_ALLOW_THREADS
        Py_DECREF(path);
    } else if ((rc = with_bytes(src, decode_bytes, &c, &err)) == PY_FAILED) {
        return NULL;
    }
    if (rc != IMC_OK)
        return strict ? raise_damaged(&err, rc, a->report)
                      : cv2_failure(CV2_DECODE, strict, rc, &err, Py_None);
    if (strict && !a->want_report && warn_if_damaged(a, a->report, -1) < 0) {
        imc_image_free(&c.img);
        if (a->want_metadata)
            imc_metadata_free(&md);
        return NULL;
    }
    PyObject *img = c.into ? Py_NewRef(a->out) : image_to_array(&c.img);
    PyObject *meta = a->want_metadata ? metadata_dict(&md) : NULL;
    if (!img || (a->want_metadata && !meta)) {
        Py_XDECREF(img);
        Py_XDECREF(meta);
        return NULL;
    }
    if (a->want_report && a->want_metadata)
        return Py_BuildValue("(NNN)", img, damage_dict(a->report, true), meta);
    if (a->want_report)
        return Py_BuildValue("(NN)", img, damage_dict(a->report, true));
    return a->want_metadata ? Py_BuildValue("(NN)", img, meta) : img;
}

/* imc.decode / imc.read: the source, then flags and the keyword options. */
static PyObject *decode_strict(PyObject *args, PyObject *kw, bool is_path)
{
    static char *data_names[] = {"data", "flags", "rgb", "max_width", "max_height", "max_pixels",
                                 "max_bytes", "orientation", "fail_on", "partial", "report",
                                 "metadata", "threads", "out", NULL};
    static char *path_names[] = {"path", "flags", "rgb", "max_width", "max_height", "max_pixels",
                                 "max_bytes", "orientation", "fail_on", "partial", "report",
                                 "metadata", "threads", NULL};
    PyObject *src;
    imc_damage_report report = IMC_DAMAGE_REPORT_INIT;
    decode_args a = {.flags = IMC_IMREAD_COLOR, .report = &report};
    /* `out` comes last, and only for data: the same argument list serves both */
    if (!PyArg_ParseTupleAndKeywords(args, kw, is_path ? "O|i$pKKKKOOpppi:read"
                                                       : "O|i$pKKKKOOpppiO:decode",
                                     is_path ? path_names : data_names, &src, &a.flags, &a.rgb,
                                     &a.max_width, &a.max_height, &a.max_pixels, &a.max_bytes,
                                     &a.orientation, &a.fail_on, &a.partial, &a.want_report,
                                     &a.want_metadata, &a.threads, &a.out))
        return NULL;
    resolve_fail_on(&a);
    return decode_from(src, is_path, &a, true);
}

static PyObject *py_imdecode(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"buf", "flags", NULL};
    PyObject *buf;
    decode_args a = {0};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oi:imdecode", names, &buf, &a.flags))
        return NULL;
    return decode_from(buf, false, &a, false);
}

static PyObject *py_imread(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"filename", "flags", NULL};
    PyObject *path;
    decode_args a = {.flags = IMC_IMREAD_COLOR};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|i:imread", names, &path, &a.flags))
        return NULL;
    return decode_from(path, true, &a, false);
}

static PyObject *py_decode(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    return decode_strict(args, kw, false);
}

static PyObject *py_read(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    return decode_strict(args, kw, true);
}

static int decode_every_page(const void *data, size_t size, void *opts, imc_error *err)
{
    imc_image_list pages;
    int rc = imc_decode_multi(data, size, opts, 0, 0, &pages, err);
    imc_image_list_free(&pages);
    return rc;
}

/* check(data, flags=IMREAD_UNCHANGED) -> dict: decodes every page and
 * reports what the data lacked, never raising for damage. */
static PyObject *py_check(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"data", "flags", NULL};
    PyObject *data;
    decode_args a = {.flags = IMC_IMREAD_UNCHANGED};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|i:check", names, &data, &a.flags))
        return NULL;
    imc_damage_report report = IMC_DAMAGE_REPORT_INIT;
    a.report = &report;
    imc_decode_options opts;
    if (fill_options(&a, &opts) < 0)
        return NULL;
    opts.orientation = IMC_ORIENTATION_IGNORE; /* turning the pixels tells nothing */
    imc_error err;
    int rc = with_bytes(data, decode_every_page, &opts, &err);
    if (rc == PY_FAILED)
        return NULL;
    if (rc != IMC_OK && report.kind == IMC_DAMAGE_NONE)
        return raise_imc(&err, rc); /* not the data's fault: arguments, memory, I/O */
    return damage_dict(&report, rc == IMC_OK);
}

static int probe_bytes(const void *data, size_t size, void *info, imc_error *err)
{
    return imc_probe_ex(data, size, info, err);
}

static PyObject *py_probe(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"data", NULL};
    PyObject *data;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:probe", names, &data))
        return NULL;
    imc_info info;
    imc_error err;
    int rc = with_bytes(data, probe_bytes, &info, &err);
    if (rc != IMC_OK)
        return rc == PY_FAILED ? NULL : raise_imc(&err, rc);
    PyObject *t = PyStructSequence_New(&ImageInfoType);
    if (!t)
        return NULL;
    int typenum = npy_type_of(info.depth);
    PyArray_Descr *descr = PyArray_DescrFromType(typenum >= 0 ? typenum : NPY_UINT8);
    PyObject *dtype = PyObject_GetAttrString((PyObject *)descr, "name");
    Py_DECREF(descr);
    PyStructSequence_SET_ITEM(t, 0, PyUnicode_FromString(info.format));
    PyStructSequence_SET_ITEM(t, 1, PyLong_FromLong(info.width));
    PyStructSequence_SET_ITEM(t, 2, PyLong_FromLong(info.height));
    PyStructSequence_SET_ITEM(t, 3, PyLong_FromLong(info.channels));
    PyStructSequence_SET_ITEM(t, 4, dtype);
    PyStructSequence_SET_ITEM(t, 5, PyLong_FromLong(info.orientation));
    if (PyErr_Occurred()) {
        Py_DECREF(t);
        return NULL;
    }
    return t;
}

PyMethodDef imc_py_decode_methods[] = {
    KW_METHOD("imdecode", py_imdecode,
              "imdecode(buf, flags) -> image or None\n\ncv2.imdecode: decodes an image from any "
              "bytes-like object. Returns None if the data cannot be decoded."),
    KW_METHOD("imread", py_imread,
              "imread(filename, flags=IMREAD_COLOR) -> image or None\n\ncv2.imread."),
    KW_METHOD("decode", py_decode,
              "decode(data, flags=IMREAD_COLOR, *, rgb=False, max_width=0, max_height=0, "
              "max_pixels=0, max_bytes=0, orientation='flags', fail_on=None, partial=False, "
              "report=False, metadata=False, threads=0, out=None) -> image\n\nLike imdecode but raises imc.error with the reason on "
              "failure, and for damaged data that imdecode decodes anyway (truncated or corrupt: "
              "the error's .damage says what and where). partial=True returns such an image, as "
              "imdecode does, with an imc.DamageWarning; fail_on ('none', 'truncated', 'error', "
              "'warning') sets the level yourself; report=True returns (image, check()'s dict) "
              "and warns for nothing. metadata=True returns (image, {kind: bytes}) (after the "
              "report when both are asked for): see imc.metadata. rgb=True returns RGB/RGBA order; "
              "max_* override the limits; orientation 'apply' or 'ignore' overrides cv2's rule for "
              "EXIF rotation; threads: how many may read this one image (-1: one per CPU; TIFF reads its strips "
              "or tiles on them, with one thread's result); out: an array of exactly the shape and dtype decoded (a slot of a "
              "batch array will do) filled in place and returned, so no new memory is allocated."),
    KW_METHOD("read", py_read,
              "read(path, flags=IMREAD_COLOR, *, rgb=False, ..., fail_on=None, partial=False) -> "
              "image\n\nimread that raises imc.error, as decode does."),
    KW_METHOD("check", py_check,
              "check(data, flags=IMREAD_UNCHANGED) -> dict(ok, kind, complete, first_bad_row, "
              "page, warnings, message)\n\nDecodes every page and reports the worst damage met "
              "('none', 'warning', 'error' or 'truncated'; 'error' too for data nothing decodes); "
              "complete: every pixel came from intact data, as far as the format can tell. "
              "Raises imc.error only for what is not the data's fault (arguments, memory)."),
    KW_METHOD("probe", py_probe,
              "probe(data) -> ImageInfo(format, width, height, channels, dtype, "
              "orientation)\n\nReads the header only. channels and dtype are what IMREAD_UNCHANGED "
              "returns."),
    {NULL, NULL, 0, NULL},
};
