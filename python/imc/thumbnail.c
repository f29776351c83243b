/* imc.thumbnail and imc.thumbnail_batch: a smaller image (or its encoded
 * bytes) straight from compressed bytes, with the GIL released. Damage is
 * handled as in imc.decode. */
#include "binding.h"

/* The keyword options both calls share. */
typedef struct {
    PyObject *width, *height; /* int or None */
    int crop, upscale, rgb, flags;
    unsigned long long max_width, max_height, max_pixels, max_bytes;
    decode_args damage;       /* its fail_on, partial */
    const char *ext;          /* NULL: arrays */
    PyObject *params;
    int *param_list;
    size_t nparams;
} thumb_args;

static int side(PyObject *o, const char *name, int *v)
{
    *v = 0;
    if (!o || o == Py_None)
        return 0;
    long n = PyLong_AsLong(o);
    if (n == -1 && PyErr_Occurred())
        return -1;
    if (n < 0 || n > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "%s must be a size in pixels, not %ld", name, n);
        return -1;
    }
    *v = (int)n;
    return 0;
}

/* imc_thumbnail_options from the arguments (report: one, or an array). */
static int thumb_options(thumb_args *a, imc_damage_report *report, imc_thumbnail_options *o)
{
    *o = (imc_thumbnail_options)IMC_THUMBNAIL_OPTIONS_INIT;
    if (side(a->width, "width", &o->width) < 0 || side(a->height, "height", &o->height) < 0)
        return -1;
    if (!o->width && !o->height) {
        PyErr_SetString(PyExc_ValueError, "thumbnail needs a width, a height or both");
        return -1;
    }
    resolve_fail_on(&a->damage);
    imc_decode_options d;
    a->damage.report = report;
    if (fill_options(&a->damage, &d) < 0)
        return -1;
    o->crop = a->crop;
    o->upscale = a->upscale;
    o->flags = a->flags;
    o->order = a->rgb ? IMC_ORDER_RGB : IMC_ORDER_BGR;
    o->limits = (imc_limits){a->max_width, a->max_height, a->max_pixels, a->max_bytes};
    o->fail_on = d.fail_on;
    o->report = report;
    if (a->ext && get_params(a->params, &a->param_list, &a->nparams) < 0)
        return -1;
    return 0;
}

static PyObject *result_of(const thumb_args *a, imc_image *img, imc_buffer *buf)
{
    if (!a->ext)
        return image_to_array(img);
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)buf->data, (Py_ssize_t)buf->size);
    imc_buffer_free(buf);
    return bytes;
}

typedef struct {
    const imc_thumbnail_options *o;
    const thumb_args *a;
    imc_image img;
    imc_buffer buf;
} one_thumb;

static int thumb_bytes(const void *data, size_t size, void *ctx, imc_error *err)
{
    one_thumb *t = ctx;
    return t->a->ext ? imc_thumbnail_encode(data, size, t->o, t->a->ext, t->a->param_list,
                                            t->a->nparams, &t->buf, err)
                     : imc_thumbnail(data, size, t->o, &t->img, err);
}

#define THUMB_KEYWORDS "crop", "upscale", "flags", "rgb", "max_width", "max_height", \
                       "max_pixels", "max_bytes", "fail_on", "partial", "ext", "params"
#define THUMB_FORMAT "$ppipKKKKOpzO"
#define THUMB_TARGETS(a) &(a).crop, &(a).upscale, &(a).flags, &(a).rgb, &(a).max_width, \
                         &(a).max_height, &(a).max_pixels, &(a).max_bytes, &(a).damage.fail_on, \
                         &(a).damage.partial, &(a).ext, &(a).params

static PyObject *py_thumbnail(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"data", "width", "height", THUMB_KEYWORDS, "report", NULL};
    PyObject *data;
    thumb_args a = {.flags = IMC_IMREAD_COLOR};
    int want_report = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OO" THUMB_FORMAT "p:thumbnail", names, &data,
                                     &a.width, &a.height, THUMB_TARGETS(a), &want_report))
        return NULL;
    imc_damage_report report = IMC_DAMAGE_REPORT_INIT;
    imc_thumbnail_options o;
    PyObject *result = NULL;
    if (thumb_options(&a, &report, &o) == 0) {
        one_thumb t = {&o, &a, {0}, {0}};
        imc_error err;
        int rc = with_bytes(data, thumb_bytes, &t, &err);
        if (rc == IMC_OK && (want_report || warn_if_damaged(&a.damage, &report, -1) == 0)) {
            result = result_of(&a, &t.img, &t.buf);
            if (result && want_report)
                result = Py_BuildValue("(NN)", result, damage_dict(&report, true));
        }
        else if (rc == IMC_OK) {
            imc_image_free(&t.img);
            imc_buffer_free(&t.buf);
        } else if (rc != PY_FAILED)
            raise_damaged(&err, rc, &report);
    }
    PyMem_Free(a.param_list);
    return result;
}

static PyObject *py_thumbnail_batch(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"buffers", "width", "height", "threads", THUMB_KEYWORDS, NULL};
    PyObject *seq_obj;
    int threads = 0;
    thumb_args a = {.flags = IMC_IMREAD_COLOR};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOi" THUMB_FORMAT ":thumbnail_batch", names,
                                     &seq_obj, &a.width, &a.height, &threads, THUMB_TARGETS(a)))
        return NULL;
    input_batch b;
    PyObject *result = NULL;
    imc_image *imgs = NULL;
    imc_buffer *encoded = NULL;
    imc_thumbnail_options o;
    if (get_inputs(seq_obj, &b) < 0)
        goto done;
    const Py_ssize_t n = b.n;
    const size_t count = (size_t)(n ? n : 1);
    imgs = PyMem_Calloc(count, sizeof *imgs);
    encoded = PyMem_Calloc(count, sizeof *encoded);
    if (!imgs || !encoded) {
        PyErr_NoMemory();
        goto done;
    }
    if (thumb_options(&a, b.reports, &o) < 0)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    imc_thumbnail_batch(b.bufs, b.lens, (size_t)n, &o, a.ext, a.param_list, a.nparams, threads,
                        imgs, encoded, b.status, b.errs);
    Py_END_ALLOW_THREADS
    result = PyList_New(n);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = result ? batch_outcome(&b, &a.damage, i) : NULL;
        if (item == Py_None) {
            Py_DECREF(item);
            item = result_of(&a, &imgs[i], &encoded[i]);
        }
        if (!item) {
            Py_CLEAR(result);
            imc_image_free(&imgs[i]);
            imc_buffer_free(&encoded[i]);
            continue;
        }
        PyList_SET_ITEM(result, i, item);
    }
done:
    release_inputs(&b);
    PyMem_Free(imgs);
    PyMem_Free(encoded);
    PyMem_Free(a.param_list);
    return result;
}

PyMethodDef imc_py_thumbnail_methods[] = {
    KW_METHOD("thumbnail", py_thumbnail,
              "thumbnail(data, width, height=None, *, crop=False, upscale=False, "
              "flags=IMREAD_COLOR, rgb=False, max_width=0, max_height=0, max_pixels=0, "
              "max_bytes=0, fail_on=None, partial=False, ext=None, params=None) -> image or "
              "bytes\n\nA thumbnail straight from compressed bytes: the largest size inside "
              "width x height keeping the aspect ratio (a side None follows from the other), or "
              "with crop=True exactly that box, its middle kept. Only what the size needs is "
              "decoded (JPEG's DCT scaling, the first page), the EXIF orientation is applied, "
              "and the reduction is a box average then Lanczos-3 (on the stored values, alpha "
              "premultiplied). An image smaller than the box keeps its size unless upscale=True. "
              "flags: IMREAD_COLOR, IMREAD_GRAYSCALE or IMREAD_UNCHANGED (alpha and depth kept). "
              "ext: return the thumbnail encoded in that format, with params. Damaged data "
              "raises imc.error, as decode() (partial=True: a DamageWarning); report=True "
              "returns (thumbnail, check()'s dict)."),
    KW_METHOD("thumbnail_batch", py_thumbnail_batch,
              "thumbnail_batch(buffers, width, height=None, threads=0, *, ...) -> list\n\n"
              "thumbnail() of every buffer on `threads` threads (0: one per CPU), the GIL "
              "released: in input order, an image (or bytes, with ext) or an imc.error instance "
              "per item."),
    {NULL, NULL, 0, NULL},
};
